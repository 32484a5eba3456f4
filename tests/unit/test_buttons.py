"""The one button table: every verb round-trips, forged data is refused without an error, every
verb a keyboard can emit has a handler, and no keyboard builds its data by hand."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.buttons import MAX_BYTES, MAX_ID, Arg, Tap, Verb, parse, tap
from handlers.reception.answers import ORDER_ANSWERS, other_answers
from handlers.reception.buttons import BUTTONS, Where

ROOT = Path(__file__).resolve().parents[2]
# The longest argument each kind allows: the longest data any keyboard can emit.
LONGEST: dict[Arg, int | str] = {Arg.ID: MAX_ID, Arg.DIGIT: 9, Arg.WORD: "a" * 24,
                                 Arg.NAME: "A" * 16, Arg.NONCE: "n" * 8, Arg.VALUE: "v" * 40}


@pytest.mark.parametrize("verb", list(Verb), ids=lambda v: v.name)
def test_every_verb_round_trips_within_telegrams_64_bytes(verb: Verb) -> None:
    args = [LONGEST[kind] for kind in verb.args]
    data = tap(verb, *args)
    assert len(data.encode()) <= MAX_BYTES, data
    assert parse(data) == Tap(verb, tuple(args))


@pytest.mark.parametrize("data", [
    "v1:accept:²",  # a Unicode digit: str.isdigit() says yes, int() says no
    "v1:rate:1:²", "v1:time_ok:²:yes", "v1:accept:١٢",
    "v1:accept:" + "9" * 30,  # beyond a 64-bit integer
    f"v1:accept:{MAX_ID + 1}",
    "v1:accept", "v1:accept:1:2", "v1:accept:-1", "v1:accept: 1", "v1:accept:1 ",
    "v2:accept:1", "accept:1", "acc:1", "v1:nothing:1", "", ":", "v1::", "v1:rate:1:10",
    "v1:menu:Repair", "v1:dialog:abc:yes",  # nonce too short
    "v1:menu:" + "a" * 60,
])
def test_forged_data_is_not_a_tap(data: str) -> None:
    assert parse(data) is None


@given(st.text(max_size=80))
def test_the_parser_never_raises_on_any_string(data: str) -> None:
    found = parse(data)
    if found is not None:
        assert tap(found.verb, *found.args) == data


@given(st.sampled_from(list(Verb)), st.lists(st.text(max_size=25), max_size=4))
def test_tap_refuses_arguments_that_would_not_parse_back(verb: Verb, args: list[str]) -> None:
    try:
        data = tap(verb, *args)
    except ValueError:
        return
    assert parse(data) is not None


def test_a_missing_id_is_refused_when_the_button_is_built() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        tap(Verb.ACCEPT, None)


def test_every_verb_has_exactly_one_handler_and_every_handler_a_verb() -> None:
    assert set(BUTTONS) == set(Verb)


def test_group_verbs_are_the_staff_groups_and_the_rest_are_private() -> None:
    group = {verb for verb, handler in BUTTONS.items() if handler.where is Where.GROUP}
    assert group == {Verb.ACCEPT, Verb.ASSIGN, Verb.ACK_EMERGENCY, Verb.CALLBACK_CLASS,
                     Verb.CALL_RESULT, Verb.CALL_NOTE, Verb.CORRECTED, Verb.SPOT_CHECK,
                     Verb.ONSITE, Verb.DESK_REPLY, Verb.FEE_CAMPAIGN, Verb.FEE_RECEIPT,
                     Verb.FEE_RESOLVE, Verb.FEE_TASK, Verb.FEE_PAY, Verb.FEE_WAIVE,
                     Verb.COMPLAINT_DESK, Verb.DESK_TOOL,
                     Verb.DESK_REASSIGN, Verb.RESCHEDULE, Verb.DESK_WINDOW, Verb.MISSED_SEEN,
                     Verb.HELD_CALL, Verb.ANNOUNCE}
    assert [v for v, h in BUTTONS.items() if not h.needs_binding] == [Verb.LANGUAGE]


def _answer_purposes() -> set[str]:
    """Every purpose a dialog can hand over: the short questions, and AnswerText(...) built
    elsewhere in dialogs/ (the fee dialog's receipt, dispute and door answers)."""
    from dialogs.answers import QUESTIONS
    purposes = set(QUESTIONS)
    for path in (ROOT / "dialogs").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "AnswerText" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                purposes.add(str(node.args[0].value))
    return purposes


def test_every_answer_a_dialog_can_hand_over_has_exactly_one_handler() -> None:
    assert _answer_purposes() == set(ORDER_ANSWERS) | set(other_answers())
    assert not set(ORDER_ANSWERS) & set(other_answers())


def _data_arguments() -> list[tuple[str, int, ast.expr]]:
    """The callback-data argument of every ``Button(label, data)`` in the product code."""
    found = []
    for folder in ("dialogs", "handlers", "bot", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == "Button" and len(node.args) >= 2):
                    found.append((str(path.relative_to(ROOT)), node.lineno, node.args[1]))
    return found


def test_keyboards_build_their_data_only_with_tap() -> None:
    by_hand = [(path, line) for path, line, data in _data_arguments()
               if not (isinstance(data, ast.Call) and isinstance(data.func, ast.Name)
                       and data.func.id == "tap")]
    assert _data_arguments(), "no Button(...) found: the scan is broken"
    assert by_hand == [], "button data built by hand instead of with dialogs.buttons.tap"


def test_every_verb_is_emitted_by_some_keyboard() -> None:
    """A handler nobody can reach is dead code: each verb appears in a tap(...) somewhere."""
    emitted: set[str] = set()
    for folder in ("dialogs", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == "tap" and node.args
                        and isinstance(node.args[0], ast.Attribute)):
                    emitted.add(node.args[0].attr)
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id == "_remind"):
                    emitted.update(a.attr for a in node.args if isinstance(a, ast.Attribute))
    assert {verb.name for verb in Verb} - emitted == set()
