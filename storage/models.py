"""The office's records as tables; history lives in ``event_log``.

Records are updated in place, not deleted — except ``dialog_state``: a conversation's row is
deleted when the conversation ends (``handlers/office/conversations.py``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


def _when(nullable: bool = True, index: bool = False) -> Any:
    """A timezone-aware timestamp column (stored as UTC by the session layer)."""
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


def _telegram_id(nullable: bool = True, unique: bool = False, index: bool = False) -> Any:
    """Telegram ids exceed 32 bits."""
    return Field(default=None, sa_column=Column(BigInteger, nullable=nullable, unique=unique,
                                                index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _money(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Numeric(12, 2), nullable=nullable))


class Household(SQLModel, table=True):
    """A unit (栋 + 房号) from the office roster."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("building", "room"),)
    id: int | None = Field(default=None, primary_key=True)
    building: str = Field(max_length=32)
    room: str = Field(max_length=32)
    name: str = Field(max_length=100)
    phone: str = Field(max_length=32, index=True)
    fee_plan: str = Field(default="monthly", max_length=16)
    monthly_fee: Decimal | None = _money()
    bind_code: str | None = Field(default=None, max_length=64, unique=True)
    updated_at: datetime | None = _when()


class Person(SQLModel, table=True):
    """Anyone the bot knows: resident or staff. ``role`` says which."""

    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int | None = _telegram_id(unique=True)
    role: str = Field(default="resident", max_length=16)
    name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=32)
    trades: list[str] = _json(list)
    language: str = Field(default="zh_Hans", max_length=8)
    blocked_bot: bool = Field(default=False)
    # A manager's rank for complaints (001 第四篇 4(5)): supervisor (部门主管, the default) or
    # director (管理处主任). Other roles leave it empty.
    rank: str = Field(default="", max_length=16)
    # A technician takes new jobs only while on shift (``/shift``); others ignore it.
    on_shift: bool = Field(default=True)
    created_at: datetime | None = _when()


class Residence(SQLModel, table=True):
    """A resident bound to a unit; one person may hold several units."""

    __tablename__ = "residence"
    __table_args__ = (UniqueConstraint("person_id", "household_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    bound_at: datetime | None = _when()
    bound_by: str = Field(default="code", max_length=16)  # code | contact


class Invite(SQLModel, table=True):
    """A one-time code: staff use it with /start, a group is bound with /bindgroup."""

    __tablename__ = "invite"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8)  # staff | group
    role: str = Field(default="", max_length=16)  # staff role, or group purpose
    rank: str = Field(default="", max_length=16)  # a manager's rank (supervisor | director)
    trades: list[str] = _json(list)
    name: str = Field(default="", max_length=100)
    created_at: datetime | None = _when()
    used_at: datetime | None = _when()
    used_by_telegram_id: int | None = _telegram_id()


class StaffChat(SQLModel, table=True):
    """A group chat the office bound: a trade's job board, or dispatch / managers / on-duty."""

    __tablename__ = "staff_chat"
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _telegram_id(nullable=False, unique=True)
    purpose: str = Field(max_length=16)  # trade | dispatch | managers | emergency
    trades: list[str] = _json(list)  # a job board may serve several trades (gas + hvac)
    title: str = Field(default="", max_length=200)
    language: str = Field(default="zh_Hans", max_length=8)
    active: bool = Field(default=True)
    bound_at: datetime | None = _when()


class WorkOrder(SQLModel, table=True):
    """A 服务工作单: a repair, a paid service or an emergency, from intake to signature."""

    __tablename__ = "work_order"
    __table_args__ = (Index("ix_work_order_status_trade", "status", "trade"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=16)  # repair | service
    status: str = Field(default="open", max_length=16, index=True)
    emergency: bool = Field(default=False)
    hazard: str | None = Field(default=None, max_length=16)
    trade: str = Field(max_length=16)
    location: str = Field(default="unit", max_length=8)  # unit | public
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    place: str = Field(default="", max_length=200)  # where, for public areas
    description: str = Field(default="", max_length=4000)
    photos: list[str] = _json(list)
    preferred_time: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=32)
    reporter_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reporter_chat_id: int | None = _telegram_id()
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    service_key: str | None = Field(default=None, max_length=32)
    price: Decimal | None = _money()
    price_confirmed_at: datetime | None = _when()
    # Why a quote is outside the catalog's range (required then; dispatch is told).
    price_reason: str = Field(default="", max_length=500)
    proposed_time: str = Field(default="", max_length=200)
    callback_class: str = Field(default="other", max_length=8)  # safety | leak | other
    rework_count: int = Field(default=0)
    materials_note: str = Field(default="", max_length=1000)
    done_photos: list[str] = _json(list)
    cancel_reason: str = Field(default="", max_length=1000)
    created_at: datetime | None = _when(nullable=False, index=True)
    accepted_at: datetime | None = _when()
    on_way_at: datetime | None = _when()
    done_at: datetime | None = _when()
    confirmed_at: datetime | None = _when()
    cancelled_at: datetime | None = _when()


class EventLog(SQLModel, table=True):
    """Who did what, when, from which chat — one row per step, never updated."""

    __tablename__ = "event_log"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    at: datetime | None = _when(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    telegram_user_id: int | None = _telegram_id()
    chat_id: int | None = _telegram_id()
    action: str = Field(max_length=32)
    detail: dict[str, Any] = _json(dict)


class Outbox(SQLModel, table=True):
    """A message waiting to be sent, written in the same transaction as the change it reports."""

    __tablename__ = "outbox"
    # A chat's messages by ref, newest first: what an edit by ref finds (a staff chat holds
    # every alert and card it was ever sent; by chat alone that lookup read them all).
    __table_args__ = (Index("ix_outbox_pending", "status", "priority", "id"),
                      Index("ix_outbox_chat_ref", "chat_id", "ref", "id"))
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _telegram_id(nullable=False)
    op: str = Field(max_length=8)  # send | edit | toast | commands (a chat's own menu)
    priority: int = Field(default=0)
    text: str = Field(default="", max_length=8000)
    keyboard: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    photos: list[str] = _json(list)
    ref: str = Field(default="", max_length=64, index=True)
    edit_message_id: int | None = _telegram_id()
    edit_of: int | None = Field(default=None)  # outbox id whose message this edits
    callback_id: str = Field(default="", max_length=64)
    alert: bool = Field(default=False)
    # pending | sent | undeliverable | failed; parked: held for a person who blocked the bot,
    # until they come back (then pending again) or it expires (expired)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime | None = _when()
    telegram_message_id: int | None = _telegram_id()
    # Delivery state while pending: how many parts of a multi-part send (photos, then text)
    # Telegram already has, and their messages (kept once sent: with telegram_message_id, the
    # last part's, every message a recall must delete); whether ``not_before`` is Telegram's
    # retry_after (a 429 window).
    parts_sent: int = Field(default=0)
    # (Defaulted in the database: handlers' bulk inserts of outbox rows leave it out.)
    parts_message_ids: list[int] = Field(default_factory=list, sa_column=Column(
        JSON, nullable=False, server_default="[]"))
    rate_limited: bool = Field(default=False)
    last_error: str = Field(default="", max_length=500)  # why the last attempt failed
    created_at: datetime | None = _when(nullable=False)
    sent_at: datetime | None = _when()


class ProcessedUpdate(SQLModel, table=True):
    """An update or button tap already handled; its key makes redelivery a no-op."""

    __tablename__ = "processed_update"
    key: str = Field(primary_key=True, max_length=80)
    at: datetime | None = _when(nullable=False)


class DialogState(SQLModel, table=True):
    """Where a person is in a conversation, so a restart picks up at the same step.

    The row exists only while the conversation does: it is deleted when the conversation ends.
    """

    __tablename__ = "dialog_state"
    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _telegram_id(nullable=False)
    user_id: int = _telegram_id(nullable=False)
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = _json(dict)
    updated_at: datetime | None = _when()


class UnmetDemand(SQLModel, table=True):
    """A service a resident asked for that the office does not offer yet (001 §2.2.7)."""

    __tablename__ = "unmet_demand"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    name: str = Field(default="", max_length=100)
    unit: str = Field(default="", max_length=64)
    request: str = Field(max_length=4000)
    created_at: datetime | None = _when(nullable=False)


class FrontDeskRequest(SQLModel, table=True):
    """A complaint, enquiry or fee question waiting for a human answer (24-hour promise)."""

    __tablename__ = "front_desk_request"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # complaint | enquiry | fee | other
    severity: str | None = Field(default=None, max_length=16)
    status: str = Field(default="open", max_length=16)  # open | answered | closed
    person_id: int | None = Field(default=None, foreign_key="person.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    chat_id: int | None = _telegram_id()
    text: str = Field(max_length=4000)
    created_at: datetime | None = _when(nullable=False)
    due_at: datetime | None = _when()
    answered_at: datetime | None = _when()
    # The desk's answered request this one replies to (the resident wrote back after it).
    follows_id: int | None = Field(default=None, foreign_key="front_desk_request.id")
