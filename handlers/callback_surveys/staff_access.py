"""Which staff may act on a callback survey from which group chat."""

from __future__ import annotations

from typing import Final

from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from locales import _
from storage.followups import CallbackSurvey
from storage.models import StaffChat, WorkOrder

STAFF_ONLY: Final = _("Only customer-service staff can do this.")


def staff_survey(caller: Caller, board: StaffChat, survey_id: int, purposes: tuple[str, ...],
            roles: tuple[str, ...]) -> tuple[CallbackSurvey, WorkOrder] | None:
    """The survey, if this chat and this person may act on it; refuses politely otherwise."""
    if board.purpose not in purposes or caller.person is None or caller.person.role not in roles:
        caller.refuse(STAFF_ONLY)
        return None
    # Locked while we decide: on PostgreSQL the drain may be moving this survey on right now.
    survey = caller.session.get(CallbackSurvey, survey_id, with_for_update=True)
    order = caller.session.get(WorkOrder, survey.order_id) if survey else None
    if survey is None or order is None:
        caller.refuse(OUT_OF_DATE)
        return None
    return survey, order
