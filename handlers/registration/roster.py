"""The office's roster: households imported from the office's list, their binding codes, and
one-time invites for staff and group chats (the admin's terminal work)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, select

from dialogs.events import Priority, RemoveKeyboard, Say
from dialogs.model import TRADES
from handlers.office import Office
from handlers.office.imports import ImportReport
from handlers.office.people import STAFF_ROLES, normalise_phone, unit_label
from handlers.office.unit_of_work import UnitOfWork
from handlers.registration import menus
from handlers.work_orders import hand_back, routing
from locales import Raw, _
from storage.models import Household, Invite, Person, Residence

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper
CODE_LENGTH = 8
# A household, staff or group code, so one sent without /start is still taken as a code.
CODE = re.compile(rf"[HSG]-[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
GROUP_ROLES = ("dispatch", "managers", "emergency")
FEE_PLANS = ("monthly", "quarterly", "semiannual")
# A manager's rank for complaints (001 第四篇 4(5)): a supervisor unless named the director.
MANAGER_RANKS = ("supervisor", "director")


def new_code(prefix: str) -> str:
    """A one-time code like ``H-7KX2M9QA`` (fits a /start deep link)."""
    return prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _household_fields(row: Mapping[str, str]) -> dict[str, Any]:
    """Check one roster row; raises ValueError with a reason the office can act on."""
    values = {key: (row.get(key) or "").strip() for key in
              ("building", "room", "name", "phone", "fee_plan", "monthly_fee")}
    for required in ("building", "room", "name", "phone"):
        if not values[required]:
            raise ValueError(f"{required} is empty")
    if len(values["building"]) > 32 or len(values["room"]) > 32 or len(values["name"]) > 100:
        raise ValueError("building, room or name is too long")
    digits = "".join(ch for ch in values["phone"] if ch.isdigit())
    if not 5 <= len(digits) <= 20:
        raise ValueError(f"phone {values['phone']!r} is not a phone number")
    plan = values["fee_plan"] or "monthly"
    if plan not in FEE_PLANS:
        raise ValueError(f"fee_plan must be one of {', '.join(FEE_PLANS)}")
    fee: Decimal | None = None
    if values["monthly_fee"]:
        try:
            fee = Decimal(values["monthly_fee"]).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValueError(f"monthly_fee {values['monthly_fee']!r} is not a number") from None
        if fee < 0:
            raise ValueError("monthly_fee is negative")
    return {"building": values["building"], "room": values["room"], "name": values["name"],
            "phone": values["phone"], "fee_plan": plan, "monthly_fee": fee}


def import_households(office: Office, rows: Iterable[tuple[int, Mapping[str, str]]],
                      report: ImportReport | None = None) -> ImportReport:
    """Create or update households (keyed by building + room) in one transaction.

    Bad rows are reported with their line numbers; the valid rows still import.
    """
    report = report or ImportReport()
    now = office.clock.now()
    with UnitOfWork(office) as uow:
        session = uow.session
        for line, row in rows:
            try:
                values = _household_fields(row)
            except ValueError as error:
                report.errors.append((line, str(error)))
                continue
            household = session.exec(select(Household).where(
                Household.building == values["building"],
                Household.room == values["room"])).first()
            if household is None:
                household = Household(**values, updated_at=now)
                report.created += 1
            elif all(getattr(household, key) == value for key, value in values.items()):
                report.unchanged += 1
                continue
            else:
                if _someone_else(household, values):
                    report.unlinked += _unlink_residents(uow, household)
                for key, value in values.items():
                    setattr(household, key, value)
                household.updated_at = now
                report.updated += 1
            session.add(household)
            session.flush()
        uow.commit()
    return report


def _someone_else(household: Household, values: Mapping[str, Any]) -> bool:
    """Whether the roster now names someone else for the unit (let or sold again): both the
    name and the phone number changed, not just one of them corrected."""
    return (values["name"] != household.name
            and normalise_phone(values["phone"]) != normalise_phone(household.phone))


def _unlink_residents(uow: UnitOfWork, household: Household) -> int:
    """The unit has a new occupant: the chats linked to it are unlinked and told (so its
    fees and notices stop going to them), and a code not yet used is void (the new occupant
    gets a new letter). Returns how many chats were unlinked."""
    household.bind_code = None
    residences = uow.session.exec(select(Residence).where(
        Residence.household_id == household.id).order_by(col(Residence.id))).all()
    for residence in residences:
        uow.session.delete(residence)
    uow.session.flush()
    unit = Raw(unit_label(household))
    for residence in residences:
        person = uow.session.get(Person, residence.person_id)
        if person is None:
            continue
        homeless = person.role == "resident" and uow.session.exec(select(Residence.id).where(
            Residence.person_id == person.id)).first() is None
        if homeless:
            person.role = "guest"  # like someone new: /start asks for a code or a number
            uow.session.add(person)
        uow.log("resident_unlinked", actor=person, unit=unit_label(household), via="roster")
        if person.telegram_user_id is not None:
            uow.send(Say(person.telegram_user_id, _(
                "ℹ️ The office's roster now lists someone else for unit {unit}, so this chat "
                "is no longer linked to it: its fees and notices no longer come here. If you "
                "still live there, please ask the office for a binding code.",
                unit=unit), RemoveKeyboard() if homeless else None, priority=Priority.NOTICE))
    return len(residences)


def household_codes(office: Office) -> list[tuple[str, str, str]]:
    """(building, room, code) for every household; a household without a code gets one."""
    with Session(office.engine) as session:
        households = session.exec(select(Household).order_by(
            col(Household.building), col(Household.room))).all()
        for household in households:
            if not household.bind_code:
                household.bind_code = new_code("H")
                session.add(household)
        session.commit()
        return [(h.building, h.room, h.bind_code or "") for h in households]


def create_invite(office: Office, kind: str, role: str, trades: list[str],
                  name: str = "", rank: str = "") -> str:
    """Store a one-time staff or group invite and return its code."""
    if rank and (role != "manager" or rank not in MANAGER_RANKS):
        raise ValueError(f"--rank is for managers: {', '.join(MANAGER_RANKS)}")
    if kind == "staff" and role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    if kind == "group" and not trades and role not in GROUP_ROLES:
        raise ValueError(f"give --trade or --role {'|'.join(GROUP_ROLES)}")
    unknown = [t for t in trades if t not in TRADES]
    if unknown:
        raise ValueError(f"unknown trade {', '.join(unknown)}; trades: {', '.join(TRADES)}")
    if role == "technician" and not trades:
        raise ValueError("a technician needs at least one --trade")
    code = new_code("S" if kind == "staff" else "G")
    with Session(office.engine) as session:
        session.add(Invite(code=code, kind=kind, role=role, trades=trades, name=name,
                           rank=rank, created_at=office.clock.now()))
        session.commit()
    return code


# -- staff who leave -----------------------------------------------------------------------
def list_staff(office: Office) -> list[dict[str, Any]]:
    """Everyone who works for the office now, with the jobs each holds, by role then name."""
    with Session(office.engine) as session:
        people = session.exec(select(Person).where(col(Person.role).in_(STAFF_ROLES))
                              .order_by(col(Person.role), col(Person.name))).all()
        loads = routing.open_jobs(session, [p.id for p in people if p.id is not None])
        return [{"name": p.name, "role": p.role, "telegram_user_id": p.telegram_user_id,
                 "trades": list(p.trades or []), "on_shift": p.on_shift,
                 "jobs": loads.get(p.id or 0, 0)} for p in people]


def find_staff(office: Office, who: str) -> int:
    """The staff member named *who*, or with that Telegram id; ValueError (with a reason the
    admin can act on) if nobody, or several, are."""
    who = who.strip()
    with Session(office.engine) as session:
        query = select(Person).where(col(Person.role).in_(STAFF_ROLES))
        by_id = session.exec(query.where(Person.telegram_user_id == int(who))).all() \
            if who.lstrip("-").isdigit() else []
        found = by_id or session.exec(query.where(Person.name == who)).all()
    if not found:
        raise ValueError(f"No staff member is named {who!r} or has that Telegram id "
                         "(`frontline staff list` shows who works here)")
    if len(found) > 1:
        ids = ", ".join(str(p.telegram_user_id) for p in found)
        raise ValueError(f"{len(found)} staff members are named {who!r}: give the Telegram id "
                         f"of the one to remove ({ids})")
    assert found[0].id is not None
    return found[0].id


def staff_jobs(office: Office, person_id: int) -> list[str]:
    """The numbers of the jobs *person_id* holds now: what removing them hands back."""
    with Session(office.engine) as session:
        return [order.number for order in hand_back.held_by(session, person_id)]


def remove_staff(office: Office, person_id: int, by: str) -> list[str]:
    """*person_id* no longer works for the office, from now on: no staff role (a resident if
    bound to a unit, else like someone new), every job they hold back to dispatch, every
    complaint they had taken over offered again to its level, the removal in the event log.
    Their past records keep their name. Returns the jobs handed back."""
    with UnitOfWork(office) as uow:
        person = uow.session.get(Person, person_id)
        if person is None or person.role not in STAFF_ROLES:
            raise ValueError("Not a staff member (already removed?); nothing was changed")
        role = person.role
        bound = uow.session.exec(select(Residence.id).where(
            Residence.person_id == person.id)).first() is not None
        person.role = "resident" if bound else "guest"
        uow.session.add(person)
        uow.session.flush()
        handed = [order.number for order in hand_back.held_by(uow.session, person_id)
                  if hand_back.hand_back(uow, order, person)]
        # Imported here: the complaints desk loads after the first getUpdates (reception.desks),
        # and only the office computer's removal needs it from the roster.
        from handlers.front_desk import complaints

        complaints_held = complaints.owner_left(uow, person)
        uow.log("staff_removed", actor=person, role=role, trades=list(person.trades or []),
                by=by, orders=handed, complaints=complaints_held)
        if person.telegram_user_id is not None:
            uow.send(Say(person.telegram_user_id, _(
                "ℹ️ The office has removed you from its staff: staff buttons and commands no "
                "longer work for you here, and the jobs you held went back to the dispatcher."),
                RemoveKeyboard(), priority=Priority.NOTICE),
                menus.person_menu(person.telegram_user_id, person.role))
        uow.commit()
    return handed
