"""The main menu, greetings, language choice and help — what people see between flows."""

from __future__ import annotations

from dialogs import commands
from dialogs.buttons import Verb, tap
from dialogs.events import Button, InlineKeyboard, KeyButton, ReplyKeyboard, inline
from locales import LANGUAGES, Language, Msg, Raw, Text, _, lines

LANGUAGE_NAMES: dict[Language, str] = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文",
                                       "en": "English"}


def main_menu(is_staff: bool = False) -> InlineKeyboard:
    """The resident's menu; staff also get their job list."""
    rows: list[list[Button]] = [
        [Button(_("🔧 Report a repair"), tap(Verb.MENU, "repair")),
         Button(_("🧹 Book a service"), tap(Verb.MENU, "service"))],
        [Button(_("📋 My requests"), tap(Verb.MENU, "my")),
         Button(_("💰 My fees"), tap(Verb.MENU, "fees"))],
        [Button(_("📣 Complain"), tap(Verb.MENU, "complain")),
         Button(_("🌐 Language"), tap(Verb.MENU, "lang"))],
        [Button(_("🚨 Emergency"), tap(Verb.MENU, "sos"))],
    ]
    if is_staff:
        rows.append([Button(_("🧰 My jobs"), tap(Verb.MENU, "jobs"))])
    return inline(*rows)


def menu_text(name: str) -> Text:
    return _("Hello {name}! How can we help? You can also just write what is wrong.",
             name=Raw(name))


# The emergency button is the fallback when words fail (or triage misses): one tap, no form.
EMERGENCY_BUTTONS: dict[str, Msg] = {
    "gas": _("🔥 Gas smell"),
    "fire": _("🚒 Fire or smoke"),
    "lift": _("🛗 Someone trapped in a lift"),
    "sparks": _("⚡ Sparks or burning smell"),
    "flood": _("💧 Burst pipe or flooding"),
}


def emergency_keyboard() -> InlineKeyboard:
    return inline(*[[Button(label, tap(Verb.EMERGENCY, hazard))] for hazard, label in
                    EMERGENCY_BUTTONS.items()])


def language_keyboard() -> InlineKeyboard:
    return inline(*[[Button(Raw(LANGUAGE_NAMES[lang]), tap(Verb.LANGUAGE, lang))]
                    for lang in LANGUAGES])


def share_contact_keyboard() -> ReplyKeyboard:
    return ReplyKeyboard(((KeyButton(_("📱 Share my phone number"), request_contact=True),),))


def welcome_unbound() -> Text:
    return lines(
        _("Welcome to the property service desk."),
        _("To link this chat to your home, send /start with the code from the office "
          "(for example: /start H-ABCD1234), or share your phone number with the button "
          "below if it is the one on the office roster."),
    )


def help_text(role: str) -> Text:
    """/help in a private chat: the commands of the person's role, from the menus' definition."""
    return lines(*[c.help for c in commands.for_person(role) if c.help is not None])


def group_help(purpose: str, ack_minutes: int) -> Text:
    """What a bound staff group is for and what its people do here (/help in the group)."""
    if purpose == "trade":
        return lines(
            _("This group is a job board: new jobs of its trades arrive here as cards."),
            _("Tap ✋ Accept to take one (first tap wins); the resident's name and phone come "
              "to you in your private chat with me, with the next steps as buttons."),
            _("In that private chat: /jobs lists your open jobs; /shift off while you are "
              "off shift, /shift on when you are back."))
    if purpose == "emergency":
        return lines(
            _("Emergency alerts arrive here with the resident's phone."),
            _("Tap ✋ I'm on it within {minutes} minutes: a technician of the job's trade takes "
              "the job and the resident hears who is coming; anyone else acknowledges it and "
              "arranges help. Nobody tapping repeats the alert and reaches the managers.",
              minutes=ack_minutes))
    return lines(
        _("Jobs nobody in a trade group can take arrive here at once with a button per "
          "technician (the number is the jobs each holds): one tap assigns."),
        _("Jobs nobody accepted in time come back here the same way; emergencies carry ✋ I'm "
          "on it when no on-duty group is bound."),
        _("Callback tasks, front-desk questions and complaints are answered from here with "
          "their buttons."),
        _("/find WO-…, /find 3-1202 or /find 138…: an order by number, unit or phone, with "
          "buttons to reassign it or cancel it with a reason; /history 3-1202: the unit's "
          "orders, complaints and callbacks; /complaints: the open complaints."),
        _("A visit nobody arrived for comes here with 📅 Reschedule; /reschedule WO-… moves "
          "a visit: the technician and the resident are told, the reminders move with it."))
