"""A complaint's history and messages: its events, its card in every chat that has it, word
to its owners at a level, and word to the resident."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from dialogs.complaint_cards import ClockLine, ComplaintView, card, keyboard
from dialogs.events import Edit, InlineKeyboard, Priority, Say
from handlers.front_desk.complaint_chain import LEVEL_NAMES, level_of, may_take, owners_chats
from handlers.front_desk.complaint_clocks import clocks_of
from handlers.office.calendar import deadline_clock
from handlers.office.people import person_by_telegram, unit_label
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, Text, _
from storage.complaints import Complaint, ComplaintClock, ComplaintEvent
from storage.models import Household, Outbox, Person, WorkOrder

# Complaints still waiting on their owners (a resolved one waits on the resident).
UNSEEN_STATUSES = ("new", "open", "paused")


def reference(complaint: Complaint) -> Raw:
    return Raw(complaint.number)


def record(uow: UnitOfWork, complaint: Complaint, action: str, *, actor: Person | None = None,
           telegram_user_id: int | None = None, chat_id: int | None = None,
           **detail: Any) -> None:
    """One row of the complaint's history: who, when, what, from which chat."""
    assert complaint.id is not None
    uow.session.add(ComplaintEvent(
        complaint_id=complaint.id, at=uow.now, actor_id=actor.id if actor else None,
        telegram_user_id=telegram_user_id if telegram_user_id is not None else (
            actor.telegram_user_id if actor else None), chat_id=chat_id, action=action,
        detail=detail))


def due_text(uow: UnitOfWork, moment: object) -> Raw:
    return Raw(deadline_clock(moment, uow.office.timezone))  # type: ignore[arg-type]


def owner_text(uow: UnitOfWork, complaint: Complaint) -> Text:
    owner = uow.session.get(Person, complaint.owner_id) if complaint.owner_id else None
    name = LEVEL_NAMES[complaint.level]
    if owner is not None and level_of(owner) == complaint.level:
        return _("{level} ({name})", level=name, name=Raw(owner.name))
    return name


def view_of(uow: UnitOfWork, complaint: Complaint) -> ComplaintView:
    """The complaint as its staff card shows it."""
    session, tz = uow.session, uow.office.timezone
    resident = session.get(Person, complaint.person_id) if complaint.person_id else None
    household = session.get(Household, complaint.household_id) if complaint.household_id \
        else None
    order = session.get(WorkOrder, complaint.work_order_id) if complaint.work_order_id else None
    clocks = session.exec(select(ComplaintClock).where(
        ComplaintClock.complaint_id == complaint.id).order_by(col(ComplaintClock.id))).all()
    # The newest row of each duty: an escalated deadline replaces the missed one.
    latest: dict[str, ComplaintClock] = {}
    for clock in clocks:
        latest[clock.kind] = clock
    assert complaint.id is not None
    return ComplaintView(
        id=complaint.id, number=complaint.number, status=complaint.status,
        severity=complaint.severity, suggested=complaint.suggested_severity,
        about_service_centre=complaint.about_service_centre,
        owner=owner_text(uow, complaint),
        resident=" ".join(filter(None, [resident.name if resident else "",
                                        unit_label(household) if household else ""])),
        what=complaint.what, occurred=complaint.occurred, place=complaint.place,
        about=f"@{complaint.department}" if complaint.department else complaint.about,
        wants=complaint.wants,
        deadline=deadline_clock(complaint.resident_deadline, tz)[:10]
        if complaint.resident_deadline else "",
        photos=len(complaint.photos), work_order=order.number if order else None,
        clocks=tuple(ClockLine(c.kind, c.state, deadline_clock(c.due_at, tz))
                     for c in latest.values()),
        outcome=complaint.outcome, reopened=complaint.reopen_count > 0,
        rating=complaint.rating)


def _keyboard_for(uow: UnitOfWork, complaint: Complaint, view: ComplaintView,
                  chat_id: int) -> InlineKeyboard:
    taken = complaint.owner_id is not None and complaint.taken_at is not None
    if chat_id < 0:  # a staff group: anyone there may try; the handler checks who tapped
        return keyboard(view, private=False, can_take=complaint.level > 0 and not taken)
    person = person_by_telegram(uow.session, chat_id)
    return keyboard(view, private=True, can_take=complaint.level > 0 and not taken
                    and may_take(uow.session, person, complaint))


def post_card(uow: UnitOfWork, complaint: Complaint, level: int,
              headline: Text | None = None) -> None:
    """Post the complaint's card (with its buttons) to the owners at *level*."""
    uow.write_queued()
    groups, private = owners_chats(uow.session, complaint, level)
    view = view_of(uow, complaint)
    posted = _posted(uow, complaint)
    for chat_id in [*groups, *private]:
        if headline is not None:
            uow.send(Say(chat_id, headline, priority=Priority.INTERACTIVE))
        if chat_id not in posted:
            send_photos(uow, complaint, complaint.photos, [chat_id])
            uow.send(Say(chat_id, card(view), _keyboard_for(uow, complaint, view, chat_id),
                         ref=_ref(complaint), priority=Priority.INTERACTIVE))
    refresh_cards(uow, complaint, view, posted)


def send_photos(uow: UnitOfWork, complaint: Complaint, photos: Sequence[str],
                chats: Sequence[int]) -> None:
    """The resident's photos of the complaint to *chats*: the card only counts them."""
    if not photos:
        return
    caption = _("📷 Complaint {number}: the resident's photos.", number=reference(complaint))
    for chat_id in chats:
        uow.send(Say(chat_id, caption, photos=tuple(photos), priority=Priority.INTERACTIVE))


def refresh_cards(uow: UnitOfWork, complaint: Complaint, view: ComplaintView | None = None,
                  chats: list[int] | None = None) -> None:
    """Show the complaint as it is now on every card already posted (or on *chats*')."""
    uow.write_queued()
    view = view or view_of(uow, complaint)
    for chat_id in _posted(uow, complaint) if chats is None else chats:
        uow.send(Edit(chat_id, card(view), _keyboard_for(uow, complaint, view, chat_id),
                      ref=_ref(complaint)))


def _ref(complaint: Complaint) -> str:
    return f"cp:{complaint.id}"


def _posted(uow: UnitOfWork, complaint: Complaint) -> list[int]:
    rows = uow.session.exec(select(Outbox.chat_id).where(Outbox.ref == _ref(complaint),
                                                         Outbox.op == "send")).all()
    return sorted(set(rows))


def post_unseen(uow: UnitOfWork) -> None:
    """Post each open complaint that none of its owners has (it came in while nobody it goes
    to had a chat with the bot: before admin/HR or the director registered, or while the
    desk's group was unbound) to its owners now — once someone registers or a group is bound,
    the complaint and its running clocks are theirs, not only a line in /complaints."""
    uow.write_queued()
    waiting = uow.session.exec(select(Complaint).where(
        col(Complaint.status).in_(UNSEEN_STATUSES)).order_by(col(Complaint.id))).all()
    for complaint in waiting:
        groups, private = owners_chats(uow.session, complaint, complaint.level)
        owners = {*groups, *private}
        if owners and not owners & set(_posted(uow, complaint)):
            post_card(uow, complaint, complaint.level, _(
                "📣 Complaint {number} came in while nobody here could receive it: it is "
                "yours now.", number=reference(complaint)))


def notify(uow: UnitOfWork, complaint: Complaint, level: int, text: Text) -> None:
    """Tell the owners at *level* (groups and people, as the chain says)."""
    groups, private = owners_chats(uow.session, complaint, level)
    for chat_id in [*groups, *private]:
        uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))


def tell_resident(uow: UnitOfWork, complaint: Complaint, text: Text,
                  reply_markup: InlineKeyboard | None = None) -> None:
    """A message to the resident who complained, in their chat."""
    if complaint.chat_id is not None:
        uow.send(Say(complaint.chat_id, text, reply_markup, priority=Priority.INTERACTIVE))


def running_due(uow: UnitOfWork, complaint: Complaint, kind: str, *,
                ahead: bool = False) -> Raw | None:
    """When the complaint's running *kind* clock is due, as the office reads it; with *ahead*
    only a moment still to come (a promise to the resident: a deadline already past is the
    next level's by the drain's next run, and promising it would be untrue)."""
    clock = next((c for c in clocks_of(uow, complaint) if c.kind == kind and c.due_at
                  and not (ahead and c.due_at <= uow.now)), None)
    return due_text(uow, clock.due_at) if clock else None
