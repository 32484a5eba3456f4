"""The work order's state machine: the diagram is generated from it, every status is reachable,
finished orders stay finished, and no code changes a status except through it."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from handlers.office.caller import Caller
from handlers.work_orders import states
from handlers.work_orders.states import FINISHED, MOVES, SUBMITTED, Actor, Status
from storage.models import WorkOrder

ROOT = Path(__file__).resolve().parents[2]


def test_the_diagram_is_the_state_machine() -> None:
    assert states.DIAGRAM.read_text(encoding="utf-8") == states.mermaid(), (
        "regenerate it: uv run python -m handlers.work_orders.states")


def test_every_status_is_reachable_from_submission() -> None:
    reached, frontier = {SUBMITTED}, [SUBMITTED]
    while frontier:
        status = frontier.pop()
        for move in MOVES:
            if status in move.sources and move.target not in reached:
                reached.add(move.target)
                frontier.append(move.target)
    assert reached == set(Status)


def test_finished_orders_have_no_way_out_and_only_the_clock_confirms_alone() -> None:
    # Bar one: a callback comment that says the fault persists reopens a confirmed order.
    assert [(m.name, m.sources) for m in MOVES if m.sources & FINISHED] == [
        ("reopen", frozenset({Status.CONFIRMED}))]
    assert [m.name for m in MOVES if m.actor is Actor.OFFICE] == ["auto_confirm"]


def test_move_names_are_unique() -> None:
    assert len({m.name for m in MOVES}) == len(MOVES)


def test_no_code_sets_a_work_orders_status_except_the_state_machine() -> None:
    """``order.status = …`` or ``update(WorkOrder).values(status=…)`` outside states.py would
    bypass the allowed moves and their race-safe conditional update."""
    offenders = []
    for path in (ROOT / "handlers").rglob("*.py"):
        if path.name == "states.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and t.attr == "status"
                    and isinstance(t.value, ast.Name) and t.value.id == "order"
                    for t in node.targets):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "values"
                    and any(k.arg == "status" for k in node.keywords)
                    and "WorkOrder" in ast.unparse(node.func.value)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


class _Resident:
    """A stand-in for the caller: the person who reported the order, bound to no unit."""

    person = SimpleNamespace(id=7, role="resident", trades=[])

    def context(self) -> SimpleNamespace:
        return SimpleNamespace(units=())


def test_only_the_office_clock_auto_confirms_and_it_signs_nothing_else() -> None:
    resident = cast(Caller, _Resident())
    order = WorkOrder(number="WO-1", kind="repair", trade="plumbing", status="done",
                      reporter_id=7)
    assert states.may(resident, order, states.SIGN)
    assert not states.may(resident, order, states.AUTO_CONFIRM)
    assert states.may(None, order, states.AUTO_CONFIRM)
    assert not states.may(None, order, states.SIGN)


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.DONE])
def test_a_move_is_allowed_only_from_its_sources(status: Status) -> None:
    resident = cast(Caller, _Resident())
    order = WorkOrder(number="WO-1", kind="repair", trade="plumbing", status=status,
                      reporter_id=7)
    assert not states.may(resident, order, states.SIGN)
    assert states.may(resident, order, states.CANCEL) is (status in states.CANCELLABLE)
