"""The state diagrams a newcomer reads first say what the code does.

Each dialog's diagram is checked in its own test file (``test_dialog_<name>.py``: its states
are the dialog's steps, every move a person can make is an arrow); the work order's diagram is
generated from the one state machine and must be the file in git.
"""

from __future__ import annotations

from pathlib import Path

import dialogs
from handlers.work_orders import states

# Each has a test_dialog_<name>.py.
CHECKED = {"repair", "service", "answers", "survey", "danger_check", "complaint"}


def test_work_order_mmd_is_generated_from_the_state_machine() -> None:
    # Regenerate with: uv run python -m handlers.work_orders.states
    assert states.DIAGRAM.read_text(encoding="utf-8") == states.mermaid()


def test_every_dialog_diagram_is_checked_against_its_dialog() -> None:
    here = Path(__file__).parent
    drawn = {path.stem for path in Path(dialogs.__path__[0]).glob("*.mmd")}
    assert drawn == CHECKED, "a new diagram needs a test_dialog_<name>.py that checks it"
    assert all((here / f"test_dialog_{name}.py").exists() for name in drawn)
