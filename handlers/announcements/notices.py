"""Preparing an announcement, its preview and decision, the delivery report and a recall.

The same steps serve the bot (``/announce``, the preview's buttons) and the terminal
(``frontline announce``): an announcement made at the terminal is the office's own, without a
person, and its preview goes to the managers' chat like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import String, and_, cast, exists, func, insert, literal, update
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from dialogs import announce as texts
from dialogs.events import Delete, InlineKeyboard, Priority, Say
from dialogs.menu import LANGUAGE_NAMES
from dialogs.model import TRADES, DialogContext, DraftAnnouncement, Outcome
from handlers.announcements.audiences import RESIDENT_AUDIENCES, Audience, resolve
from handlers.delivery import bulk
from handlers.delivery.unreachable import describe
from handlers.office import Office, conversations
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.people import alert_chats, person_by_id_name, staff_chat
from handlers.office.permissions import OUT_OF_DATE, is_desk
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import LANGUAGES, Msg, Text, _, lines, parse_language, render
from storage.announcements import Announcement, AnnouncementDelivery
from storage.models import Household, Person, StaffChat

ANNOUNCEMENT_TABLE = Announcement.__table__  # type: ignore[attr-defined]
DELIVERY_TABLE = AnnouncementDelivery.__table__  # type: ignore[attr-defined]
RECALLABLE: Final = ("approved", "done")  # sent, or being sent
CORRECTION_LENGTH: Final = 1000
DELETE_CHECK: Final = timedelta(minutes=5)  # when to look whether a recall's delete went
PREVIEW_CHATS: Final = ("managers",)
MOMENT_FORMAT: Final = "%Y-%m-%d %H:%M"
# Outbox statuses that mean Telegram said 403 (kept back for the person's return, or dropped).
BLOCKED_STATUSES: Final = (bulk.BLOCKED, "parked")


class NotPrepared(Exception):
    """The draft cannot become an announcement; the message says why (nothing was saved)."""

    def __init__(self, why: Msg) -> None:
        super().__init__(render(why, "en"))
        self.why = why


REF_PREFIX: Final = "announce:"


def ref(announcement_id: int | None) -> str:
    """The outbox ref of the announcement's messages to its recipients."""
    return f"{REF_PREFIX}{announcement_id}"


def _preview_ref(announcement_id: int | None) -> str:
    return f"announce-preview:{announcement_id}"


def pace(office: Office) -> bulk.Pace:
    rules = office.rules.announcements
    return bulk.Pace(rules.day_start, rules.day_end, rules.queue_window)


# -- composing ----------------------------------------------------------------------------
def start(caller: Caller) -> Outcome | None:
    """``/announce`` in a private chat: desk staff and managers compose there."""
    if not is_desk(caller):
        caller.refuse(_("Only the front desk and managers can send announcements."))
        return None
    return texts.start(caller.context(), new_nonce())


def start_in_group(caller: Caller, board: StaffChat) -> None:
    """``/announce`` in the managers' chat: the composing happens in the private chat."""
    if board.purpose != "managers" or not is_desk(caller):
        caller.refuse(_("Only the front desk and managers can send announcements."))
        return
    user_id = caller.event.user_id
    unfinished = conversations.load(caller.session, user_id, user_id)
    if unfinished is not None:  # starting here would throw away what they are doing there
        caller.reply(texts.busy_text(unfinished.flow))
        return
    outcome = texts.start(DialogContext(chat_id=user_id, language=caller.language),
                          new_nonce())
    conversations.save(caller.session, user_id, user_id, outcome.conversation, caller.now)
    caller.uow.send(*outcome.replies)
    caller.reply(_("I asked you in our private chat."))


def draft(caller: Caller, command: DraftAnnouncement) -> None:
    """The composed notice: prepared, with its preview for the author and the managers."""
    if not is_desk(caller):  # the role may have changed while they were typing
        caller.refuse(_("Only the front desk and managers can send announcements."))
        return
    try:
        prepare(caller.uow, command, caller.person, caller.chat_id)
    except NotPrepared as refused:
        caller.reply(refused.why)


def _today(uow: UnitOfWork) -> date:
    return uow.now.astimezone(uow.office.timezone).date()


def _moment(uow: UnitOfWork, text: str) -> datetime:
    local = datetime.strptime(text, MOMENT_FORMAT).replace(tzinfo=uow.office.timezone)
    return local.astimezone(UTC)


def prepare(uow: UnitOfWork, command: DraftAnnouncement, author: Person | None,
            author_chat: int | None) -> Announcement:
    """Fix the recipients, store the announcement and post its preview. Raises
    :class:`NotPrepared` for a draft that cannot go (nothing is stored then)."""
    if command.audience not in texts.AUDIENCES:
        raise NotPrepared(_("Unknown audience."))
    if command.audience == "trade" and command.trade not in TRADES:
        raise NotPrepared(_("Unknown trade."))
    if not command.text.strip():
        raise NotPrepared(_("The announcement has no text."))
    buildings = tuple(command.buildings)
    if command.audience == "buildings":
        known = set(uow.session.exec(select(Household.building).where(
            col(Household.building).in_(buildings))).all())
        unknown = [b for b in buildings if b not in known]
        if not buildings or unknown:
            raise NotPrepared(_("There is no building {buildings} on the roster; nothing was "
                                "prepared.", buildings=", ".join(unknown) or "-"))
    starts = ends = None
    if command.utility:
        if command.utility not in texts.UTILITIES or command.audience != "buildings":
            raise NotPrepared(_("An outage needs a utility and its buildings."))
        starts, ends = _moment(uow, command.starts), _moment(uow, command.ends)
        if ends <= starts or ends <= uow.now:
            raise NotPrepared(_("The outage must end after it starts, and in the future."))
    send_at = max(_moment(uow, command.send_at), uow.now) if command.send_at else uow.now
    recipients = resolve(uow.session, Audience(command.audience, buildings, command.trade,
                                               command.service), _today(uow))
    if not recipients and not command.utility:
        raise NotPrepared(_("Nobody in this audience uses the bot yet; nothing was prepared."))
    announcement = Announcement(
        kind="outage" if command.utility else "notice", text=command.text.strip(),
        photos=list(command.photos), audience=command.audience, buildings=list(buildings),
        trade=command.trade, service=command.service.strip(), utility=command.utility,
        starts_at=starts, ends_at=ends, send_at=send_at, urgent=command.urgent,
        recipients=len(recipients),
        by_language=dict(Counter(parse_language(r.language) or "zh_Hans" for r in recipients)),
        author_id=author.id if author else None, author_chat_id=author_chat,
        created_at=uow.now)
    uow.session.add(announcement)
    uow.session.flush()
    if recipients:
        uow.session.connection().execute(insert(DELIVERY_TABLE), [
            {"announcement_id": announcement.id, "chat_id": r.chat_id,
             "person_id": r.person_id, "household_id": r.household_id,
             "language": parse_language(r.language) or "zh_Hans", "state": "pending"}
            for r in recipients])
    uow.log("announcement_prepared", actor=author, announcement_id=announcement.id,
            kind=announcement.kind, audience=announcement.audience,
            recipients=announcement.recipients)
    chats = [*alert_chats(uow.session, *PREVIEW_CHATS)]
    if author_chat is not None:
        chats.insert(0, author_chat)
    bulk.post_preview(uow, _preview_ref(announcement.id), preview(uow, announcement),
                      lambda chat_id: _keyboard(announcement, chat_id), chats)
    return announcement


# -- what recipients and the preview show -------------------------------------------------
def message(uow: UnitOfWork, announcement: Announcement) -> Text:
    """The announcement as its recipients read it."""
    if announcement.kind == "outage":
        return texts.outage_notice_text(
            announcement.utility, ", ".join(announcement.buildings),
            wall_clock(announcement.starts_at, uow.office.timezone),
            wall_clock(announcement.ends_at, uow.office.timezone), announcement.text)
    return texts.notice_text(announcement.text)


def preview(uow: UnitOfWork, announcement: Announcement) -> Text:
    """The preview: audience, when, recipients per language, the notice in each language."""
    assert announcement.id is not None
    shown = message(uow, announcement)
    goes = _goes_at(uow, announcement)
    if announcement.urgent:
        when: Text = _("{moment}, urgent: day or night",
                       moment=wall_clock(announcement.send_at, uow.office.timezone))
    elif goes > uow.now or (announcement.send_at or uow.now) > (
            announcement.created_at or uow.now):
        # The moment it really goes: a time typed for the night waits for the morning.
        when = _("{moment}, in daytime hours", moment=wall_clock(
            bulk.next_day(uow, pace(uow.office), announcement.send_at)
            if goes <= uow.now else goes, uow.office.timezone))
    else:
        when = _("once approved, in daytime hours")
    if (announcement.kind == "outage" and not announcement.urgent
            and announcement.starts_at is not None and goes > announcement.starts_at):
        # The night keeps it back past the outage's start: residents learn of it too late.
        when = lines(when, texts.late_outage_text(
            wall_clock(goes, uow.office.timezone),
            wall_clock(announcement.starts_at, uow.office.timezone)))
    shown_preview = texts.preview_text(texts.PreviewView(
        announcement_id=announcement.id,
        audience=texts.audience_text(announcement.audience, ", ".join(announcement.buildings),
                                     announcement.trade, announcement.service),
        when=when, recipients=announcement.recipients,
        by_language=tuple((LANGUAGE_NAMES[language], int(announcement.by_language[language]))
                          for language in LANGUAGES if language in announcement.by_language),
        samples=tuple((LANGUAGE_NAMES[language], render(shown, language))
                      for language in LANGUAGES),
        status=announcement.status,
        decided_by=person_by_id_name(uow.session, announcement.decided_by) or ""))
    return _with_unreachable(uow, announcement, shown_preview)


def unreachable(uow: UnitOfWork, announcement: Announcement) -> list[Person]:
    """The homes of a residents' announcement the bot cannot reach — nobody of theirs among
    its recipients, someone of theirs blocked the bot — one person of each, to phone."""
    if announcement.audience not in RESIDENT_AUDIENCES:
        return []
    d = DELIVERY_TABLE.c
    reached = set(uow.session.connection().execute(sql_select(d.household_id).where(
        d.announcement_id == announcement.id)).scalars())
    homes: dict[int, int] = {}
    for blocked in resolve(uow.session, Audience(
            announcement.audience, tuple(announcement.buildings), announcement.trade,
            announcement.service), _today(uow), blocked=True):
        if blocked.household_id is not None and blocked.household_id not in reached:
            homes.setdefault(blocked.household_id, blocked.person_id)
    return [person for person_id in homes.values()
            if (person := uow.session.get(Person, person_id)) is not None]


def _with_unreachable(uow: UnitOfWork, announcement: Announcement, text: Text) -> Text:
    """The preview or the report, and how many homes of the audience the bot cannot reach."""
    homes = len(unreachable(uow, announcement))
    return lines(text, texts.unreachable_text(homes)) if homes else text


def _phone_unreachable(uow: UnitOfWork, announcement: Announcement) -> None:
    """An outage approved: dispatch gets the homes the bot cannot reach, with their phones,
    to call (once, however often it is approved)."""
    dispatch = staff_chat(uow.session, "dispatch")
    phone_ref = f"announce-phone:{announcement.id}"
    if (announcement.kind != "outage" or dispatch is None
            or bulk.chats_posted(uow, phone_ref)):
        return
    homes = unreachable(uow, announcement)
    if homes:
        tz = uow.office.timezone
        uow.send(Say(dispatch.chat_id, texts.phone_outage_text(
            announcement.utility, ", ".join(announcement.buildings),
            wall_clock(announcement.starts_at, tz), wall_clock(announcement.ends_at, tz),
            "\n".join(describe(uow, person).value for person in homes)),
            ref=phone_ref, priority=Priority.NOTICE))


def _goes_at(uow: UnitOfWork, announcement: Announcement) -> datetime:
    """When its copies go if approved now: at its time, in daytime unless urgent."""
    due = max(announcement.send_at or uow.now, uow.now)
    return due if announcement.urgent else bulk.next_day(uow, pace(uow.office), due)


def _keyboard(announcement: Announcement, chat_id: int) -> InlineKeyboard:
    return texts.preview_keyboard(announcement.id or 0, announcement.status,
                                  private=chat_id > 0)


# -- deciding, reporting, recalling -------------------------------------------------------
def staff_tap(caller: Caller, board: StaffChat | None, announcement_id: int,
              choice: str) -> None:
    """A tap on a preview: Approve / Hold (managers), the delivery report (the desk),
    Recall (the author or a manager)."""
    announcement = caller.session.get(Announcement, announcement_id)
    if announcement is None or (board is not None and board.purpose != "managers"):
        caller.refuse(OUT_OF_DATE)
        return
    if choice == "report":
        if not is_desk(caller):
            caller.refuse(_("Only the front desk and managers can see delivery reports."))
            return
        caller.toast()
        caller.reply(report(caller.uow, announcement))
        return
    if choice == "recall":
        if not _may_recall(caller, announcement):
            return
        done = recall(caller.uow, announcement, "", caller.person)
        if done is None:  # recalled by someone else a moment ago
            caller.refuse(_("This announcement was already recalled."))
            return
        caller.toast(_("Recalled."))
        caller.reply(texts.recalled_text(announcement.id or 0, **done,
                                         told=bool(announcement.correction)))
    else:
        decided = _("This announcement was already decided.")
        if not bulk.may_decide(caller, announcement.status, choice,
                               not_a_manager=_("Only a manager can approve or hold "
                                               "announcements."),
                               decided=decided):
            return
        if not decide(caller.uow, announcement, choice, caller.person):
            caller.refuse(decided)
            return
        if choice == "hold":
            caller.toast(_("Held: nothing goes out until it is approved."))
        elif announcement.urgent:
            caller.toast(_("Approved: it goes out now, day or night."))
        else:
            caller.toast(_("Approved: it goes out in daytime hours."))
    bulk.show_decision(caller, _preview_ref(announcement.id), preview(caller.uow, announcement),
                       lambda chat_id: _keyboard(announcement, chat_id))


def _may_recall(caller: Caller, announcement: Announcement) -> bool:
    person = caller.person
    if person is None or not (person.role in bulk.APPROVER_ROLES
                              or person.id == announcement.author_id):
        caller.refuse(_("Only its author or a manager can recall an announcement."))
        return False
    if announcement.status not in RECALLABLE:
        caller.refuse(_("This announcement was not sent; nothing to recall."))
        return False
    return True


def decide(uow: UnitOfWork, announcement: Announcement, choice: str,
           person: Person | None) -> bool:
    """Approve (its recipients become due: at its time, in daytime unless urgent) or hold (the
    copies still waiting in the outbox are taken back too); False if it was decided meanwhile."""
    decided = bulk.decide(uow, ANNOUNCEMENT_TABLE, announcement.id, choice,
                          person.id if person else None, DELIVERY_TABLE, "announcement_id",
                          _goes_at(uow, announcement))
    uow.session.refresh(announcement)
    if not decided:
        return False
    if choice == "hold":
        _take_back(uow, announcement)
    else:
        _phone_unreachable(uow, announcement)
    uow.log(f"announcement_{bulk.DECIDED[choice]}", actor=person,
            announcement_id=announcement.id)
    return True


def _take_back(uow: UnitOfWork, announcement: Announcement, state: str = "pending",
               due_at: datetime | None = None) -> int:
    """Cancel the copies written to the outbox but not sent yet (up to ``queue_window`` of
    them); their recipients are pending again, to go if it is approved again (or, for a
    recall, *state* at *due_at*); how many. Their ``queued_at`` stays: it marks a copy taken
    back, which may have gone out all the same (``sending.send_one`` asks before sending it
    again)."""
    d = DELIVERY_TABLE.c
    chats = [chat_id for _, chat_id in bulk.take_back(uow, [ref(announcement.id)])]
    if not chats:
        return 0
    return uow.session.connection().execute(
        update(DELIVERY_TABLE).where(d.announcement_id == announcement.id,
                                     d.state == "queued", d.chat_id.in_(chats))
        .values(state=state, due_at=due_at)).rowcount or 0


def figures(uow: UnitOfWork, announcement: Announcement) -> dict[str, int]:
    """Sent, blocked (403), failed, still queued and recalled, from the outbox and the
    recipients' rows."""
    sends = bulk.tally(uow, ref(announcement.id))
    d = DELIVERY_TABLE.c
    states = Counter({str(state): int(n) for state, n in uow.session.connection().execute(
        sql_select(d.state, func.count()).where(d.announcement_id == announcement.id)
        .group_by(d.state))})
    # A copy taken back that went out all the same is counted once, as sent.
    taken_back = list(uow.session.connection().execute(sql_select(d.chat_id).where(
        d.announcement_id == announcement.id, d.state == "pending",
        d.queued_at.is_not(None))).scalars())
    gone = len(bulk.reached(uow, ref(announcement.id), taken_back)) if taken_back else 0
    return {"total": announcement.recipients, "sent": sends["sent"],
            "blocked": sum(sends[s] for s in BLOCKED_STATUSES) + states["skipped"],
            "failed": sends["failed"], "queued": sends["pending"] + states["pending"] - gone,
            "recalled": states["recalled"] + states["stopping"], "deleted": states["deleted"],
            "corrected": states["corrected"], "deleting": states["deleting"],
            "expired": states["expired"]}


def report(uow: UnitOfWork, announcement: Announcement) -> Text:
    """The delivery report as the author reads it (after a recall: what was deleted and who
    got a correction instead)."""
    shown = figures(uow, announcement)
    after = {key: shown.pop(key) for key in ("deleted", "corrected", "deleting")}
    expired = shown.pop("expired")
    sent = texts.report_text(announcement.id or 0, **shown)
    if expired:
        sent = lines(sent, texts.expired_text(expired))
    sent = _with_unreachable(uow, announcement, sent)
    if announcement.status != "recalled":
        return sent
    return lines(sent, texts.recall_report_text(**after, told=bool(announcement.correction)))


def recall(uow: UnitOfWork, announcement: Announcement, correction: str,
           person: Person | None) -> dict[str, int] | None:
    """Withdraw an announcement: what is not sent yet never goes, what Telegram still lets us
    delete (safely inside its limit) is deleted, the rest gets a correction — and so does a
    copy whose delete Telegram refuses (:func:`check_delete`). With a *correction* text every
    recipient whose copy arrived gets it, deleted or not: they may have read the wrong notice
    already. An outage recalled stops answering. None if it was recalled meanwhile (nothing
    is done twice)."""
    if not bulk.claim(uow, ANNOUNCEMENT_TABLE, announcement.id, RECALLABLE, status="recalled",
                      recalled_at=uow.now, correction=correction[:CORRECTION_LENGTH]):
        uow.session.refresh(announcement)
        return None
    uow.session.refresh(announcement)
    d, o = DELIVERY_TABLE.c, OUTBOX.c
    # A copy taken back from the outbox may be in the sender's hands already and arrive all
    # the same (``outbox.mark_sent`` records it sent): it is looked at again (check_delete).
    checking = _take_back(uow, announcement, "stopping", uow.now + DELETE_CHECK)
    stopped = checking + (uow.session.connection().execute(
        update(DELIVERY_TABLE).where(d.announcement_id == announcement.id,
                                     d.state == "pending")
        .values(state="recalled", due_at=None)).rowcount or 0)
    deleted = corrected = 0
    for copy in uow.session.connection().execute(_SENT_COPIES.where(
            o.ref == ref(announcement.id))):
        state, due, removed = _withdraw(uow, announcement, copy)
        deleted += removed
        corrected += state == "corrected" or bool(announcement.correction)
        uow.session.connection().execute(
            update(DELIVERY_TABLE).where(d.announcement_id == announcement.id,
                                         d.chat_id == copy.chat_id)
            .values(state=state, due_at=due))
    uow.log("announcement_recalled", actor=person, announcement_id=announcement.id,
            deleted=deleted, corrected=corrected, stopped=stopped, checking=checking)
    return {"deleted": deleted, "corrected": corrected, "stopped": stopped,
            "checking": checking}


# A recipient's copy that Telegram has, with every message of it.
_SENT_COPIES = sql_select(OUTBOX.c.chat_id, OUTBOX.c.parts_message_ids,
                          OUTBOX.c.telegram_message_id, OUTBOX.c.sent_at).where(
    OUTBOX.c.op == "send", OUTBOX.c.status == "sent")


def _withdraw(uow: UnitOfWork, announcement: Announcement, copy: Any
              ) -> tuple[str, datetime | None, int]:
    """Delete a copy Telegram has, if it still lets us (safely inside its limit), else send
    the correction — sent after the delete too when the recall has a correction text: the
    copy's new state, when to check on it, and how many messages go."""
    rules = uow.office.rules.announcements
    window = (timedelta(hours=rules.delete_within_hours)
              - timedelta(minutes=rules.delete_margin_minutes))
    if (copy.telegram_message_id is None or copy.sent_at is None
            or uow.now - copy.sent_at >= window):
        _correct(uow, announcement, copy.chat_id, copy.sent_at)
        return "corrected", None, 0
    shown = _messages(copy.parts_message_ids, copy.telegram_message_id)
    uow.send(*(Delete(copy.chat_id, m) for m in shown))
    if announcement.correction:
        _correct(uow, announcement, copy.chat_id, copy.sent_at)
    return "deleting", uow.now + DELETE_CHECK, len(shown)


def _messages(earlier: Sequence[int] | None, message_id: int) -> list[int]:
    """Every message of a copy: a photo goes ahead of the text (``bot/adapters/parts.py``),
    and the outbox row keeps the text's message, the earlier ones apart."""
    return [*(earlier or ()), message_id]


def _correct(uow: UnitOfWork, announcement: Announcement, chat_id: int,
             sent_at: datetime | None) -> None:
    sent_on = (sent_at or uow.now).astimezone(uow.office.timezone).date().isoformat()
    uow.send(Say(chat_id, texts.correction_text(sent_on, announcement.correction),
                 priority=Priority.NOTICE, ref=f"announce-fix:{announcement.id}"))


# A copy stopped by a recall (or taken back by a Hold before it) that the sender had in hand
# and that Telegram took after all, however late it was marked sent.
_ARRIVED_LATE = and_(
    col(AnnouncementDelivery.state) == "recalled",
    col(AnnouncementDelivery.queued_at).is_not(None),
    exists().where(OUTBOX.c.op == "send", OUTBOX.c.status == "sent",
                   OUTBOX.c.chat_id == col(AnnouncementDelivery.chat_id),
                   OUTBOX.c.ref == literal(REF_PREFIX) + cast(
                       col(AnnouncementDelivery.announcement_id), String)))


def find_deletes(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Recipients of a recalled announcement whose delete is due to be checked, or whose copy
    the recall took back from the outbox (it may have gone out all the same), or whose copy
    stopped so went out all the same, later than that look."""
    d = AnnouncementDelivery
    found: list[int] = []
    for query in (select(d.id).where(col(d.state).in_(("deleting", "stopping")),
                                     col(d.due_at) <= uow.now)
                  .order_by(col(d.due_at), col(d.id)),
                  select(d.id).where(_ARRIVED_LATE).order_by(col(d.id))):
        if skip:
            query = query.where(col(d.id).not_in(skip))
        found += [i for i in uow.session.exec(query.limit(limit - len(found))
                                              .with_for_update(skip_locked=True, of=d))
                  if i is not None]
        if len(found) >= limit:
            break
    return found


def check_delete(uow: UnitOfWork, delivery_id: int) -> str:
    """Deleted, or — Telegram refused (too old after all, or gone) — the correction instead,
    so every recipient of a recalled announcement gets one or the other; a copy the recall
    took back from the outbox is stopped, or, if it arrived all the same (even after it was
    found stopped: the sender had it in hand longer), withdrawn now."""
    delivery = uow.session.get(AnnouncementDelivery, delivery_id)
    if delivery is None or delivery.state not in ("deleting", "stopping", "recalled"):
        return "skipped"
    announcement = uow.session.get(Announcement, delivery.announcement_id)
    assert announcement is not None
    o = OUTBOX.c
    copy = uow.session.connection().execute(_SENT_COPIES.where(
        o.ref == ref(announcement.id), o.chat_id == delivery.chat_id)).first()
    if delivery.state == "recalled" and copy is None:
        return "skipped"
    if delivery.state in ("stopping", "recalled"):  # recalled: it arrived later than the look
        if copy is None:
            delivery.state, delivery.due_at = "recalled", None
            return bulk.keep(uow, delivery, "stopped")
        delivery.state, delivery.due_at, _ = _withdraw(uow, announcement, copy)
        uow.log("announcement_copy_arrived", announcement_id=announcement.id,
                chat_id=delivery.chat_id, then=delivery.state)
        return bulk.keep(uow, delivery, delivery.state)
    status = None if copy is None else _deletes(uow, delivery.chat_id, _messages(
        copy.parts_message_ids, copy.telegram_message_id))
    if status == "pending":
        delivery.due_at = uow.now + DELETE_CHECK
        return bulk.keep(uow, delivery, "waiting")
    delivery.due_at = None
    if status == "sent":
        delivery.state = "deleted"
        return bulk.keep(uow, delivery, "deleted")
    if not announcement.correction:  # with a correction text it went with the delete
        _correct(uow, announcement, delivery.chat_id, copy.sent_at if copy else None)
    delivery.state = "corrected"
    uow.log("announcement_delete_refused", announcement_id=announcement.id,
            chat_id=delivery.chat_id, delete=status or "lost")
    return bulk.keep(uow, delivery, "corrected")


def _deletes(uow: UnitOfWork, chat_id: int, messages: Sequence[int]) -> str | None:
    """How the deletes of a copy's messages went, all told: ``pending`` while one may still
    go, ``sent`` once every one went, else what became of one that did not (None: lost)."""
    o = OUTBOX.c
    latest: dict[int, str] = {}  # each message's newest delete
    for message_id, status in uow.session.connection().execute(
            sql_select(o.edit_message_id, o.status).where(
                o.chat_id == chat_id, o.op == "delete", o.edit_message_id.in_(messages))
            .order_by(o.id)):
        latest[int(message_id)] = str(status)
    found = [latest.get(m) for m in messages]
    if "pending" in found:
        return "pending"
    return next((status for status in found if status != "sent"), "sent")


# -- for the CLI --------------------------------------------------------------------------
def prepare_from_cli(office: Office, command: DraftAnnouncement,
                     approve: bool = False) -> Announcement:
    """``frontline announce --file …``: prepared (and approved, with ``--approve``) as the
    office's own; raises :class:`NotPrepared` for a draft that cannot go."""
    with UnitOfWork(office) as uow:
        announcement = prepare(uow, command, None, None)
        if approve:
            decide(uow, announcement, "approve", None)
        uow.commit()
        return announcement


def decide_from_cli(office: Office, announcement_id: int, choice: str,
                    correction: str = "") -> dict[str, int]:
    """``frontline announce approve|hold|recall ID``; returns what a recall did."""
    with UnitOfWork(office) as uow:
        announcement = uow.session.get(Announcement, announcement_id)
        if announcement is None:
            raise ValueError(f"no announcement {announcement_id}")
        done: dict[str, int] | None = {}
        if choice == "recall":
            done = recall(uow, announcement, correction, None)
        elif choice not in bulk.DECISIONS or not decide(uow, announcement, choice, None):
            done = None
        if done is None:
            raise ValueError(f"announcement {announcement_id} is {announcement.status}; "
                             f"cannot {choice}")
        uow.commit()
        return done


def listing(office: Office, announcement_id: int | None = None) -> list[dict[str, Any]]:
    """``frontline announce list|show``: each announcement, its figures (and its preview)."""
    with UnitOfWork(office) as uow:
        query = select(Announcement).order_by(col(Announcement.id).desc())
        if announcement_id is not None:
            query = query.where(Announcement.id == announcement_id)
        rows: Sequence[Announcement] = uow.session.exec(query.limit(100)).all()
        tz = office.timezone
        return [{"id": a.id, "kind": a.kind, "status": a.status, "audience": a.audience,
                 "buildings": a.buildings, "trade": a.trade or None,
                 "service": a.service or None, "utility": a.utility or None,
                 "from": wall_clock(a.starts_at, tz) or None,
                 "to": wall_clock(a.ends_at, tz) or None, "send_at": wall_clock(a.send_at, tz),
                 "urgent": a.urgent, "by_language": a.by_language, **figures(uow, a),
                 "preview": render(preview(uow, a), "en") if announcement_id else None}
                for a in rows]
