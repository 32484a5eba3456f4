"""Dialog state in the database, so a restart carries on at the same step.

Read and written in Core, with statements built once: a dialog step is most updates' one
write besides the outbox, and the ORM's flush of it cost more than the statement.
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, NamedTuple

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlmodel import Session

from dialogs.events import InlineKeyboard, Outgoing, Say
from dialogs.model import Conversation
from storage.models import DialogState

_ROWS = "dialog_state_rows"  # per-session memo of the rows read (the session is one update)
DIALOG_STATES: Table = DialogState.__table__  # type: ignore[attr-defined]
_D = DIALOG_STATES.c
STATE_COLUMNS = (_D.id, _D.flow, _D.step, _D.data)  # what a load needs, in Stored's order
DIALOG_STATE = select(*STATE_COLUMNS).where(_D.chat_id == bindparam("chat"),
                                            _D.user_id == bindparam("user"))
# Bind names differ from the columns': SQLAlchemy keeps those for the row's own values.
NEXT_STEP = update(DIALOG_STATES).where(_D.id == bindparam("row")).values(
    flow=bindparam("new_flow"), step=bindparam("new_step"), data=bindparam("new_data"),
    updated_at=bindparam("now"))
FIRST_STEP = insert(DIALOG_STATES).values(
    chat_id=bindparam("chat"), user_id=bindparam("user"), flow=bindparam("new_flow"),
    step=bindparam("new_step"), data=bindparam("new_data"), updated_at=bindparam("now")
).returning(_D.id)
ENDED = delete(DIALOG_STATES).where(_D.id == bindparam("row"))


class Stored(NamedTuple):
    """A dialog_state row as read (or just written) in this update."""

    id: int
    flow: str
    step: str
    data: dict[str, Any]


def load(session: Session, chat_id: int, user_id: int) -> Conversation | None:
    """The conversation under way in this chat with this person, if any."""
    row = _row(session, chat_id, user_id)
    # A deep copy: a dialog may change its lists in place, and the stored row must only
    # change when the step is saved (or the change would go unnoticed and unsaved).
    return Conversation(row.flow, row.step, copy.deepcopy(row.data)) if row else None


def save(session: Session, chat_id: int, user_id: int, conversation: Conversation | None,
         now: datetime) -> None:
    """Store the new state; None ends the conversation."""
    row = _row(session, chat_id, user_id)
    rows: dict[tuple[int, int], Stored | None] = session.info[_ROWS]
    connection = session.connection()
    if conversation is None:
        if row is not None:
            connection.execute(ENDED, {"row": row.id})
            rows[(chat_id, user_id)] = None
        return
    stored = Stored(row.id if row else 0, conversation.flow, str(conversation.step),
                    dict(conversation.data))
    values = {"new_flow": stored.flow, "new_step": stored.step, "new_data": stored.data,
              "now": now}
    if row is None:
        stored = stored._replace(id=connection.execute(
            FIRST_STEP, {"chat": chat_id, "user": user_id, **values}).scalar_one())
    else:
        connection.execute(NEXT_STEP, {"row": row.id, **values})
    rows[(chat_id, user_id)] = stored


# The ref of a dialog's question with buttons in its chat: the next question, or the end of
# the dialog, takes its buttons away (handlers/reception/prompts.py).
PROMPT: Final = "prompt"


def mark_questions(chat_id: int, replies: Sequence[Outgoing]) -> list[Outgoing]:
    """*replies* with the dialog's questions (messages with buttons in *chat_id*) under
    ``PROMPT``."""
    return [dataclasses.replace(reply, ref=PROMPT)
            if (isinstance(reply, Say) and reply.chat_id == chat_id and not reply.ref
                and isinstance(reply.keyboard, InlineKeyboard) and reply.keyboard.rows)
            else reply for reply in replies]


def new_nonce() -> str:
    """A short random tag that marks one conversation's buttons."""
    return secrets.token_urlsafe(4)


def remember(session: Session, chat_id: int, user_id: int,
             row: Sequence[Any] | None) -> None:
    """Keep *row* (the values of ``STATE_COLUMNS``; None: no dialog) as this chat's state for
    the session, read along with something else (the caller's person, in one statement)."""
    session.info.setdefault(_ROWS, {})[(chat_id, user_id)] = (
        None if row is None else Stored(*row))


def _row(session: Session, chat_id: int, user_id: int) -> Stored | None:
    # An update reads its dialog state, then saves the next step: one query for both.
    rows: dict[tuple[int, int], Stored | None] = session.info.setdefault(_ROWS, {})
    key = (chat_id, user_id)
    if key not in rows:
        found = session.connection().execute(
            DIALOG_STATE, {"chat": chat_id, "user": user_id}).first()
        rows[key] = None if found is None else Stored(*found)
    return rows[key]
