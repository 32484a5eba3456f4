"""What someone wrote before linking their home is not lost: once linked, they are offered it
back ("You wrote earlier: … — report it now?").

The words are kept in the event log (``unlinked_message``, with the sender's Telegram id), so
nothing new is stored; an offer taken or turned down is recorded in ``followup_mark`` under a
unique key, so a second tap on an old copy does nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from sqlalchemy import exists
from sqlmodel import col, select

from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, Say, inline
from handlers.office.caller import Caller
from handlers.office.due_items import mark
from handlers.office.permissions import OUT_OF_DATE
from locales import Raw, _
from storage.followups import FollowupMark
from storage.models import EventLog

ACTION: Final = "unlinked_message"  # the event log's record of the words
SHOWN: Final = 300  # characters of the words quoted back in the offer


def ref(log_id: int | None) -> str:
    return f"unlinked:{log_id}"


def keep(caller: Caller, text: str) -> None:
    """Remember what a person not yet linked to a home wrote."""
    caller.log(ACTION, text=text)


def _latest(caller: Caller) -> EventLog | None:
    """The newest words this person wrote before linking, still recent and not answered."""
    since = caller.now - timedelta(hours=caller.uow.office.rules.unlinked_message_hours)
    answered = exists().where(col(FollowupMark.kind) == ACTION,
                              col(FollowupMark.subject_id) == col(EventLog.id))
    return caller.session.exec(select(EventLog).where(
        EventLog.action == ACTION, EventLog.telegram_user_id == caller.event.user_id,
        col(EventLog.at) >= since, ~answered).order_by(col(EventLog.id).desc())).first()


def offer(caller: Caller) -> None:
    """Just linked: offer back the words written before, if there are any."""
    found = _latest(caller)
    if found is None:
        return
    words = str(found.detail.get("text", ""))
    caller.uow.send(Say(caller.chat_id, _("📝 You wrote earlier: “{text}” — report it now?",
                                          text=Raw(words[:SHOWN])),
                        inline([Button(_("✅ Report it now"), tap(Verb.EARLIER_MESSAGE, found.id,
                                                                  "report")),
                                Button(_("✖ No, thanks"), tap(Verb.EARLIER_MESSAGE, found.id,
                                                              "drop"))]),
                        ref=ref(found.id)))


def take(caller: Caller, log_id: int, choice: str) -> str | None:
    """The person's answer to the offer: the words to go on with, or None (turned down, or
    not theirs / already answered — then they hear so)."""
    found = caller.session.get(EventLog, log_id)
    answered = caller.session.exec(select(FollowupMark.id).where(
        FollowupMark.kind == ACTION, FollowupMark.subject_id == log_id)).first()
    if (found is None or found.action != ACTION or choice not in ("report", "drop")
            or found.telegram_user_id != caller.event.user_id or answered is not None):
        caller.refuse(OUT_OF_DATE)
        return None
    mark(caller.uow, ACTION, log_id, outcome=choice)
    words = str(found.detail.get("text", ""))
    caller.uow.send(Edit(caller.chat_id, _("📝 You wrote earlier: “{text}”", text=Raw(
        words[:SHOWN])) if choice == "report" else _("📝 Set aside: “{text}”", text=Raw(
            words[:SHOWN])), inline(), message_id=caller.event.message_id, ref=ref(log_id)))
    caller.toast()
    return words if choice == "report" else None
