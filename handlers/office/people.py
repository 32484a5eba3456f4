"""Who is who: persons, their units, the office's group chats."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Insert,
    and_,
    bindparam,
    event,
    exists,
    func,
    literal_column,
)
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from dialogs.model import Unit
from handlers.office import conversations
from storage.announcements import ANNOUNCEMENT, OUTAGE_RUNNING
from storage.models import Household, Person, Residence, StaffChat

STAFF_ROLES = ("technician", "dispatcher", "manager", "admin", "butler")
# Read on nearly every update: built once, so each call skips building the statement and its
# cache key (a third of a simple update's time in the ORM).
PERSON_BY_TELEGRAM = select(Person).where(Person.telegram_user_id == bindparam("user"))
STAFF_CHAT_BY_ID = select(StaffChat).where(StaffChat.chat_id == bindparam("chat"))
HOUSEHOLDS_OF = (select(Household)
                 .join(Residence, col(Residence.household_id) == col(Household.id))
                 .where(Residence.person_id == bindparam("person"))
                 .order_by(col(Household.building), col(Household.room)))
# Who is writing, their units and their dialog state in this chat, and whether a planned
# outage runs anywhere now, in one statement: what nearly every update reads first. From a
# one-row table, so a stranger with a dialog (a danger check asked before binding) still gets
# a row. The outage flag spares an ordinary day's text the outage query; read in the update's
# own transaction, it is as current as that query for every worker.
_D = conversations.DIALOG_STATES.c
WHO_IS_WRITING = (
    sql_select(Person, Household, exists().where(OUTAGE_RUNNING).select_from(ANNOUNCEMENT),
               *conversations.STATE_COLUMNS)
    .select_from(sql_select(literal_column("1").label("one")).subquery("writing"))
    .outerjoin(Person, col(Person.telegram_user_id) == bindparam("user"))
    .outerjoin(conversations.DIALOG_STATES, and_(_D.chat_id == bindparam("chat"),
                                                 _D.user_id == bindparam("user")))
    .outerjoin(Residence, col(Residence.person_id) == col(Person.id))
    .outerjoin(Household, col(Household.id) == col(Residence.household_id))
    .order_by(col(Household.building), col(Household.room)))
_HOUSEHOLDS = "households_by_person"  # per-session memo: the session is one update
_OUTAGE_RUNNING = "outage_running"  # per-session memo, read with who is writing


def who_is_writing(session: Session, telegram_user_id: int, chat_id: int,
                   now: datetime) -> Person | None:
    """The person behind a Telegram account, if known; their households, their dialog state
    in *chat_id* and whether an outage runs at *now* are kept for the session
    (``households_of``, ``conversations.load``, ``outage_may_run``)."""
    return _writer(session, telegram_user_id, chat_id, session.execute(
        WHO_IS_WRITING, {"user": telegram_user_id, "chat": chat_id, "now": now}).all())


def claim_and_who_is_writing(session: Session, claim: Insert, key: str,
                             telegram_user_id: int, chat_id: int,
                             now: datetime) -> tuple[bool, Person | None]:
    """On PostgreSQL, the update's *claim* (``INSERT … RETURNING``, bound by ``key`` and
    ``at``) and :func:`who_is_writing` in one statement, the claim a CTE of the read: a round
    trip less on every update. (False, None) if *key* was claimed before (nothing is kept)."""
    rows = session.execute(_claiming(claim), {"key": key, "at": now, "user": telegram_user_id,
                                              "chat": chat_id, "now": now}).all()
    if not rows[0][-1]:
        return False, None
    return True, _writer(session, telegram_user_id, chat_id, rows)


@cache
def _claiming(claim: Insert) -> Executable:
    # Its last column says whether the claim inserted its row. A CTE that modifies data runs
    # once, whether or not the read looks at it.
    return WHO_IS_WRITING.add_columns(exists().select_from(claim.cte("claimed")))


def _writer(session: Session, telegram_user_id: int, chat_id: int,
            rows: Sequence[Sequence[Any]]) -> Person | None:
    """Keep what the rows of ``WHO_IS_WRITING`` say for the session; the person."""
    person: Person | None = rows[0][0]
    session.info[_OUTAGE_RUNNING] = bool(rows[0][2])
    dialog = rows[0][3:3 + len(conversations.STATE_COLUMNS)]
    conversations.remember(session, chat_id, telegram_user_id,
                           None if dialog[0] is None else dialog)
    if person is not None:
        session.info.setdefault(_HOUSEHOLDS, {})[person.id] = [
            row[1] for row in rows if row[1] is not None]
    return person


def outage_may_run(session: Session) -> bool:
    """False if this update's first read found no planned outage running (then none is
    worth looking up); True if one was, or if nothing said."""
    return bool(session.info.get(_OUTAGE_RUNNING, True))


def person_by_telegram(session: Session, telegram_user_id: int) -> Person | None:
    """The person behind a Telegram account, if known."""
    return session.exec(PERSON_BY_TELEGRAM, params={"user": telegram_user_id}).first()


def staff_chat_by_id(session: Session, chat_id: int) -> StaffChat | None:
    """The group's binding (active or not), or None for a group we never bound."""
    return session.exec(STAFF_CHAT_BY_ID, params={"chat": chat_id}).first()


def is_staff(person: Person | None) -> bool:
    """Whether the person works for the office (any staff role)."""
    return person is not None and person.role in STAFF_ROLES


def households_of(session: Session, person: Person | None) -> list[Household]:
    """The households a person is bound to, in building/room order."""
    if person is None or person.id is None:
        return []
    known: dict[int, list[Household]] = session.info.setdefault(_HOUSEHOLDS, {})
    if person.id not in known:
        known[person.id] = list(session.exec(HOUSEHOLDS_OF, params={"person": person.id}).all())
    return list(known[person.id])


@event.listens_for(Session, "transient_to_pending")
def _residence_added(session: Session, instance: Any) -> None:
    # A binding in this update: the households read before it are out of date.
    if isinstance(instance, Residence):
        session.info.pop(_HOUSEHOLDS, None)


def units_of(session: Session, person: Person | None) -> tuple[Unit, ...]:
    """The units a person is bound to, in building/room order."""
    return tuple(Unit(h.id, unit_label(h)) for h in households_of(session, person)
                 if h.id is not None)


def unit_label(household: Household) -> str:
    """How a unit is written on cards and lists, e.g. "3-1202"."""
    return f"{household.building}-{household.room}"


def staff_chat(session: Session, purpose: str, trade: str | None = None) -> StaffChat | None:
    """The active group for a purpose (dispatch, managers, emergency) or a trade's job board.

    The newest binding wins, so binding another group moves the board, and binding an old
    group again moves it back (by ``bound_at``: a group bound again keeps its row).
    """
    chats = session.exec(select(StaffChat).where(StaffChat.purpose == purpose,
                                                 col(StaffChat.active))
                         .order_by(col(StaffChat.bound_at).desc().nulls_last(),
                                   col(StaffChat.id).desc())).all()
    return next((chat for chat in chats if trade is None or trade in chat.trades), None)


def alert_chats(session: Session, *purposes: str) -> list[int]:
    """Chat ids for the first bound group among *purposes*, in order of preference.

    An on-duty alert falls back to dispatch when no on-duty chat is bound, so nothing waits
    unseen because a group is missing.
    """
    for purpose in purposes:
        chat = staff_chat(session, purpose)
        if chat is not None:
            return [chat.chat_id]
    return []


def normalise_phone(phone: str) -> str:
    """Digits only, without a +86 / 0086 country prefix, for roster matching."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_digits(column: Mapped[str]) -> ColumnElement[str]:
    """*column*'s phone number as the database reads it without the separators people write
    (spaces, dashes, brackets, dots, +): a roster typed "138-0000-0001" must still match the
    digits someone shares or the desk types."""
    digits: ColumnElement[str] = func.replace(column, " ", "")
    for separator in ("-", "(", ")", ".", "+"):
        digits = func.replace(digits, separator, "")
    return digits


def person_by_id_name(session: Session, person_id: int | None) -> str | None:
    """The person's name for listings, or None."""
    person = session.get(Person, person_id) if person_id else None
    return person.name if person else None
