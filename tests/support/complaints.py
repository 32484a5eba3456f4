"""The complaint chain of a test estate (a supervisor, the director, admin/HR) and a resident
who complains the short way: what happened, then Skip to the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from handlers.office import Office
from handlers.registration import roster
from storage.complaints import Complaint, ComplaintClock, ComplaintEvent
from tests.conftest import SHANGHAI
from tests.support.desk import Person
from tests.support.estate import Estate


@dataclass
class Chain:
    supervisor: Person
    director: Person
    admin: Person


def build_chain(office: Office, estate: Estate, language: str = "en") -> Chain:
    """Register a supervisor, the office director and an admin/HR person."""
    def staff(user_id: int, name: str, role: str, rank: str = "") -> Person:
        person = estate.desk.person(user_id, name, language)
        person.command("start", roster.create_invite(office, "staff", role, [], name, rank))
        return person

    return Chain(staff(401, "Sun (supervisor)", "manager", "supervisor"),
                 staff(402, "Zhou (director)", "manager", "director"),
                 staff(403, "Wu (admin/HR)", "admin"))


def complain(resident: Person, text: str, *, about: str | None = None,
             deadline: str | None = None, from_menu: bool = False) -> None:
    """Write a complaint and skip every optional step (tapping *about* / *deadline* if given);
    *from_menu*: tap Complain in the menu first (words alone, while a complaint is open, are
    added to it)."""
    if from_menu:
        resident.command("menu")
        resident.taps("Complain")
    resident.says(text)
    for step in ("when", "where", "who", "wants", "deadline"):
        if step == "who" and about is not None:
            resident.taps(about)
        elif step == "deadline" and deadline is not None:
            resident.taps(deadline)
        elif step == "deadline":
            resident.taps("No particular date")
        else:
            resident.taps("Skip")
    resident.taps("No photos")
    resident.taps("Submit")


def only_complaint(office: Office) -> Complaint:
    with Session(office.engine) as session:
        return session.exec(select(Complaint)).one()


def clocks(office: Office) -> list[ComplaintClock]:
    with Session(office.engine) as session:
        return list(session.exec(select(ComplaintClock).order_by(col(ComplaintClock.id))))


def events(office: Office) -> list[ComplaintEvent]:
    with Session(office.engine) as session:
        return list(session.exec(select(ComplaintEvent).order_by(col(ComplaintEvent.id))))


def local(moment: datetime | None) -> str:
    """A moment as the office's wall clock reads it."""
    assert moment is not None
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def due(office: Office) -> dict[str, str]:
    """When each running clock of the complaints is due, by duty."""
    return {c.kind: local(c.due_at) for c in clocks(office) if c.state == "running"}
