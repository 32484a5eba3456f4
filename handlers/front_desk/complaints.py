"""Taking a complaint in (投诉接待), setting its severity, and taking it over.

The resident is thanked and told what happens next and by when; the desk sets the severity
with one tap (triage suggests one), which hands the complaint to its owner with the
manual's deadlines (001 第四篇 4(5)). A complaint about the service centre itself goes to
admin/HR and never reaches the desk (001 §2.2.8).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlmodel import col, func, select

from dialogs.answers import REGRADE
from dialogs.complaint_cards import SEVERITIES, SEVERITY_NAMES, regrade_choices
from dialogs.events import Edit, EventKind, Priority, Say, inline
from dialogs.faq import tokens
from dialogs.model import SubmitComplaint
from dialogs.question_unit import home_of
from dialogs.triage import normalize
from handlers.delivery.bulk import chats_posted
from handlers.front_desk import canned_replies
from handlers.front_desk.complaint_chain import (
    ADMIN,
    DESK,
    LEVEL_KEYS,
    LEVEL_NAMES,
    SEVERITY_LEVELS,
    level_of,
    may_handle,
    may_take,
    owners_chats,
)
from handlers.front_desk.complaint_clocks import (
    grade,
    meet,
    opening_level,
    response_plan,
    severity_plan,
    start_clock,
)
from handlers.front_desk.complaint_notices import (
    UNSEEN_STATUSES,
    due_text,
    notify,
    post_card,
    record,
    reference,
    refresh_cards,
    running_due,
    send_photos,
    tell_resident,
)
from handlers.front_desk.office_words import follows_up, is_thanks
from handlers.office.caller import Caller
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, Text, _, lines
from storage.complaints import Complaint, ComplaintEvent
from storage.models import Person, StaffChat, WorkOrder

# Words that name the service centre itself (客服中心, the front desk) when the resident types
# who the complaint is about instead of tapping a department.
SERVICE_CENTRE_WORDS: Final = re.compile(
    r"客服|前台|接待|调度|調度|管家|customer service|front desk|reception|dispatcher|butler",
    re.IGNORECASE)


def number_for(caller: Caller) -> str:
    """'CP-20261123-0001': the office's date and a daily sequence."""
    day = caller.now.astimezone(caller.uow.office.timezone).strftime("%Y%m%d")
    prefix = f"CP-{day}-"
    last = caller.session.exec(select(func.max(Complaint.number))
                               .where(col(Complaint.number).startswith(prefix))).one()
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


def about_service_centre(caller: Caller, command: SubmitComplaint) -> bool:
    """The complaint is about the service centre: its department, its words, or the name of
    someone who works at the desk."""
    if command.department == "service_centre":
        return True
    words = command.about.strip()
    if not words:
        return False
    if SERVICE_CENTRE_WORDS.search(words):
        return True
    desk = caller.session.exec(select(Person.name).where(
        col(Person.role).in_(("dispatcher", "butler")))).all()
    return any(name and name in words for name in desk)


def resident_deadline(caller: Caller, value: str) -> datetime | None:
    """The end of the day the resident asked for (the office's midnight), or None."""
    today = caller.now.astimezone(caller.uow.office.timezone).date()
    day: date | None = None
    if value.startswith("in") and value[2:].isdigit():
        day = today + timedelta(days=int(value[2:]))
    elif value.startswith("D:"):
        day = date.fromisoformat(value[2:])
    elif value.startswith("M:"):
        month, dom = (int(part) for part in value[2:].split("-"))
        for year in (today.year, today.year + 1, today.year + 4):
            try:
                day = date(year, month, dom)
            except ValueError:  # 29 February in a common year
                continue
            if day >= today:
                break
    if day is None or day < today:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=caller.uow.office.timezone)


def _work_order(caller: Caller, order_id: int | None) -> int | None:
    """The urgent order the dialog opened, only if this person reported it."""
    order = caller.session.get(WorkOrder, order_id) if order_id else None
    if order is None or caller.person is None or order.reporter_id != caller.person.id:
        return None
    return order.id


def submit(caller: Caller, command: SubmitComplaint) -> None:
    """Record the complaint, thank and apologise, say what happens next and by when, and put
    it before the desk (or admin/HR) with the severity buttons; the same complaint again soon
    after is added to the first instead."""
    first = _repeated(caller, command)
    if first is not None:
        _add_repeat(caller, first, command)
        return
    # The home tapped at "where", their only one, or the one the words name.
    household = home_of(command.household_id, f"{command.what} {command.place}",
                        caller.context().units)
    suggested = command.suggested_severity if command.suggested_severity in SEVERITIES \
        else None
    complaint = Complaint(
        number=number_for(caller), status="new", suggested_severity=suggested,
        person_id=caller.person.id if caller.person else None,
        household_id=household,
        chat_id=caller.chat_id, what=command.what, occurred=command.occurred,
        place=_place(caller, household, command.place), department=command.department,
        about=command.about, wants=command.wants,
        resident_deadline=resident_deadline(caller, command.deadline),
        photos=list(command.photos), work_order_id=_work_order(caller, command.work_order_id),
        created_at=caller.now)
    complaint.about_service_centre = about_service_centre(caller, command)
    complaint.level = opening_level(complaint)
    caller.session.add(complaint)
    caller.session.flush()
    record(caller.uow, complaint, "received", actor=caller.person, chat_id=caller.chat_id,
           about_service_centre=complaint.about_service_centre, suggested=suggested,
           work_order=complaint.work_order_id)
    basis, length = response_plan(caller.uow.office)
    clock = start_clock(caller.uow, complaint, "response", basis, length, complaint.level)
    caller.reply(lines(
        _("🙏 Thank you, and we are sorry for the trouble. Your complaint {number} is "
          "recorded.", number=reference(complaint)),
        _("{owner} will reply to you here by {due}, and tell you who is handling it and by "
          "when it will be resolved.", owner=LEVEL_NAMES[complaint.level],
          due=due_text(caller.uow, clock.due_at))))
    post_card(caller.uow, complaint, complaint.level,
              _("📣 New complaint {number}: please set its severity.",
                number=reference(complaint)))


def _same_words(text: str) -> str:
    return re.sub(r"\W+", "", normalize(text))


def _repeated(caller: Caller, command: SubmitComplaint) -> Complaint | None:
    """The resident's open complaint about the same thing (the same words, or one's words
    inside the other's) received within ``repeat_minutes``: a resident who sends it twice,
    unsure it arrived, or tells it again, means one complaint, not two for the desk."""
    words = _same_words(command.what)
    if caller.person is None or not words:
        return None
    since = caller.now - timedelta(minutes=caller.uow.office.rules.complaints.repeat_minutes)
    recent = caller.session.exec(select(Complaint).where(
        Complaint.person_id == caller.person.id, col(Complaint.status).in_(UNSEEN_STATUSES),
        col(Complaint.created_at) >= since).order_by(col(Complaint.id).desc())).all()
    return next((c for c in recent if (earlier := _same_words(c.what))
                 and (words in earlier or earlier in words)), None)


def _add_repeat(caller: Caller, complaint: Complaint, command: SubmitComplaint) -> None:
    """What the resident sent again goes to the complaint's owners, its photos with it."""
    _add_to(caller, complaint, "repeated", command.what, command.photos, _(
        "🔁 The resident sent complaint {number} again:", number=reference(complaint)))


# Complaints the resident may still write more on: waiting on its owners, or resolved and
# waiting on the resident's verdict.
OPEN_TO_MORE: Final = (*UNSEEN_STATUSES, "resolved")
WROTE_MORE: Final = "wrote_more"


def add_more(caller: Caller, text: str, photos: tuple[str, ...] = ()) -> bool:
    """Words or photos from a resident with an open complaint, read as no new request of
    another kind, that speak of it (its words: \"今天门口又有三袋垃圾\") or of something going
    on (\"到底管不管\"), or a photo without words: added to that complaint (the newest of
    those it may be) for its owners, the resident told which one; the rest of an album so
    added is added quietly. Thanks, and words about something else, add nothing. True if it
    was added."""
    if caller.person is None or (text and is_thanks(text)):
        return False
    album = caller.event.album if caller.event.kind is EventKind.PHOTO else ""
    open_ = caller.session.exec(select(Complaint).where(
        Complaint.person_id == caller.person.id, col(Complaint.status).in_(OPEN_TO_MORE))
        .order_by(col(Complaint.id).desc())).all()
    if not open_:
        return False
    if album and not text and _album_rest(caller, open_, album, photos):
        return True
    said = {word for word in tokens(text) if len(word) > 1}
    about = [c for c in open_ if said & set(tokens(c.what))]
    if not about and text and not follows_up(text):
        return False  # something new: taken in as it is today
    complaint = (about or open_)[0]
    _add_to(caller, complaint, WROTE_MORE, text, photos, _(
        "✍ The resident wrote more on complaint {number}:", number=reference(complaint)),
        others=len(open_) > 1 and len(about) != 1, album=album)
    return True


def _album_rest(caller: Caller, open_: Sequence[Complaint], album: str,
                photos: tuple[str, ...]) -> bool:
    """A photo of the album whose first photo was added to one of *open_*: added too, to its
    owners' chats, without a word more to anyone."""
    assert caller.person is not None
    last = caller.session.exec(select(ComplaintEvent).where(
        ComplaintEvent.actor_id == caller.person.id, ComplaintEvent.action == WROTE_MORE)
        .order_by(col(ComplaintEvent.id).desc())).first()
    complaint = next((c for c in open_ if last is not None and last.complaint_id == c.id
                      and last.detail.get("album") == album), None)
    if complaint is None:
        return False
    _add_to(caller, complaint, WROTE_MORE, "", photos, None, album=album)
    return True


def _add_to(caller: Caller, complaint: Complaint, action: str, text: str,
            photos: Sequence[str], headline: Text | None, *, others: bool = False,
            album: str = "") -> None:
    """*text* and *photos* from the resident are kept on *complaint* (an *action* event), its
    owners hear them under *headline*, and the resident is told which complaint has them and
    when the reply is due (and, when *others* might be meant, that it went to the newest).
    Without a *headline* only the photos go to the owners, and nobody is told a word."""
    complaint.photos = [*complaint.photos, *photos]
    caller.session.add(complaint)
    record(caller.uow, complaint, action, actor=caller.person, chat_id=caller.chat_id,
           text=text, photos=len(photos), album=album or None)
    if headline is not None:
        notify(caller.uow, complaint, complaint.level,
               lines(headline, Raw(text) if text else None))
    groups, private = owners_chats(caller.session, complaint, complaint.level)
    send_photos(caller.uow, complaint, photos, [*groups, *private])
    refresh_cards(caller.uow, complaint)
    if headline is None:
        return
    received = due_text(caller.uow, complaint.created_at)
    due = running_due(caller.uow, complaint, "response", ahead=True)
    caller.reply(lines(
        _("🙏 Thank you. This is your complaint {number} of {received}: we have added what "
          "you wrote to it.", number=reference(complaint), received=received),
        _("{owner} will reply to you here by {due}, and tell you who is handling it and by "
          "when it will be resolved.", owner=LEVEL_NAMES[complaint.level], due=due)
        if due else None,
        _("You have other complaints open too: this went to the newest. If it is about "
          "another one, please say which in your next message.") if others else None))


def _place(caller: Caller, household: int | None, typed: str) -> str:
    if household is not None:
        unit = next(u.label for u in caller.context().units if u.household_id == household)
        return typed or unit
    return typed


# -- the desk's taps -----------------------------------------------------------------------
def staff_tap(caller: Caller, board: StaffChat | None, complaint_id: int, action: str) -> None:
    """A staff button under a complaint card, in a staff group (*board*) or privately."""
    complaint = caller.session.get(Complaint, complaint_id)
    if complaint is None or (board is not None and (complaint.about_service_centre or
                                                    board.purpose not in DESK_CHATS)):
        caller.refuse(OUT_OF_DATE)  # never say more about a complaint this chat must not see
        return
    if not may_handle(caller.session, caller.person, complaint):
        caller.refuse(_("Only the staff who handle complaints can do this.")
                      if not complaint.about_service_centre else OUT_OF_DATE)
        return
    if complaint.status in ("resolved", "closed"):
        caller.refuse(_("{number} is already resolved.", number=reference(complaint)))
        return
    if action.startswith("sev_") and action[4:] in SEVERITIES:
        set_severity(caller, complaint, action[4:])
    elif action == "regrade" or action.startswith("to_"):
        regrade(caller, board, complaint, action)
    elif action == "take":
        take(caller, complaint)
    elif action in ("answer", "ask", "resolve"):
        if action == "ask" and complaint.status == "paused":
            caller.refuse(_("We are already waiting for the resident's answer."))
            return
        if complaint.severity is None and action != "answer":
            caller.refuse(_("Please set the severity first."))
            return
        caller.ask_privately(f"complaint_{action}", complaint_id, complaint.number,
                             canned_replies.offered(caller.uow.office, "complaint")
                             if action == "answer" else ())
    else:
        caller.refuse(OUT_OF_DATE)


def set_severity(caller: Caller, complaint: Complaint, severity: str) -> None:
    """The desk's classification: the owner and the manual's deadlines follow from it."""
    if complaint.severity is not None:
        caller.refuse(_("The severity of {number} is already set.",
                        number=reference(complaint)))
        return
    complaint.severity_set_at = caller.now
    if complaint.status == "new":
        complaint.status = "open"
    _grade(caller, complaint, severity, "severity_set", severity=severity,
           suggested=complaint.suggested_severity)
    caller.toast(_("Severity set: {severity}.", severity=SEVERITY_NAMES[severity]))


def change_severity(caller: Caller, complaint: Complaint, severity: str, reason: str) -> None:
    """A re-grade (minor → major when it turns out to be a safety issue, or down): the clocks
    are counted again from the complaint's start; escalations made stay in the chain."""
    before = complaint.severity
    assert before is not None
    _grade(caller, complaint, severity, "severity_changed", from_severity=before,
           to_severity=severity, reason=reason)
    outcome = _("The severity of {number} is now {severity} (was {before}); its clocks count "
                "from when it was received.", number=reference(complaint),
                severity=SEVERITY_NAMES[severity], before=SEVERITY_NAMES[before])
    caller.reply(outcome)
    ref = regrade_ref(complaint.id)  # every "change the severity to:" has had its moment
    for chat_id in chats_posted(caller.uow, ref):
        caller.uow.send(Edit(chat_id, outcome, inline(), ref=ref))


def regrade_ref(complaint_id: int | None) -> str:
    return f"regrade:{complaint_id}"


def _grade(caller: Caller, complaint: Complaint, severity: str, action: str, /,
           **detail: Any) -> None:
    """Give the complaint *severity*: its owner (never lower than it is), the severity's
    clocks, the resident told the new dates, and the new owner asked to take it over."""
    complaint.severity = severity
    before = complaint.level
    if not complaint.about_service_centre:
        complaint.level = max(complaint.level, SEVERITY_LEVELS[severity])
    caller.session.add(complaint)
    record(caller.uow, complaint, action, actor=caller.person, chat_id=caller.chat_id,
           **detail, owner=LEVEL_KEYS[complaint.level])
    if complaint.level != before:
        record(caller.uow, complaint, "handed_over", actor=caller.person,
               chat_id=caller.chat_id, to=LEVEL_KEYS[complaint.level],
               reason=f"severity {severity}")
    grade(caller.uow, complaint)
    resolve_by = running_due(caller.uow, complaint, "resolve", ahead=True)
    answer_by = running_due(caller.uow, complaint, "answer", ahead=True)
    tell_resident(caller.uow, complaint, lines(
        _("📣 Your complaint {number} is now with {owner}.", number=reference(complaint),
          owner=LEVEL_NAMES[complaint.level]),
        _("You will have a clear answer by {due}.", due=answer_by) if answer_by else None,
        _("We will resolve it by {due} and tell you the result the same day.",
          due=resolve_by) if resolve_by else None))
    if complaint.level > DESK and complaint.level != before:
        first = running_due(caller.uow, complaint, "first_step")
        post_card(caller.uow, complaint, complaint.level, _(
            "📣 {severity} complaint {number} is for {owner}: please take it over by {due}.",
            severity=SEVERITY_NAMES[severity], number=reference(complaint),
            owner=LEVEL_NAMES[complaint.level], due=first or Raw("-")))
    else:
        refresh_cards(caller.uow, complaint)


def regrade(caller: Caller, board: StaffChat | None, complaint: Complaint,
            action: str) -> None:
    """"Change the severity": offer the other two; a choice asks the reason privately."""
    if complaint.severity is None:
        caller.refuse(_("Please set the severity first."))
        return
    if action == "regrade":
        caller.toast()
        text, keyboard = regrade_choices(complaint.id or 0, complaint.number,
                                         complaint.severity, private=board is None)
        caller.uow.send(Say(caller.chat_id, text, keyboard, ref=regrade_ref(complaint.id),
                            priority=Priority.INTERACTIVE))
        return
    severity = action.removeprefix("to_")
    if severity not in SEVERITIES or severity == complaint.severity:
        caller.refuse(OUT_OF_DATE)
        return
    caller.ask_privately(REGRADE + severity, complaint.id or 0, complaint.number)


def take(caller: Caller, complaint: Complaint) -> None:
    """The supervisor or the director takes the complaint over (进入处理程序)."""
    if complaint.severity is None:
        caller.refuse(_("Please set the severity first."))
        return
    if not may_take(caller.session, caller.person, complaint):
        caller.refuse(_("{number} is for {owner}.", number=reference(complaint),
                        owner=LEVEL_NAMES[complaint.level]))
        return
    assert caller.person is not None
    level = level_of(caller.person)
    assert level is not None
    complaint.owner_id, complaint.taken_at = caller.person.id, caller.now
    complaint.level = max(complaint.level, min(level, ADMIN))
    caller.session.add(complaint)
    met = meet(caller.uow, complaint, "first_step")
    record(caller.uow, complaint, "taken", actor=caller.person, chat_id=caller.chat_id,
           level=LEVEL_KEYS[complaint.level], first_step_met=bool(met))
    caller.toast(_("{number} is yours now.", number=reference(complaint)))
    notify(caller.uow, complaint, DESK if not complaint.about_service_centre else ADMIN,
           _("🙋 {name} has taken over complaint {number}.", name=Raw(caller.person.name),
             number=reference(complaint)))
    refresh_cards(caller.uow, complaint)


def owner_left(uow: UnitOfWork, person: Person) -> list[str]:
    """*person* no longer works here: the complaints they had taken over are nobody's again,
    offered to their level (and the desk) to take over, with the severity's time to do it
    counted from now; their other clocks run on. Returns the complaints handed back."""
    held = uow.session.exec(select(Complaint).where(
        Complaint.owner_id == person.id, col(Complaint.status) != "closed")
        .order_by(col(Complaint.id))).all()
    for complaint in held:
        complaint.owner_id, complaint.taken_at = None, None
        uow.session.add(complaint)
        record(uow, complaint, "owner_left", owner=person.id, level=LEVEL_KEYS[complaint.level])
        if complaint.status not in UNSEEN_STATUSES:  # resolved: it waits on the resident
            refresh_cards(uow, complaint)
            continue
        for kind, basis, length, _owner, start in severity_plan(
                uow.office, complaint, {"first_step": uow.now}):
            if kind == "first_step" and complaint.level > DESK:
                start_clock(uow, complaint, kind, basis, length, complaint.level,
                            started_at=start)
        post_card(uow, complaint, complaint.level, _(
            "🚪 {name} has left the staff: nobody handles complaint {number} now. Please take "
            "it over by {due}.", name=Raw(person.name), number=reference(complaint),
            due=running_due(uow, complaint, "first_step") or Raw("-")))
    return [complaint.number for complaint in held]
