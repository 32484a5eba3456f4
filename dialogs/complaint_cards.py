"""How a complaint looks on the staff side: its card, its clocks, the buttons under it.

Pure rendering from a :class:`ComplaintView` the handler builds; the buttons are references
that the handler re-checks (who may act on this complaint now).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dialogs.buttons import Verb, tap
from dialogs.complaint import DEPARTMENTS, OCCURRED, WANTS, shown
from dialogs.events import Button, InlineKeyboard, inline
from locales import Msg, Raw, Text, _, lines

SEVERITIES: Final = ("major", "important", "minor")
SEVERITY_NAMES: Final[dict[str, Msg]] = {
    "major": _("major"),
    "important": _("important"),
    "minor": _("minor"),
}
CLOCK_NAMES: Final[dict[str, Msg]] = {
    "response": _("a reply to the resident"),
    "first_step": _("taken over by its owner"),
    "answer": _("a clear answer to the resident"),
    "resolve": _("resolved"),
    "verdict": _("the resident accepts or reopens"),
}
STATUS_NAMES: Final[dict[str, Msg]] = {
    "new": _("new: severity not set"),
    "open": _("being handled"),
    "paused": _("waiting for the resident"),
    "resolved": _("resolved: waiting for the resident's answer"),
    "closed": _("closed"),
}


@dataclass(frozen=True, slots=True)
class ClockLine:
    kind: str
    state: str  # running | paused | met | missed | stopped
    due: str  # the office's wall-clock time, "" when not running


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """What a staff card shows about one complaint."""

    id: int
    number: str
    status: str
    severity: str | None
    suggested: str | None
    about_service_centre: bool
    owner: Text  # the level, and who took it
    resident: str  # name and unit
    what: str
    occurred: str
    place: str
    about: str  # a department key as "@key", or the resident's words
    wants: str
    deadline: str  # the office's date, or ""
    photos: int
    work_order: str | None
    clocks: tuple[ClockLine, ...]
    outcome: str = ""
    reopened: bool = False
    rating: int | None = None


def card(view: ComplaintView) -> Text:
    """The complaint as the desk, the supervisor, the director or admin/HR sees it."""
    severity: Text = (SEVERITY_NAMES[view.severity] if view.severity else
                      _("not set (suggested: {suggested})",
                        suggested=SEVERITY_NAMES.get(view.suggested or "", Raw("-"))))
    return lines(
        _("📣 Complaint {number} — {status}", number=Raw(view.number),
          status=STATUS_NAMES.get(view.status, Raw(view.status))),
        _("🔒 About the service centre: for admin/HR only.") if view.about_service_centre
        else None,
        _("Severity: {severity}", severity=severity),
        _("From: {resident}", resident=Raw(view.resident or "-")),
        _("What happened: {text}", text=Raw(view.what)),
        _("When: {when}", when=shown(view.occurred, OCCURRED)),
        _("Where: {where}", where=Raw(view.place or "-")),
        _("About: {about}", about=shown(view.about, DEPARTMENTS)),
        _("The resident would like: {wants}", wants=shown(view.wants, WANTS)),
        _("The resident's date: {date}", date=Raw(view.deadline)) if view.deadline else None,
        _("Photos: {count}", count=view.photos) if view.photos else None,
        _("🚨 Urgent job for the damage: {number}", number=Raw(view.work_order))
        if view.work_order else None,
        _("Owner: {owner}", owner=view.owner),
        *[clock_line(c) for c in view.clocks],
        _("Outcome: {outcome}", outcome=Raw(view.outcome)) if view.outcome else None,
        _("Reopened once by the resident.") if view.reopened else None,
        _("Resident's rating: {rating}/5", rating=view.rating) if view.rating else None,
    )


def clock_line(clock: ClockLine) -> Text:
    name = CLOCK_NAMES.get(clock.kind, Raw(clock.kind))
    if clock.state == "running":
        return _("⏱ {duty}: due {due}", duty=name, due=Raw(clock.due))
    if clock.state == "paused":
        return _("⏸ {duty}: paused while we wait for the resident", duty=name)
    if clock.state == "met":
        return _("✅ {duty}: done in time", duty=name)
    if clock.state == "missed":
        return _("⏰ {duty}: deadline missed, passed up", duty=name)
    return _("— {duty}: no longer needed", duty=name)


def keyboard(view: ComplaintView, private: bool, can_take: bool) -> InlineKeyboard:
    """The buttons for what can be done now: severity first, then take / answer / ask /
    resolve. *private*: the buttons are for a person's own chat, not a staff group."""
    if view.status in ("resolved", "closed"):
        return inline()
    actions: list[tuple[Text, str]]
    if view.severity is None:
        actions = [(_("★ {severity}", severity=SEVERITY_NAMES[s]) if s == view.suggested
                    else SEVERITY_NAMES[s], f"sev_{s}") for s in SEVERITIES]
    else:
        actions = [(_("🙋 I'll take it"), "take")] if can_take else []
        actions.append((_("✍ Answer the resident"), "answer"))
        if view.status != "paused":
            actions.append((_("❓ Ask the resident"), "ask"))
        actions.append((_("✅ Resolved: tell the resident"), "resolve"))
        actions.append((_("⇅ Change the severity"), "regrade"))
    buttons = [staff_button(label, view.id, action, private) for label, action in actions]
    if view.severity is None:
        return inline(buttons)  # the three severities side by side
    return inline(*[[b] for b in buttons])


def staff_button(label: Text, complaint_id: int, action: str, private: bool) -> Button:
    """A staff action on a complaint: in a person's own chat, or in a staff group."""
    if private:
        return Button(label, tap(Verb.COMPLAINT_STAFF, complaint_id, action))
    return Button(label, tap(Verb.COMPLAINT_DESK, complaint_id, action))


def regrade_choices(complaint_id: int, number: str, severity: str,
                    private: bool) -> tuple[Text, InlineKeyboard]:
    """The question of a re-grade: the severity now, and the other two to choose from."""
    return (_("Change the severity of {number} (now {severity}) to:", number=Raw(number),
              severity=SEVERITY_NAMES[severity]),
            inline([staff_button(SEVERITY_NAMES[s], complaint_id, f"to_{s}", private)
                    for s in SEVERITIES if s != severity]))


def list_line(view: ComplaintView) -> Text:
    """One line of the desk's list of open complaints."""
    next_due = next((c for c in view.clocks if c.state == "running"), None)
    severity: Text = SEVERITY_NAMES[view.severity] if view.severity else _("not set")
    return _("{number} · {severity} · {status} · {owner}{due} — {text}",
             number=Raw(view.number), severity=severity,
             status=STATUS_NAMES.get(view.status, Raw(view.status)), owner=view.owner,
             due=_(" · next: {duty} by {due}", duty=CLOCK_NAMES[next_due.kind],
                   due=Raw(next_due.due)) if next_due else Raw(""),
             text=Raw(view.what[:60]))


def list_keyboard(views: list[ComplaintView], private: bool) -> InlineKeyboard:
    """Under the desk's list: a re-grade button for each listed complaint that has a
    severity and is still being handled."""
    return inline(*[[staff_button(_("⇅ {number}: change the severity", number=Raw(v.number)),
                                  v.id, "regrade", private)]
                    for v in views if v.severity is not None and v.status in ("open", "paused")])
