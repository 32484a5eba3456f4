"""Callback surveys (回访) as the phones show them: the resident's 1–5 question, the dispatch
chat's cards (class notice, phone-callback task, corrective task) and their buttons.

Pure data: handlers decide what to send; this decides how it reads. Button data is only a
reference (``verb:<survey id>[:…]``, well under Telegram's 64 bytes) that handlers re-check.
See ``survey.mmd`` for the states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dialogs.buttons import Verb, tap
from dialogs.events import Button, InlineKeyboard, inline
from locales import Msg, Raw, Text, _, lines

RATINGS: Final = (1, 2, 3, 4, 5)
FACES: Final = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}

CLASS_NAMES: Final[dict[str, Msg]] = {
    "safety": _("safety facility (2 days)"),
    "leak": _("leak (3 days after the leak test)"),
    "other": _("other repair (2 days)"),
}
VIA_NAMES: Final[dict[str, Msg]] = {
    "bot": _("in the bot"),
    "phone": _("by phone"),
    "onsite": _("on site"),
}


# -- the resident ------------------------------------------------------------------------
def question(number: str, what: Text) -> Text:
    return lines(
        _("📋 Callback for {number} ({what}).", number=Raw(number), what=what),
        _("How satisfied are you with the repair? Tap 1 (very dissatisfied) to "
          "5 (very satisfied)."))


def rating_keyboard(survey_id: int) -> InlineKeyboard:
    return inline([Button(Raw(f"{r} {FACES[r]}"), tap(Verb.RATE, survey_id, r)) for r in RATINGS])


def thanks(number: str, rating: int, dissatisfied: bool) -> Text:
    """The answer to a resident's rating; a dissatisfied one is told a supervisor follows up."""
    if dissatisfied:
        return _("We are sorry {number} did not go well ({rating}/5). A supervisor will "
                 "follow up with you.", number=Raw(number), rating=rating)
    return _("Thank you for rating {number}: {rating}/5.", number=Raw(number), rating=rating)


def late_thanks(number: str, rating: int) -> Text:
    return _("Thank you, your rating for {number} ({rating}/5) is noted. The callback period "
             "has ended, so a colleague may still phone you.", number=Raw(number),
             rating=rating)


ALREADY: Final = _("Your answer was already recorded. Thank you!")
COMMENT_THANKS: Final = _("Thank you, your comment has been passed on.")
SKIPPED: Final = _("Thank you!")


def skip_keyboard(survey_id: int) -> InlineKeyboard:
    return inline([Button(_("Skip"), tap(Verb.SKIP_COMMENT, survey_id))])


# -- the dispatch chat -------------------------------------------------------------------
def class_notice(number: str, klass: str, push: str, end: str) -> Text:
    """Posted when an order is confirmed, so staff can correct the callback class in time."""
    return lines(
        _("📋 {number} is confirmed. Callback: {klass}.", number=Raw(number),
          klass=CLASS_NAMES[klass]),
        _("Survey at {push}, window until {end}.", push=Raw(push), end=Raw(end)) if push
        else _("No daytime left in the window (until {end}): phone callback.", end=Raw(end)))


def class_keyboard(survey_id: int, current: str) -> InlineKeyboard:
    labels = {"safety": _("🛡 Safety"), "leak": _("💧 Leak"), "other": _("🔧 Other")}
    return inline([Button(label, tap(Verb.CALLBACK_CLASS, survey_id, klass))
                   for klass, label in labels.items() if klass != current])


@dataclass(frozen=True, slots=True)
class Contact:
    """Where and whom to call: the unit (or public place), the resident's name and phone."""

    unit: str
    name: str
    phone: str


def contact_line(contact: Contact) -> Text:
    return _("Unit {unit} · {name} · tel. {phone}", unit=Raw(contact.unit or "-"),
             name=Raw(contact.name or "-"), phone=Raw(contact.phone or "-"))


# Why a callback went to a person — the first line of the phone task says which, so nobody is
# asked to phone about "not answering" a survey the resident never had.
PHONE_REASONS: Final = ("unanswered", "undelivered", "no_daytime", "unreachable")


def _phone_reason(number: str, reason: str, sent: str, end: str) -> Text:
    if reason == "undelivered":
        return _("📞 Callback needed for {number}: the survey never reached the resident's chat "
                 "(it could not be delivered), so they have not seen it.", number=Raw(number))
    if reason == "no_daytime":
        return _("📞 Callback needed for {number}: the survey was never sent — no daytime hours "
                 "were left before its window closed ({end}).", number=Raw(number),
                 end=Raw(end))
    if reason == "unreachable":
        return _("📞 Callback needed for {number}: the survey was never sent — the resident "
                 "cannot be reached in the bot.", number=Raw(number))
    return _("📞 Callback needed for {number}: the survey was sent at {sent} and not answered "
             "by {end}.", number=Raw(number), sent=Raw(sent), end=Raw(end))


def phone_task(number: str, contact: Contact, reason: str, sent: str, end: str, attempts: int,
               late_rating: int | None) -> Text:
    """The phone-callback task, saying truly why the callback needs a person (*reason*)."""
    return lines(
        _phone_reason(number, reason, sent, end),
        contact_line(contact),
        _("Answered late in the bot: {rating}/5.", rating=late_rating)
        if late_rating is not None else None,
        _("No answer so far: {count} call(s).", count=attempts) if attempts else None,
        _("Record the resident's satisfaction: ☎ after a call, 🏠 after a visit."))


def phone_keyboard(survey_id: int, give_up: bool = False) -> InlineKeyboard:
    """The task's buttons; *give_up*: the office's unanswered calls are made, so the task may
    be closed as could not reach. A wrong number closes it at any time."""
    return inline(
        [Button(Raw(f"☎{r}"), tap(Verb.CALL_RESULT, survey_id, "phone", r)) for r in RATINGS],
        [Button(Raw(f"🏠{r}"), tap(Verb.CALL_RESULT, survey_id, "onsite", r)) for r in RATINGS],
        [Button(_("📵 No answer"), tap(Verb.CALL_RESULT, survey_id, "no_answer", 0)),
         Button(_("❌ Wrong number"), tap(Verb.CALL_RESULT, survey_id, "wrong_number", 0))],
        *([[Button(_("🚫 Could not reach"), tap(Verb.CALL_RESULT, survey_id, "unreachable", 0))]]
          if give_up else []))


def phone_closed(number: str, contact: Contact, outcome: str, attempts: int, by: str) -> Text:
    """Every copy of a phone task closed without a rating (*outcome*: unreachable,
    wrong_number, reworked): why, and by whom."""
    if outcome == "reworked":
        head = _("🔁 Callback for {number} closed: the resident says the fault persists, so the "
                 "order is reopened as rework. Its own callback follows the rework.",
                 number=Raw(number))
    elif outcome == "wrong_number":
        head = _("❌ Callback for {number} closed: wrong number, by {by}.", number=Raw(number),
                 by=Raw(by))
    else:
        head = _("🚫 Callback for {number} closed: the resident could not be reached after "
                 "{count} unanswered call(s), by {by}.", number=Raw(number), count=attempts,
                 by=Raw(by))
    return lines(head, contact_line(contact))


def give_up_too_soon(count: int) -> Text:
    return _("Only after {count} unanswered call(s): tap “No answer” after each call.",
             count=count)


def callback_done(number: str, rating: int, via: str, by: str,
                  bot_rating: int | None = None) -> Text:
    return lines(
        _("✅ Callback for {number} recorded: {rating}/5 {via}, by {by}.",
          number=Raw(number), rating=rating, via=VIA_NAMES.get(via, Raw(via)), by=Raw(by)),
        _("Kept as well: the resident had answered {rating}/5 late in the bot.",
          rating=bot_rating) if bot_rating is not None else None)


def note_keyboard(survey_id: int) -> InlineKeyboard:
    return inline([Button(_("✍ Add a note"), tap(Verb.CALL_NOTE, survey_id))])


@dataclass(frozen=True, slots=True)
class Corrective:
    """What a corrective task shows: the low rating, whom to contact, the original order."""

    number: str
    rating: int
    via: str
    contact: Contact
    what: Text  # the trade, or the paid service
    reported: str  # the resident's description
    done: str  # the technician's note of what was done
    technician: str


def _corrective_facts(case: Corrective) -> Text:
    return lines(
        _("⚠️ Corrective action needed: {number} was rated {rating}/5 {via}.",
          number=Raw(case.number), rating=case.rating, via=VIA_NAMES.get(case.via, Raw(case.via))),
        contact_line(case.contact),
        _("Order {number} · {what} · technician: {name}", number=Raw(case.number),
          what=case.what, name=Raw(case.technician or "-")),
        _("Reported: {text}", text=Raw(case.reported)) if case.reported else None,
        _("Done: {text}", text=Raw(case.done)) if case.done else None)


def corrective_task(case: Corrective) -> Text:
    """Dissatisfied (≤ 2): the technician's supervisor and the dispatcher put it right."""
    return lines(_corrective_facts(case),
                 _("Contact the resident and put it right, then tap “Write the outcome” and "
                   "write what was done: the task closes with your note."))


def corrective_closed(case: Corrective, by: str, time: str, note: str) -> Text:
    """Every copy of a closed corrective task: who closed it, when, and their note."""
    return lines(_corrective_facts(case),
                 _("✔ Closed by {name} at {time}: {note}", name=Raw(by), time=Raw(time),
                   note=Raw(note)))


def corrective_keyboard(survey_id: int) -> InlineKeyboard:
    return inline([Button(_("✍ Write the outcome"), tap(Verb.CORRECTED, survey_id))])


def resident_comment(number: str, comment: str, reopened: bool = False) -> Text:
    """The resident's callback comment, for the corrective task's chats."""
    return lines(_("💬 Comment on {number}: {comment}", number=Raw(number), comment=Raw(comment)),
                 _("🔁 The fault persists: {number} is reopened as rework, back to the same "
                   "technician.", number=Raw(number)) if reopened else None)
