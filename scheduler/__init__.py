"""Time-driven follow-ups: APScheduler 3 in the leader process, draining due rows.

``SchedulerService`` is what the runtime starts; ``run_due_now`` is the synchronous pass the
sandbox can call after moving its clock. See ``scheduler/service.py`` for the design.
"""

from scheduler.drain import DrainReport, run_due_now
from scheduler.service import Leadership, SchedulerService

__all__ = ["DrainReport", "Leadership", "SchedulerService", "run_due_now"]
