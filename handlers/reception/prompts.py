"""Keyboards that stay true in a dialog: only the question being asked keeps its buttons.

Every question a dialog sends with buttons carries the ref ``prompt`` in its chat. When the
dialog asks the next one, or ends (submitted, cancelled, replaced by another), the question
before loses its buttons — its text stays, so the conversation still reads as it happened.
A Cancel tap edits the tapped question itself into "Cancelled", instead of a second message.
"""

from __future__ import annotations

from dialogs.buttons import Verb, parse
from dialogs.events import Edit, EventKind, Outgoing, Say, inline
from dialogs.flow import CANCEL
from dialogs.model import Outcome
from handlers.office.caller import Caller
from handlers.office.conversations import PROMPT, mark_questions


def close_prompt(caller: Caller) -> None:
    """The dialog's last question loses its buttons (the dialog is over)."""
    caller.uow.send(Edit(caller.chat_id, "", inline(), ref=PROMPT))


def settle(caller: Caller, outcome: Outcome, under_way: bool) -> list[Outgoing]:
    """*outcome*'s replies, with its questions marked and the superseded question closed."""
    chat = caller.chat_id
    replies = mark_questions(chat, outcome.replies)
    asks = any(isinstance(reply, Say) and reply.ref == PROMPT for reply in replies)
    if not under_way or not (asks or outcome.conversation is None):
        return replies
    if outcome.conversation is None and _cancel_tap(caller) and len(replies) == 1 and (
            isinstance(replies[0], Say) and replies[0].keyboard is None):
        # "Cancelled": said on the tapped question itself, which loses its buttons.
        return [Edit(chat, replies[0].text, inline(), message_id=caller.event.message_id)]
    return [Edit(chat, "", inline(), ref=PROMPT), *replies]


def _cancel_tap(caller: Caller) -> bool:
    event = caller.event
    if event.kind is not EventKind.BUTTON or event.message_id is None:
        return False
    tapped = parse(event.button_data)
    return tapped is not None and tapped.verb is Verb.DIALOG and tapped.args[-1] == CANCEL
