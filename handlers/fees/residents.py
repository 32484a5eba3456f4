"""The resident's side of the fee desk: "My fees" and /fees (the statement, in their language),
"I have paid" with a photo of the receipt, "I dispute this" (to the front desk; reminders
pause), and "pay at the door" (a task for the desk, 第四篇 2(4)③).

Every tap names a household; it is re-checked against the units the person is bound to.
Fees never stand in the way of anything else: a repair or an emergency is taken whatever the
household owes.
"""

from __future__ import annotations

from dialogs import fees as texts
from dialogs.answers import paid_amount
from dialogs.events import Priority, Say
from dialogs.model import AnswerText, Outcome
from dialogs.times import time_text
from handlers.fees import ledger
from handlers.fees.money import to_fen, yuan
from handlers.fees.tasks import TASK_CHATS, open_dispute, pause, raise_task
from handlers.fees.views import paused_by, statement_view
from handlers.front_desk.inbox import reference, response_due, response_promise
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.due_items import chats
from handlers.office.people import unit_label
from handlers.office.permissions import OUT_OF_DATE
from locales import Raw, _, lines
from storage.fees import FeeReceiptClaim
from storage.models import FrontDeskRequest, Household


def _household(caller: Caller, household_id: int) -> Household | None:
    """The household, if the caller is bound to it; refused politely otherwise."""
    if household_id not in {u.household_id for u in caller.context().units}:
        caller.refuse(OUT_OF_DATE)
        return None
    household = caller.session.get(Household, household_id)
    if household is None:
        caller.refuse(OUT_OF_DATE)
    return household


def _show(caller: Caller, household: Household) -> None:
    assert household.id is not None
    statement = ledger.statement_of(caller.uow, household.id)
    view = statement_view(statement, household, ledger.ladder_of(caller.uow.office),
                          paused_by(caller.session, household.id))
    caller.reply(texts.statement_text(view),
                 texts.fees_keyboard(household.id, statement.total_due > 0))


def my_fees(caller: Caller) -> None:
    """/fees and "My fees": the statement of every unit the person is bound to."""
    units = caller.context().units
    if not units:
        caller.reply(texts.NO_UNITS)
        return
    for unit in units:
        household = caller.session.get(Household, unit.household_id)
        if household is not None:
            _show(caller, household)


def show(caller: Caller, household_id: int) -> None:
    """The "My fees" button under a notice."""
    household = _household(caller, household_id)
    if household is not None:
        caller.toast()
        _show(caller, household)


def ask_receipt(caller: Caller, household_id: int) -> Outcome | None:
    household = _household(caller, household_id)
    if household is None:
        return None
    caller.toast()
    return texts.ask_receipt(caller.context(), new_nonce(), household_id, unit_label(household))


def ask_dispute(caller: Caller, household_id: int) -> Outcome | None:
    household = _household(caller, household_id)
    if household is None:
        return None
    caller.toast()
    return texts.ask_dispute(caller.context(), new_nonce(), household_id, unit_label(household))


def ask_door(caller: Caller, household_id: int) -> Outcome | None:
    household = _household(caller, household_id)
    if household is None:
        return None
    caller.toast()
    return texts.ask_door_time(caller.context(), new_nonce(), household_id,
                               unit_label(household))


def receipt_sent(caller: Caller, command: AnswerText) -> None:
    """The photo of a receipt: staff confirm or reject it in the front desk's chat."""
    household = _household(caller, command.subject_id)
    if household is None or household.id is None:
        return
    readable, amount = paid_amount(command.text)
    if not readable:  # two amounts, or none of yuan: which one is not guessed
        caller.reply(texts.unclear_amount(command.text))
        return
    if amount is None:
        amount = ledger.statement_of(caller.uow, household.id).total_due
    if amount <= 0:
        caller.reply(_("Nothing is due for {unit}, so there is nothing to confirm. Thank you!",
                       unit=Raw(unit_label(household))))
        return
    claim = FeeReceiptClaim(household_id=household.id,
                            person_id=caller.person.id if caller.person else None,
                            chat_id=caller.chat_id, photos=list(command.photos),
                            note=command.text[:1000], amount_fen=to_fen(amount),
                            created_at=caller.now)
    caller.session.add(claim)
    caller.session.flush()
    pause(caller.uow, household.id)
    caller.log("fee_receipt_claimed", household_id=household.id, claim_id=claim.id,
               amount=str(amount), photos=list(command.photos))
    name = caller.person.name if caller.person else ""
    for chat_id in chats(caller.uow, *TASK_CHATS):
        caller.uow.send(Say(chat_id, texts.claim_card(claim.id or 0, unit_label(household), name,
                                                      yuan(amount), command.text),
                            texts.claim_keyboard(claim.id or 0, yuan(amount)),
                            photos=command.photos, ref=f"feeclaim:{claim.id}",
                            priority=Priority.NOTICE))
    caller.reply(_("Thank you. The front desk will check your receipt for {amount} yuan and "
                   "confirm it here; reminders wait meanwhile.", amount=Raw(yuan(amount))))


def dispute_sent(caller: Caller, command: AnswerText) -> None:
    """ "I dispute this": recorded for the front desk, and reminders pause until resolved."""
    household = _household(caller, command.subject_id)
    if household is None or household.id is None:
        return
    request = FrontDeskRequest(kind="fee", person_id=caller.person.id if caller.person else None,
                               household_id=household.id, chat_id=caller.chat_id,
                               text=command.text, created_at=caller.now,
                               due_at=response_due(caller.uow.office, caller.now))
    caller.session.add(request)
    caller.session.flush()
    dispute = open_dispute(caller.uow, household, command.text,
                           caller.person.id if caller.person else None, request.id)
    caller.log("fee_dispute_opened", household_id=household.id, dispute_id=dispute.id,
               request_id=request.id, text=command.text)
    number = reference(request.id)
    caller.reply(lines(
        _("Your question about the fees for {unit} is recorded as {reference}. Reminders "
          "for this home are paused until the front desk resolves it.",
          unit=Raw(unit_label(household)), reference=Raw(number)),
        response_promise(caller.uow.office, request.due_at)))


def door_asked(caller: Caller, command: AnswerText) -> None:
    """Pay at the door: a task for the desk or the butler with the time asked for."""
    household = _household(caller, command.subject_id)
    if household is None or household.id is None:
        return
    due = ledger.statement_of(caller.uow, household.id).total_due
    if due <= 0:
        caller.reply(_("Nothing is due for {unit}. Thank you!", unit=Raw(unit_label(household))))
        return
    raise_task(caller.uow, household, "collect", "resident", due, wanted_time=command.text)
    caller.reply(_("A colleague will come to {unit} ({when}) to collect {amount} yuan, with "
                   "the receipt.", unit=Raw(unit_label(household)),
                   when=time_text(command.text), amount=Raw(yuan(due))))
