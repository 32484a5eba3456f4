"""The front desk's fee buttons: confirm or reject a resident's receipt photo, resolve a fee
dispute. Either ends a pause, and the household's reminders resume if nothing else holds them.

Every tap comes from a staff group and is re-checked: the chat's purpose, the person's role,
the claim's or dispute's state now. Button data is only a reference.
"""

from __future__ import annotations

from sqlmodel import select

from dialogs import fees as texts
from dialogs.events import Edit, Priority, Say, inline
from handlers.fees import ledger
from handlers.fees.money import from_fen, yuan
from handlers.fees.tasks import TASK_CHATS
from handlers.fees.views import paused_by
from handlers.front_desk.inbox import reference
from handlers.office.calendar import daytime_from
from handlers.office.caller import Caller
from handlers.office.people import unit_label
from handlers.office.permissions import CALLBACK_ROLES, OUT_OF_DATE
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, _
from storage.fees import FeeCampaign, FeeDispute, FeeNotice, FeeReceiptClaim
from storage.models import FrontDeskRequest, Household, Person, StaffChat


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
    claim.state, claim.decided_at, claim.decided_by = (
        "confirmed" if choice == "confirm" else "rejected", caller.now, person.id)
    caller.session.add(claim)
    caller.session.flush()
    if choice == "confirm":
        assert claim.created_at is not None
        result = ledger.record_payment(
            caller.uow, household, amount, ledger.office_day(caller.uow.office,
                                                             claim.created_at),
            receipt_no=f"claim-{claim.id}", source="claim", actor=person,
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
        claim.id or 0, unit_label(household), "", yuan(amount), claim.note, decided),
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
    number = reference(dispute.request_id) if dispute.request_id else f"D-{dispute.id}"
    request = caller.session.get(FrontDeskRequest, dispute.request_id or 0)
    if request is not None and request.status == "open":
        request.status, request.answered_at = "answered", caller.now
        caller.session.add(request)
    if request is not None and request.chat_id is not None:
        caller.uow.send(Say(request.chat_id, _(
            "The front desk has resolved your fee question {reference} ({unit}). Fee "
            "reminders resume; /fees shows your statement.", reference=Raw(number),
            unit=Raw(unit_label(household))), priority=Priority.NOTICE))
    caller.session.flush()
    resumed = resume(caller.uow, household.id)
    caller.log("fee_dispute_resolved", household_id=household.id, dispute_id=dispute.id,
               request_id=dispute.request_id, resumed=resumed)
    who = caller.session.get(Person, dispute.person_id) if dispute.person_id else None
    caller.uow.send(Edit(caller.chat_id, texts.dispute_card(
        number, unit_label(household), who.name if who else "", dispute.text, person.name),
        inline(),
        message_id=caller.event.message_id, ref=f"feedispute:{dispute.id}"))
    caller.toast(_("Resolved. Reminders resume."))
