"""Pieces every conversation shares: its buttons, input checks and polite refusals."""

from __future__ import annotations

import re
from typing import Final

from dialogs import times
from dialogs.buttons import Verb, parse, tap
from dialogs.events import Button, Event, EventKind, InlineKeyboard, Say, inline
from dialogs.model import Conversation, DialogContext, Outcome
from dialogs.times import PASSED, QUICK_TIMES, quick_times, quick_value, time_refusal
from locales import Msg, Raw, Text, _

MAX_TEXT: Final = 2000  # a description longer than this is refused, not cut
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,18}[0-9]$")
# A mobile (139 1234 5678, +86 139-1234-5678) or an area-coded landline (0755-1234 5678)
# inside other words; not a date or a price.
WRITTEN_PHONE = re.compile(r"(?<![\d\-+])(?:(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}"
                           r"|0\d{2,3}[ \-]?\d{3,4}[ \-]?\d{4})(?![\d\-])")
CANCEL: Final = "cancel"


def button(conversation: Conversation, label: Text, value: str) -> Button:
    """A button that belongs to this conversation (its nonce and the choice *value*).

    The nonce makes a tap on a button from an older conversation recognisable as stale.
    """
    return Button(label, tap(Verb.DIALOG, conversation.data["nonce"], value))


def cancel_button(conversation: Conversation) -> Button:
    return button(conversation, _("✖ Cancel"), CANCEL)


def tapped(conversation: Conversation, event: Event) -> str | None:
    """The value of a tapped button of this conversation, or None (not a tap, or stale)."""
    if event.kind is not EventKind.BUTTON:
        return None
    found = parse(event.button_data)
    if found is None or found.verb is not Verb.DIALOG or found.args[0] != conversation.data.get(
            "nonce"):
        return None
    return found.word(1)


def stay(conversation: Conversation, context: DialogContext, *texts: Text) -> Outcome:
    """Answer without moving: the step is unchanged and nothing is recorded."""
    return Outcome(conversation, [Say(context.chat_id, text) for text in texts])


def refuse_input(conversation: Conversation, context: DialogContext, event: Event,
                 expected: Msg) -> Outcome:
    """Answer input the step cannot use (a sticker, a photo where text is wanted, …): one
    reply, saying what the step needs."""
    if event.kind is EventKind.TEXT and len(event.text) > MAX_TEXT:
        return stay(conversation, context,
                    _("That message is too long ({length} characters; at most {limit}). "
                      "Please shorten it and send it again.",
                      length=len(event.text), limit=MAX_TEXT))
    return stay(conversation, context, expected)


def text_of(event: Event) -> str | None:
    """The usable text of a message, or None when it is not text or is too long/empty."""
    if event.kind is not EventKind.TEXT:
        return None
    text = event.text.strip()
    return text if 0 < len(text) <= MAX_TEXT else None


def phone_of(text: str) -> str | None:
    """A phone number as typed, if it looks like one."""
    text = text.strip()
    return text if PHONE.match(text) else None


# -- steps both the repair and the service dialogs ask ---------------------------------------
def unit_keyboard(c: Conversation, context: DialogContext) -> InlineKeyboard:
    return inline(*[[button(c, Raw(u.label), f"unit:{u.household_id}")] for u in context.units],
                  [cancel_button(c)])


def time_keyboard(c: Conversation, context: DialogContext) -> InlineKeyboard:
    """The time written in the request (first, as its phone is), the quick times still
    ahead, and Cancel."""
    written = written_time(c, context)
    own = [button(c, _("{time} — use this?", time=Raw(written)), "written_time")
           ] if written else []
    return inline(own, *[[button(c, label, f"time:{key}")]
                         for key, label in quick_times(context.visits).items()],
                  [cancel_button(c)])


def phone_keyboard(c: Conversation, context: DialogContext) -> InlineKeyboard:
    """The number written in the request (first: it is where they want the call), the
    roster's, and Cancel."""
    written = written_phone(c)
    own = [button(c, _("Use {phone}", phone=Raw(written)), "written_phone")] if written else []
    roster = [button(c, _("Use {phone}", phone=Raw(context.roster_phone)), "roster_phone")]
    return inline(own, roster if context.roster_phone and context.roster_phone != written
                  else [], [cancel_button(c)])


def written_phone(c: Conversation) -> str | None:
    """A phone number the resident wrote in their description ("…电话139 1234 5678"), as
    written; None if there is none."""
    found = WRITTEN_PHONE.search(_written(c))
    return found.group().strip() if found else None


def written_time(c: Conversation, context: DialogContext) -> str | None:
    """A time the resident wrote in their description ("…明天下午在家…") that can be booked,
    with the window it names; None if there is none (its phone number is no time)."""
    return times.written_time(WRITTEN_PHONE.sub(" ", _written(c)), context.visits)


def _written(c: Conversation) -> str:
    """What the resident wrote about the request (a repair's description, a service's)."""
    return " ".join(str(c.data.get(key) or "") for key in ("description", "request"))


def unit_label(c: Conversation, context: DialogContext) -> str:
    return next((u.label for u in context.units if u.household_id == c.data.get("unit")), "-")


def take_unit(c: Conversation, event: Event, context: DialogContext,
              choice: str | None) -> Outcome | None:
    """Store the tapped unit; or return the refusal to send."""
    ids = {str(u.household_id): u.household_id for u in context.units}
    if choice and choice.startswith("unit:") and choice[5:] in ids:
        c.data["unit"] = ids[choice[5:]]
        return None
    return refuse_input(c, context, event, _("Please pick one of the buttons above."))


def take_time(c: Conversation, event: Event, context: DialogContext,
              choice: str | None) -> Outcome | None:
    """Store the time written in the request, a quick time choice or a typed time; or
    return the refusal to send."""
    if choice and choice.startswith("time:") and choice[5:] in QUICK_TIMES:
        if choice[5:] in quick_times(context.visits):
            c.data["time"] = quick_value(choice[5:], context.visits, context.language)
            return None
        # A quick time that has passed since it was offered: the times still ahead.
        return Outcome(c, [Say(context.chat_id, PASSED, time_keyboard(c, context))])
    if choice == "written_time":
        if written := written_time(c, context):
            c.data["time"] = written
            return None
        return Outcome(c, [Say(context.chat_id, PASSED, time_keyboard(c, context))])
    text = text_of(event)
    if text is None or len(text) > 200:
        return refuse_input(c, context, event, _("Please pick a time or type one."))
    if (refusal := time_refusal(text, context.visits)) is not None:
        return stay(c, context, refusal)
    c.data["time"] = text
    return None


def take_phone(c: Conversation, event: Event, context: DialogContext,
               choice: str | None) -> Outcome | None:
    """Store the roster phone, a typed one or a shared contact; or return the refusal."""
    if choice == "roster_phone" and context.roster_phone:
        c.data["phone"] = context.roster_phone
        return None
    if choice == "written_phone" and (written := written_phone(c)):
        c.data["phone"] = written
        return None
    phone = phone_of(event.text) if text_of(event) else (
        event.contact_phone if event.kind is EventKind.CONTACT else None)
    if not phone:
        return refuse_input(c, context, event, _("That does not look like a phone number. "
                                                 "Please type digits only, e.g. 13800138000."))
    c.data["phone"] = phone
    return None
