"""People the office cannot reach on Telegram (a 403: they blocked the bot or left Telegram).

They are not tried again: their messages are *held* (status ``parked``) and dispatch gets one
phone task, edited as more is held. When they write to the bot again (or unblock it) the held
messages go out in the order they were written; if they stay away, the messages expire after
the office's ``held_messages_hours`` and the phone task says so. The phone task's buttons
record how the call went (reached, or not reachable: try again) for dispatchers and managers.

The sender reports a 403 through ``outbox.mark_undeliverable``, and a read of the outbox that
finds rows for someone known to have blocked the bot holds them the same way (:func:`hold_back`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel import select as model_select

from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, InlineKeyboard, Priority, Say, inline
from handlers.office import Office
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.people import person_by_telegram, staff_chat, staff_chat_by_id, units_of
from handlers.office.permissions import ASSIGN_ROLES, DESK_CHATS, OUT_OF_DATE
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import Msg, Raw, Text, _, lines
from storage.models import Household, Outbox, Person, Residence, StaffChat

_C = OUTBOX.c
# Telegram's 403 (in its English) → what dispatch reads in its own language; the raw error
# stays in the row's last_error and in the log.
_WHY_UNREACHABLE: Final = (
    ("blocked by the user", _("blocked the bot")),
    ("deactivated", _("account deleted")),
    ("initiate conversation", _("never started the bot")),
    ("was deleted", _("the group was deleted")),
    ("kicked", _("the bot was removed")),
    ("not a member", _("the bot was removed")))
CALL_OUTCOMES: Final = ("reached", "unreachable")  # what dispatch records of the phone call


def hold_back(office: Office, chat_id: int | None, reason: str, *, row_id: int | None) -> bool:
    """Stop trying a chat that cannot be reached, in one transaction.

    A known person's waiting rows are held until they come back, bar bulk ones (a fee notice
    has its own phone / door task, and a newsletter is not worth holding), which are dropped;
    so is everything for a group (the bot must be added back and the group bound again). The
    person is flagged ``blocked_bot`` or the group ``active=False``. Dispatch hears once per
    absence: the first held message opens a phone task, later ones update its count.
    """
    with UnitOfWork(office) as uow:
        if row_id is not None:
            row = uow.session.get(Outbox, row_id)
            if row is None or row.status != "pending":
                return False
            chat_id = row.chat_id
        assert chat_id is not None
        waiting = _rows(uow, chat_id, "pending")
        earlier = _rows(uow, chat_id, "parked")
        who = _flag_unreachable(uow, chat_id)
        holds = chat_id > 0 and who is not None
        for lost in waiting:
            kept = holds and lost.priority < Priority.BULK
            lost.status, lost.last_error = ("parked" if kept else "undeliverable"), reason[:500]
            uow.session.add(lost)
        fresh = [lost.text for lost in waiting if lost.priority < Priority.BULK]
        dispatch = staff_chat(uow.session, "dispatch")
        told = bool(who is not None and fresh and dispatch is not None
                    and dispatch.chat_id != chat_id)
        if told and dispatch is not None and who is not None:
            if holds:
                texts = [lost.text for lost in earlier] + fresh
                notice = _("⚠️ {who} cannot be reached on Telegram ({reason}). Please phone "
                           "them. Held until they write to the bot again ({count}):\n"
                           "{excerpt}", who=who, reason=_why(reason), count=len(texts),
                           excerpt=_excerpt(texts[0]))
                # One phone task per absence: later held messages update its count.
                make = Edit if earlier else Say
                uow.send(make(dispatch.chat_id, notice, _call_keyboard(uow, chat_id),
                              ref=_phone_task(chat_id), priority=Priority.NOTICE))
            else:
                uow.send(Say(dispatch.chat_id, _(
                    "⚠️ The bot cannot post in the group {who} ({reason}). Please add the bot "
                    "back and bind the group again. Not delivered ({count}):\n{excerpt}",
                    who=who, reason=_why(reason), count=len(fresh), excerpt=_excerpt(fresh[0])),
                    priority=Priority.NOTICE))
        uow.log("message_undeliverable", chat_id=chat_id, outbox_id=row_id,
                held=len(waiting) if holds else 0, dropped=0 if holds else len(waiting),
                reason=reason[:200], staff_told=told)
        uow.commit()
    return told


def release_held(uow: UnitOfWork, chat_id: int) -> int:
    """The person is back (they wrote, or unblocked the bot): their held messages go out in
    the order they were written, and dispatch's phone task says no call is needed for them.
    Returns how many were held."""
    held = _rows(uow, chat_id, "parked")
    for row in held:
        row.status, row.last_error = "pending", ""
        uow.session.add(row)
    if held:
        _close_phone_task(uow, chat_id, _(
            "✅ {who} can be reached on Telegram again: the {count} held messages are on their "
            "way. No need to phone them about these.", who=_who(uow, chat_id), count=len(held)))
        uow.log("held_messages_released", chat_id=chat_id, count=len(held))
    return len(held)


def find_expired_held(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                      after: timedelta) -> Sequence[int]:
    """The chats with messages held longer than *after* (a scheduler timer's finder)."""
    query = (select(_C.chat_id).where(_C.status == "parked",
                                      _C.created_at <= uow.now - after)
             .group_by(_C.chat_id).order_by(func.min(_C.id)).limit(limit))
    if skip:
        query = query.where(_C.chat_id.not_in(skip))
    return [int(chat_id) for chat_id in uow.session.execute(query).scalars()]


def expire_held(uow: UnitOfWork, chat_id: int, *, after: timedelta) -> str:
    """Messages held too long are dropped with a known outcome; dispatch's phone task says so."""
    held = [row for row in _rows(uow, chat_id, "parked")
            if row.created_at is not None and row.created_at <= uow.now - after]
    hours = int(after.total_seconds() // 3600)
    for row in held:
        row.status = "expired"
        row.last_error = f"held {hours} h for a person who could not be reached"
        uow.session.add(row)
    if not held:
        return "skipped"
    _close_phone_task(uow, chat_id, _(
        "⌛ {who} did not come back to Telegram within {hours} hours: {count} held messages "
        "were dropped. If you have not reached them by phone, please do.",
        who=_who(uow, chat_id), hours=hours, count=len(held)),
        _call_keyboard(uow, chat_id))  # the call is still to be made
    uow.log("held_messages_expired", chat_id=chat_id, count=len(held))
    return "expired"


def _rows(uow: UnitOfWork, chat_id: int, status: str) -> Sequence[Outbox]:
    return uow.session.exec(model_select(Outbox).where(
        Outbox.chat_id == chat_id, Outbox.status == status, Outbox.op != "toast")
        .order_by(col(Outbox.id))).all()


def _phone_task(chat_id: int) -> str:
    return f"reach:{chat_id}"


def _close_phone_task(uow: UnitOfWork, chat_id: int, text: Msg,
                      keyboard: InlineKeyboard | None = None) -> None:
    dispatch = staff_chat(uow.session, "dispatch")
    if dispatch is not None:
        uow.send(Edit(dispatch.chat_id, text, keyboard, ref=_phone_task(chat_id),
                      priority=Priority.NOTICE))


def _call_keyboard(uow: UnitOfWork, chat_id: int) -> InlineKeyboard | None:
    """How the call went, for the phone task about the person of *chat_id*."""
    person = person_by_telegram(uow.session, chat_id)
    if person is None:
        return None
    return inline([Button(_("📞 Reached by phone"), tap(Verb.HELD_CALL, person.id, "reached")),
                   Button(_("📵 Not reachable"), tap(Verb.HELD_CALL, person.id, "unreachable"))])


def record_call(caller: Caller, board: StaffChat, person_id: int, outcome: str) -> None:
    """A dispatcher or manager says how the phone call to a person who blocked the bot went:
    reached (the task is done), or not reachable (the buttons stay for another try)."""
    person = caller.session.get(Person, person_id)
    if (person is None or person.telegram_user_id is None or not person.blocked_bot
            or board.purpose not in DESK_CHATS or outcome not in CALL_OUTCOMES):
        caller.refuse(OUT_OF_DATE)  # they are back on Telegram: the task was closed
        return
    if caller.person is None or caller.person.role not in ASSIGN_ROLES:
        caller.refuse(_("Only dispatchers and managers can record this call."))
        return
    uow, chat_id = caller.uow, person.telegram_user_id
    held = len(_rows(uow, chat_id, "parked"))
    caller.log("held_messages_phoned", person_id=person.id, outcome=outcome, held=held,
               by=caller.person.name)
    who, by = describe(uow, person), Raw(caller.person.name)
    time = Raw(wall_clock(caller.now, uow.office.timezone))
    still_held = _("{count} held messages go out when they write to the bot again.",
                   count=held) if held else None
    if outcome == "reached":
        text = lines(_("📞 {who} was reached by phone ({name}, {time}).", who=who, name=by,
                       time=time), still_held)
        keyboard = None
    else:
        text = lines(_("📵 {who} could not be reached by phone ({name}, {time}). Please try "
                       "again later.", who=who, name=by, time=time), still_held)
        keyboard = _call_keyboard(uow, chat_id)
    uow.send(Edit(caller.chat_id, text, keyboard, message_id=caller.event.message_id,
                  ref=_phone_task(chat_id)))
    caller.toast(_("Recorded. Thank you."))


def _why(error: str) -> Msg:
    """Why Telegram would not deliver, said in the staff's words instead of Telegram's."""
    said = error.lower()
    return next((why for words, why in _WHY_UNREACHABLE if words in said),
                _("Telegram refused delivery"))


def _excerpt(text: str) -> Raw:
    return Raw(text[:200] + ("…" if len(text) > 200 else ""))


def _flag_unreachable(uow: UnitOfWork, chat_id: int) -> Text | None:
    """Flag the person or group as unreachable; say who it is, or None if we do not know."""
    if chat_id > 0:
        person: Person | None = person_by_telegram(uow.session, chat_id)
        if person is None:
            return None
        person.blocked_bot = True
        uow.session.add(person)
        return describe(uow, person)
    group = staff_chat_by_id(uow.session, chat_id)
    if group is None:
        return None
    group.active = False
    uow.session.add(group)
    return Raw(f"“{group.title or chat_id}”")


def _who(uow: UnitOfWork, chat_id: int) -> Text:
    person = person_by_telegram(uow.session, chat_id)
    return describe(uow, person) if person is not None else Raw(str(chat_id))


def describe(uow: UnitOfWork, person: Person) -> Raw:
    """Name, units and phone numbers: what dispatch needs to phone them."""
    units = ", ".join(u.label for u in units_of(uow.session, person))
    phones = [person.phone] if person.phone else list(uow.session.exec(
        model_select(Household.phone).join(Residence).where(
            Residence.person_id == person.id)).all())
    details = ", ".join(p for p in (units, *phones) if p)
    name = person.name or str(person.telegram_user_id)
    return Raw(f"{name} ({details})" if details else name)
