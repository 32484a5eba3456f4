"""The guard table stays in step with the code: each guarded snippet exists exactly once, so
``python -m tests.support.guards`` removes the guard it names and nothing else."""

from __future__ import annotations

import pytest

from tests.support.guards import GUARDS, ROOT, Guard


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.rule)
def test_each_guard_is_where_the_table_says(guard: Guard) -> None:
    assert (ROOT / guard.path).read_text(encoding="utf-8").count(guard.original) == 1


def test_rules_are_named_once() -> None:
    assert len({g.rule for g in GUARDS}) == len(GUARDS)
