"""What someone sent before linking their home is not lost: once linked, they are offered it
back ("You wrote earlier: … — report it now?"), their photos with it.

The words and photos (Telegram file ids) are kept in the event log (``unlinked_message``, with
the sender's Telegram id), so nothing new is stored. What comes after kept words not yet
offered back (the rest of an album, one more picture, more words) is logged as
``unlinked_photos`` joined to them, so one offer carries it all: rows are never updated.
A row of an album names it (Telegram's media_group_id), so the album's later photos, one
update each, join it quietly (with their own words if they have any): the person is asked
to link once per album. An offer taken or turned down is recorded in ``followup_mark``
under a unique key, so a second tap on an old copy does nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy import exists
from sqlmodel import col, select

from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, Say, inline
from handlers.office.caller import Caller
from handlers.office.due_items import mark
from handlers.office.permissions import OUT_OF_DATE
from locales import Raw, Text, _
from storage.followups import FollowupMark
from storage.models import EventLog

ACTION: Final = "unlinked_message"  # the event log's record of the words (and their photos)
MORE_PHOTOS: Final = "unlinked_photos"  # what came after kept words, joined to them
SHOWN: Final = 300  # characters of the words quoted back in the offer


@dataclass(frozen=True, slots=True)
class Earlier:
    """What the person sent before linking, to go on with as if just sent."""

    words: str
    photos: tuple[str, ...]


def ref(log_id: int | None) -> str:
    return f"unlinked:{log_id}"


def keep(caller: Caller, text: str, photos: tuple[str, ...] = (), album: str = "") -> bool:
    """Remember what a person not yet linked to a home sent: words, photos or both (of
    *album*, if any). True if it joined the album's first photo, which was answered already."""
    first = _album_kept(caller, album) if album else None
    if first is not None:
        caller.log(MORE_PHOTOS, joins=first, photos=list(photos), text=text, album=album)
        return True
    if not (text or photos):
        return False
    # Words after words not yet offered back join them: the offer quotes only one, and
    # nothing the person wrote may be left behind.
    earlier = _latest(caller)
    if earlier is not None:
        caller.log(MORE_PHOTOS, joins=earlier.id, photos=list(photos), text=text, album=album)
    else:
        caller.log(ACTION, text=text, photos=list(photos), album=album)
    return False


def _album_kept(caller: Caller, album: str) -> int | None:
    """The kept words (their row's id) that *album*'s first photo went with, if the newest
    thing this person sent before linking was of that album (its photos come one after
    another)."""
    newest = caller.session.exec(select(EventLog).where(
        col(EventLog.action).in_((ACTION, MORE_PHOTOS)),
        EventLog.telegram_user_id == caller.event.user_id).order_by(
            col(EventLog.id).desc())).first()
    if newest is None or newest.detail.get("album") != album:
        return None
    return newest.id if newest.action == ACTION else newest.detail.get("joins")


def _latest(caller: Caller) -> EventLog | None:
    """The newest message this person sent before linking, still recent and not answered."""
    since = caller.now - timedelta(hours=caller.uow.office.rules.unlinked_message_hours)
    answered = exists().where(col(FollowupMark.kind) == ACTION,
                              col(FollowupMark.subject_id) == col(EventLog.id))
    return caller.session.exec(select(EventLog).where(
        EventLog.action == ACTION, EventLog.telegram_user_id == caller.event.user_id,
        col(EventLog.at) >= since, ~answered).order_by(col(EventLog.id).desc())).first()


def _earlier(caller: Caller, kept: EventLog) -> Earlier:
    """The kept words with their photos and those joined to them since, in the order sent."""
    joined = caller.session.exec(select(EventLog).where(
        EventLog.action == MORE_PHOTOS, EventLog.telegram_user_id == kept.telegram_user_id,
        col(EventLog.id) > kept.id).order_by(col(EventLog.id))).all()
    photos = [*kept.detail.get("photos", ())]
    words = [str(kept.detail.get("text", ""))]
    for row in joined:
        if row.detail.get("joins") == kept.id:
            photos.extend(row.detail.get("photos", ()))
            words.append(str(row.detail.get("text", "")))  # an album photo's own caption
    return Earlier("\n".join(w for w in words if w), tuple(photos))


def _quoted(earlier: Earlier) -> Text:
    """The words as quoted back, with a count of the photos."""
    words = Raw(earlier.words[:SHOWN])
    if not earlier.photos:
        return words
    count = Raw(str(len(earlier.photos)))
    return _("{words} (📷 ×{count})", words=words, count=count) if earlier.words else _(
        "📷 photo ×{count}", count=count)


def offer(caller: Caller) -> None:
    """Just linked: offer back what was sent before, if there is anything."""
    found = _latest(caller)
    if found is None:
        return
    quoted = _quoted(_earlier(caller, found))
    caller.uow.send(Say(caller.chat_id, _("📝 You wrote earlier: “{text}” — report it now?",
                                          text=quoted),
                        inline([Button(_("✅ Report it now"), tap(Verb.EARLIER_MESSAGE, found.id,
                                                                  "report")),
                                Button(_("✖ No, thanks"), tap(Verb.EARLIER_MESSAGE, found.id,
                                                              "drop"))]),
                        ref=ref(found.id)))


def take(caller: Caller, log_id: int, choice: str) -> Earlier | None:
    """The person's answer to the offer: what to go on with, or None (turned down, or
    not theirs / already answered — then they hear so)."""
    found = caller.session.get(EventLog, log_id)
    answered = caller.session.exec(select(FollowupMark.id).where(
        FollowupMark.kind == ACTION, FollowupMark.subject_id == log_id)).first()
    if (found is None or found.action != ACTION or choice not in ("report", "drop")
            or found.telegram_user_id != caller.event.user_id or answered is not None):
        caller.refuse(OUT_OF_DATE)
        return None
    mark(caller.uow, ACTION, log_id, outcome=choice)
    earlier = _earlier(caller, found)
    quoted = _quoted(earlier)
    caller.uow.send(Edit(caller.chat_id, _("📝 You wrote earlier: “{text}”", text=quoted)
                         if choice == "report" else _("📝 Set aside: “{text}”", text=quoted),
                         inline(), message_id=caller.event.message_id, ref=ref(log_id)))
    caller.toast()
    return earlier if choice == "report" else None
