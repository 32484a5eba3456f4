"""Callback surveys (回访) as the phones show them: the resident's 1–5 question, the dispatch
chat's cards (class notice, phone-callback task, corrective task) and their buttons.

Pure data: handlers decide what to send; this decides how it reads. Button data is only a
reference (``verb:<survey id>[:…]``, well under Telegram's 64 bytes) that handlers re-check.
See ``survey.mmd`` for the states.
"""

from __future__ import annotations

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


def phone_task(number: str, unit: str, name: str, phone: str, end: str, attempts: int,
               late_rating: int | None) -> Text:
    """The phone-callback task: the window closed without an answer in the bot."""
    return lines(
        _("📞 Callback needed for {number}: the survey was not answered by {end}.",
          number=Raw(number), end=Raw(end)),
        _("Unit {unit} · {name} · tel. {phone}", unit=Raw(unit or "-"), name=Raw(name or "-"),
          phone=Raw(phone or "-")),
        _("Answered late in the bot: {rating}/5.", rating=late_rating)
        if late_rating is not None else None,
        _("No answer so far: {count} call(s).", count=attempts) if attempts else None,
        _("Record the resident's satisfaction: ☎ after a call, 🏠 after a visit."))


def phone_keyboard(survey_id: int) -> InlineKeyboard:
    return inline(
        [Button(Raw(f"☎{r}"), tap(Verb.CALL_RESULT, survey_id, "phone", r)) for r in RATINGS],
        [Button(Raw(f"🏠{r}"), tap(Verb.CALL_RESULT, survey_id, "onsite", r)) for r in RATINGS],
        [Button(_("📵 No answer"), tap(Verb.CALL_RESULT, survey_id, "no_answer", 0))])


def callback_done(number: str, rating: int, via: str, by: str) -> Text:
    return _("✅ Callback for {number} recorded: {rating}/5 {via}, by {by}.",
             number=Raw(number), rating=rating, via=VIA_NAMES.get(via, Raw(via)), by=Raw(by))


def note_keyboard(survey_id: int) -> InlineKeyboard:
    return inline([Button(_("✍ Add a note"), tap(Verb.CALL_NOTE, survey_id))])


def corrective_task(number: str, rating: int, technician: str, via: str) -> Text:
    """Dissatisfied (≤ 2): the technician's supervisor and the dispatcher put it right."""
    return lines(
        _("⚠️ Corrective action needed: {number} was rated {rating}/5 {via}.",
          number=Raw(number), rating=rating, via=VIA_NAMES.get(via, Raw(via))),
        _("Technician: {name}", name=Raw(technician or "-")),
        _("Contact the resident, put it right, then tap Corrected."))


def corrective_keyboard(survey_id: int) -> InlineKeyboard:
    return inline([Button(_("✔ Corrected"), tap(Verb.CORRECTED, survey_id))])


def resident_comment(number: str, comment: str) -> Text:
    return _("💬 Comment on {number}: {comment}", number=Raw(number), comment=Raw(comment))
