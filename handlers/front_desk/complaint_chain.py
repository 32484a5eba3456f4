"""Who owns a complaint at each level, and how a message reaches them.

The chain of 001 第四篇 4(5): the desk (客服) → a supervisor (部门主管) → the director
(管理处主任) → admin/HR (行政人事部). Each missed deadline moves a complaint one level up.
Complaints about the service centre itself start with admin/HR (001 §2.2.8) and reach nobody
at the desk: their messages go privately to admin/HR people (to the director while nobody
holds that role), never to a group chat.
"""

from __future__ import annotations

from typing import Final

from sqlmodel import Session, col, select

from handlers.office.people import alert_chats
from locales import Msg, _
from storage.complaints import Complaint
from storage.models import Person

DESK, SUPERVISOR, DIRECTOR, ADMIN = 0, 1, 2, 3
TOP: Final = ADMIN
LEVEL_NAMES: Final[dict[int, Msg]] = {
    DESK: _("the front desk"),
    SUPERVISOR: _("the supervisor"),
    DIRECTOR: _("the office director"),
    ADMIN: _("admin/HR"),
}
LEVEL_KEYS: Final = {DESK: "desk", SUPERVISOR: "supervisor", DIRECTOR: "director",
                     ADMIN: "admin"}
DESK_ROLES: Final = ("dispatcher", "butler")
COMPLAINT_ROLES: Final = (*DESK_ROLES, "manager", "admin")  # the roles level_of places
# Who the severity hands a complaint to (001 第四篇 4(5)): the director the same day, the
# supervisor within the hour, the desk itself for a minor one.
SEVERITY_LEVELS: Final = {"major": DIRECTOR, "important": SUPERVISOR, "minor": DESK}


def level_of(person: Person | None) -> int | None:
    """The person's level in the chain, or None for residents and technicians."""
    if person is None:
        return None
    if person.role in DESK_ROLES:
        return DESK
    if person.role == "manager":
        return DIRECTOR if person.rank == "director" else SUPERVISOR
    if person.role == "admin":
        return ADMIN
    return None


def may_see(session: Session, person: Person | None, complaint: Complaint) -> bool:
    """Staff see a complaint; one about the service centre only the people it goes to."""
    if complaint.about_service_centre:
        return handles_service_centre(session, person)
    return level_of(person) is not None


def may_handle(session: Session, person: Person | None, complaint: Complaint) -> bool:
    """Answer, ask, resolve, set the severity: anyone who may see it."""
    return may_see(session, person, complaint)


def may_take(session: Session, person: Person | None, complaint: Complaint) -> bool:
    """Take it over: someone at the complaint's level or above (a supervisor may not take
    what belongs to the director); one about the service centre, the people it goes to."""
    level = level_of(person)
    return may_see(session, person, complaint) and level is not None and (
        complaint.about_service_centre or level >= complaint.level)


def people_at(session: Session, level: int) -> list[Person]:
    """Registered staff at *level*, in the order they were registered."""
    # Staff roles only: a complaint about the desk asks this on every tap, and the residents
    # are most of the people.
    people = session.exec(select(Person).where(col(Person.telegram_user_id).is_not(None),
                                               col(Person.role).in_(COMPLAINT_ROLES))
                          .order_by(col(Person.id))).all()
    return [p for p in people if level_of(p) == level]


def service_centre_people(session: Session) -> list[Person]:
    """Who a complaint about the service centre goes to: admin/HR, or the director while
    nobody holds that role yet — someone must own it (004), and never the desk."""
    return people_at(session, ADMIN) or people_at(session, DIRECTOR)


def handles_service_centre(session: Session, person: Person | None) -> bool:
    """The person is one of those complaints about the service centre go to."""
    return person is not None and any(p.id == person.id for p in service_centre_people(session))


def private_chats(session: Session, level: int) -> list[int]:
    """The private chats of the people at *level*."""
    return _chats_of(people_at(session, level))


def _chats_of(people: list[Person]) -> list[int]:
    return [p.telegram_user_id for p in people if p.telegram_user_id is not None]


def group_chats(session: Session, complaint: Complaint, level: int) -> list[int]:
    """The staff group for *level*: dispatch for the desk, the managers' group above it;
    none for a complaint about the service centre (the desk is in those groups)."""
    if complaint.about_service_centre:
        return []
    if level == DESK:
        return alert_chats(session, "dispatch")
    return alert_chats(session, "managers", "dispatch")


def owners_chats(session: Session, complaint: Complaint, level: int) -> tuple[list[int],
                                                                              list[int]]:
    """(group chats, private chats) that reach the owners at *level*.

    Above the desk the people of the level hear privately and the managers' group sees it
    too. A complaint about the service centre goes privately to admin/HR only — to the
    director when nobody holds that role yet — since the desk sits in the staff groups.
    """
    if complaint.about_service_centre:
        return [], _chats_of(service_centre_people(session))
    private = private_chats(session, level) if level > DESK else []
    return group_chats(session, complaint, level), private
