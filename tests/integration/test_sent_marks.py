"""What Telegram accepted is written down in groups: several marks in one statement."""

from __future__ import annotations

from sqlalchemy import select

from dialogs.events import Say
from handlers.delivery import outbox as delivery
from handlers.office import Office
from handlers.office.unit_of_work import OUTBOX
from locales import Raw
from tests.e2e.senders import queue


def statuses(office: Office) -> dict[int, tuple[str, int | None]]:
    with office.engine.connect() as connection:
        return {row.id: (row.status, row.telegram_message_id) for row in connection.execute(
            select(OUTBOX.c.id, OUTBOX.c.status, OUTBOX.c.telegram_message_id))}


def test_several_marks_are_one_statement(any_office: Office) -> None:
    # It was an expanding IN in an executemany: every group of two or more failed, and each
    # mark was then written on its own.
    queue(any_office, Say(1, Raw("a")), Say(2, Raw("b")), Say(3, Raw("c")))
    delivery.mark_sent(any_office, [(1, 11), (2, 12)])
    assert statuses(any_office) == {1: ("sent", 11), 2: ("sent", 12), 3: ("pending", None)}
