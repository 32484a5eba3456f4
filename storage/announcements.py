"""Announcements (公告) and planned outages: what staff broadcast, to whom, what became of it.

An announcement's recipients are fixed when it is prepared: one ``announcement_delivery`` row
per private chat, unique per (announcement, chat), so however often the drain runs or the
process restarts, a chat is handed to the outbox once — the row turns ``queued`` in the same
transaction as its outbox row. What Telegram then did is read from the outbox (ref
``announce:<id>``). A resident's outage report the notice answered is kept in
``outage_report``, so "report it anyway" can still open the work order from their words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Index, UniqueConstraint, and_, bindparam, or_
from sqlmodel import Field, SQLModel

from storage.models import _json, _telegram_id, _when


class Announcement(SQLModel, table=True):
    """One notice to an audience, or a planned outage (kind ``outage``: a utility is off in
    some buildings from ``starts_at`` to ``ends_at``).

    ``status``: prepared → approved (sending) → done; or held (→ approved later); an
    approved or done announcement may be recalled.
    """

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_outage", "kind", "status", "ends_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="notice", max_length=8)  # notice | outage
    status: str = Field(default="prepared", max_length=16)
    text: str = Field(max_length=4000)
    photos: list[str] = _json(list)  # Telegram file_ids or local paths, an album's in order
    audience: str = Field(max_length=16)  # estate | buildings | arrears | unmet | staff | trade
    buildings: list[str] = _json(list)
    trade: str = Field(default="", max_length=16)  # the one trade, for audience "trade"
    service: str = Field(default="", max_length=100)  # unmet demand: words of the request
    utility: str = Field(default="", max_length=8)  # outages: water | power | gas | lift
    starts_at: datetime | None = _when()
    ends_at: datetime | None = _when()
    send_at: datetime | None = _when(nullable=False)
    urgent: bool = Field(default=False)  # may go out at night
    recipients: int = Field(default=0)
    by_language: dict[str, Any] = _json(dict)  # language → recipients
    author_id: int | None = Field(default=None, foreign_key="person.id")
    author_chat_id: int | None = _telegram_id()  # where previews and reports go
    created_at: datetime | None = _when(nullable=False)
    decided_at: datetime | None = _when()
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    finished_at: datetime | None = _when()
    recalled_at: datetime | None = _when()
    correction: str = Field(default="", max_length=1000)  # the recall's words, for every copy


class AnnouncementDelivery(SQLModel, table=True):
    """One recipient's copy: ``state`` pending (``due_at`` set once approved) → queued (its
    outbox row written); or skipped (the person blocked the bot), recalled (never sent),
    expired (an outage over before its turn came: never sent). A
    recall turns a sent copy into deleting (``due_at``: when to check) → deleted, or into
    corrected (too old to delete, or the delete was refused); a queued one it takes back from
    the outbox into stopping (``due_at``: when to look whether the sender had it in hand and
    it went all the same) → recalled, or deleting / corrected as a sent one."""

    __tablename__ = "announcement_delivery"
    __table_args__ = (UniqueConstraint("announcement_id", "chat_id"),
                      Index("ix_announcement_delivery_due", "state", "due_at"))
    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    chat_id: int = _telegram_id(nullable=False)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    language: str = Field(default="zh_Hans", max_length=8)
    state: str = Field(default="pending", max_length=16)
    due_at: datetime | None = _when()
    queued_at: datetime | None = _when()


class OutageReport(SQLModel, table=True):
    """A resident's message the outage notice answered instead of a work order; ``reported_at``
    is when they tapped "report it anyway" and the order was opened after all."""

    __tablename__ = "outage_report"
    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    chat_id: int = _telegram_id(nullable=False)
    text: str = Field(max_length=4096)
    photos: list[str] = _json(list)  # sent with the words: "report it anyway" keeps them
    created_at: datetime | None = _when(nullable=False)
    reported_at: datetime | None = _when()


ANNOUNCEMENT = Announcement.__table__  # type: ignore[attr-defined]
LIVE = ("approved", "done")  # announced (being sent, or sent); not held, not recalled
_A = ANNOUNCEMENT.c
# A planned outage running at the bound "now": for statements built once (the outage answer,
# and the first read of every update, which says whether any is running).
OUTAGE_RUNNING: ColumnElement[bool] = and_(
    _A.kind == "outage", or_(*(_A.status == status for status in LIVE)),
    _A.starts_at <= bindparam("now"), _A.ends_at > bindparam("now"))
