"""Appointments: the visit window agreed for a work order, and its reminders' due times.

One row per order. Each reminder is a nullable due time with its own index, drained by the
scheduler's periodic pass (``scheduler/drain.py``) instead of one APScheduler job each: a
reminder that has been sent, or no longer applies, is NULL — so a reschedule moves the
reminders by writing three columns, and the drain's queries stay one range scan each.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models import _when


class Appointment(SQLModel, table=True):
    """The visit window of one work order.

    ``state``: asking (the technician is picking a window) → proposed (the resident may accept
    or ask for another) → agreed; a resident who asks for another is shown the choices
    (choosing); closed once the job is done or cancelled.
    """

    __tablename__ = "appointment"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id", unique=True)
    state: str = Field(default="asking", max_length=16)
    slot: str = Field(default="", max_length=16)  # morning | afternoon | evening
    window_start: datetime | None = _when()
    window_end: datetime | None = _when()
    evening_due_at: datetime | None = _when(index=True)  # the reminder the evening before
    hour_due_at: datetime | None = _when(index=True)  # the reminder shortly before
    missed_due_at: datetime | None = _when(index=True)  # window end + grace: dispatch alerted
    arrived_at: datetime | None = _when()
    set_by: str = Field(default="", max_length=16)  # technician | resident | dispatcher
    moves: int = Field(default=0)  # times the window was moved after it was first set
    created_at: datetime | None = _when(nullable=False)
    updated_at: datetime | None = _when()
