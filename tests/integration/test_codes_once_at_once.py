"""A binding or staff code works once even when two people send it at the same moment (a code
seen by several, a deep link tapped twice): exactly one is linked or registered, the other is
told the code was already used."""

from __future__ import annotations

import threading

from sqlmodel import Session, col, select

from dialogs.events import ChatKind, Event, EventKind
from handlers.office import Office
from handlers.reception.entry import handle
from handlers.registration import roster
from storage.models import Person, Residence
from tests.support.estate import build_estate, code_of


def both_send(office: Office, code: str, round_number: int) -> tuple[int, int]:
    """Two newcomers send /start *code* at once; their Telegram ids."""
    users = (5000 + 2 * round_number, 5001 + 2 * round_number)
    barrier = threading.Barrier(len(users))

    def send(user_id: int) -> None:
        barrier.wait()
        handle(office, Event(key=f"u:code-{user_id}", kind=EventKind.COMMAND,
                             chat_id=user_id, chat_kind=ChatKind.PRIVATE, user_id=user_id,
                             user_name=f"user {user_id}", command="start", text=code))

    threads = [threading.Thread(target=send, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return users


def test_a_staff_code_sent_by_two_at_once_registers_one(any_office: Office) -> None:
    build_estate(any_office)
    for round_number in range(6):
        code = roster.create_invite(any_office, "staff", "dispatcher", [])
        users = both_send(any_office, code, round_number)
        with Session(any_office.engine) as session:
            staff = session.exec(select(Person).where(
                col(Person.telegram_user_id).in_(users), Person.role == "dispatcher")).all()
        assert len(staff) == 1, f"round {round_number}: {len(staff)} registered"


def test_a_household_code_sent_by_two_at_once_links_one(any_office: Office) -> None:
    build_estate(any_office)
    for round_number in range(6):
        roster.household_codes(any_office)
        code = code_of(any_office, "5", "0101")
        users = both_send(any_office, code, round_number)
        with Session(any_office.engine) as session:
            linked = session.exec(select(Residence).join(
                Person, col(Person.id) == col(Residence.person_id)).where(
                col(Person.telegram_user_id).in_(users))).all()
        assert len(linked) == 1, f"round {round_number}: {len(linked)} linked"
