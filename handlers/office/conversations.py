"""Dialog state in the database, so a restart carries on at the same step."""

from __future__ import annotations

import copy
import dataclasses
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam
from sqlmodel import Session, select

from dialogs.events import InlineKeyboard, Outgoing, Say
from dialogs.model import Conversation
from storage.models import DialogState

_ROWS = "dialog_state_rows"  # per-session memo of the rows read (the session is one update)
DIALOG_STATE = select(DialogState).where(DialogState.chat_id == bindparam("chat"),
                                         DialogState.user_id == bindparam("user"))


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
    if conversation is None:
        if row is not None:
            session.delete(row)
            session.flush()  # a new dialog in this same update inserts the row again
            session.info[_ROWS][(chat_id, user_id)] = None
        return
    if row is None:
        row = DialogState(chat_id=chat_id, user_id=user_id, flow="", step="")
        session.info[_ROWS][(chat_id, user_id)] = row
    row.flow, row.step, row.data, row.updated_at = (
        conversation.flow, str(conversation.step), dict(conversation.data), now)
    session.add(row)


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


def remember(session: Session, chat_id: int, user_id: int, row: DialogState | None) -> None:
    """Keep *row* (None: no dialog) as this chat's state for the session, read along with
    something else (the caller's person, in one statement)."""
    session.info.setdefault(_ROWS, {})[(chat_id, user_id)] = row


def _row(session: Session, chat_id: int, user_id: int) -> DialogState | None:
    # An update reads its dialog state, then saves the next step: one query for both.
    rows: dict[tuple[int, int], DialogState | None] = session.info.setdefault(_ROWS, {})
    key = (chat_id, user_id)
    if key not in rows:
        rows[key] = session.exec(DIALOG_STATE, params={"chat": chat_id, "user": user_id}).first()
    return rows[key]
