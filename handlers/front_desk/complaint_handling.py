"""Working a complaint with the resident: the staff's answer, a question that waits for the
resident (the clocks pause), the result the same day, the resident's accept-or-reopen (once),
and a one-tap rating whose low scores go to the managers."""

from __future__ import annotations

from typing import Final

from dialogs import answers
from dialogs.buttons import Verb, tap
from dialogs.complaint_cards import SEVERITIES
from dialogs.events import Button, inline
from dialogs.model import AnswerText, DialogContext
from handlers.front_desk import canned_replies, complaints
from handlers.front_desk.complaint_chain import ADMIN, LEVEL_KEYS, SUPERVISOR, may_handle
from handlers.front_desk.complaint_clocks import (
    HOUR,
    meet,
    pause,
    resolve_length,
    resume,
    start_clock,
    stop_all,
)
from handlers.front_desk.complaint_notices import (
    notify,
    post_card,
    record,
    reference,
    refresh_cards,
    running_due,
    tell_resident,
)
from handlers.office import conversations
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, _, lines, render
from storage.complaints import Complaint
from storage.models import Person

RATINGS: Final = (1, 2, 3, 4, 5)


def _for_staff(caller: Caller, command: AnswerText) -> Complaint | None:
    """The complaint a staff answer is about, if this person may still act on it."""
    complaint = caller.session.get(Complaint, command.subject_id)
    if complaint is None or caller.person is None or not may_handle(caller.session,
                                                                    caller.person, complaint):
        caller.reply(OUT_OF_DATE)
        return None
    if complaint.status in ("resolved", "closed"):
        caller.reply(_("{number} is already resolved.", number=reference(complaint)))
        return None
    return complaint


def _for_resident(caller: Caller, complaint_id: int) -> Complaint | None:
    """The complaint, if the caller is the resident who made it."""
    complaint = caller.session.get(Complaint, complaint_id)
    if (complaint is None or caller.person is None or complaint.person_id != caller.person.id
            or complaint.chat_id != caller.chat_id):
        caller.refuse(OUT_OF_DATE)
        return None
    return complaint


def _staff_name(caller: Caller) -> Raw:
    return Raw(caller.person.name if caller.person else "")


# -- staff → resident ----------------------------------------------------------------------
def send_answer(caller: Caller, command: AnswerText) -> None:
    """The staff's answer goes to the resident: the human reply of the 24-hour rule, and the
    clear answer a major complaint must have."""
    complaint = _for_staff(caller, command)
    if complaint is None:
        return
    reply = canned_replies.reply_of(caller, command)
    if reply is None:
        return
    complaint.answered_at = complaint.answered_at or caller.now
    caller.session.add(complaint)
    met = meet(caller.uow, complaint, "response", "answer")
    record(caller.uow, complaint, "answered", actor=caller.person, chat_id=caller.chat_id,
           text=render(reply, caller.uow.language_of(complaint.chat_id or 0)),
           canned=command.canned or None, met=met)
    tell_resident(caller.uow, complaint, lines(
        _("💬 About your complaint {number}, {name} writes:", number=reference(complaint),
          name=_staff_name(caller)), reply))
    refresh_cards(caller.uow, complaint)
    caller.reply(_("Sent to the resident. Thank you!"))


def ask_resident(caller: Caller, command: AnswerText) -> None:
    """Ask the resident something: the clocks pause until they answer."""
    complaint = _for_staff(caller, command)
    if complaint is None or complaint.chat_id is None:
        return
    if not pause(caller.uow, complaint):
        caller.reply(_("We are already waiting for the resident's answer."))
        return
    met = meet(caller.uow, complaint, "response")
    record(caller.uow, complaint, "paused", actor=caller.person, chat_id=caller.chat_id,
           question=command.text, met=met, reason="waiting for the resident")
    tell_resident(caller.uow, complaint, lines(
        _("❓ About your complaint {number}, {name} asks:", number=reference(complaint),
          name=_staff_name(caller)), Raw(command.text)))
    resident = complaint.chat_id
    context = DialogContext(chat_id=resident, language=caller.uow.language_of(resident))
    caller.start_dialog(answers.ask(context, conversations.new_nonce(), "complaint_info",
                                    complaint.id or 0, complaint.number), resident)
    refresh_cards(caller.uow, complaint)
    caller.reply(_("Asked. The clocks of {number} wait until the resident answers.",
                   number=reference(complaint)))


def resident_answers(caller: Caller, command: AnswerText) -> None:
    """The resident's answer: passed to the owners, and the clocks run again."""
    complaint = _for_resident(caller, command.subject_id)
    if complaint is None:
        return
    waited = resume(caller.uow, complaint)
    record(caller.uow, complaint, "resumed" if waited is not None else "resident_wrote",
           actor=caller.person, chat_id=caller.chat_id, text=command.text,
           paused_seconds=round(waited) if waited is not None else None)
    notify(caller.uow, complaint, complaint.level, lines(
        _("💬 The resident answers about complaint {number}:", number=reference(complaint)),
        Raw(command.text)))
    refresh_cards(caller.uow, complaint)
    caller.reply(_("Thank you. We have passed it on."))


def resolve(caller: Caller, command: AnswerText) -> None:
    """The result: the resident hears it now (the same day, 第四篇 4(6)②) and may accept it or,
    once, reopen the complaint."""
    complaint = _for_staff(caller, command)
    if complaint is None:
        return
    if complaint.severity is None:
        caller.reply(_("Please set the severity first."))
        return
    resume(caller.uow, complaint)
    complaint.status, complaint.resolved_at, complaint.outcome = "resolved", caller.now, \
        command.text
    complaint.answered_at = complaint.answered_at or caller.now
    caller.session.add(complaint)
    met = meet(caller.uow, complaint, "response", "first_step", "answer", "resolve")
    record(caller.uow, complaint, "resolved", actor=caller.person, chat_id=caller.chat_id,
           outcome=command.text, met=met)
    start_clock(caller.uow, complaint, "verdict", "calendar",
                caller.uow.office.rules.complaints.verdict_hours * HOUR, complaint.level)
    buttons = [Button(_("👍 Accept"), tap(Verb.COMPLAINT_VERDICT, complaint.id, "accept"))]
    if complaint.reopen_count == 0:
        buttons.append(Button(_("↩ Not resolved: reopen"),
                              tap(Verb.COMPLAINT_VERDICT, complaint.id, "reopen")))
    tell_resident(caller.uow, complaint, lines(
        _("✅ Your complaint {number} has been resolved:", number=reference(complaint)),
        Raw(command.text),
        _("Is this all right for you?")), inline(buttons))
    refresh_cards(caller.uow, complaint)
    caller.reply(_("The resident has been told the result."))


# -- the resident's verdict and rating -------------------------------------------------------
def verdict(caller: Caller, complaint_id: int, choice: str) -> None:
    """Accept the result (then one rating question) or reopen it once, with a reason."""
    complaint = _for_resident(caller, complaint_id)
    if complaint is None:
        return
    if complaint.status != "resolved" or choice not in ("accept", "reopen") or (
            choice == "reopen" and complaint.reopen_count > 0):
        caller.refuse(OUT_OF_DATE)
        return
    if choice == "reopen":
        caller.start_dialog(answers.ask(caller.context(), conversations.new_nonce(),
                                        "complaint_reopen", complaint_id, complaint.number))
        return
    close(caller.uow, complaint, "accepted", actor_id=caller.person.id if caller.person
          else None, chat_id=caller.chat_id)
    caller.toast(_("Thank you!"))
    tell_resident(caller.uow, complaint, _(
        "Thank you. How satisfied are you with how we handled {number}? (1 = not at all, "
        "5 = very)", number=reference(complaint)), inline(
        [Button(Raw(str(n)), tap(Verb.COMPLAINT_RATE, complaint.id, n)) for n in RATINGS]))


def regrade(caller: Caller, command: AnswerText) -> None:
    """The reason for a re-grade came: change the severity, unless someone else already did
    or the complaint was resolved meanwhile."""
    complaint = _for_staff(caller, command)
    if complaint is None:
        return
    severity = command.purpose.removeprefix(answers.REGRADE)
    if complaint.severity is None or complaint.severity == severity:
        caller.reply(OUT_OF_DATE)
        return
    complaints.change_severity(caller, complaint, severity, command.text)


def close(uow: UnitOfWork, complaint: Complaint, how: str, actor_id: int | None = None,
          chat_id: int | None = None) -> None:
    """The complaint is over: accepted by the resident, or its answer window ran out."""
    complaint.status, complaint.closed_at = "closed", uow.now
    uow.session.add(complaint)
    meet(uow, complaint, "verdict")
    stop_all(uow, complaint)
    record(uow, complaint, "closed", actor=uow.session.get(Person, actor_id) if actor_id
           else None, chat_id=chat_id, how=how)
    refresh_cards(uow, complaint)


def reopen(caller: Caller, command: AnswerText) -> None:
    """The resident says it is not resolved: open again (once), with a fresh resolve clock."""
    complaint = _for_resident(caller, command.subject_id)
    if complaint is None:
        return
    if complaint.status != "resolved" or complaint.reopen_count > 0:
        caller.reply(OUT_OF_DATE)
        return
    office = caller.uow.office
    complaint.status, complaint.reopen_count = "open", complaint.reopen_count + 1
    complaint.resolved_at = None
    caller.session.add(complaint)
    meet(caller.uow, complaint, "verdict")
    start_clock(caller.uow, complaint, "resolve", "calendar",
                resolve_length(office, complaint, caller.now), complaint.level)
    record(caller.uow, complaint, "reopened", actor=caller.person, chat_id=caller.chat_id,
           reason=command.text, owner=LEVEL_KEYS[complaint.level])
    post_card(caller.uow, complaint, complaint.level, lines(
        _("↩ The resident reopened complaint {number}: not resolved.",
          number=reference(complaint)), Raw(command.text)))
    caller.reply(lines(
        _("We are sorry it is not resolved yet. {number} is open again.",
          number=reference(complaint)),
        _("We will resolve it by {due}.", due=running_due(caller.uow, complaint, "resolve")
          or Raw("-"))))


def rate(caller: Caller, complaint_id: int, rating: int) -> None:
    """One tap, once; a low score goes to the managers (admin/HR for the service centre)."""
    complaint = _for_resident(caller, complaint_id)
    if complaint is None:
        return
    if complaint.status != "closed" or complaint.rating is not None or rating not in RATINGS:
        caller.refuse(OUT_OF_DATE)
        return
    complaint.rating, complaint.rated_at = rating, caller.now
    caller.session.add(complaint)
    low = rating <= caller.uow.office.rules.dissatisfied_at_most
    record(caller.uow, complaint, "rated", actor=caller.person, chat_id=caller.chat_id,
           rating=rating, low=low)
    caller.toast(_("Thank you for your rating."))
    caller.reply(_("Thank you for rating {rating}/5.", rating=rating))
    if low:
        level = ADMIN if complaint.about_service_centre else max(SUPERVISOR, complaint.level)
        notify(caller.uow, complaint, level, _(
            "⚠ The resident rated the handling of complaint {number} {rating}/5. Please "
            "follow up.", number=reference(complaint), rating=rating))
        record(caller.uow, complaint, "low_rating_to_managers", level=LEVEL_KEYS[level])
    refresh_cards(caller.uow, complaint)


ANSWERS: Final = {
    "complaint_answer": send_answer,
    "complaint_ask": ask_resident,
    "complaint_resolve": resolve,
    "complaint_info": resident_answers,
    "complaint_reopen": reopen,
    **{answers.REGRADE + severity: regrade for severity in SEVERITIES},
}
