"""Dialog state in the database, so a restart carries on at the same step."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, select

from dialogs.model import Conversation
from storage.models import DialogState

DIALOG_STATE = select(DialogState).where(DialogState.chat_id == bindparam("chat"),
                                         DialogState.user_id == bindparam("user"))


def load(session: Session, chat_id: int, user_id: int) -> Conversation | None:
    row = _row(session, chat_id, user_id)
    return Conversation(row.flow, row.step, dict(row.data)) if row else None


def save(session: Session, chat_id: int, user_id: int, conversation: Conversation | None,
         now: datetime) -> None:
    """Store the new state; None ends the conversation."""
    row = _row(session, chat_id, user_id)
    if conversation is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = DialogState(chat_id=chat_id, user_id=user_id, flow="", step="")
    row.flow, row.step, row.data, row.updated_at = (
        conversation.flow, str(conversation.step), dict(conversation.data), now)
    session.add(row)


def new_nonce() -> str:
    """A short random tag that marks one conversation's buttons."""
    return secrets.token_urlsafe(4)


def _row(session: Session, chat_id: int, user_id: int) -> DialogState | None:
    return session.exec(DIALOG_STATE, params={"chat": chat_id, "user": user_id}).first()
