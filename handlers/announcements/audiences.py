"""Who an announcement reaches: the private chats behind an audience, fixed when it is
prepared. Residents are reached through the units they are bound to; people who blocked the
bot are left out (their phone is the desk's: ``blocked=True`` finds them). A person bound to
two units gets it once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlmodel import Session, col, select

from handlers.office.people import STAFF_ROLES
from storage.fees import owed_through_sql
from storage.models import Household, Person, Residence, UnmetDemand

AUDIENCES: Final = ("estate", "buildings", "arrears", "unmet", "staff", "trade")
RESIDENT_AUDIENCES: Final = ("estate", "buildings", "arrears", "unmet")


@dataclass(frozen=True, slots=True)
class Recipient:
    """One private chat an announcement goes to."""

    chat_id: int
    person_id: int
    household_id: int | None
    language: str


@dataclass(frozen=True, slots=True)
class Audience:
    """An audience as the office names it: ``buildings`` with their numbers, ``trade`` with
    its trade, ``unmet`` with words of the request (empty: everyone who asked)."""

    kind: str
    buildings: tuple[str, ...] = ()
    trade: str = ""
    service: str = ""


def resolve(session: Session, audience: Audience, today: date, *,
            blocked: bool = False) -> list[Recipient]:
    """The recipients of *audience* now, one per chat, in a stable order (*blocked*: instead,
    the people of the audience who blocked the bot)."""
    if audience.kind in ("staff", "trade"):
        return _staff(session, audience, blocked)
    if audience.kind == "unmet":
        return _asked(session, audience.service, blocked)
    query = (select(Person.telegram_user_id, Person.id, Person.language, Residence.household_id)
             .join(Residence, col(Residence.person_id) == col(Person.id))
             .join(Household, col(Household.id) == col(Residence.household_id))
             .where(col(Person.telegram_user_id).is_not(None),
                    col(Person.blocked_bot).is_(blocked)))
    if audience.kind == "buildings":
        query = query.where(col(Household.building).in_(audience.buildings))
    elif audience.kind == "arrears":
        owing = owed_through_sql(today).subquery("owing")
        query = query.where(col(Household.id).in_(select(owing.c.household_id)))
    elif audience.kind != "estate":
        raise ValueError(f"unknown audience {audience.kind!r}")
    rows = session.exec(query.order_by(col(Household.building), col(Household.room),
                                       col(Residence.id))).all()
    return _once_each((chat, person, household, language)
                      for chat, person, language, household in rows)


def _staff(session: Session, audience: Audience, blocked: bool) -> list[Recipient]:
    roles = ("technician",) if audience.kind == "trade" else STAFF_ROLES
    people = session.exec(select(Person).where(
        col(Person.role).in_(roles), col(Person.telegram_user_id).is_not(None),
        col(Person.blocked_bot).is_(blocked)).order_by(col(Person.id))).all()
    return _once_each((p.telegram_user_id, p.id, None, p.language) for p in people
                      if audience.kind == "staff" or audience.trade in (p.trades or []))


def _asked(session: Session, service: str, blocked: bool) -> list[Recipient]:
    """Residents who asked for a service we did not offer (with *service* in their words)."""
    query = (select(Person.telegram_user_id, Person.id, Person.language,
                    UnmetDemand.household_id)
             .join(UnmetDemand, col(UnmetDemand.person_id) == col(Person.id))
             .where(col(Person.telegram_user_id).is_not(None),
                    col(Person.blocked_bot).is_(blocked)))
    if service.strip():
        query = query.where(col(UnmetDemand.request).contains(service.strip()))
    rows = session.exec(query.order_by(col(UnmetDemand.id))).all()
    return _once_each((chat, person, household, language)
                      for chat, person, language, household in rows)


def _once_each(rows: Iterable[tuple[int | None, int | None, int | None, str]]
               ) -> list[Recipient]:
    found: dict[int, Recipient] = {}
    for chat, person, household, language in rows:
        if chat is not None and person is not None and chat not in found:
            found[chat] = Recipient(chat, person, household, language)
    return list(found.values())
