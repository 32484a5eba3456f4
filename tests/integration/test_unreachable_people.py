"""A resident who blocked the bot: what is said to her is held, not tried again and again;
dispatch gets one phone task; when she comes back she reads it all in order, and if she never
does the held messages expire and the phone task says so.

Wang (3-1202) reports a dripping tap, then blocks the bot; Zhang the plumber takes the job,
sets off and finishes it — three messages for her.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from dialogs.events import EventKind, Priority, Say
from handlers.delivery import outbox as delivery
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw
from scheduler.drain import drain_once
from storage.models import EventLog, Outbox
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.repairs import finish_job, report_tap_leak

WANG = 101


@pytest.fixture
def estate(office: Office) -> Estate:
    estate = build_estate(office)
    report_tap_leak(estate)
    estate.desk.blocked.add(WANG)
    return estate


def three_notices_while_she_is_away(estate: Estate) -> None:
    zhang = estate.plumber
    zhang.taps("接单", chat_id=PLUMBERS)
    zhang.taps("出发")
    finish_job(estate)


def wang_rows(office: Office) -> list[Outbox]:
    """What was written for Wang since her chat first answered 403."""
    with Session(office.engine) as session:
        bounced = session.exec(select(EventLog.detail).where(
            EventLog.action == "message_undeliverable").order_by(col(EventLog.id))).first()
        if bounced is None:
            return []
        return list(session.exec(select(Outbox).where(
            Outbox.chat_id == WANG, Outbox.op != "toast",
            col(Outbox.id) >= bounced["outbox_id"]).order_by(col(Outbox.id))).all())


def phone_tasks(estate: Estate) -> list[str]:
    """Dispatch's cards about reaching Wang on Telegram (not the survey's callback card)."""
    return [t for t in estate.desk.texts(DISPATCH)
            if "王芳" in t and "13800000001" in t and "Telegram" in t]


def test_dispatch_gets_one_phone_task_and_she_reads_everything_when_she_is_back(
        estate: Estate, office: Office) -> None:
    wang, desk = estate.resident, estate.desk
    seen = len(wang.chat)
    three_notices_while_she_is_away(estate)
    held = wang_rows(office)
    assert {r.status for r in held} == {"parked"} and len(held) >= 3
    [task] = phone_tasks(estate)  # told once, however many messages are held
    assert "13800000001" in task and f"{len(held)}条" in task
    assert len(wang.chat) == seen  # nothing reached her phone

    desk.blocked.discard(WANG)
    wang.says("你好")  # she is back: anything she sends counts
    texts = [m.text for m in wang.chat[seen:]]
    sends = [r.text for r in held if r.op == "send"]
    assert texts[:len(sends)] == sends  # in the order they were written
    edited = {m.text for m in wang.chat[:seen] if m.edits}
    assert {r.text for r in held if r.op == "edit"} <= edited  # edits too, in place
    assert any("张师傅" in t for t in texts) and any("确认" in t for t in texts)
    [task] = phone_tasks(estate)
    assert task.startswith("✅") and str(len(held)) in task and "⚠️" not in task
    assert {r.status for r in wang_rows(office)} == {"sent"}


def test_unblocking_releases_what_was_held(estate: Estate, office: Office) -> None:
    wang = estate.resident
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    assert {r.status for r in wang_rows(office)} == {"parked"}
    estate.desk.blocked.discard(WANG)
    wang.desk.send(wang._event(EventKind.USER_UNBLOCKED_BOT))
    assert "张师傅" in wang.last
    assert {r.status for r in wang_rows(office)} == {"sent"}


def test_held_messages_expire_with_a_known_outcome(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    three_notices_while_she_is_away(estate)
    held = {r.id for r in wang_rows(office)}
    clock.advance(timedelta(hours=office.rules.held_messages_hours - 1))
    assert drain_once(office).counts["held_messages:expired"] == 0
    estate.desk.deliver()  # what fell due meanwhile (the job confirms itself) is held too
    clock.advance(timedelta(hours=2))
    assert drain_once(office).counts["held_messages:expired"] == 1
    statuses = {r.id: r.status for r in wang_rows(office)}
    assert {statuses[i] for i in held} == {"expired"}
    assert set(statuses.values()) == {"expired", "parked"}  # the later one waits its turn
    [task] = phone_tasks(estate)
    assert task.startswith("⌛") and str(office.rules.held_messages_hours) in task
    assert f"{len(held)}条" in task
    with Session(office.engine) as session:
        actions = Counter(session.exec(select(EventLog.action)).all())
    assert actions["held_messages_expired"] == 1
    estate.desk.blocked.discard(WANG)
    estate.resident.says("你好")  # back too late for those: only the later one arrives
    statuses = {r.id: r.status for r in wang_rows(office)}
    assert {statuses[i] for i in held} == {"expired"}
    assert "parked" not in statuses.values()


def bounced(office: Office, chat_id: int, error: str) -> Outbox:
    """A message for *chat_id* that Telegram answers with the 403 *error*; its row after."""
    with UnitOfWork(office) as uow:
        uow.send(Say(chat_id, Raw("张师傅已出发，约20分钟到。"), priority=Priority.NOTICE))
        uow.commit()
    with Session(office.engine) as session:
        row = session.exec(select(Outbox).where(Outbox.chat_id == chat_id,
                                                Outbox.status == "pending")).one()
    assert row.id is not None
    delivery.mark_undeliverable(office, row.id, error)
    with Session(office.engine) as session:
        found = session.get(Outbox, row.id)
        assert found is not None
        return found


@pytest.mark.parametrize(("error", "said"), [
    ("Forbidden: bot was blocked by the user", "屏蔽了机器人"),
    ("Forbidden: user is deactivated", "账号已注销"),
    ("Forbidden: bot can't initiate conversation with a user", "从未启用机器人"),
    ("Forbidden: a reason Telegram never gave before", "Telegram 拒绝投递")])
def test_the_phone_task_says_why_in_the_desks_language(
        estate: Estate, office: Office, error: str, said: str) -> None:
    row = bounced(office, WANG, error)
    estate.desk.deliver()
    [task] = phone_tasks(estate)
    assert f"（{said}）" in task and "Forbidden" not in task
    assert (row.status, row.last_error) == ("parked", error)  # Telegram's words kept here


def test_a_group_that_removed_the_bot_is_reported_in_the_desks_language(
        estate: Estate, office: Office) -> None:
    row = bounced(office, PLUMBERS, "Forbidden: bot was kicked from the group chat")
    estate.desk.deliver()
    told = estate.desk.texts(DISPATCH)[-1]
    assert "（机器人已被移出）" in told and "kicked" not in told
    assert row.last_error == "Forbidden: bot was kicked from the group chat"
