"""Complaints on record: the desk's list in a staff chat, and the office terminal's list and
full history (``frontline complaints``). A complaint about the service centre is left out of
every list the desk can see: only the people it goes to (admin/HR, or the director while
nobody holds that role) are shown it."""

from __future__ import annotations

from typing import Any, Final

from sqlmodel import Session, col, select

from dialogs.complaint_cards import SEVERITIES, list_keyboard, list_line
from handlers.front_desk.complaint_chain import LEVEL_KEYS, handles_service_centre, level_of
from handlers.front_desk.complaint_notices import view_of
from handlers.office import Office
from handlers.office.caller import Caller
from handlers.office.people import person_by_id_name, unit_label
from handlers.office.permissions import DESK_CHATS
from locales import _, lines
from storage.complaints import Complaint, ComplaintClock, ComplaintEvent
from storage.db import read_session
from storage.models import Household, StaffChat

STATUSES: Final = ("new", "open", "paused", "resolved", "closed")
OPEN: Final = ("new", "open", "paused", "resolved")
MAX_LISTED: Final = 30


def show_in_chat(caller: Caller, board: StaffChat | None) -> None:
    """/complaints: the open complaints with their clocks, in the dispatch or managers group,
    or privately for staff (those the complaints about the service centre go to see them too)."""
    level = level_of(caller.person)
    if board is not None and (board.purpose not in DESK_CHATS or level is None):
        return  # a job board, or someone who is not on the complaint chain: nothing shown
    if level is None:
        caller.reply(_("Only the staff who handle complaints can see them."))
        return
    hr = board is None and handles_service_centre(caller.session, caller.person)
    query = select(Complaint).where(col(Complaint.status).in_(OPEN))
    if not hr:
        query = query.where(col(Complaint.about_service_centre).is_(False))
    found = caller.session.exec(query.order_by(col(Complaint.id))).all()
    if not found:
        caller.reply(_("No open complaints."))
        return
    views = [view_of(caller.uow, c) for c in found[:MAX_LISTED]]
    more = len(found) - len(views)
    caller.reply(lines(_("Open complaints ({count}):", count=len(found)),
                       *[list_line(v) for v in views],
                       _("… and {count} more: frontline complaints list", count=more)
                       if more > 0 else None), list_keyboard(views, private=board is None))


# -- the office terminal -------------------------------------------------------------------
def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _as_dict(session: Session, complaint: Complaint) -> dict[str, Any]:
    household = session.get(Household, complaint.household_id) if complaint.household_id \
        else None
    return {
        "number": complaint.number, "status": complaint.status,
        "severity": complaint.severity, "suggested_severity": complaint.suggested_severity,
        "about_service_centre": complaint.about_service_centre,
        "owner_level": LEVEL_KEYS[complaint.level],
        "owner": person_by_id_name(session, complaint.owner_id),
        "resident": person_by_id_name(session, complaint.person_id),
        "unit": unit_label(household) if household else None,
        "what": complaint.what, "occurred": complaint.occurred, "place": complaint.place,
        "department": complaint.department or None, "about": complaint.about or None,
        "wants": complaint.wants, "resident_deadline": _iso(complaint.resident_deadline),
        "photos": len(complaint.photos), "work_order_id": complaint.work_order_id,
        "outcome": complaint.outcome or None, "reopen_count": complaint.reopen_count,
        "rating": complaint.rating, "created_at": _iso(complaint.created_at),
        "severity_set_at": _iso(complaint.severity_set_at),
        "taken_at": _iso(complaint.taken_at), "answered_at": _iso(complaint.answered_at),
        "resolved_at": _iso(complaint.resolved_at), "closed_at": _iso(complaint.closed_at),
    }


def list_complaints(office: Office, status: str | None = None, severity: str | None = None,
                    hr: bool = False) -> list[dict[str, Any]]:
    """Complaints, newest first; those about the service centre only with *hr*."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; one of: {', '.join(STATUSES)}")
    if severity is not None and severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; one of: {', '.join(SEVERITIES)}")
    with read_session(office.engine) as session:
        query = select(Complaint).order_by(col(Complaint.id).desc())
        if status:
            query = query.where(Complaint.status == status)
        if severity:
            query = query.where(Complaint.severity == severity)
        if not hr:
            query = query.where(col(Complaint.about_service_centre).is_(False))
        return [_as_dict(session, c) for c in session.exec(query).all()]


def show_complaint(office: Office, number: str, hr: bool = False) -> dict[str, Any] | None:
    """One complaint with its clocks and every event of its history (None if not found, or
    about the service centre and not asked for by admin/HR)."""
    with read_session(office.engine) as session:
        complaint = session.exec(select(Complaint).where(Complaint.number == number)).first()
        if complaint is None or (complaint.about_service_centre and not hr):
            return None
        clocks = session.exec(select(ComplaintClock).where(
            ComplaintClock.complaint_id == complaint.id).order_by(col(ComplaintClock.id))).all()
        events = session.exec(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint.id).order_by(col(ComplaintEvent.id))).all()
        return {**_as_dict(session, complaint), "pauses": complaint.pauses, "clocks": [
            {"duty": c.kind, "counts": c.basis, "level": LEVEL_KEYS[c.level],
             "state": c.state, "length_seconds": c.length_seconds,
             "started_at": _iso(c.started_at), "due_at": _iso(c.due_at),
             "warned_at": _iso(c.warned_at), "ended_at": _iso(c.ended_at)} for c in clocks],
            "events": [
            {"at": _iso(e.at), "action": e.action, "actor": person_by_id_name(session,
                                                                              e.actor_id),
             "telegram_user_id": e.telegram_user_id, "chat_id": e.chat_id,
             "detail": e.detail} for e in events]}

