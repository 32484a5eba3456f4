"""Which of a resident's homes their words name, as they write a unit."""

from __future__ import annotations

import pytest

from dialogs.model import Unit
from dialogs.question_unit import named_unit

HOMES = (Unit(1, "3-1203"), Unit(2, "5-0101"), Unit(3, "12-0101"))


@pytest.mark.parametrize(("text", "expected"), [
    ("Water at 5-0101 is off", 2),
    ("5栋0101停水了", 2),
    ("５棟 0101 的管理費", 2),  # full-width digits, Traditional
    ("12-0101 fee?", 3),
    ("my flat 1203 has no water", 1),  # a room only one home has
    ("0101 has no water", None),  # two homes have room 0101
    ("3-1203 and 5-0101", None),  # both named: ask
    ("When will the water be back on?", None),
    ("flat 31203", None),
])
def test_the_home_the_words_name(text: str, expected: int | None) -> None:
    assert named_unit(text, HOMES) == expected
