"""Plain values the conversations work with: trades, catalog items, dialog state and outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from dialogs.events import Outgoing
from locales import Language, Msg, _

TRADES: Final = ("plumbing", "electrical", "gas", "hvac", "lift", "civil", "security",
                 "greenery", "cleaning", "other")

TRADE_NAMES: Final[dict[str, Msg]] = {
    "plumbing": _("Plumbing"),
    "electrical": _("Electrical"),
    "gas": _("Gas"),
    "hvac": _("Air-conditioning / heating"),
    "lift": _("Lift"),
    "civil": _("Doors, windows, walls"),
    "security": _("Access control / fire equipment"),
    "greenery": _("Greenery"),
    "cleaning": _("Cleaning"),
    "other": _("Other"),
}

ROLE_NAMES: Final[dict[str, Msg]] = {
    "technician": _("technician"),
    "dispatcher": _("dispatcher"),
    "manager": _("manager"),
    "admin": _("administrator"),
    "butler": _("butler"),
}

REQUEST_KINDS: Final[dict[str, Msg]] = {
    "complaint": _("complaint"),
    "enquiry": _("enquiry"),
    "fee": _("fee question"),
    "other": _("message"),
}

LOCATION_NAMES: Final[dict[str, Msg]] = {
    "unit": _("in your home"),
    "public": _("in a public area"),
}


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One paid service with its price (a fixed price has min == max)."""

    key: str
    trade: str
    names: dict[str, str]
    units: dict[str, str]
    price_min: Decimal | None
    price_max: Decimal | None
    checklist: tuple[str, ...] = ()

    @property
    def fixed_price(self) -> Decimal | None:
        return self.price_min if self.price_min == self.price_max else None


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit the resident is bound to, as the dialog shows it."""

    household_id: int
    label: str  # e.g. "3-1202"


@dataclass(frozen=True, slots=True)
class VisitHours:
    """When a technician may come, for checking a time the resident picks or types."""

    now: datetime  # office-local
    windows: Mapping[str, tuple[time, time]]  # slot → local opening and closing times
    point: timedelta  # a typed point time ("3pm") lasts this long
    last_call: timedelta  # a window of today is offered while at least this much is left
    # The days ahead (from today) the office visits, as its calendar has them; None: every day.
    open_days: frozenset[date] | None = None

    def is_open(self, day: date) -> bool:
        return self.open_days is None or day in self.open_days


@dataclass(frozen=True, slots=True)
class DialogContext:
    """What a conversation step may know besides the message itself."""

    chat_id: int
    language: Language
    units: tuple[Unit, ...] = ()
    roster_phone: str = ""
    catalog: tuple[CatalogItem, ...] = ()
    hotline: str = ""
    visits: VisitHours | None = None  # None: times are taken as typed, unchecked


@dataclass(slots=True)
class Conversation:
    """Where someone is in a flow; persisted between messages as (flow, step, data)."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SubmitRepair:
    """The resident confirmed a repair request."""

    description: str
    trade: str
    location: str
    household_id: int | None
    place: str
    photos: tuple[str, ...]
    preferred_time: str
    contact_phone: str
    service_key: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitService:
    """The resident confirmed a paid-service booking."""

    service_key: str
    household_id: int | None
    preferred_time: str
    contact_phone: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class RecordDemand:
    """The resident asked for something the catalog does not have (001 §2.2.7)."""

    request: str
    household_id: int | None


@dataclass(frozen=True, slots=True)
class ToFrontDesk:
    """A complaint, enquiry or fee question for a human, with the 24-hour promise."""

    kind: str
    text: str
    severity: str | None = None
    # The resident corrected triage's guess with one tap (e.g. "plumbing/unit" was a
    # complaint): recorded, as training data for the office.
    corrected_from: str = ""
    household_id: int | None = None  # the home it is about, when the resident chose one
    # The FAQ question whose "No, ask the desk" it comes from: linked to the request once filed.
    faq_question_id: int | None = None


@dataclass(frozen=True, slots=True)
class ReportEmergency:
    """An emergency: instructions go out first, then the order and the on-duty alert."""

    text: str
    hazard: str
    trade: str
    location: str
    photos: tuple[str, ...] = ()  # sent with the words (a caption): kept on the order


@dataclass(frozen=True, slots=True)
class AnswerText:
    """A short free-text answer a handler asked for (a reason, a time, a price, a note)."""

    purpose: str
    subject_id: int  # the work order (or survey, task …) the question is about
    text: str
    photos: tuple[str, ...] = ()
    canned: str = ""  # the key of the office's ready answer tapped instead of writing one


@dataclass(frozen=True, slots=True)
class ResumeWith:
    """Go on with what was paused (a dialog, or the free-text intake) using these words."""

    text: str
    check_danger: bool = False  # not yet checked for an emergency (forwarded words, now owned)
    photos: tuple[str, ...] = ()  # the photos the words captioned (forwarded, now owned; or
    # asked about for danger): kept with the report


@dataclass(frozen=True, slots=True)
class SubmitComplaint:
    """The resident confirmed a complaint (001 第四篇 4(1): when, where, who or which
    department, what happened, what they want)."""

    what: str
    occurred: str  # a key of dialogs.complaint.OCCURRED ("@today") or the resident's words
    household_id: int | None
    place: str
    department: str  # a key of dialogs.complaint.DEPARTMENTS, or "" when they typed a name
    about: str  # the person or department in their words
    wants: str  # a key of dialogs.complaint.WANTS ("@fix") or their words
    deadline: str  # "" | "inN": N days from today | "D:YYYY-MM-DD" | "M:MM-DD" (the next one)
    photos: tuple[str, ...] = ()
    suggested_severity: str | None = None
    work_order_id: int | None = None  # the urgent order opened for ongoing damage


@dataclass(frozen=True, slots=True)
class ReportOngoingDamage:
    """Harm still happening (water coming in, a blocked exit): an urgent work order at once,
    then the complaint goes on (001 第四篇 4(6)③)."""

    text: str
    trade: str
    suggested_severity: str | None = None  # triage's, kept for the complaint that follows
    location: str = "unit"  # "public": in the estate's common parts (a blocked exit)


@dataclass(frozen=True, slots=True)
class DraftAnnouncement:
    """A notice as its author composed it, before the audience is resolved."""

    text: str
    photos: tuple[str, ...]  # sent ahead of the words: one, or an album's
    audience: str  # a key of dialogs.announce.AUDIENCES
    buildings: tuple[str, ...] = ()
    trade: str = ""
    service: str = ""  # unmet demand: words of the request ("" = everyone who asked)
    utility: str = ""  # an outage's utility (dialogs.announce.UTILITIES), else ""
    starts: str = ""  # an outage's period, "YYYY-MM-DD HH:MM"
    ends: str = ""
    send_at: str = ""  # "" = as soon as it is approved
    urgent: bool = False


Command = (SubmitRepair | SubmitService | RecordDemand | ToFrontDesk | ReportEmergency
           | AnswerText | ResumeWith | SubmitComplaint | ReportOngoingDamage
           | DraftAnnouncement)


@dataclass(slots=True)
class Outcome:
    """What a conversation step decided: the next state (None = finished), replies, a command."""

    conversation: Conversation | None
    replies: list[Outgoing] = field(default_factory=list)
    command: Command | None = None
