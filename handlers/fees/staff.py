"""The front desk's fee buttons: confirm or reject a resident's receipt photo, resolve a fee
dispute. Either ends a pause, and the household's reminders resume if nothing else holds them.
And the household's card (``/fees 3-1202`` in the desk's chats): its statement, with a
button to record a payment taken at the desk and, for a manager, one to waive its late fee
with a reason.

Every tap comes from a staff group and is re-checked: the chat's purpose, the person's role,
the claim's or dispute's state now. Button data is only a reference. The amount and the
reason are asked privately, and the answer is re-checked against the person's role again.
"""

from __future__ import annotations

import re
from typing import Final

from sqlmodel import select

from dialogs import fees as texts
from dialogs.answers import caption_receipt, parse_quote, receipt_and_note, two_receipts
from dialogs.events import Edit, Priority, Say, inline
from dialogs.model import AnswerText
from handlers.fees import ledger
from handlers.fees.money import from_fen, to_fen, yuan
from handlers.fees.tasks import TASK_CHATS, dispute_card
from handlers.fees.views import dispute_reference, paused_by, statement_view
from handlers.office.calendar import daytime_from
from handlers.office.caller import Caller
from handlers.office.people import person_by_id_name, unit_label
from handlers.office.permissions import CALLBACK_ROLES, OUT_OF_DATE
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, _
from storage.fees import FeeCampaign, FeeDispute, FeeNotice, FeeReceiptClaim
from storage.models import FrontDeskRequest, Household, Person, StaffChat

UNIT: Final = re.compile(r"\s*([0-9A-Za-z]+)\s*[- ]\s*([0-9A-Za-z]+)\s*")
NOT_A_MANAGER: Final = _("Only a manager can waive a late fee; nothing was changed.")


def _staff(caller: Caller, board: StaffChat) -> Person | None:
    if board.purpose not in TASK_CHATS:
        caller.refuse(OUT_OF_DATE)
        return None
    if caller.person is None or caller.person.role not in CALLBACK_ROLES:
        caller.refuse(_("Only front-desk staff can record this."))
        return None
    return caller.person


def resume(uow: UnitOfWork, household_id: int) -> int:
    """Paused notices of the household go on their way again, unless something else still
    holds them (another open dispute, a receipt still being checked)."""
    if paused_by(uow.session, household_id):
        return 0
    sending = ledger.ladder_of(uow.office).sending
    start = daytime_from(uow.now, uow.office.timezone, sending.day_start, sending.day_end)
    paused = uow.session.exec(select(FeeNotice, FeeCampaign).join(
        FeeCampaign, FeeCampaign.id == FeeNotice.campaign_id).where(  # type: ignore[arg-type]
        FeeNotice.household_id == household_id, FeeNotice.state == "paused")).all()
    for notice, campaign in paused:
        notice.state, notice.outcome = "pending", ""
        notice.due_at = start if campaign.status == "approved" else None
        uow.session.add(notice)
    return len(paused)


def decide_receipt(caller: Caller, board: StaffChat, claim_id: int, choice: str) -> None:
    """Confirm (the payment is recorded, the resident gets the receipt) or reject a claim."""
    person = _staff(caller, board)
    claim = caller.session.get(FeeReceiptClaim, claim_id)
    if person is None:
        return
    if claim is None or choice not in ("confirm", "reject"):
        caller.refuse(OUT_OF_DATE)
        return
    if claim.state != "open":
        caller.refuse(_("This receipt was already checked."))
        return
    household = caller.session.get(Household, claim.household_id)
    assert household is not None and household.id is not None
    amount = from_fen(claim.amount_fen)
    # The receipt number the resident wrote, else the claim's own (it keeps a second tap
    # from recording the payment twice).
    receipt = caption_receipt(claim.note, unit_label(household)) or f"claim-{claim.id}"
    if choice == "confirm" and ledger.receipt_taken(caller.session, receipt, household.id,
                                                    to_fen(amount)):
        caller.refuse(_("Receipt {receipt} is already recorded for another payment; nothing "
                        "was changed. Check the receipt with the resident.",
                        receipt=Raw(receipt)))
        return
    claim.state, claim.decided_at, claim.decided_by = (
        "confirmed" if choice == "confirm" else "rejected", caller.now, person.id)
    caller.session.add(claim)
    caller.session.flush()
    if choice == "confirm":
        assert claim.created_at is not None
        result = ledger.record_payment(
            caller.uow, household, amount, ledger.office_day(caller.uow.office,
                                                             claim.created_at),
            receipt_no=receipt, source="claim", actor=person,
            chat_id=caller.chat_id)
        claim.payment_id = result.payment.id
        decided = _("✅ Confirmed by {name}.", name=Raw(person.name))
    else:
        if claim.chat_id is not None:
            caller.uow.send(Say(claim.chat_id, _(
                "We could not confirm your receipt for {amount} yuan ({unit}). Please contact "
                "the front desk, or send a clearer photo with “I have paid”.",
                amount=Raw(yuan(amount)), unit=Raw(unit_label(household))),
                priority=Priority.NOTICE))
        decided = _("✖ Rejected by {name}.", name=Raw(person.name))
    caller.log("fee_receipt_" + claim.state, household_id=household.id, claim_id=claim.id)
    resume(caller.uow, household.id)
    caller.uow.send(Edit(caller.chat_id, texts.claim_card(
        claim.id or 0, unit_label(household),
        person_by_id_name(caller.session, claim.person_id) or "", yuan(amount), claim.note,
        decided),
        message_id=caller.event.message_id, ref=f"feeclaim:{claim.id}"))
    caller.toast(_("Recorded. Thank you."))


def resolve_dispute(caller: Caller, board: StaffChat, dispute_id: int) -> None:
    """The front desk settled a fee dispute: recorded with who, the resident is told, and the
    household's reminders resume."""
    person = _staff(caller, board)
    dispute = caller.session.get(FeeDispute, dispute_id)
    if person is None:
        return
    if dispute is None:
        caller.refuse(OUT_OF_DATE)
        return
    if dispute.state != "open":
        caller.refuse(_("This dispute was already resolved."))
        return
    household = caller.session.get(Household, dispute.household_id)
    assert household is not None and household.id is not None
    dispute.state, dispute.resolved_at, dispute.resolved_by = "resolved", caller.now, person.id
    caller.session.add(dispute)
    request = caller.session.get(FrontDeskRequest, dispute.request_id or 0)
    if request is not None and request.status == "open":
        request.status, request.answered_at = "answered", caller.now
        caller.session.add(request)
    caller.session.flush()
    resumed = resume(caller.uow, household.id)
    # The resident who asked; for a dispute heard on a task, the household's residents.
    told = [request.chat_id] if request is not None and request.chat_id is not None \
        else ledger.resident_chats(caller.session, household.id)
    statement = ledger.statement_of(caller.uow, household.id)
    for chat_id in told:
        caller.uow.send(Say(chat_id, texts.dispute_resolved_text(
            dispute_reference(dispute), unit_label(household), yuan(statement.total_due),
            yuan(statement.late_fee)), priority=Priority.NOTICE))
    caller.log("fee_dispute_resolved", household_id=household.id, dispute_id=dispute.id,
               request_id=dispute.request_id, resumed=resumed)
    caller.uow.send(Edit(caller.chat_id, dispute_card(caller.session, dispute, household,
                                                      person.name), inline(),
                         message_id=caller.event.message_id, ref=f"feedispute:{dispute.id}"))
    caller.toast(_("Resolved. Reminders resume."))


# -- the household's card -----------------------------------------------------------------
def household_card(caller: Caller, board: StaffChat, query: str) -> None:
    """``/fees 3-1202`` in the desk's chats: the household's statement and its buttons."""
    if board.purpose not in TASK_CHATS:
        caller.reply(_("A household's fees are shown in the dispatch and managers' chats."))
        return
    if _staff(caller, board) is None:
        return
    found = UNIT.fullmatch(query)
    household = ledger.household_at(caller.session, found.group(1), found.group(2)) \
        if found else None
    if household is None or household.id is None:
        caller.reply(_("No household “{query}” on the roster. Write the unit after the "
                       "command, e.g. /fees 3-1202.", query=Raw(query.strip())))
        return
    caller.log("fee_card_shown", household_id=household.id)
    statement = ledger.statement_of(caller.uow, household.id)
    view = statement_view(statement, household, ledger.ladder_of(caller.uow.office),
                          paused_by(caller.session, household.id))
    caller.reply(texts.household_card(view, household.name, household.fee_plan,
                                      yuan(household.monthly_fee or from_fen(0))),
                 texts.household_keyboard(household.id, statement.late_fee > 0))


def ask_payment(caller: Caller, board: StaffChat, household_id: int) -> None:
    """💴 Record a payment: the amount (and receipt number) is asked privately."""
    household = caller.session.get(Household, household_id)
    if _staff(caller, board) is None:
        return
    if household is None:
        caller.refuse(OUT_OF_DATE)
        return
    caller.ask_privately("fee_payment", household_id, unit_label(household))


def ask_waiver(caller: Caller, board: StaffChat, household_id: int) -> None:
    """✂ Waive the late fee: a manager's, in the desk's chats; the reason is asked privately."""
    household = caller.session.get(Household, household_id)
    if board.purpose not in TASK_CHATS or household is None or household.id is None:
        caller.refuse(OUT_OF_DATE)
        return
    if caller.person is None or caller.person.role not in ledger.WAIVER_ROLES:
        caller.refuse(NOT_A_MANAGER)
        return
    if ledger.statement_of(caller.uow, household.id).late_fee <= 0:
        caller.refuse(_("{unit} owes no late fee now.", unit=Raw(unit_label(household))))
        return
    caller.ask_privately("fee_waiver", household_id, unit_label(household))


def payment_answered(caller: Caller, command: AnswerText) -> None:
    """The amount typed: the payment is recorded as taken at the desk today (oldest bill
    first); the residents get the receipt and reminders it settles stop at once."""
    person = caller.person
    household = caller.session.get(Household, command.subject_id)
    if person is None or person.role not in CALLBACK_ROLES:
        caller.reply(_("Only front-desk staff can record this."))
        return
    quote = parse_quote(command.text)
    if household is None or quote is None:
        caller.reply(OUT_OF_DATE)
        return
    amount, rest = quote
    parts = receipt_and_note(rest)
    if parts is None:  # two receipt numbers: which one is not guessed
        caller.reply(two_receipts(rest))
        return
    receipt, note = parts
    try:
        result = ledger.record_payment(caller.uow, household, amount,
                                       ledger.office_day(caller.uow.office, caller.now),
                                       receipt_no=receipt, source="desk", actor=person,
                                       chat_id=caller.chat_id, note=note)
    except ValueError:  # the only way left: the receipt number is another payment's
        caller.reply(_("Receipt {receipt} is already recorded for another payment; nothing "
                       "was changed. Check the number and tap “Record a payment” again.",
                       receipt=Raw(receipt or "")))
        return
    if result.duplicate:
        caller.reply(_("Receipt {receipt} was already recorded for {unit}; nothing was "
                       "recorded twice.", receipt=Raw(receipt or ""),
                       unit=Raw(unit_label(household))))
        return
    caller.reply(_("Recorded {amount} yuan for {unit} (receipt {receipt}). Still due: {total} "
                   "yuan. The residents got the receipt; {stopped} waiting reminders stopped.",
                   amount=Raw(yuan(amount)), unit=Raw(unit_label(household)),
                   receipt=Raw(receipt or "-"), total=Raw(yuan(result.statement.total_due)),
                   stopped=result.stopped))


def waiver_answered(caller: Caller, command: AnswerText) -> None:
    """The reason typed: every late fee of the household so far is waived, recorded with the
    reason and who (an event)."""
    person = caller.person
    household = caller.session.get(Household, command.subject_id)
    if person is None or person.role not in ledger.WAIVER_ROLES:
        caller.reply(NOT_A_MANAGER)
        return
    if household is None or household.id is None:
        caller.reply(OUT_OF_DATE)
        return
    try:
        waived = ledger.waive(caller.uow, household, person, command.text,
                              chat_id=caller.chat_id)
    except ValueError:  # paid or waived meanwhile
        caller.reply(_("{unit} owes no late fee now; nothing was changed.",
                       unit=Raw(unit_label(household))))
        return
    caller.reply(_("Waived {amount} yuan of late fee for {unit}; the reason is recorded. "
                   "Still due: {total} yuan.", amount=Raw(yuan(waived)),
                   unit=Raw(unit_label(household)),
                   total=Raw(yuan(ledger.statement_of(caller.uow, household.id).total_due))))
