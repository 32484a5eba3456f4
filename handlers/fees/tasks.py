"""Staff tasks about fees, each with its outcome recorded: a phone call for a notice that could
not be delivered, the formal follow-up after the final notice (第四篇 2(4)④: phone → a formal
letter by express post three months later → a door visit → legal action), and collecting at
the door when a resident asks (2(4)③).

A task's card goes to the dispatch chat (the front desk); staff tap its outcome. The next step
of the follow-up is raised only while the household still owes.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import exists, insert, update
from sqlmodel import Session, col, select

from dialogs import fees as texts
from dialogs.events import Edit, Priority, Say
from handlers.fees import ledger
from handlers.fees.ladder import add_months
from handlers.fees.money import from_fen, to_fen, yuan
from handlers.fees.views import dispute_reference, pay_by_of
from handlers.office import Office
from handlers.office.caller import Caller
from handlers.office.due_items import chats, mark
from handlers.office.people import person_by_id_name, unit_label
from handlers.office.permissions import CALLBACK_ROLES, DESK_CHATS, OUT_OF_DATE
from handlers.office.unit_of_work import UnitOfWork
from locales import Text, _
from storage.fees import FeeCampaign, FeeDispute, FeeNotice, FeeTask
from storage.followups import FollowupMark
from storage.models import Household, Person, StaffChat

TASK_CHATS: Final = DESK_CHATS
# After each step, the next one of the formal follow-up, if the household still owes.
TASK_TABLE: Final = FeeTask.__table__  # type: ignore[attr-defined]
NOTICES: Final = FeeNotice.__table__  # type: ignore[attr-defined]
NEXT_STEP: Final[dict[str, str]] = {"phone": "letter", "letter": "door", "door": "legal"}
MOVES_ON: Final = ("unreachable", "promised", "sent", "visited")
# Follow-up marks: every household of a final notice followed up, or one household's.
FOLLOWED: Final = "fee_follow_up"
FOLLOWED_NOTICE: Final = "fee_final_unpaid"


def raise_task(uow: UnitOfWork, household: Household, kind: str, reason: str,
               amount: Decimal, *, notice_id: int | None = None, post: bool = True,
               due_on: date | None = None, wanted_time: str = "") -> FeeTask:
    """Create a task; post its card to the front desk unless it waits for a later day."""
    assert household.id is not None
    today = ledger.office_day(uow.office, uow.now)
    planned = due_on is not None and due_on > today
    task = FeeTask(household_id=household.id, kind=kind, reason=reason, notice_id=notice_id,
                   state="planned" if planned else "open", amount_fen=to_fen(amount),
                   wanted_time=wanted_time, due_on=due_on or today, created_at=uow.now)
    if post and not planned:
        uow.session.add(task)
        uow.session.flush()
        _post(uow, task, household)
    else:  # nothing to post: one plain INSERT (a campaign may raise thousands at once)
        values = task.model_dump(exclude={"id"})
        uow.session.connection().execute(insert(TASK_TABLE), values)
    uow.log("fee_task_raised", household_id=household.id, task_id=task.id, kind=kind,
            reason=reason, notice_id=notice_id,
            due_on=task.due_on.isoformat() if task.due_on else None)
    return task


def _post(uow: UnitOfWork, task: FeeTask, household: Household) -> None:
    text = ledger.task_card(task, household)
    for chat_id in chats(uow, *TASK_CHATS):
        uow.send(Say(chat_id, text, texts.task_keyboard(task.id or 0, task.kind),
                     ref=ledger.task_ref(task.id), priority=Priority.NOTICE))


def pause(uow: UnitOfWork, household_id: int) -> None:
    """Notices of the household not yet sent wait while something is being checked."""
    uow.session.connection().execute(
        update(NOTICES).where(NOTICES.c.household_id == household_id,
                              NOTICES.c.state == "pending")
        .values(state="paused", due_at=None, outcome="paused by the resident"))


def dispute_card(session: Session, dispute: FeeDispute, household: Household,
                 resolved_by: str = "") -> Text:
    """A dispute's card for the desk: a resident's own under its front-desk request's number,
    one heard on a staff task as D-n in the household's name (staff only wrote it down)."""
    if dispute.request_id is None:
        name = household.name
    else:
        who = session.get(Person, dispute.person_id) if dispute.person_id else None
        name = who.name if who else ""
    return texts.dispute_card(dispute_reference(dispute), unit_label(household), name,
                              dispute.text, resolved_by)


def open_dispute(uow: UnitOfWork, household: Household, text: str, person_id: int | None,
                 request_id: int | None = None) -> FeeDispute:
    """A fee dispute: the household's reminders pause, and its card with the Resolved button
    goes to the front desk — however it was raised, so that it can end."""
    assert household.id is not None
    dispute = FeeDispute(household_id=household.id, request_id=request_id,
                         person_id=person_id, text=text, opened_at=uow.now)
    uow.session.add(dispute)
    uow.session.flush()
    pause(uow, household.id)
    card = dispute_card(uow.session, dispute, household)
    for chat_id in chats(uow, *TASK_CHATS):
        uow.send(Say(chat_id, card, texts.dispute_keyboard(dispute.id or 0, request_id),
                     ref=f"feedispute:{dispute.id}", priority=Priority.NOTICE))
    return dispute


def record_outcome(caller: Caller, board: StaffChat, task_id: int, outcome: str) -> None:
    """A colleague records what came of a task (the first tap counts)."""
    task = caller.session.get(FeeTask, task_id)
    if task is None or board.purpose not in TASK_CHATS or outcome not in (
            texts.TASK_OUTCOMES.get(task.kind, ())):
        caller.refuse(OUT_OF_DATE)
        return
    person = caller.person
    if person is None or person.role not in CALLBACK_ROLES:
        caller.refuse(_("Only front-desk staff can record this."))
        return
    result = caller.session.connection().execute(
        update(FeeTask.__table__).where(  # type: ignore[attr-defined]
            FeeTask.__table__.c.id == task_id,  # type: ignore[attr-defined]
            FeeTask.__table__.c.state == "open")  # type: ignore[attr-defined]
        .values(state="done", outcome=outcome, done_at=caller.now, done_by=person.id))
    if not getattr(result, "rowcount", 0):
        caller.refuse(_("This task was already recorded."))
        return
    caller.session.refresh(task)
    household = caller.session.get(Household, task.household_id)
    assert household is not None and household.id is not None
    caller.log("fee_task_done", household_id=household.id, task_id=task.id, kind=task.kind,
               outcome=outcome)
    uow = caller.uow
    if outcome == "collected":
        statement = ledger.statement_of(uow, household.id)
        if statement.total_due > 0:
            ledger.record_payment(uow, household, statement.total_due,
                                  ledger.office_day(uow.office, uow.now),
                                  receipt_no=f"door-{task.id}", source="door", actor=person,
                                  chat_id=caller.chat_id)
    elif outcome == "disputes":
        dispute = open_dispute(uow, household, _dispute_note(task), person.id)
        caller.log("fee_dispute_opened", household_id=household.id, dispute_id=dispute.id,
                   via=task.kind)
    elif outcome in MOVES_ON and task.kind in NEXT_STEP:
        _next_step(uow, task, household)
    uow.send(Edit(caller.chat_id, ledger.task_card(task, household, texts.task_done(
        outcome, person.name)), message_id=caller.event.message_id, ref=ledger.task_ref(task.id)))
    caller.toast(_("Recorded. Thank you."))


def _dispute_note(task: FeeTask) -> str:
    return f"({task.kind} task {task.id}: the resident disputes the fees)"


def _next_step(uow: UnitOfWork, task: FeeTask, household: Household) -> None:
    assert household.id is not None
    due = ledger.task_due(uow.session, ledger.statement_of(uow, household.id), task)
    if due <= 0:
        return
    kind = NEXT_STEP[task.kind]
    due_on = None
    if kind == "letter":  # three months after the call (2(4)④)
        months = ledger.ladder_of(uow.office).follow_up.letter_after_months
        due_on = add_months(ledger.office_day(uow.office, uow.now), months)
    raise_task(uow, household, kind, "follow_up", due, notice_id=task.notice_id, due_on=due_on)


def post_due_tasks(uow: UnitOfWork, today: date) -> int:
    """Planned steps whose day has come: posted if the household still owes, else closed."""
    due = uow.session.exec(select(FeeTask).where(
        FeeTask.state == "planned", col(FeeTask.due_on) <= today)).all()
    for task in due:
        household = uow.session.get(Household, task.household_id)
        assert household is not None and household.id is not None
        owed = ledger.task_due(uow.session, ledger.statement_of(uow, household.id), task)
        if owed <= 0:
            task.state, task.outcome, task.done_at = "done", "paid", uow.now
        else:
            task.state, task.amount_fen = "open", to_fen(owed)
            _post(uow, task, household)
        uow.session.add(task)
    return len(due)


def raise_follow_ups(uow: UnitOfWork, today: date) -> int:
    """Households still unpaid when their final notice's days to pay are over — counted from
    the day it went out (``pay_by_of``) — go on the formal follow-up list: a phone call first
    (1.1.4; 第四篇 2(4)④). Once per notice; a campaign is set aside once all of them are."""
    finals = uow.session.exec(select(FeeCampaign).where(
        FeeCampaign.kind == "final", col(FeeCampaign.pay_by) < today,
        col(FeeCampaign.status).in_(("approved", "done")),
        ~exists().where(col(FollowupMark.kind) == FOLLOWED,
                        col(FollowupMark.subject_id) == col(FeeCampaign.id)))).all()
    raised = 0
    for campaign in finals:
        assert campaign.id is not None
        notices = uow.session.exec(select(FeeNotice).where(
            FeeNotice.campaign_id == campaign.id,
            col(FeeNotice.state).in_(("sent", "delivered")),
            ~exists().where(col(FollowupMark.kind) == FOLLOWED_NOTICE,
                            col(FollowupMark.subject_id) == col(FeeNotice.id)))).all()
        waiting = False
        for notice in notices:
            assert notice.id is not None
            if notice.sent_on is None or pay_by_of(campaign, notice.sent_on) >= today:
                waiting = True
                continue
            mark(uow, FOLLOWED_NOTICE, notice.id)
            household = uow.session.get(Household, notice.household_id)
            assert household is not None and household.id is not None
            due = ledger.statement_of(uow, household.id).due_through(campaign.period_start)
            if due <= 0:
                continue  # paid, late fee and all (or the late fee left was waived)
            raise_task(uow, household, "phone", "final_unpaid", due, notice_id=notice.id)
            raised += 1
        if campaign.status == "done" and not waiting:  # nothing of it can come due any more
            mark(uow, FOLLOWED, campaign.id)
    return raised


def tasks_list(office: Office, kind: str | None = None,
               state: str | None = None) -> list[dict[str, Any]]:
    """``frontline fees tasks``: the follow-up list (e.g. ``--kind letter`` for the letters)."""
    with UnitOfWork(office) as uow:
        query = select(FeeTask, Household).join(
            Household, col(Household.id) == col(FeeTask.household_id))
        if kind:
            query = query.where(FeeTask.kind == kind)
        if state:
            query = query.where(FeeTask.state == state)
        rows = []
        for task, household in uow.session.exec(query.order_by(col(FeeTask.id))).all():
            rows.append({
                "task": task.id, "kind": task.kind, "reason": task.reason,
                "state": task.state, "outcome": task.outcome,
                "building": household.building, "room": household.room,
                "name": household.name, "phone": household.phone,
                "amount": yuan(from_fen(task.amount_fen)), "wanted_time": task.wanted_time,
                "due_on": task.due_on.isoformat() if task.due_on else None,
                "done_by": person_by_id_name(uow.session, task.done_by)})
        return rows


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()

