"""The front desk answers a complaint, enquiry or fee question: the human reply the 24-hour
promise is about. A colleague taps "Reply" under the request in the staff chat, writes the
answer privately, and the resident receives it in their chat."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final

from sqlalchemy import exists
from sqlmodel import Session, col, select

from dialogs import buttons, question_unit
from dialogs import complaint as complaint_dialog
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, EventKind, InlineKeyboard, Priority, Say, inline
from dialogs.model import REQUEST_KINDS, AnswerText, ToFrontDesk
from handlers.front_desk import canned_replies
from handlers.front_desk.office_words import is_thanks
from handlers.office import Office
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.due_items import chats, finder, mark
from handlers.office.people import alert_chats, unit_label
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE, is_desk
from handlers.office.unit_of_work import UnitOfWork
from locales import Msg, Raw, Text, _, lines, render
from storage.complaints import FaqQuestion
from storage.followups import FollowupMark
from storage.models import FrontDeskRequest, Household, Outbox, Person, StaffChat


def reference(request_id: int | None) -> str:
    """The request's number as staff and residents read it."""
    return f"FD-{request_id}"


def notice(session: Session, request: FrontDeskRequest) -> Text:
    """The request as the staff chats see it: who, which unit, what."""
    person = session.get(Person, request.person_id) if request.person_id else None
    household = session.get(Household, request.household_id) if request.household_id else None
    who = " ".join(filter(None, [person.name if person else "",
                                 unit_label(household) if household else ""]))
    follows = session.get(FrontDeskRequest, request.follows_id) if request.follows_id else None
    return lines(_("Front desk {reference} ({kind}) from {who}: {text}",
                   reference=Raw(reference(request.id)), kind=REQUEST_KINDS[request.kind],
                   who=Raw(who or "-"), text=Raw(request.text)),
                 _("↩ A reply to the answer to {reference}: {text}",
                   reference=Raw(reference(follows.id)), text=Raw(follows.text[:300]))
                 if follows else None)


def reply_keyboard(request_id: int | None) -> InlineKeyboard:
    """The "Reply to the resident" button under a request in the staff chats."""
    return inline([Button(_("✍ Reply to the resident"), tap(Verb.DESK_REPLY, request_id))])


FRONT_DESK_THANKS: Final[dict[str, Msg]] = {
    "enquiry": _("Thank you for your question. It has been recorded as {reference}."),
    "fee": _("Thank you. Your fee question has been recorded as {reference}."),
    "other": _("Thank you. Your message has been recorded as {reference}."),
}


def response_due(office: Office, received: datetime) -> datetime:
    """When the 24-hour rule's human answer is due: calendar hours, or the office's open
    hours when the office counts it that way (``response_deadline_basis``)."""
    hours = office.rules.response_deadline_hours
    if office.rules.response_deadline_basis == "office":
        return office.hours.add(received, hours * 3600, office.timezone)
    return received + office.rules.response_deadline


def response_promise(office: Office, due: datetime | None) -> Msg:
    """What the resident is promised: the 24-hour rule in the hours it counts (24 hours the
    desk is open, with the office basis) and the moment :func:`response_due` gave."""
    hours, by = office.rules.response_deadline_hours, Raw(wall_clock(due, office.timezone))
    if office.rules.response_deadline_basis == "office":
        return _("The front desk will answer you here within {hours} office hours (by {due}).",
                 hours=hours, due=by)
    return _("The front desk will answer you here within {hours} hours (by {due}).",
             hours=hours, due=by)


def take_in(caller: Caller, command: ToFrontDesk) -> int | None:
    """Record an enquiry or fee question and promise an answer within the office's response
    time (the 24-hour rule, 004). A complaint starts the complaint dialog instead, which
    records what the manual asks for (001 第四篇 4(1))."""
    if command.kind == "complaint":
        caller.start_dialog(complaint_dialog.start_described(caller.context(), new_nonce(),
                                                             command.text, command.severity))
        return None
    context = caller.context()
    household = question_unit.home_of(command.household_id, command.text, context.units)
    faq_question = command.faq_question_id or _faq_question_tapped(caller)
    if household is None and context.units:  # several homes, the words name none of them
        caller.start_dialog(question_unit.ask(context, new_nonce(), replace(
            command, faq_question_id=faq_question)))
        return None
    request = _file(caller, FrontDeskRequest(
        kind=command.kind, severity=command.severity, household_id=household,
        text=command.text))
    _link_faq_question(caller, faq_question, request)
    return request.id


def follow_up(caller: Caller, text: str) -> bool:
    """Words that read as no new request (\"还是不明白\"), written soon after the desk answered
    this chat, are the resident's reply to that answer: back to the desk as a request that
    follows the answered one, with its own promised time. Thanks are no reply. True if it
    went to the desk."""
    if is_thanks(text):
        return False
    rules = caller.uow.office.rules
    answered = caller.session.exec(select(FrontDeskRequest).where(
        FrontDeskRequest.chat_id == caller.chat_id, FrontDeskRequest.status == "answered",
        col(FrontDeskRequest.answered_at) >= caller.now - rules.desk_follow_up).order_by(
        col(FrontDeskRequest.answered_at).desc())).first()
    if answered is None:
        return False
    _file(caller, FrontDeskRequest(kind=answered.kind, severity=answered.severity,
                                   household_id=answered.household_id, text=text,
                                   follows_id=answered.id))
    return True


def _file(caller: Caller, request: FrontDeskRequest) -> FrontDeskRequest:
    """Record *request* from this chat, promise the resident an answer within the office's
    response time and show it to the desk with its Reply button."""
    request.person_id = caller.person.id if caller.person else None
    request.chat_id, request.created_at = caller.chat_id, caller.now
    request.due_at = response_due(caller.uow.office, caller.now)
    caller.session.add(request)
    caller.session.flush()
    number = Raw(reference(request.id))
    caller.log("front_desk_request", kind=request.kind, request_id=request.id,
               follows_id=request.follows_id)
    thanks = (_("Thank you. Your reply to {earlier} has gone to the front desk as {reference}.",
                earlier=Raw(reference(request.follows_id)), reference=number)
              if request.follows_id else
              Msg(FRONT_DESK_THANKS[request.kind].msgid, {"reference": number}))
    caller.reply(lines(thanks, response_promise(caller.uow.office, request.due_at)))
    purposes = ["dispatch", *(["managers"] if request.severity == "major" else [])]
    for purpose in purposes:
        for chat_id in alert_chats(caller.session, purpose):
            caller.uow.send(Say(chat_id, notice(caller.session, request),
                           reply_keyboard(request.id), ref=f"fd:{request.id}",
                           priority=Priority.NOTICE))
    return request


def _faq_question_tapped(caller: Caller) -> int | None:
    """The FAQ question whose "No, ask the desk" was just tapped, when that is what files
    this request."""
    pressed = (buttons.parse(caller.event.button_data)
               if caller.event.kind is EventKind.BUTTON else None)
    return pressed.id(0) if pressed is not None and pressed.verb is Verb.FAQ_FEEDBACK else None


def _link_faq_question(caller: Caller, question_id: int | None,
                       request: FrontDeskRequest) -> None:
    """Keep the FAQ question's link to the request it became, however the request was filed
    (at once, or after "Which of your homes?"), so the office sees what its FAQ misses."""
    question = caller.session.get(FaqQuestion, question_id) if question_id else None
    if question is not None and question.chat_id == caller.chat_id and question.request_id is None:
        question.request_id = request.id
        caller.session.add(question)


def ask_reply(caller: Caller, board: StaffChat, request_id: int) -> None:
    """Ask the colleague, in their private chat, for the answer to send."""
    request = caller.session.get(FrontDeskRequest, request_id)
    if board.purpose not in DESK_CHATS or not is_desk(caller):
        caller.refuse(_("Only office staff can do this."))
        return
    if request is None or request.status != "open":
        caller.refuse(OUT_OF_DATE)
        return
    caller.ask_privately("front_desk_reply", request_id, reference(request_id),
                         canned_replies.offered(caller.uow.office, request.kind))


def send_reply(caller: Caller, command: AnswerText) -> None:
    """Send the colleague's answer to the resident and close the request (desk staff only:
    the resident's chat is theirs to write to)."""
    request = caller.session.get(FrontDeskRequest, command.subject_id)
    if caller.person is None or not is_desk(caller) or request is None:
        caller.reply(OUT_OF_DATE)
        return
    if request.status != "open" or request.chat_id is None:
        caller.reply(_("{reference} was already answered.", reference=Raw(reference(request.id))))
        return
    reply = canned_replies.reply_of(caller, command)
    if reply is None:
        return
    request.status, request.answered_at = "answered", caller.now
    caller.session.add(request)
    caller.log("front_desk_answered", request_id=request.id, canned=command.canned or None,
               reply=render(reply, caller.uow.language_of(request.chat_id)))
    caller.uow.send(Say(request.chat_id, lines(
        _("💬 The front desk answers your message {reference}:",
          reference=Raw(reference(request.id))), reply)))
    ref = f"fd:{request.id}"
    answered = lines(notice(caller.session, request), _("✅ Answered by {name}: {reply}",
                                                   name=Raw(caller.person.name),
                                                   reply=reply))
    posted = caller.session.exec(select(Outbox.chat_id).where(Outbox.ref == ref,
                                                         Outbox.op == "send")).all()
    for chat_id in sorted(set(posted)):
        caller.uow.send(Edit(chat_id, answered, inline(), ref=ref))
    caller.reply(_("Sent to the resident. Thank you!"))


# -- the 24-hour rule --------------------------------------------------------------------
# Requests past their promised answer time with no answer yet, not escalated yet.
find_silent_requests = finder(
    FrontDeskRequest, FrontDeskRequest.due_at, col(FrontDeskRequest.status) == "open",
    col(FrontDeskRequest.answered_at).is_(None),
    ~exists().where(col(FollowupMark.kind) == "fd_no_response",
                    col(FollowupMark.subject_id) == col(FrontDeskRequest.id)))


def escalate_request(uow: UnitOfWork, request_id: int) -> str:
    """A complaint, enquiry or fee question not answered by its due time: managers, once."""
    request = uow.session.get(FrontDeskRequest, request_id)
    if request is None or request.status != "open" or request.answered_at is not None:
        return "not_due"
    mark(uow, "fd_no_response", request_id)
    text = _("⏰ Front desk FD-{id} ({kind}) has not been answered in time (due {due}): {text}",
             id=request_id, kind=REQUEST_KINDS.get(request.kind, Raw(request.kind)),
             due=Raw(wall_clock(request.due_at, uow.office.timezone)),
             text=Raw(request.text[:500]))
    for chat_id in chats(uow, "managers", "dispatch"):
        uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))
    uow.log("front_desk_escalated", request_id=request_id)
    return "escalated"
