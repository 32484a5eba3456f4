"""Announcements as staff compose them and as recipients, authors and managers read them.

``/announce`` starts the conversation: the text (a photo with a caption is fine), the
audience, for an outage the utility and its period, then when to send. It ends with a
:class:`DraftAnnouncement`; the handler (``handlers/announcements``) resolves the audience
and posts the preview with Approve / Hold. Times are kept as typed wall-clock strings
(``YYYY-MM-DD HH:MM``, the office's time zone); the handler places them on the calendar.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Final

from dialogs import answers, complaint, danger_check, fees, forwarded, repair, service
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Event, EventKind, InlineKeyboard, Say, inline
from dialogs.flow import button, cancel_button, refuse_input, stay, tapped, text_of
from dialogs.model import (
    TRADE_NAMES,
    Conversation,
    DialogContext,
    DraftAnnouncement,
    Outcome,
)
from dialogs.triage import normalize
from locales import Msg, Raw, Text, _, lines

FLOW: Final = "announce"
AUDIENCES: Final[dict[str, Msg]] = {
    "estate": _("The whole estate"),
    "buildings": _("Chosen buildings"),
    "arrears": _("Households in arrears"),
    "unmet": _("Residents who asked for a service we lacked"),
    "staff": _("All staff"),
    "trade": _("One trade's technicians"),
}
UTILITIES: Final[dict[str, Msg]] = {  # the buttons
    "water": _("💧 Water"),
    "power": _("⚡ Power"),
    "gas": _("🔥 Gas"),
    "lift": _("🛗 Lift"),
}
UTILITY_WORDS: Final[dict[str, Msg]] = {  # in a sentence
    "water": _("water"),
    "power": _("power"),
    "gas": _("gas"),
    "lift": _("lift"),
}
# What residents write when a utility is off, in any script or English; matched on the text
# as triage normalises it (Traditional → Simplified, 冇 → 没有, English stems).
OUTAGE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "water": ("停水", "没水", "没有水", "断水", "无水", "水停了", "不来水", "没来水", "no water",
              "water is off", "water off", "water's off", "water cut", "no running water"),
    "power": ("停电", "没电", "没有电", "断电", "无电", "no power", "power cut", "power is out",
              "power out", "power outage", "power is off", "no electricity", "blackout"),
    "gas": ("停气", "没气", "没有气", "没煤气", "没有煤气", "没燃气", "没有燃气", "停燃气",
            "no gas", "gas is off", "gas off", "gas cut"),
    "lift": ("电梯停", "电梯不动", "电梯坏", "电梯用不了", "电梯不能用", "电梯停运", "电梯没反应",
             "lift not working", "lift is not working", "lift out of order", "lift broken",
             "lift stopped", "elevator not working", "elevator is not working", "no lift"),
}
# A resident asking when an outage begins or ends ("什么时候来水", "幾時有水", "when will the
# water be back?"): a when-word, and the utility named next to a word of it going or coming
# (in Chinese within a few characters, in English anywhere). Matched on the triage-normalised
# text, so Traditional, Cantonese and English inflections need no entries of their own.
ASK_WHEN: Final = ("什么时候", "几点", "几时", "何时", "多久", "多长时间", "哪天", "几号",
                   "when", "what time", "how long", "until", "till")
UTILITY_NAMES: Final[dict[str, str]] = {  # a regular expression each, on normalised text
    "water": r"(?:water|水)", "power": r"(?:power|electricity|电(?!梯))",
    "gas": r"(?:gas|煤气|燃气|(?<![天空生暖])气)", "lift": r"(?:lift|elevator|电梯)"}
GOING_OR_COMING: Final = ("停", "断", "来", "有", "恢复", "供", "通", "开始", "结束", "back",
                          "on", "off", "out", "restored", "return", "resume", "cut", "start",
                          "end", "finish", "stop")
# Things named with the utility's character that are not the utility (a repair, a bill).
NOT_THE_UTILITY: Final = ("热水器", "水管", "水龙头", "水费", "水表", "电费", "电表", "燃气费",
                          "煤气费", "燃气表", "煤气表", "水电费")
_NEAR: Final = 6  # characters between the utility and its verb: "水什么时候能来"
# A typed moment: "2026-12-03 09:00" (also with "/" or "T"; seconds ignored).
_MOMENT = r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T]+(\d{1,2}):(\d{2})"
MOMENT: Final = re.compile(_MOMENT)
# An outage's period: a moment, a dash, then a time of the same day or another moment.
PERIOD: Final = re.compile(_MOMENT + r"\s*(?:-|–|~|to|至|到)\s*(?:" + _MOMENT
                           + r"|(\d{1,2}):(\d{2}))")
BUILDING: Final = re.compile(r"[0-9A-Za-z]{1,8}")
ALBUM: Final = "notice_album"  # in the dialog's data: the album the notice's photos came in
BUILDINGS: Final = _("Which buildings? Write their numbers, e.g. 1, 3, 5.")


@cache
def _outage_phrases(utility: str) -> tuple[str, ...]:
    return tuple(normalize(phrase) for phrase in OUTAGE_WORDS[utility])


def about_outage(text: str, utility: str) -> bool:
    """Whether a resident's message says that *utility* is off ("停水了", "冇水", "no water")."""
    normalized = normalize(text)
    return any(phrase in normalized for phrase in _outage_phrases(utility))


@cache
def _asking(utility: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a when-word, the utility beside a Chinese verb, the utility and an English verb)."""
    def words(phrases: tuple[str, ...]) -> list[str]:
        return [re.escape(normalize(p).strip(" ?")) for p in phrases]

    chinese = "|".join(w for w in words(GOING_OR_COMING) if not w.isascii())
    english = "|".join(w for w in words(GOING_OR_COMING) if w.isascii())
    name, near = UTILITY_NAMES[utility], f".{{0,{_NEAR}}}"
    return (re.compile(r"(?<![a-z])(?:" + "|".join(words(ASK_WHEN)) + r")(?![a-z])"),
            re.compile(f"{name}{near}(?:{chinese})|(?:{chinese}){near}{name}"),
            re.compile(rf"\b{name}\b.*\b(?:{english})\b|\b(?:{english})\b.*\b{name}\b"))


def asks_when(text: str, utility: str) -> bool:
    """Whether a resident asks when *utility* goes off or comes back ("什么时候来水",
    "幾時有水", "how long will the water be off?")."""
    normalized = normalize(text)
    for other in NOT_THE_UTILITY:
        normalized = normalized.replace(normalize(other), " ")
    when, chinese, english = _asking(utility)
    return bool(when.search(normalized)
                and (chinese.search(normalized) or english.search(normalized)))


def moment_text(found: tuple[str, ...]) -> str | None:
    """"YYYY-MM-DD HH:MM" from the five captured parts, or None if it is no real moment."""
    year, month, day, hour, minute = (int(part) for part in found)
    if not (1 <= month <= 12 and 1 <= day <= 31 and 0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"


def parse_moment(text: str) -> str | None:
    """A typed moment as "YYYY-MM-DD HH:MM", or None."""
    found = MOMENT.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return moment_text(found.groups()) if found else None


def parse_period(text: str) -> tuple[str, str] | None:
    """"2026-12-03 09:00 - 17:00" (or with a second date) as (start, end), or None."""
    found = PERIOD.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        return None
    parts = found.groups()
    start = moment_text(parts[:5])
    if parts[5] is not None:
        end = moment_text(parts[5:10])
    else:
        end = moment_text((*parts[:3], parts[10], parts[11]))
    if start is None or end is None or end <= start:
        return None
    return start, end


def parse_buildings(text: str) -> tuple[str, ...] | None:
    """Building numbers as typed ("1, 3 5", "1栋 3栋"), in order, or None."""
    words = re.split(r"[\s,，、;；]+", unicodedata.normalize("NFKC", text).replace("栋", " ")
                     .replace("棟", " "))
    found = tuple(dict.fromkeys(w for w in words if w))
    if not found or not all(BUILDING.fullmatch(w) for w in found):
        return None
    return found


# -- the conversation ---------------------------------------------------------------------
def start(context: DialogContext, nonce: str) -> Outcome:
    """Ask for the notice's text."""
    conversation = Conversation(FLOW, "text", {"nonce": nonce})
    return Outcome(conversation, [Say(context.chat_id, _(
        "📢 New announcement. Send its text as residents should read it (a photo with a "
        "caption is fine)."), inline([cancel_button(conversation)]))])


def _ask(c: Conversation, context: DialogContext, step: str, question: Text,
         keyboard: InlineKeyboard | None = None) -> Outcome:
    c.step = step
    return Outcome(c, [Say(context.chat_id, question, keyboard or inline([cancel_button(c)]))])


def _choices(c: Conversation, names: dict[str, Msg], prefix: str) -> InlineKeyboard:
    return inline(*[[button(c, label, f"{prefix}:{key}")] for key, label in names.items()],
                  [cancel_button(c)])


def _audience_keyboard(c: Conversation) -> InlineKeyboard:
    rows = [[button(c, label, f"to:{key}")] for key, label in AUDIENCES.items()]
    rows.append([button(c, _("🚧 A planned outage (buildings)"), "to:outage")])
    return inline(*rows, [cancel_button(c)])


def _when(c: Conversation, context: DialogContext) -> Outcome:
    keyboard = inline([button(c, _("Send when approved (daytime)"), "when:now")],
                      [button(c, _("🚨 Urgent: day or night"), "when:urgent")],
                      [cancel_button(c)])
    return _ask(c, context, "when", _("When should it go out? Tap a button, or type a time "
                                      "like 2026-12-03 09:00."), keyboard)


def step(c: Conversation, event: Event, context: DialogContext) -> Outcome:
    """One answer of the author; bad input gets one polite answer and changes nothing."""
    choice = tapped(c, event)
    if choice == "cancel":
        return Outcome(None, [Say(context.chat_id, _("Cancelled. Nothing was sent."))])
    data = c.data
    if (event.kind is EventKind.PHOTO and event.photo_file_ids and data.get(ALBUM)
            and event.album == data[ALBUM] and not event.text.strip()):
        # The rest of the album whose first photo carried the notice: it goes out too, quietly.
        data["photos"] = [*data["photos"], event.photo_file_ids[-1]]
        return Outcome(c, [])
    if c.step == "text":
        if event.kind is EventKind.PHOTO and event.photo_file_ids:
            if not event.text.strip():
                return stay(c, context, _("Please send the photo again with the text as its "
                                          "caption, or send the text alone."))
            data["photos"], data["text"] = [event.photo_file_ids[-1]], event.text.strip()
            data[ALBUM] = event.album
        elif (text := text_of(event)) is not None:
            data["text"] = text
        else:
            return refuse_input(c, context, event, _("Please send the notice's text."))
        return _ask(c, context, "audience", _("Who should receive it?"), _audience_keyboard(c))
    if c.step == "audience":
        key = (choice or "").removeprefix("to:")
        if key == "outage":
            data["audience"] = "buildings"
            return _ask(c, context, "utility", _("What will be off?"),
                        _choices(c, UTILITIES, "utility"))
        if key not in AUDIENCES:
            return refuse_input(c, context, event, _("Please pick one of the buttons above."))
        data["audience"] = key
        if key == "buildings":
            return _ask(c, context, "buildings", BUILDINGS)
        if key == "trade":
            return _ask(c, context, "trade", _("Which trade?"), _choices(c, TRADE_NAMES,
                                                                         "trade"))
        if key == "unmet":
            return _ask(c, context, "service", _(
                "Which service is available now? Write a word of what they asked for "
                "(e.g. 保洁), or tap Everyone."), inline(
                [button(c, _("Everyone who asked"), "service:all")], [cancel_button(c)]))
        return _when(c, context)
    if c.step in ("utility", "trade"):
        key = (choice or "").removeprefix(c.step + ":")
        if key not in (UTILITIES if c.step == "utility" else TRADE_NAMES):
            return refuse_input(c, context, event, _("Please pick one of the buttons above."))
        data[c.step] = key
        if c.step == "utility":
            return _ask(c, context, "buildings", BUILDINGS)
        return _when(c, context)
    if c.step == "buildings":
        text = text_of(event)
        buildings = parse_buildings(text) if text else None
        if buildings is None:
            return refuse_input(c, context, event, _("Please write building numbers, e.g. "
                                                     "1, 3, 5."))
        data["buildings"] = list(buildings)
        if data.get("utility"):
            return _ask(c, context, "period", _("From when to when? e.g. 2026-12-03 09:00 - "
                                                "17:00"))
        return _when(c, context)
    if c.step == "period":
        text = text_of(event)
        period = parse_period(text) if text else None
        if period is None:
            return refuse_input(c, context, event, _(
                "Please write the period like 2026-12-03 09:00 - 17:00 (the end after the "
                "start)."))
        data["starts"], data["ends"] = period
        return _when(c, context)
    if c.step == "service":
        if choice == "service:all":
            data["service"] = ""
        elif (text := text_of(event)) is not None and len(text) <= 100:
            data["service"] = text
        else:
            return refuse_input(c, context, event, _("Please write a word, or tap Everyone."))
        return _when(c, context)
    # when
    send_at, urgent = "", choice == "when:urgent"
    if choice not in ("when:now", "when:urgent"):
        text = text_of(event)
        moment = parse_moment(text) if text else None
        if moment is None:
            return refuse_input(c, context, event, _("Please tap a button or type a time like "
                                                     "2026-12-03 09:00."))
        send_at = moment
    return Outcome(None, command=DraftAnnouncement(
        text=data["text"], photos=tuple(data.get("photos", ())), audience=data["audience"],
        buildings=tuple(data.get("buildings", ())), trade=data.get("trade", ""),
        service=data.get("service", ""), utility=data.get("utility", ""),
        starts=data.get("starts", ""), ends=data.get("ends", ""), send_at=send_at,
        urgent=urgent))


# -- what people read ---------------------------------------------------------------------
STATUS_LINES: Final[dict[str, Msg]] = {
    "prepared": _("Waiting for approval."),
    "approved": _("Approved by {who}: it is going out."),
    "held": _("Held by {who}: nothing goes out until it is approved."),
    "done": _("Sent."),
    "recalled": _("Recalled."),
}


@dataclass(frozen=True, slots=True)
class PreviewView:
    """What the preview shows: the notice, its audience, how many get it, in which language."""

    announcement_id: int
    audience: Text
    when: Text
    recipients: int
    by_language: tuple[tuple[str, int], ...]  # (language name, recipients)
    samples: tuple[tuple[str, str], ...]  # (language name, the notice as they read it)
    status: str
    decided_by: str = ""


def preview_text(view: PreviewView) -> Text:
    """The preview a manager approves: audience, count per language, a sample in each."""
    languages = ", ".join(f"{name} {n}" for name, n in view.by_language) or "-"
    samples = "\n\n".join(f"— {name} —\n{text}" for name, text in view.samples)
    status = Msg(STATUS_LINES[view.status].msgid, {"who": Raw(view.decided_by or "-")})
    return _("📢 Announcement #{number} — preview\nTo: {audience}\nWhen: {when}\n"
             "Recipients: {count} ({languages})\n\n{samples}\n\n{status}",
             number=view.announcement_id, audience=view.audience, when=view.when,
             count=view.recipients, languages=Raw(languages), samples=Raw(samples),
             status=status)


def preview_keyboard(announcement_id: int, status: str, *, private: bool) -> InlineKeyboard:
    """Approve / Hold while it may be decided; the delivery report and a recall after."""
    def choice(label: Msg, word: str) -> Button:
        if private:
            return Button(label, tap(Verb.ANNOUNCE_STAFF, announcement_id, word))
        return Button(label, tap(Verb.ANNOUNCE, announcement_id, word))

    buttons: list[Button] = []
    if status in ("prepared", "held"):
        buttons.append(choice(_("✅ Approve"), "approve"))
    if status in ("prepared", "approved"):
        buttons.append(choice(_("⏸ Hold"), "hold"))
    rows = [buttons]
    if status in ("approved", "done"):
        rows.append([choice(_("📊 Delivery report"), "report"),
                     choice(_("↩️ Recall"), "recall")])
    return inline(*rows)


def outage_text(utility: str, buildings: str, starts: str, ends: str, text: str) -> Text:
    """The answer a resident of an outage's building gets when they report it."""
    return _("🚧 This is a planned {utility} outage in building {buildings}, {starts} – {ends}. "
             "No repair is needed; it comes back by itself.\n\n{notice}",
             utility=UTILITY_WORDS[utility], buildings=Raw(buildings), starts=Raw(starts),
             ends=Raw(ends), notice=Raw(text))


def outage_keyboard(report_id: int) -> InlineKeyboard:
    return inline([Button(_("It's not the outage, report it anyway"),
                          tap(Verb.OUTAGE_REPORT, report_id))])


def notice_text(text: str) -> Text:
    """An announcement as its recipients read it."""
    return _("📢 Notice from the property office\n\n{text}", text=Raw(text))


def outage_notice_text(utility: str, buildings: str, starts: str, ends: str,
                       text: str) -> Text:
    """A planned outage as the residents of its buildings read it."""
    return _("🚧 Planned {utility} outage, building {buildings}: {starts} – {ends}\n\n{text}",
             utility=UTILITY_WORDS[utility], buildings=Raw(buildings), starts=Raw(starts),
             ends=Raw(ends), text=Raw(text))


def late_outage_text(goes: str, starts: str) -> Text:
    """The preview of an outage whose notice, kept to daytime hours, would reach residents
    only after the outage has started (approved at night for the early morning)."""
    return _("⚠️ In daytime hours it goes out at {moment}, after the outage starts ({starts}). "
             "To tell residents before, prepare it again as urgent.",
             moment=Raw(goes), starts=Raw(starts))


def unreachable_text(homes: int) -> Text:
    """The preview and the delivery report: homes of the audience the bot cannot reach (they
    blocked it), left out of its recipients; their phone is the desk's."""
    return _("📵 Homes in this audience the bot cannot reach (they blocked it): {count}. "
             "Please phone them.", count=homes)


def phone_outage_text(utility: str, buildings: str, starts: str, ends: str,
                      homes: str) -> Text:
    """Dispatch, once an outage is approved: the homes its notice cannot reach, to phone."""
    return _("📵 Planned {utility} outage, building {buildings}: {starts} – {ends}. These homes "
             "blocked the bot and do not get the notice; please phone them:\n{homes}",
             utility=UTILITY_WORDS[utility], buildings=Raw(buildings), starts=Raw(starts),
             ends=Raw(ends), homes=Raw(homes))


def audience_text(audience: str, buildings: str, trade: str, service: str) -> Text:
    """The audience as the preview names it."""
    if audience == "buildings":
        return _("Buildings {buildings}", buildings=Raw(buildings))
    if audience == "trade":
        return _("Technicians: {trade}", trade=TRADE_NAMES.get(trade, Raw(trade)))
    if audience == "unmet" and service:
        return _("Residents who asked for “{service}”", service=Raw(service))
    return AUDIENCES[audience]


def report_text(number: int, total: int, sent: int, blocked: int, failed: int, queued: int,
                recalled: int) -> Text:
    """The delivery report the author gets (on request, and once when it is finished)."""
    return _("📊 Announcement #{number}, {total} recipients: {sent} sent, {blocked} blocked "
             "the bot (403), {failed} failed, {queued} still queued, {recalled} recalled "
             "before sending.", number=number, total=total, sent=sent, blocked=blocked,
             failed=failed, queued=queued, recalled=recalled)


def recalled_text(number: int, deleted: int, corrected: int, stopped: int,
                  checking: int, told: bool = False) -> Text:
    """What a recall did, for the person who recalled it. Of the copies stopped, *checking*
    were taken back from the outbox: the sender may have had one in hand, which arrives all
    the same (then it is deleted a few minutes later), and nobody can tell yet which. *told*:
    the recall had a correction text, so *corrected* counts every resident it went to."""
    if told:
        done = _("↩️ Announcement #{number} recalled: {deleted} messages deleted, {corrected} "
                 "residents got the correction, {stopped} stopped before sending.",
                 number=number, deleted=deleted, corrected=corrected, stopped=stopped)
    else:
        done = _("↩️ Announcement #{number} recalled: {deleted} messages deleted, {corrected} "
                 "too old to delete got a correction, {stopped} stopped before sending.",
                 number=number, deleted=deleted, corrected=corrected, stopped=stopped)
    if not checking:
        return done
    return lines(done, _("{checking} of them were waiting to go out and may have gone that "
                         "very moment: any that did is deleted within minutes, or corrected.",
                         checking=checking))


def _unfinished() -> dict[str, Text]:
    return {FLOW: _("an announcement"), repair.FLOW: _("a repair report"),
            service.FLOW: _("a service booking"), complaint.FLOW: _("a complaint"),
            fees.FLOW: _("a fee question"), answers.FLOW: _("an answer to a resident"),
            forwarded.FLOW: _("a forwarded message"),
            danger_check.FLOW: _("a safety question")}


def busy_text(flow: str) -> Text:
    """``/announce`` in the managers' chat while the person has a dialog open in private:
    it would be lost, so they are asked to finish or cancel it first."""
    return _("You are in the middle of {what} in our private chat. Finish it there, or send "
             "/cancel there to stop it, then /announce again.",
             what=_unfinished().get(flow, _("a conversation")))


def expired_text(expired: int) -> Text:
    """The delivery report adds the copies of an outage that was over before their turn came
    (approved late, or waiting for the morning): they were not sent."""
    return _("{expired} not sent: the outage was over before their turn came.",
             expired=expired)


def recall_report_text(deleted: int, corrected: int, deleting: int,
                       told: bool = False) -> Text:
    """After a recall, the delivery report adds what became of the copies already sent
    (*told*: the recall had a correction text, and every one of them got it)."""
    if told:
        return _("Recalled: {deleted} deleted, {deleting} deletes not confirmed yet; {told} "
                 "residents got the correction.", deleted=deleted, deleting=deleting,
                 told=deleted + corrected + deleting)
    return _("Recalled: {deleted} deleted, {corrected} got a correction instead, {deleting} "
             "deletes not confirmed yet.", deleted=deleted, corrected=corrected,
             deleting=deleting)


def correction_text(sent_on: str, text: str) -> Text:
    """What a recipient of a recalled notice gets when Telegram no longer lets us delete it
    (too old, or the delete was refused) — and, with a correction *text*, after its delete."""
    if text:
        return _("⚠️ Correction to the property office's notice of {date}:\n\n{text}",
                 date=Raw(sent_on), text=Raw(text))
    return _("⚠️ Please disregard the property office's notice of {date}: it was sent in "
             "error.", date=Raw(sent_on))
