"""Services the office does not offer yet: apologise, record who asked for what, and list the
records for staff, so an announcement can follow when the service exists (001 §2.2.7)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from dialogs.menu import main_menu
from dialogs.model import RecordDemand
from handlers.office import Office
from handlers.office.caller import Caller
from handlers.office.people import is_staff, unit_label
from handlers.requests.new_orders import household_of
from locales import _
from storage.db import read_session
from storage.models import UnmetDemand


def record_demand(caller: Caller, command: RecordDemand) -> None:
    """Apologise, record the wish with name and unit, promise an announcement (001 §2.2.7)."""
    household = household_of(caller, command.household_id)
    caller.session.add(UnmetDemand(
        person_id=caller.person.id if caller.person else None,
        household_id=household.id if household else None,
        name=caller.person.name if caller.person else caller.event.user_name,
        unit=unit_label(household) if household else "", request=command.request,
        created_at=caller.now))
    caller.log("unmet_demand", request=command.request)
    caller.reply(_("Sorry, we do not offer this service yet. We have recorded your request and "
                   "will announce it here when it becomes available."),
                 main_menu(is_staff(caller.person)))


def list_demand(office: Office) -> list[dict[str, Any]]:
    """Services residents asked for that the office does not offer yet (001 §2.2.7)."""
    with read_session(office.engine) as session:
        rows = session.exec(select(UnmetDemand).order_by(col(UnmetDemand.id).desc())).all()
        return [{"at": row.created_at.isoformat() if row.created_at else None,
                 "name": row.name, "unit": row.unit or None, "request": row.request}
                for row in rows]
