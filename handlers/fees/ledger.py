"""The household ledger: bills (generated from the plan, imported from finance, paid work of a
closed month), payments (oldest bill first; a payment stops pending notices at once and
sends a receipt), late-fee waivers by a manager, and the arrears list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import BigInteger, cast, exists, func, insert, literal
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from dialogs import fees as texts
from dialogs.events import Edit, Priority, Say, inline
from dialogs.times import time_text
from handlers.delivery import bulk
from handlers.fees.ladder import Ladder, Period, load_ladder, next_payment_period
from handlers.fees.late_fee import LateFeeTerms
from handlers.fees.money import from_fen, parse_amount, round_money, to_fen, yuan
from handlers.fees.statement import Statement, load
from handlers.office import Office
from handlers.office.calendar import at_hour
from handlers.office.due_items import chats
from handlers.office.imports import ImportReport
from handlers.office.people import person_by_id_name, unit_label
from handlers.office.permissions import DESK_CHATS
from handlers.office.unit_of_work import UnitOfWork
from locales import Text
from storage.fees import (
    FeeBill,
    FeeCampaign,
    FeeDispute,
    FeeNotice,
    FeePayment,
    FeeReceiptClaim,
    FeeTask,
    FeeWaiver,
)
from storage.models import Household, Person, Residence, WorkOrder
from storage.types import UtcDateTime

BILL_COLUMNS: Final = ("building", "room", "period_start", "period_end", "item", "amount")
PAYMENT_COLUMNS: Final = ("building", "room", "amount", "paid_at", "receipt_no")
SERVICE_PREFIX: Final = "service:"
MANAGEMENT: Final = "management"
WAIVER_ROLES: Final = ("manager", "admin")
# Notices a payment can still stop: not yet sent, paused, or sent but not yet delivered.
STOPPABLE: Final = ("pending", "paused", "sent")


# -- the office's fee rules and dates -----------------------------------------------------
def ladder_of(office: Office) -> Ladder:
    return load_ladder(office.rules.fee_ladder_path)


def terms_of(office: Office) -> LateFeeTerms:
    return ladder_of(office).late_fee.terms


def office_day(office: Office, moment: datetime | None = None) -> date:
    """The office's calendar date now (or of *moment*)."""
    return (moment or office.clock.now()).astimezone(office.timezone).date()


def household_at(session: Session, building: str, room: str) -> Household | None:
    return session.exec(select(Household).where(Household.building == building.strip(),
                                                Household.room == room.strip())).first()


def statement_of(uow: UnitOfWork, household_id: int, as_of: date | None = None) -> Statement:
    return load(uow.session, household_id, as_of or office_day(uow.office, uow.now),
                terms_of(uow.office))


def resident_chats(session: Session, household_id: int) -> list[int]:
    """The private chats of the household's bound residents who have not blocked the bot."""
    rows = session.exec(select(Person.telegram_user_id).join(
        Residence, col(Residence.person_id) == col(Person.id)).where(
        Residence.household_id == household_id, col(Person.telegram_user_id).is_not(None),
        col(Person.blocked_bot).is_(False)).order_by(col(Residence.id))).all()
    return [chat for chat in rows if chat is not None]


# -- imports ------------------------------------------------------------------------------
def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def _amount(text: str, *, allow_zero: bool) -> Decimal:
    amount = parse_amount(text or "", allow_zero=allow_zero)
    if amount is None:
        raise ValueError(f"amount {text!r} is not an amount of yuan with at most two decimals")
    return amount


def _household(session: Session, row: Mapping[str, str],
               cache: dict[tuple[str, str], Household]) -> Household:
    key = ((row.get("building") or "").strip(), (row.get("room") or "").strip())
    if not all(key):
        raise ValueError("building or room is empty")
    if key not in cache:
        found = household_at(session, *key)
        if found is None:
            raise ValueError(f"no household {key[0]}-{key[1]} on the roster")
        cache[key] = found
    return cache[key]


def import_bills(office: Office, rows: Iterable[tuple[int, Mapping[str, str]]],
                 report: ImportReport | None = None) -> ImportReport:
    """Create or update bills keyed by household, period and item (finance's export).

    A re-import updates the amount and never duplicates; bad rows are reported by line and
    the rest still import.
    """
    report = report or ImportReport()
    households: dict[tuple[str, str], Household] = {}
    with UnitOfWork(office) as uow:
        for line, row in rows:
            try:
                household = _household(uow.session, row, households)
                start = _day(row.get("period_start") or "", "period_start")
                end = _day(row.get("period_end") or "", "period_end")
                if end < start:
                    raise ValueError("period_end is before period_start")
                item = (row.get("item") or "").strip()
                if not item or len(item) > 64 or item.startswith(SERVICE_PREFIX):
                    raise ValueError("item is empty, too long, or reserved (service:…)")
                fen = to_fen(_amount(row.get("amount") or "", allow_zero=True))
            except ValueError as error:
                report.errors.append((line, str(error)))
                continue
            bill = uow.session.exec(select(FeeBill).where(
                FeeBill.household_id == household.id, FeeBill.period_start == start,
                FeeBill.period_end == end, FeeBill.item == item)).first()
            if bill is None:
                assert household.id is not None
                uow.session.add(FeeBill(household_id=household.id, period_start=start,
                                        period_end=end, item=item, amount_fen=fen,
                                        source="import", created_at=uow.now,
                                        updated_at=uow.now))
                report.created += 1
            elif bill.amount_fen == fen:
                report.unchanged += 1
            else:
                bill.amount_fen, bill.source, bill.updated_at = fen, "import", uow.now
                uow.session.add(bill)
                report.updated += 1
            uow.session.flush()
        uow.log("fee_bills_imported", created=report.created, updated=report.updated,
                rejected=len(report.errors))
        uow.commit()
    return report


# -- generated bills ----------------------------------------------------------------------
BILL_TABLE = FeeBill.__table__  # type: ignore[attr-defined]
HOUSEHOLD_TABLE = Household.__table__  # type: ignore[attr-defined]


def generate_bills(uow: UnitOfWork, plan: str, period: Period, months: int) -> int:
    """The management fee of *period* for every household on *plan* with a monthly fee, in
    one ``INSERT … SELECT`` (a household that already has that bill keeps it)."""
    h, b = HOUSEHOLD_TABLE.c, BILL_TABLE.c
    already = exists().where(b.household_id == h.id, b.period_start == period.start,
                             b.period_end == period.end, b.item == MANAGEMENT)
    # Whole fen of the monthly fee (exact even where NUMERIC is a float), times the months.
    fen = cast(func.round(h.monthly_fee * 100), BigInteger) * months
    chosen = sql_select(h.id, literal(period.start), literal(period.end), literal(MANAGEMENT),
                        fen, literal("generated"), literal(uow.now, UtcDateTime()),
                        literal(uow.now, UtcDateTime())).where(
        h.fee_plan == plan, h.monthly_fee.is_not(None), h.monthly_fee > 0, ~already)
    result = uow.session.connection().execute(insert(BILL_TABLE).from_select(
        ["household_id", "period_start", "period_end", "item", "amount_fen", "source",
         "created_at", "updated_at"], chosen))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def bill_paid_work(uow: UnitOfWork, ladder: Ladder, today: date) -> int:
    """Each confirmed paid work order of a closed month becomes a line with its number on the
    household's next payment notice (001 §2.6.3–2.6.7; the month closes on the 1st)."""
    this_month = today.replace(day=1)
    closed_before = at_hour(this_month, 0, uow.office.timezone)
    billed = exists().where(col(FeeBill.work_order_id) == col(WorkOrder.id))
    orders = uow.session.exec(select(WorkOrder, Household).join(
        Household, col(Household.id) == col(WorkOrder.household_id)).where(
        WorkOrder.kind == "service", WorkOrder.status == "confirmed",
        col(WorkOrder.price).is_not(None), col(WorkOrder.confirmed_at) < closed_before,
        ~billed)).all()
    for order, household in orders:
        assert order.price is not None and household.id is not None
        plan = household.fee_plan if household.fee_plan in ladder.plans else "monthly"
        period = next_payment_period(ladder, plan, today)
        uow.session.add(FeeBill(household_id=household.id, period_start=period.start,
                                period_end=period.end, item=SERVICE_PREFIX + order.number,
                                amount_fen=to_fen(round_money(order.price)), source="service",
                                work_order_id=order.id, created_at=uow.now, updated_at=uow.now))
        uow.log("fee_paid_work_billed", order=order, household_id=household.id,
                period_start=period.start.isoformat(), amount=str(order.price))
    if orders:
        uow.session.flush()
    return len(orders)


# -- payments -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PaymentResult:
    """A payment recorded (or found already recorded under its receipt number)."""

    payment: FeePayment
    duplicate: bool
    statement: Statement
    stopped: int = 0  # pending notices the payment stopped


def record_payment(uow: UnitOfWork, household: Household, amount: Decimal, paid_on: date, *,
                   receipt_no: str | None = None, source: str = "desk",
                   actor: Person | None = None, chat_id: int | None = None,
                   note: str = "") -> PaymentResult:
    """Record money received. A receipt number already recorded for the same household and
    amount is the same payment (a re-import); for anything else it is refused. The *note*
    (how it was paid: 现金, 微信) is kept with the payment's event."""
    assert household.id is not None
    if amount <= 0 or amount != round_money(amount):
        raise ValueError("the amount must be positive, in yuan with at most two decimals")
    receipt = (receipt_no or "").strip() or None
    if receipt is not None and len(receipt) > 64:
        raise ValueError("the receipt number is longer than 64 characters")
    if paid_on > office_day(uow.office, uow.now):
        raise ValueError(f"the payment date {paid_on} is in the future")
    fen = to_fen(amount)
    if receipt is not None:
        known = _payment_with(uow.session, receipt)
        if known is not None:
            if receipt_taken(uow.session, receipt, household.id, fen):
                raise ValueError(f"receipt {receipt} is already recorded for another payment")
            return PaymentResult(known, True, statement_of(uow, household.id))
    payment = FeePayment(household_id=household.id, amount_fen=fen, paid_on=paid_on,
                         receipt_no=receipt, source=source,
                         recorded_by=actor.id if actor else None, created_at=uow.now)
    uow.session.add(payment)
    uow.session.flush()
    uow.log("fee_payment_recorded", actor=actor, chat_id=chat_id, household_id=household.id,
            payment_id=payment.id, amount=str(amount), paid_on=paid_on.isoformat(),
            receipt_no=receipt, source=source, note=note.strip()[:500])
    statement = statement_of(uow, household.id)
    stopped = settle_notices(uow, household.id, statement)
    close_paid_tasks(uow, household, statement)
    close_paid_claims(uow, household, statement, payment)
    due, late_fee = yuan(statement.total_due), yuan(min(statement.total_due, statement.late_fee))
    credit = yuan(statement.credit_left) if statement.credit_left > 0 else ""
    for chat in resident_chats(uow.session, household.id):
        uow.send(Say(chat, texts.receipt_text(yuan(amount), paid_on.isoformat(), receipt or "",
                                              due, late_fee, credit), priority=Priority.NOTICE))
    if credit:
        _flag_overpayment(uow, household, payment, min(amount, statement.credit_left), credit)
    return PaymentResult(payment, False, statement, stopped)


def _flag_overpayment(uow: UnitOfWork, household: Household, payment: FeePayment,
                      beyond: Decimal, credit: str) -> None:
    """Money beyond all that is billed (a month paid twice, or ahead of any bill) is kept as
    credit, and the front desk is told, to check it with the resident."""
    text = texts.overpayment_text(unit_label(household), household.name, household.phone,
                                  yuan(beyond), payment.receipt_no or "", credit)
    for chat_id in chats(uow, *DESK_CHATS):
        uow.send(Say(chat_id, text, ref=f"feeoverpaid:{payment.id}", priority=Priority.NOTICE))
    uow.log("fee_overpayment", household_id=household.id, payment_id=payment.id,
            beyond=str(beyond), credit=credit)


def _payment_with(session: Session, receipt: str) -> FeePayment | None:
    return session.exec(select(FeePayment).where(FeePayment.receipt_no == receipt)).first()


def receipt_taken(session: Session, receipt: str, household_id: int, fen: int) -> bool:
    """Whether *receipt* is already another payment's (another household, another amount):
    the same receipt, household and amount is the same payment again."""
    known = _payment_with(session, receipt)
    return known is not None and (known.household_id, known.amount_fen) != (household_id, fen)


PAID_BEFORE_SENT: Final = "paid before it was sent"


def settle_notices(uow: UnitOfWork, household_id: int, statement: Statement) -> int:
    """Stop the household's notices its balance no longer calls for, at once: a pending one is
    marked paid, and one already handed to the outbox but not sent yet is taken back."""
    waiting = uow.session.exec(select(FeeNotice, FeeCampaign).join(
        FeeCampaign, col(FeeCampaign.id) == col(FeeNotice.campaign_id)).where(
        FeeNotice.household_id == household_id,
        col(FeeNotice.state).in_(STOPPABLE))).all()
    stopped = 0
    for notice, campaign in waiting:
        if statement.owed_through(campaign.period_start) > 0:
            continue
        if notice.state == "sent" and not bulk.take_back(uow, [notice_ref(notice.id)],
                                                         reason=PAID_BEFORE_SENT):
            continue  # already on the resident's phone: it stays delivered
        notice.state, notice.due_at, notice.outcome = "paid", None, PAID_BEFORE_SENT
        uow.session.add(notice)
        stopped += 1
    if stopped:
        uow.log("fee_notices_stopped", household_id=household_id, count=stopped)
    return stopped


def task_ref(task_id: int | None) -> str:
    """The outbox ``ref`` of a fee task's card."""
    return f"feetask:{task_id}"


def task_card(task: FeeTask, household: Household, done: Text | None = None) -> Text:
    return texts.task_card(task.kind, task.reason, unit_label(household), household.name,
                           household.phone, yuan(from_fen(task.amount_fen)),
                           time_text(task.wanted_time) if task.wanted_time else "", done)


def task_due(session: Session, statement: Statement, task: FeeTask) -> Decimal:
    """What a fee task is still about: for one raised over a notice (a reminder after the final
    notice, and the letter, visit and legal action after it), what is due — principal and
    late fee — through that notice's period, so a bill of the coming period issued meanwhile
    keeps nobody phoning; for any other, all that is due."""
    notice = session.get(FeeNotice, task.notice_id) if task.notice_id is not None else None
    campaign = session.get(FeeCampaign, notice.campaign_id) if notice is not None else None
    if campaign is None:
        return statement.total_due
    return statement.due_through(campaign.period_start)


def close_paid_tasks(uow: UnitOfWork, household: Household, statement: Statement,
                     outcome: str = "paid") -> int:
    """The household's open and planned fee tasks (a phone reminder, a letter, a visit,
    collecting at the door) of which nothing is due any more (:func:`task_due`) are closed as
    paid (or, when a manager waived the late fee left, as *outcome* ``waived``), and a card
    already on the desk says so, without its buttons — nobody phones or calls on a home that
    owes nothing."""
    tasks = [task for task in uow.session.exec(select(FeeTask).where(
        FeeTask.household_id == household.id,
        col(FeeTask.state).in_(("open", "planned")))).all()
        if task_due(uow.session, statement, task) <= 0]
    for task in tasks:
        posted = task.state == "open"
        task.state, task.outcome, task.done_at = "done", outcome, uow.now
        uow.session.add(task)
        if posted:
            for chat_id in chats(uow, *DESK_CHATS):
                uow.send(Edit(chat_id, task_card(task, household, texts.OUTCOME_NAMES[outcome]),
                              inline(), ref=task_ref(task.id), priority=Priority.NOTICE))
    if tasks:
        uow.log("fee_tasks_closed_paid", household_id=household.id, outcome=outcome,
                tasks=[task.id for task in tasks])
    return len(tasks)


def close_paid_claims(uow: UnitOfWork, household: Household, statement: Statement,
                      payment: FeePayment) -> int:
    """Receipt photos still to be checked that *payment* (the bank's import, the desk's entry)
    covers — it is at least the amount the photo claims, or nothing is due any more — are
    closed as paid by it, and their cards on the desk say so without the Confirm button (a
    tap would record the same money a second time, as credit nobody paid); they no longer
    pause the household's reminders. A smaller payment leaves a photo for the desk to tell."""
    claims = [claim for claim in uow.session.exec(select(FeeReceiptClaim).where(
        FeeReceiptClaim.household_id == household.id, FeeReceiptClaim.state == "open")).all()
        if claim.amount_fen <= payment.amount_fen or statement.total_due <= 0]
    for claim in claims:
        claim.state, claim.payment_id, claim.decided_at = "paid", payment.id, uow.now
        uow.session.add(claim)
        card = texts.claim_card(claim.id or 0, unit_label(household),
                                person_by_id_name(uow.session, claim.person_id) or "",
                                yuan(from_fen(claim.amount_fen)), claim.note,
                                texts.claim_paid(payment.receipt_no or "",
                                                 yuan(from_fen(payment.amount_fen))))
        for chat_id in chats(uow, *DESK_CHATS):
            uow.send(Edit(chat_id, card, inline(), ref=f"feeclaim:{claim.id}",
                          priority=Priority.NOTICE))
    if claims:
        uow.log("fee_receipt_claims_paid", household_id=household.id, payment_id=payment.id,
                claims=[claim.id for claim in claims])
    return len(claims)


def notice_ref(notice_id: int | None) -> str:
    """The outbox ``ref`` of a notice's messages."""
    return f"fee:{notice_id}"


def paid_on_of(text: str, office: Office) -> date:
    """The office's date of a payment time as finance writes it: ``2026-11-23``,
    ``2026-11-23 14:05`` (local) or ISO 8601 with an offset."""
    value = text.strip()
    if not value:
        raise ValueError("paid_at is empty")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"paid_at {text!r} is not a date or a date and time") from None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(office.timezone).date()


def import_payments(office: Office, rows: Iterable[tuple[int, Mapping[str, str]]],
                    report: ImportReport | None = None) -> ImportReport:
    """Record the cashier's or the bank's payments; the receipt number makes a re-import
    change nothing. Each row is its own transaction, so one bad row costs only itself."""
    report = report or ImportReport()
    for line, row in rows:
        try:
            with UnitOfWork(office) as uow:
                household = _household(uow.session, row, {})
                amount = _amount(row.get("amount") or "", allow_zero=False)
                paid_on = paid_on_of(row.get("paid_at") or "", office)
                receipt = (row.get("receipt_no") or "").strip()
                if not receipt:
                    raise ValueError("receipt_no is empty (it keeps a re-import from "
                                     "recording the payment twice)")
                result = record_payment(uow, household, amount, paid_on, receipt_no=receipt,
                                        source="import")
                uow.commit()
        except ValueError as error:
            report.errors.append((line, str(error)))
            continue
        if result.duplicate:
            report.unchanged += 1
        else:
            report.created += 1
    return report


def record_at_desk(office: Office, building: str, room: str, amount_text: str,
                   paid_at: str | None = None, receipt_no: str | None = None) -> PaymentResult:
    """``frontline fees payments record``: one payment, as the cashier enters it."""
    with UnitOfWork(office) as uow:
        household = household_at(uow.session, building, room)
        if household is None:
            raise ValueError(f"no household {building}-{room} on the roster")
        amount = _amount(amount_text, allow_zero=False)
        paid_on = paid_on_of(paid_at, office) if paid_at else office_day(office, uow.now)
        result = record_payment(uow, household, amount, paid_on, receipt_no=receipt_no)
        uow.commit()
    return result


# -- waivers ------------------------------------------------------------------------------
def manager_named(session: Session, who: str) -> Person | None:
    """A manager or admin by Telegram user id or by name."""
    query = select(Person).where(col(Person.role).in_(WAIVER_ROLES))
    people = session.exec(query).all()
    return next((p for p in people if who.strip() in (p.name, str(p.telegram_user_id))), None)


def waive(uow: UnitOfWork, household: Household, manager: Person, reason: str,
          period_start: date | None = None, amount: Decimal | None = None,
          chat_id: int | None = None) -> Decimal:
    """A manager waives late fee — of one period's bills or, without *period_start*, of
    every bill, oldest first — all of it so far or only *amount*; each share is a waiver row
    with the reason, and the whole an event. When nothing is due after it, the household's
    fee tasks close as waived. Returns what was waived."""
    assert household.id is not None
    if not reason.strip():
        raise ValueError("a waiver needs a reason")
    statement = statement_of(uow, household.id)
    lines = [line for line in statement.lines if line.late_fee > 0 and (
        period_start is None or line.period_start == period_start)]
    if not lines:
        raise ValueError("no late fee to waive" + (
            f" for the period from {period_start}" if period_start else ""))
    left = amount if amount is not None else sum((line.late_fee for line in lines), Decimal(0))
    waived = Decimal(0)
    for line in lines:
        share = min(left, line.late_fee)
        if share <= 0:
            break
        uow.session.add(FeeWaiver(household_id=household.id, bill_id=line.bill_id,
                                  amount_fen=to_fen(share), reason=reason.strip()[:500],
                                  by_person_id=manager.id, at=uow.now))
        left -= share
        waived += share
    uow.log("fee_late_fee_waived", actor=manager, chat_id=chat_id, household_id=household.id,
            period_start=period_start.isoformat() if period_start else None,
            amount=str(waived), reason=reason)
    uow.session.flush()  # a follow-up left only for the late fee ends with it
    close_paid_tasks(uow, household, statement_of(uow, household.id), "waived")
    return waived


def waive_late_fee(office: Office, building: str, room: str, period_start: date, reason: str,
                   manager: str, amount_text: str | None = None) -> Decimal:
    """``frontline fees waive``: :func:`waive` for a manager named on the command line."""
    with UnitOfWork(office) as uow:
        person = manager_named(uow.session, manager)
        if person is None:
            raise ValueError(f"{manager!r} is not a manager of the office")
        household = household_at(uow.session, building, room)
        if household is None or household.id is None:
            raise ValueError(f"no household {building}-{room} on the roster")
        amount = _amount(amount_text, allow_zero=False) if amount_text else None
        waived = waive(uow, household, person, reason, period_start, amount)
        uow.commit()
    return waived


# -- arrears ------------------------------------------------------------------------------
def arrears(office: Office, building: str | None = None,
            as_of: date | None = None) -> list[dict[str, Any]]:
    """Every household that owes something as of *as_of* (default today), by building/room:
    principal outstanding, late fee, total due, the oldest unpaid period."""
    day = as_of or office_day(office)
    terms = terms_of(office)
    rows: list[dict[str, Any]] = []
    with Session(office.engine) as session:
        query = select(Household).where(exists().where(
            col(FeeBill.household_id) == col(Household.id)))
        if building:
            query = query.where(Household.building == building)
        households = session.exec(query.order_by(col(Household.building),
                                                 col(Household.room))).all()
        for household in households:
            assert household.id is not None
            statement = load(session, household.id, day, terms)
            overdue = [line for line in statement.lines
                       if line.outstanding > 0 and line.period_start <= day]
            if statement.total_due <= 0 or (not overdue and statement.late_fee <= 0):
                continue
            oldest = min((line.period_start for line in overdue), default=None)
            rows.append({
                "building": household.building, "room": household.room,
                "unit": unit_label(household), "name": household.name,
                "phone": household.phone, "plan": household.fee_plan,
                "overdue_principal": yuan(sum((line.outstanding for line in overdue),
                                              Decimal(0))),
                "late_fee": yuan(statement.late_fee), "total_due": yuan(statement.total_due),
                "oldest_unpaid": oldest.isoformat() if oldest else None,
                "days_overdue": (day - oldest).days if oldest else 0})
    return rows


def history(office: Office, building: str, room: str) -> dict[str, Any] | None:
    """``frontline fees history``: everything the desk recorded about a household's fees, in
    order — bills, payments, notices, disputes, receipt claims, tasks, waivers."""
    with Session(office.engine) as session:
        household = household_at(session, building, room)
        if household is None or household.id is None:
            return None
        hid = household.id
        events: list[dict[str, Any]] = []

        def add(at: datetime | date | None, what: str, **detail: Any) -> None:
            events.append({"at": at.isoformat() if at else None, "what": what, **detail})

        for bill in session.exec(select(FeeBill).where(FeeBill.household_id == hid)):
            add(bill.created_at, "bill", period_start=bill.period_start.isoformat(),
                period_end=bill.period_end.isoformat(), item=bill.item,
                amount=yuan(from_fen(bill.amount_fen)), source=bill.source)
        for payment in session.exec(select(FeePayment).where(FeePayment.household_id == hid)):
            add(payment.created_at, "payment", amount=yuan(from_fen(payment.amount_fen)),
                paid_on=payment.paid_on.isoformat(), receipt_no=payment.receipt_no,
                source=payment.source)
        for notice, campaign in session.exec(select(FeeNotice, FeeCampaign).join(
                FeeCampaign, col(FeeCampaign.id) == col(FeeNotice.campaign_id)).where(
                FeeNotice.household_id == hid)):
            add(notice.sent_at or notice.created_at, f"{campaign.kind} notice",
                notice_date=campaign.notice_date.isoformat(), state=notice.state,
                outcome=notice.outcome)
        for dispute in session.exec(select(FeeDispute).where(FeeDispute.household_id == hid)):
            add(dispute.opened_at, "dispute", text=dispute.text, state=dispute.state,
                resolved_at=dispute.resolved_at.isoformat() if dispute.resolved_at else None)
        for claim in session.exec(select(FeeReceiptClaim).where(
                FeeReceiptClaim.household_id == hid)):
            add(claim.created_at, "receipt photo", amount=yuan(from_fen(claim.amount_fen)),
                state=claim.state)
        for task in session.exec(select(FeeTask).where(FeeTask.household_id == hid)):
            add(task.created_at, f"{task.kind} task", reason=task.reason, state=task.state,
                outcome=task.outcome)
        for waiver in session.exec(select(FeeWaiver).where(FeeWaiver.household_id == hid)):
            add(waiver.at, "late fee waived", amount=yuan(from_fen(waiver.amount_fen)),
                reason=waiver.reason)
        events.sort(key=lambda e: e["at"] or "")
        return {"unit": unit_label(household), "name": household.name,
                "plan": household.fee_plan, "events": events}
