"""Make a complaint (投诉): what happened, (ongoing damage?), when, where, who or which
department, what the resident would like, by when, photos, confirm.

Diagram: ``complaint.mmd`` beside this file. The manual's record (001 第四篇 4(1)): the time,
the place, the person or department complained about, what happened, what the resident wants.
Only "what happened" is required; every other step can be skipped. The bot listens, thanks
and apologises; it never argues. Harm still happening (water coming in, an exit blocked) is
asked about at once: "Yes" opens an urgent work order before the complaint goes on
(001 第四篇 4(6)③).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Final

from dialogs.events import Button, Event, EventKind, InlineKeyboard, Say, inline
from dialogs.flow import (
    MAX_TEXT,
    button,
    cancel_button,
    refuse_input,
    stay,
    tapped,
    text_of,
)
from dialogs.model import (
    Conversation,
    DialogContext,
    Outcome,
    ReportOngoingDamage,
    SubmitComplaint,
)
from dialogs.triage import triage
from locales import Msg, Raw, Text, _, lines

FLOW: Final = "complaint"
MAX_PHOTOS: Final = 10
MAX_SHORT: Final = 200

OCCURRED: Final[dict[str, Msg]] = {
    "now": _("Just now"),
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "ongoing": _("It keeps happening"),
}
# The office's departments (被投诉部门). The customer-service centre is the desk itself: such
# a complaint goes to admin/HR instead (001 §2.2.8).
DEPARTMENTS: Final[dict[str, Msg]] = {
    "service_centre": _("Customer service (front desk)"),
    "maintenance": _("Maintenance"),
    "security": _("Security guards"),
    "cleaning": _("Cleaning"),
    "greenery": _("Greenery"),
    "parking": _("Parking"),
    "management": _("The management office"),
    "neighbour": _("A neighbour"),
}
WANTS: Final[dict[str, Msg]] = {
    "fix": _("Put it right"),
    "apology": _("An apology"),
    "explain": _("An explanation"),
    "compensation": _("Compensation"),
    "note": _("Just letting you know"),
}
DEADLINES: Final[dict[str, Msg]] = {
    "in0": _("Today"),
    "in1": _("Tomorrow"),
    "in3": _("Within 3 days"),
    "in7": _("Within a week"),
}
# Harm still happening: asked about at once. A false alarm costs one tap.
ONGOING_DAMAGE: Final = re.compile(
    r"漏水|渗水|滲水|进水|進水|灌水|淹了|水浸|一直滴|还在滴|還在滴|还在漏|還在漏|一直漏|"
    r"(消防通道|安全出口|出口|通道|楼梯).{0,6}(堵|占|锁|鎖|封)|(堵|占|锁|鎖|封).{0,6}(消防通道|安全出口|出口)|"
    r"停水|停电|停電|没水|沒水|没电|沒電|"
    r"\bleak|water (is |keeps )?(coming|pouring|dripping|seeping|getting)|flood|"
    r"(exit|stair\w*|corridor) (is |are )?(blocked|locked)|blocked (fire )?exit|no water|"
    r"no power|power (is )?(out|off)", re.IGNORECASE)
# Who stops it, and where: water comes into the home; a blocked exit is in a public area.
_DAMAGE_TRADES: Final = (
    (re.compile(r"天花|墙|牆|屋顶|屋頂|楼上|樓上|ceiling|wall|roof|upstairs", re.I), "civil",
     "unit"),
    (re.compile(r"水|leak|water|flood", re.I), "plumbing", "unit"),
    (re.compile(r"消防|出口|通道|楼梯|樓梯|exit|stair|corridor", re.I), "security", "public"),
    (re.compile(r"停电|停電|没电|沒電|power", re.I), "electrical", "unit"),
)
_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")


class Step(StrEnum):
    WHAT = "what"
    DAMAGE = "damage"
    WHEN = "when"
    WHERE = "where"
    WHO = "who"
    WANTS = "wants"
    DEADLINE = "deadline"
    PHOTOS = "photos"
    CONFIRM = "confirm"


def start(context: DialogContext, nonce: str) -> Outcome:
    """Open the dialog by asking what happened."""
    return ask(Conversation(FLOW, Step.WHAT, {"nonce": nonce, "photos": []}), context)


def after_damage(context: DialogContext, nonce: str, command: ReportOngoingDamage,
                 work_order_id: int) -> Outcome:
    """Go on with the complaint once the urgent order for the damage is open."""
    conversation = Conversation(FLOW, Step.WHEN, {
        "nonce": nonce, "photos": [], "what": command.text,
        "suggested": command.suggested_severity, "work_order": work_order_id})
    return ask(conversation, context)


def start_described(context: DialogContext, nonce: str, text: str,
                    severity: str | None = None) -> Outcome:
    """Open the dialog from a complaint already written in words: thank, then go on."""
    conversation = Conversation(FLOW, Step.WHAT, {"nonce": nonce, "photos": []})
    outcome = _take_what(conversation, context, text, severity)
    outcome.replies.insert(0, Say(context.chat_id, _(
        "We are sorry about this, and thank you for telling us. A few short questions so "
        "that the right person can put it right; tap Skip for any you would rather not "
        "answer.")))
    return outcome


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Take one message or tap and move the dialog on."""
    choice = tapped(conversation, event)
    if choice == "cancel":
        return Outcome(None, [Say(context.chat_id, _("Cancelled. Nothing was sent."))])
    return _STEPS[Step(conversation.step)](conversation, event, context, choice)


def ongoing_damage(text: str) -> tuple[str, str] | None:
    """The trade to send at once, and where (``unit`` or ``public``), when *text* reports
    harm still happening, else None."""
    if not ONGOING_DAMAGE.search(text):
        return None
    return next(((trade, where) for pattern, trade, where in _DAMAGE_TRADES
                 if pattern.search(text)), ("other", "unit"))


# -- prompts -------------------------------------------------------------------------------
def ask(conversation: Conversation, context: DialogContext) -> Outcome:
    """Send the question of the conversation's current step."""
    c, data = conversation, conversation.data
    cancel = [cancel_button(c)]
    skip = button(c, _("Skip"), "skip")
    match Step(c.step):
        case Step.WHAT:
            keyboard = inline(cancel)
            text: Text = _("We are sorry something went wrong. Please tell us what happened, in "
                           "your own words.")
        case Step.DAMAGE:
            keyboard = inline([button(c, _("🚨 Yes, send someone now"), "yes"),
                               button(c, _("No"), "no")], cancel)
            text = _("Is it still causing damage right now (for example water still coming "
                     "in, or an exit still blocked)?")
        case Step.WHEN:
            keyboard = _choices(c, OCCURRED, skip)
            text = _("When did it happen? Tap one, or type the date and time.")
        case Step.WHERE:
            homes = [button(c, _("🏠 At home ({unit})", unit=Raw(u.label)),
                            f"unit:{u.household_id}") for u in context.units]
            keyboard = inline(homes, [skip], cancel)
            text = _("Where did it happen? Tap your home, or type the place (for example: "
                     "the car park of building 3).")
        case Step.WHO:
            keyboard = _choices(c, DEPARTMENTS, skip)
            text = _("Who or which department is it about? Tap one, or type a name.")
        case Step.WANTS:
            keyboard = _choices(c, WANTS, skip)
            text = _("What would you like us to do? Tap one, or tell us in your words.")
        case Step.DEADLINE:
            keyboard = _choices(c, DEADLINES, button(c, _("No particular date"), "skip"))
            text = _("Do you need it resolved by a certain date? Tap one, or type a date "
                     "(for example 12-05).")
        case Step.PHOTOS:
            label = _("Done with photos") if data["photos"] else _("No photos")
            keyboard = inline([button(c, label, "photos_done")], cancel)
            text = _("Send photos if you have them (several are fine), then tap the button.")
        case Step.CONFIRM:
            keyboard = inline([button(c, _("📨 Submit"), "submit")], cancel)
            text = summary(c, context)
    return Outcome(c, [Say(context.chat_id, text, keyboard)])


def _choices(c: Conversation, table: dict[str, Msg], *last: Button) -> InlineKeyboard:
    options = [button(c, label, f"pick:{key}") for key, label in table.items()]
    rows = [options[i:i + 2] for i in range(0, len(options), 2)]
    return inline(*rows, list(last), [cancel_button(c)])


def shown(value: str, table: dict[str, Msg]) -> Text:
    """A stored answer as the reader sees it: "@key" is one of the buttons, else their words."""
    if value.startswith("@") and value[1:] in table:
        return table[value[1:]]
    return Raw(value or "-")


def summary(conversation: Conversation, context: DialogContext) -> Text:
    """The complaint as it will be sent."""
    data = conversation.data
    home = next((u.label for u in context.units if u.household_id == data.get("unit")), None)
    where: Text = _("At home ({unit})", unit=Raw(home)) if home else Raw(data.get("place")
                                                                          or "-")
    return lines(
        _("Please check your complaint:"),
        _("What happened: {text}", text=Raw(data["what"])),
        _("When: {when}", when=shown(data.get("occurred", ""), OCCURRED)),
        _("Where: {where}", where=where),
        _("About: {about}", about=shown(data.get("about", ""), DEPARTMENTS)),
        _("You would like: {wants}", wants=shown(data.get("wants", ""), WANTS)),
        _("Resolved by: {deadline}", deadline=deadline_text(data.get("deadline", ""))),
        _("Photos: {count}", count=len(data["photos"])),
        _("🚨 Urgent job opened for the damage") if data.get("work_order") else None,
    )


def deadline_text(value: str) -> Text:
    """The resident's date as they chose it."""
    if value in DEADLINES:
        return DEADLINES[value]
    if value[:2] in ("D:", "M:"):
        return Raw(value[2:])
    return _("No particular date")


def parse_date(text: str) -> str | None:
    """A typed date as "D:YYYY-MM-DD" or "M:MM-DD" (the next such day), or None."""
    found = _DATE.match(text.strip().replace(" ", ""))
    if found is None:
        return None
    year, month, day = found.groups()
    try:
        date(int(year) if year else 2000, int(month), int(day))  # 2000: a leap year
    except ValueError:
        return None
    if year:
        return f"D:{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return f"M:{int(month):02d}-{int(day):02d}"


# -- steps ---------------------------------------------------------------------------------
def _what(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    text = text_of(event)
    if text is None:
        return refuse_input(c, context, event, _("Please tell us in words what happened."))
    return _take_what(c, context, text, None)


def _take_what(c: Conversation, context: DialogContext, text: str,
               severity: str | None) -> Outcome:
    c.data["what"] = text[:MAX_TEXT]
    c.data["suggested"] = severity or triage(text).severity
    damage = ongoing_damage(text)
    if damage is not None:
        c.data["damage_trade"], c.data["damage_location"] = damage
        return _next(c, context, Step.DAMAGE)
    return _next(c, context, Step.WHEN)


def _damage(c: Conversation, event: Event, context: DialogContext,
            choice: str | None) -> Outcome:
    if choice == "yes":
        # The office opens the urgent order first, then goes on with the complaint
        # (after_damage), so the damage is being stopped while the resident answers.
        return Outcome(None, [], ReportOngoingDamage(
            c.data["what"], c.data["damage_trade"], c.data.get("suggested"),
            c.data.get("damage_location", "unit")))
    if choice == "no":
        return _next(c, context, Step.WHEN)
    return refuse_input(c, context, event, _("Please tap Yes or No above."))


def _short(c: Conversation, event: Event, context: DialogContext, choice: str | None,
           key: str, table: dict[str, Msg] | None, next_step: Step) -> Outcome:
    """A step answered by a button of *table*, Skip, or a few typed words."""
    if choice == "skip":
        return _next(c, context, next_step)
    if table is not None and choice and choice.startswith("pick:") and choice[5:] in table:
        c.data[key] = "@" + choice[5:]
        return _next(c, context, next_step)
    text = text_of(event)
    if text is None or len(text) > MAX_SHORT:
        return refuse_input(c, context, event, _("Please tap a button, or type a few words."))
    c.data[key] = text
    return _next(c, context, next_step)


def _when(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return _short(c, event, context, choice, "occurred", OCCURRED, Step.WHERE)


def _where(c: Conversation, event: Event, context: DialogContext,
           choice: str | None) -> Outcome:
    homes = {f"unit:{u.household_id}": u.household_id for u in context.units}
    if choice in homes:
        c.data["unit"] = homes[choice]
        return _next(c, context, Step.WHO)
    return _short(c, event, context, choice, "place", None, Step.WHO)


def _who(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return _short(c, event, context, choice, "about", DEPARTMENTS, Step.WANTS)


def _wants(c: Conversation, event: Event, context: DialogContext,
           choice: str | None) -> Outcome:
    return _short(c, event, context, choice, "wants", WANTS, Step.DEADLINE)


def _deadline(c: Conversation, event: Event, context: DialogContext,
              choice: str | None) -> Outcome:
    if choice == "skip":
        c.data["deadline"] = ""
        return _next(c, context, Step.PHOTOS)
    if choice and choice.startswith("pick:") and choice[5:] in DEADLINES:
        c.data["deadline"] = choice[5:]
        return _next(c, context, Step.PHOTOS)
    text = text_of(event)
    parsed = parse_date(text) if text else None
    if parsed is None:
        return refuse_input(c, context, event, _("Please tap a button, or type a date such "
                                                 "as 12-05."))
    c.data["deadline"] = parsed
    return _next(c, context, Step.PHOTOS)


def _photos(c: Conversation, event: Event, context: DialogContext,
            choice: str | None) -> Outcome:
    if choice == "photos_done":
        return _next(c, context, Step.CONFIRM)
    if event.kind is EventKind.PHOTO:
        photos: list[str] = c.data["photos"]
        room = MAX_PHOTOS - len(photos)
        photos.extend(event.photo_file_ids[:room])
        if room <= 0:
            return stay(c, context, _("That is enough photos ({limit}).", limit=MAX_PHOTOS))
        return ask(c, context)
    if text_of(event) is not None:
        c.data["what"] = f"{c.data['what']} {event.text.strip()}"[:MAX_TEXT]
        return stay(c, context, _("Added to the description."))
    return refuse_input(c, context, event, _("Send photos, or tap the button to go on."))


def _confirm(c: Conversation, event: Event, context: DialogContext,
             choice: str | None) -> Outcome:
    if choice != "submit":
        return refuse_input(c, context, event, _("Tap Submit to send the complaint, "
                                                 "or Cancel."))
    data = c.data
    about = data.get("about", "")
    department = about[1:] if about.startswith("@") else ""
    return Outcome(None, command=SubmitComplaint(
        what=data["what"], occurred=data.get("occurred", ""), household_id=data.get("unit"),
        place=data.get("place", ""), department=department,
        about="" if department else about, wants=data.get("wants", ""),
        deadline=data.get("deadline", ""), photos=tuple(data["photos"]),
        suggested_severity=data.get("suggested"), work_order_id=data.get("work_order")))


def _next(c: Conversation, context: DialogContext, next_step: Step) -> Outcome:
    c.step = next_step
    return ask(c, context)


_STEPS = {
    Step.WHAT: _what, Step.DAMAGE: _damage, Step.WHEN: _when, Step.WHERE: _where,
    Step.WHO: _who, Step.WANTS: _wants, Step.DEADLINE: _deadline, Step.PHOTOS: _photos,
    Step.CONFIRM: _confirm,
}
