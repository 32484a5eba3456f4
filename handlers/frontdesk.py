"""The front desk answers a complaint, enquiry or fee question: the human reply the 24-hour
promise is about. A colleague taps "Reply" under the request in the staff chat, writes the
answer privately, and the resident receives it in their chat."""

from __future__ import annotations

from sqlmodel import Session, select

from dialogs.events import Button, Edit, InlineKeyboard, Say, inline
from dialogs.model import REQUEST_KINDS, AnswerText
from handlers.people import is_staff, unit_label
from handlers.visit import Visit
from locales import Raw, Text, _, lines
from storage.models import FrontDeskRequest, Household, Outbox, Person, StaffChat

STALE = _("This button is out of date; nothing was changed.")


def reference(request_id: int | None) -> str:
    return f"FD-{request_id}"


def notice(session: Session, request: FrontDeskRequest) -> Text:
    """The request as the staff chats see it: who, which unit, what."""
    person = session.get(Person, request.person_id) if request.person_id else None
    household = session.get(Household, request.household_id) if request.household_id else None
    who = " ".join(filter(None, [person.name if person else "",
                                 unit_label(household) if household else ""]))
    return _("Front desk {reference} ({kind}) from {who}: {text}",
             reference=Raw(reference(request.id)), kind=REQUEST_KINDS[request.kind],
             who=Raw(who or "-"), text=Raw(request.text))


def reply_keyboard(request_id: int | None) -> InlineKeyboard:
    return inline([Button(_("✍ Reply to the resident"), f"fd:{request_id}")])


def ask_reply(v: Visit, board: StaffChat, request_id: int) -> None:
    """Ask the colleague, in their private chat, for the answer to send."""
    request = v.session.get(FrontDeskRequest, request_id)
    if not is_staff(v.person):
        v.refuse(_("Only office staff can do this."))
        return
    if request is None or request.status != "open":
        v.refuse(STALE)
        return
    v.ask_privately("front_desk_reply", request_id, reference(request_id))


def send_reply(v: Visit, command: AnswerText) -> None:
    """Send the colleague's answer to the resident and close the request."""
    request = v.session.get(FrontDeskRequest, command.subject_id)
    if v.person is None or not is_staff(v.person) or request is None:
        v.reply(STALE)
        return
    if request.status != "open" or request.chat_id is None:
        v.reply(_("{reference} was already answered.", reference=Raw(reference(request.id))))
        return
    request.status, request.answered_at = "answered", v.now
    v.session.add(request)
    v.log("front_desk_answered", request_id=request.id, reply=command.text)
    v.uow.send(Say(request.chat_id, lines(
        _("💬 The front desk answers your message {reference}:",
          reference=Raw(reference(request.id))), Raw(command.text))))
    ref = f"fd:{request.id}"
    answered = lines(notice(v.session, request), _("✅ Answered by {name}: {reply}",
                                                   name=Raw(v.person.name),
                                                   reply=Raw(command.text)))
    posted = v.session.exec(select(Outbox.chat_id).where(Outbox.ref == ref,
                                                         Outbox.op == "send")).all()
    for chat_id in sorted(set(posted)):
        v.uow.send(Edit(chat_id, answered, inline(), ref=ref))
    v.reply(_("Sent to the resident. Thank you!"))
