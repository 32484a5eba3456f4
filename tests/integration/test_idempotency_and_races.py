"""The same update twice has one effect; concurrent Accept taps have exactly one winner."""

from __future__ import annotations

import threading
from dataclasses import replace

from sqlalchemy import event
from sqlmodel import Session, col, func, select

from dialogs.buttons import Verb, tap
from dialogs.events import ChatKind, Event, EventKind
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.reception.entry import handle
from storage.models import EventLog, Outbox, WorkOrder
from tests.conftest import make_office, migrated
from tests.support.estate import DISPATCH, PLUMBERS, build_estate
from tests.support.orders import due, sh, survey_row, surveyed
from tests.support.repairs import report_tap_leak


def counts(office: Office) -> tuple[int, int, int]:
    with Session(office.engine) as session:
        return (session.exec(select(func.count()).select_from(Outbox)).one(),
                session.exec(select(func.count()).select_from(EventLog)).one(),
                session.exec(select(func.count()).select_from(WorkOrder)).one())


def test_the_same_update_processed_twice_has_one_effect(any_office: Office) -> None:
    estate = build_estate(any_office)
    report_tap_leak(estate)
    with Session(any_office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    accept = Event(key="u:424242", kind=EventKind.BUTTON, chat_id=PLUMBERS,
                chat_kind=ChatKind.GROUP, user_id=201, user_name="张师傅",
                button_data=tap(Verb.ACCEPT, order.id), callback_id="cb-x", message_id=1)
    handle(any_office, accept)
    after_first = counts(any_office)
    handle(any_office, accept)
    handle(any_office, replace(accept, callback_id="cb-y"))  # redelivered with the same update id
    assert counts(any_office) == after_first


def test_concurrent_accept_taps_have_exactly_one_winner(any_office: Office) -> None:
    estate = build_estate(any_office)
    technicians = [(201, "张师傅"), (202, "赵师傅")]
    for round_number in range(8):
        report_tap_leak(estate)
        with Session(any_office.engine) as session:
            order = session.exec(select(WorkOrder).where(WorkOrder.status == "open")).one()
        barrier = threading.Barrier(len(technicians))

        def press(user_id: int, name: str, order_id: int = order.id or 0,
                round_number: int = round_number,
                barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            handle(any_office, Event(
                key=f"u:race-{round_number}-{user_id}", kind=EventKind.BUTTON,
                chat_id=PLUMBERS, chat_kind=ChatKind.GROUP, user_id=user_id, user_name=name,
                button_data=tap(Verb.ACCEPT, order_id),
                callback_id=f"cb-{round_number}-{user_id}", message_id=1))

        threads = [threading.Thread(target=press, args=tech) for tech in technicians]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with Session(any_office.engine) as session:
            accepted = session.exec(select(EventLog).where(
                EventLog.order_id == order.id, EventLog.action == "accepted")).all()
            stored = session.get(WorkOrder, order.id)
            toasts = session.exec(select(Outbox).where(
                Outbox.op == "toast", col(Outbox.callback_id).in_(
                    [f"cb-{round_number}-{u}" for u, _ in technicians]))).all()
        assert len(accepted) == 1
        assert stored is not None and stored.status == "accepted"
        assert stored.assignee_id == accepted[0].actor_id
        assert len(toasts) == 2  # the winner is thanked, the other told it is taken
        estate.desk.deliver()


def test_the_same_update_delivered_twice_at_once_has_one_effect(any_office: Office) -> None:
    # Two webhook workers handed the same update at the same moment: on PostgreSQL the claim
    # is a CTE of the first read, and the second waits for the first to commit, then loses.
    estate = build_estate(any_office)
    estate.desk.deliver()
    for round_number in range(6):
        before = counts(any_office)
        update = estate.resident._event(EventKind.TEXT, text="谢谢")
        barrier = threading.Barrier(2)

        def deliver(update: Event = update, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            handle(any_office, update)

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answered = counts(any_office)[0] - before[0]
        assert answered == 1, f"round {round_number}: {answered} answers"


def test_a_rating_racing_the_window_close_leaves_no_stale_phone_task(
        postgres_url: str, clock: FakeClock) -> None:
    # The tap reads the survey as sent and still in its window; before its write, the
    # scheduler (another connection: no write lock is held yet on PostgreSQL) closes the
    # window and posts the phone task. The tap must then count as a late answer shown on
    # that task — not mark the survey done behind a live "Callback needed" card.
    migrated(postgres_url)
    office = make_office(postgres_url, clock)
    try:
        estate = build_estate(office, staff_language="en")
        li = estate.neighbour
        survey_id = surveyed(office, clock, li, estate.plumber)
        clock.set(sh(2026, 11, 25, 9, 59))
        closed: list[int] = []

        def close_window_first(connection: object, cursor: object, statement: str,
                               *args: object) -> None:
            if (statement.startswith("UPDATE callback_survey") and "rated_at=" in statement
                    and not closed):
                clock.set(sh(2026, 11, 25, 10, 0))
                drain = threading.Thread(
                    target=lambda: closed.append(due(office).counts["survey:phone"]))
                drain.start()
                drain.join()

        event.listen(office.engine, "before_cursor_execute", close_window_first)
        li.taps("3")
        event.remove(office.engine, "before_cursor_execute", close_window_first)
        assert closed == [1]
        row = survey_row(office, survey_id)
        assert (row.rating, row.rated_via, row.late, row.state) == (3, "bot", True, "phone")
        assert "3/5" in estate.desk.last(DISPATCH).text  # the task shows the answer
        assert "period has ended" in " ".join(estate.desk.texts(li.user_id)[-3:])
    finally:
        office.engine.dispose()
