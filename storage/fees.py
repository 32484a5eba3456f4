"""The fee desk's records: bills, payments, late-fee waivers, notice campaigns and their notices,
disputes, receipt claims and the staff's fee tasks (001 第五篇; 第四篇 2(4)).

Money is stored as whole fen (分) in ``BIGINT`` columns: exact on SQLite, which has no decimal
type (its NUMERIC is a float), and summed exactly by the database when a campaign is prepared
for a whole estate in one statement. Code reads and writes it as ``Decimal`` yuan
(``handlers/fees/money.py``). Nothing here is deleted; a bill re-imported is updated in place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, func, select
from sqlmodel import Field, SQLModel

from storage.models import Household, _json, _telegram_id, _when


def _fen(nullable: bool = False) -> Any:
    return Field(default=0 if not nullable else None,
                 sa_column=Column(BigInteger, nullable=nullable))


class FeeBill(SQLModel, table=True):
    """What a household owes for one period and item: the management fee generated from its
    plan, an item imported from finance (parking, water …), or a confirmed paid work order."""

    __tablename__ = "fee_bill"
    __table_args__ = (UniqueConstraint("household_id", "period_start", "period_end", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id")
    period_start: date
    period_end: date
    item: str = Field(max_length=64)  # management | parking | … | service:WO-…
    amount_fen: int = _fen()
    source: str = Field(default="generated", max_length=16)  # generated | import | service
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id", unique=True)
    created_at: datetime | None = _when(nullable=False)
    updated_at: datetime | None = _when()


class FeePayment(SQLModel, table=True):
    """Money received from a household; it pays bills oldest first. A receipt number is
    unique, so importing the cashier's export twice records each payment once."""

    __tablename__ = "fee_payment"
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    amount_fen: int = _fen()
    paid_on: date
    receipt_no: str | None = Field(default=None, max_length=64, unique=True)
    source: str = Field(default="desk", max_length=16)  # desk | import | claim | door
    recorded_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime | None = _when(nullable=False)


class FeeWaiver(SQLModel, table=True):
    """A manager waived (part of) one bill's late fee, with a reason."""

    __tablename__ = "fee_waiver"
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    bill_id: int = Field(foreign_key="fee_bill.id", index=True)
    amount_fen: int = _fen()
    reason: str = Field(max_length=500)
    by_person_id: int | None = Field(default=None, foreign_key="person.id")
    at: datetime | None = _when(nullable=False)


class FeeCampaign(SQLModel, table=True):
    """One notice of the ladder for one plan on one date: finance prepares it, a manager
    approves (or holds) it, the desk sends it (001 1.1.5).

    ``status``: prepared → approved (sending) → done; or held (→ approved later).
    """

    __tablename__ = "fee_campaign"
    __table_args__ = (UniqueConstraint("kind", "plan", "notice_date"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # payment | overdue | final
    plan: str = Field(max_length=16)  # monthly | quarterly | semiannual
    notice_date: date
    period_start: date
    period_end: date
    pay_by: date
    status: str = Field(default="prepared", max_length=16)
    households: int = Field(default=0)
    total_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    by_building: list[Any] = _json(list)  # [[building, households, total_fen], …]
    prepared_at: datetime | None = _when(nullable=False)
    decided_at: datetime | None = _when()
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    finished_at: datetime | None = _when()


class FeeNotice(SQLModel, table=True):
    """One household's notice in a campaign, and what became of it.

    ``state``: pending (``due_at`` set once approved) → sent (its outbox rows written; checked
    for delivery at ``due_at``) → delivered; or paid (settled before it went), paused (a
    dispute or a receipt being checked), excluded (by a manager), unreachable (no chat, or
    blocked: a staff task took its place), superseded (a later notice of the ladder came).
    """

    __tablename__ = "fee_notice"
    __table_args__ = (UniqueConstraint("campaign_id", "household_id"),
                      Index("ix_fee_notice_due", "state", "due_at"),
                      Index("ix_fee_notice_campaign_state", "campaign_id", "state"),
                      Index("ix_fee_notice_household_sent", "household_id", "sent_on"))
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="fee_campaign.id")
    household_id: int = Field(foreign_key="household.id")
    amount_fen: int = _fen()  # principal owed when the campaign was prepared
    state: str = Field(default="pending", max_length=16)
    due_at: datetime | None = _when()
    sent_at: datetime | None = _when()
    sent_on: date | None = Field(default=None)  # the office's date it was sent
    outcome: str = Field(default="", max_length=200)
    created_at: datetime | None = _when(nullable=False)


class FeeDispute(SQLModel, table=True):
    """A resident disputes the fees: reminders for the household pause until staff resolve it."""

    __tablename__ = "fee_dispute"
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    request_id: int | None = Field(default=None, foreign_key="front_desk_request.id")
    text: str = Field(max_length=4000)
    state: str = Field(default="open", max_length=16)  # open | resolved
    opened_at: datetime | None = _when(nullable=False)
    resolved_at: datetime | None = _when()
    resolved_by: int | None = Field(default=None, foreign_key="person.id")


class FeeReceiptClaim(SQLModel, table=True):
    """"I have paid": a resident's photo of a receipt, for staff to confirm or reject."""

    __tablename__ = "fee_receipt_claim"
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    chat_id: int | None = _telegram_id()
    photos: list[str] = _json(list)
    note: str = Field(default="", max_length=1000)
    amount_fen: int = _fen()  # the amount claimed (the caption's, or what was due)
    state: str = Field(default="open", max_length=16)  # open | confirmed | rejected
    payment_id: int | None = Field(default=None, foreign_key="fee_payment.id")
    created_at: datetime | None = _when(nullable=False)
    decided_at: datetime | None = _when()
    decided_by: int | None = Field(default=None, foreign_key="person.id")


class FeeTask(SQLModel, table=True):
    """A staff task about a household's fees, with its outcome: a phone call, a formal letter,
    a door visit, legal action (第四篇 2(4)④), or collecting at the door (2(4)③).

    ``state``: planned (until ``due_on``: a letter three months after the call) → open (its
    card is in the staff chat) → done (``outcome``: unreachable | promised | disputes | paid |
    collected | not_home | sent | visited | filed).
    """

    __tablename__ = "fee_task"
    __table_args__ = (Index("ix_fee_task_household", "household_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id")
    kind: str = Field(max_length=8)  # phone | letter | door | legal | collect
    reason: str = Field(max_length=16)  # blocked | no_chat | final_unpaid | follow_up | resident
    notice_id: int | None = Field(default=None, foreign_key="fee_notice.id")
    state: str = Field(default="open", max_length=16)
    outcome: str = Field(default="", max_length=16)
    note: str = Field(default="", max_length=1000)
    amount_fen: int = _fen()  # what was owed when the task was raised
    wanted_time: str = Field(default="", max_length=200)  # the time a resident asked for
    due_on: date | None = Field(default=None, index=True)
    created_at: datetime | None = _when(nullable=False)
    done_at: datetime | None = _when()
    done_by: int | None = Field(default=None, foreign_key="person.id")


def owed_through_sql(through: date, plan: str | None = None) -> Any:
    """(household_id, owed_fen) of every household (on *plan*, if given) whose principal on
    bills with periods starting on or before *through* is not covered by its payments — the
    same figure as ``Statement.owed_through``, computed by the database for a whole estate.
    Here, below the desks, so a campaign and an announcement to households in arrears count
    alike. The plan is filtered before summing: a plan few households are on costs little."""
    bill_table = FeeBill.__table__  # type: ignore[attr-defined]
    payments_table = FeePayment.__table__  # type: ignore[attr-defined]
    billed = (select(bill_table.c.household_id.label("household_id"),
                     func.sum(bill_table.c.amount_fen).label("billed"))
              .where(bill_table.c.period_start <= through))
    paid_in = select(payments_table.c.household_id.label("household_id"),
                     func.sum(payments_table.c.amount_fen).label("paid"))
    if plan is not None:
        households = Household.__table__  # type: ignore[attr-defined]
        on_plan = select(households.c.id).where(households.c.fee_plan == plan)
        billed = billed.where(bill_table.c.household_id.in_(on_plan))
        paid_in = paid_in.where(payments_table.c.household_id.in_(on_plan))
    bills = billed.group_by(bill_table.c.household_id).subquery("billed")
    paid = paid_in.group_by(payments_table.c.household_id).subquery("paid")
    owed = (bills.c.billed - func.coalesce(paid.c.paid, 0)).label("owed")
    return (select(bills.c.household_id, owed)
            .select_from(bills.outerjoin(paid, paid.c.household_id == bills.c.household_id))
            .where(bills.c.billed - func.coalesce(paid.c.paid, 0) > 0))
