"""A small estate set up the way an office would: roster, codes, staff invites, bound groups."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from handlers.office import Office
from handlers.registration import roster
from storage.models import Household
from tests.support.desk import Desk, Person

PLUMBERS = -1001
ELECTRICIANS = -1002
DISPATCH = -1003
MANAGERS = -1004
ON_DUTY = -1005


@dataclass
class Estate:
    desk: Desk
    resident: Person  # Wang, unit 3-1202, Simplified Chinese
    neighbour: Person  # Li, unit 3-1203, English
    plumber: Person  # Zhang
    plumber2: Person  # Zhao
    electrician: Person  # Chen
    dispatcher: Person


def code_of(office: Office, building: str, room: str) -> str:
    with Session(office.engine) as session:
        household = session.exec(select(Household).where(
            Household.building == building, Household.room == room)).one()
        assert household.bind_code
        return household.bind_code


def build_estate(office: Office, staff_language: str = "zh-hans") -> Estate:
    """The estate; the dispatcher (who binds the staff groups) speaks *staff_language*."""
    rows = [
        {"building": "3", "room": "1202", "name": "王芳", "phone": "13800000001"},
        {"building": "3", "room": "1203", "name": "Li Lei", "phone": "13800000002"},
        {"building": "5", "room": "0101", "name": "赵敏", "phone": "13800000003"},
    ]
    roster.import_households(office, enumerate(rows, start=2))
    roster.household_codes(office)
    desk = Desk(office)
    resident = desk.person(101, "王芳", "zh-hans")
    resident.command("start", code_of(office, "3", "1202"))
    neighbour = desk.person(102, "Li Lei", "en")
    neighbour.command("start", code_of(office, "3", "1203"))

    def staff(user_id: int, name: str, role: str, trades: list[str],
              language: str = "zh-hans") -> Person:
        person = desk.person(user_id, name, language)
        person.command("start", roster.create_invite(office, "staff", role, trades, name))
        return person

    plumber = staff(201, "张师傅", "technician", ["plumbing"])
    plumber2 = staff(202, "赵师傅", "technician", ["plumbing"])
    electrician = staff(203, "陈师傅", "technician", ["electrical"])
    dispatcher = staff(301, "刘调度", "dispatcher", [], staff_language)
    for chat_id, trades, role in ((PLUMBERS, ["plumbing"], ""),
                                  (ELECTRICIANS, ["electrical"], ""),
                                  (DISPATCH, [], "dispatch"), (MANAGERS, [], "managers"),
                                  (ON_DUTY, [], "emergency")):
        code = roster.create_invite(office, "group", role, trades)
        dispatcher.command("bindgroup", code, chat_id=chat_id, chat_title=f"group {chat_id}")
    return Estate(desk, resident, neighbour, plumber, plumber2, electrician, dispatcher)
