"""How many SQL statements the hot path costs: an ordinary text, a tap, a dialog step.

Each statement is a round trip on PostgreSQL and most of an update's CPU on SQLite (issue
#16), so the counts are pinned: a change that adds one fails here and must say why. BEGIN is
left out (SQLite's is ours, PostgreSQL's driver sends its own); the commit is not a statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from dialogs.buttons import Verb, tap
from dialogs.events import Event, EventKind
from handlers.office import Office
from handlers.reception.entry import handle
from tests.support.estate import Estate, build_estate

# What each update reads and writes today, in order of the statements.
# "Who is writing" also says whether a planned outage runs now: on an ordinary day a text
# costs no outage query.
WHO = "who is writing: person, units, dialog state, any outage running"
ORDINARY_TEXT = ("claim the update", WHO, "the answer into the outbox")
MENU_TAP = ("claim the update", WHO, "the resident's orders",
            "the answer and the tap's toast into the outbox")
DIALOG_STEP = ("claim the update", WHO,
               "the question on screen (to take its buttons away)",
               "the next question and the edit into the outbox", "the dialog's next step")


def expected(office: Office, statements: tuple[str, ...]) -> int:
    """How many *statements* cost on *office*'s database: on PostgreSQL the claim is a CTE
    of who is writing (one round trip); SQLite has no INSERT in a CTE."""
    return len(statements) - (office.engine.dialect.name == "postgresql")


@pytest.fixture
def estate(any_office: Office) -> Estate:
    built = build_estate(any_office)
    built.desk.deliver()
    return built


@contextmanager
def statements(office: Office) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(" ".join(statement.split())[:90])

    event.listen(office.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(office.engine, "before_cursor_execute", count)


def cost(estate: Estate, update: Event) -> list[str]:
    """The statements of handling *update* alone (not of the phones' delivery after it)."""
    with statements(estate.desk.office) as seen:
        handle(estate.desk.office, update)
    estate.desk.deliver()
    return seen


def text(estate: Estate, words: str) -> Event:
    return estate.resident._event(EventKind.TEXT, text=words)


def test_an_ordinary_text(estate: Estate) -> None:
    resident = estate.resident
    resident.says("谢谢")
    before = len(resident.chat)
    seen = cost(estate, text(estate, "谢谢"))
    assert len(seen) == expected(estate.desk.office, ORDINARY_TEXT), seen
    assert "processed_update" in seen[0] and "outbox" in seen[-1]
    assert len(resident.chat) == before + 1  # answered


def test_a_menu_tap(estate: Estate) -> None:
    resident = estate.resident
    tapped = resident._event(EventKind.BUTTON, button_data=tap(Verb.MENU, "my"),
                             callback_id="cb-my", message_id=resident.chat[-1].message_id)
    seen = cost(estate, tapped)
    assert len(seen) == expected(estate.desk.office, MENU_TAP), seen
    assert "cb-my" in estate.desk.toasts  # the tap was answered


def test_a_dialog_step(estate: Estate) -> None:
    resident = estate.resident
    resident.says("厨房水龙头一直滴水")  # a repair report: the dialog asks where, with buttons
    asked = resident.last
    seen = cost(estate, text(estate, "楼道灯不亮了"))
    assert len(seen) == expected(estate.desk.office, DIALOG_STEP), seen
    assert resident.last != asked, "the dialog did not move on"


def test_a_replayed_update_costs_only_its_claim(estate: Estate) -> None:
    once = text(estate, "谢谢")
    cost(estate, once)
    before = len(estate.resident.chat)
    assert len(cost(estate, once)) == 1  # nothing but the claim that found it handled
    assert len(estate.resident.chat) == before  # and not answered again
