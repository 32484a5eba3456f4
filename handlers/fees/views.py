"""Statements and notices as the dialogs show them: the same figures as ``frontline fees
statement``, formatted once (amounts as ``280.50``, dates as ``2027-07-01``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from dialogs.fees import LineView, NoticeView, StatementView
from handlers.fees.ladder import Ladder, load_ladder
from handlers.fees.money import yuan
from handlers.fees.statement import Statement, growth, load
from handlers.office import Office
from handlers.office.people import unit_label
from storage.fees import FeeCampaign, FeeDispute, FeeReceiptClaim
from storage.models import Household


def period_text(start: date, end: date) -> str:
    return f"{start:%Y-%m-%d}–{end:%Y-%m-%d}"


def dispute_reference(dispute: FeeDispute) -> str:
    """A dispute as the resident and the desk read it: its front-desk request's number
    (FD-12) when the resident raised it, D-n when staff heard it on a task."""
    return f"FD-{dispute.request_id}" if dispute.request_id else f"D-{dispute.id}"


def paused_by(session: Session, household_id: int) -> str:
    """The reference of what pauses the household's reminders (an open dispute or a receipt
    being checked), or ''."""
    dispute = session.exec(select(FeeDispute).where(
        FeeDispute.household_id == household_id, FeeDispute.state == "open")
        .order_by(col(FeeDispute.id))).first()
    if dispute is not None:
        return dispute_reference(dispute)
    claim = session.exec(select(FeeReceiptClaim.id).where(
        FeeReceiptClaim.household_id == household_id, FeeReceiptClaim.state == "open")).first()
    return f"R-{claim}" if claim is not None else ""


def paused_many(session: Session, household_ids: Collection[int]) -> dict[int, str]:
    """:func:`paused_by` for many households at once (only those paused are in the result)."""
    wanted = list(household_ids)
    found: dict[int, str] = {}
    if not wanted:
        return found
    for claim_id, household_id in session.exec(select(
            FeeReceiptClaim.id, FeeReceiptClaim.household_id).where(
            col(FeeReceiptClaim.household_id).in_(wanted), FeeReceiptClaim.state == "open")):
        found[household_id] = f"R-{claim_id}"
    for dispute in session.exec(select(FeeDispute).where(
            col(FeeDispute.household_id).in_(wanted), FeeDispute.state == "open")
            .order_by(col(FeeDispute.id).desc())):
        found[dispute.household_id] = dispute_reference(dispute)
    return found


def statement_view(statement: Statement, household: Household, ladder: Ladder,
                   paused: str = "") -> StatementView:
    assert household.id is not None
    grows = growth(statement, ladder.late_fee.terms)
    return StatementView(
        household_id=household.id, unit=unit_label(household),
        as_of=statement.as_of.isoformat(),
        lines=tuple(LineView(period_text(line.period_start, line.period_end), line.item,
                             line.work_order, yuan(line.principal), yuan(line.paid),
                             yuan(line.late_fee)) for line in statement.open_lines()),
        # A credit is paid beyond every principal, so it comes off the late fee: what is left
        # of the late fee is at most the total (the receipt says the same, ledger.py).
        total_due=yuan(statement.total_due),
        late_fee=yuan(min(statement.total_due, statement.late_fee)),
        credit=yuan(statement.credit) if statement.credit > 0 else "",
        credit_left=yuan(statement.credit_left) if statement.credit_left > 0 else "",
        grows_on=grows.on.isoformat() if grows else "",
        grows_by=yuan(grows.per_day) if grows else "",
        rate=ladder.late_fee.per_mille, paused=paused)


def pay_by_of(campaign: FeeCampaign, sent_on: date) -> date:
    """The day a notice that went out on *sent_on* asks to be paid by: its days to pay count
    from when the resident gets it (001 第五篇 1.2.3: 收到…5日內), so one approved or sent
    late moves on by as many days as it was late."""
    return campaign.pay_by + max(sent_on - campaign.notice_date, timedelta(0))


def notice_view(campaign: FeeCampaign, statement: Statement, household: Household,
                ladder: Ladder, sent_on: date) -> NoticeView:
    days = (campaign.pay_by - campaign.notice_date).days
    return NoticeView(kind=campaign.kind,
                      statement=statement_view(statement, household, ladder),
                      period=period_text(campaign.period_start, campaign.period_end),
                      pay_by=pay_by_of(campaign, sent_on).isoformat(), days_to_pay=days,
                      first_day=ladder.late_fee.terms.first_day(
                          campaign.period_start).isoformat())


def statement_json(statement: Statement, household: Household,
                   ladder: Ladder) -> dict[str, Any]:
    """``frontline fees statement --json``: the figures the resident sees, as data."""
    grows = growth(statement, ladder.late_fee.terms)
    return {"building": household.building, "room": household.room,
            "unit": unit_label(household), "name": household.name,
            "plan": household.fee_plan, **statement.as_dict(),
            "grows_on": grows.on.isoformat() if grows else None,
            "grows_by": yuan(grows.per_day) if grows else None,
            "late_fee_per_mille": ladder.late_fee.per_mille}


def unit_statement(office: Office, building: str, room: str,
                   as_of: date | None = None) -> dict[str, Any] | None:
    """``frontline fees statement``: a household's statement as data, or None if no such
    household is on the roster."""
    ladder = load_ladder(office.rules.fee_ladder_path)
    day = as_of or office.clock.now().astimezone(office.timezone).date()
    with Session(office.engine) as session:
        household = session.exec(select(Household).where(
            Household.building == building.strip(), Household.room == room.strip())).first()
        if household is None or household.id is None:
            return None
        return statement_json(load(session, household.id, day, ladder.late_fee.terms),
                              household, ladder)
