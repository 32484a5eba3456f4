"""One message to many people: the steps every broadcast of the office shares — fee notice
campaigns (``handlers/fees/campaigns.py`` and ``sending.py``) and announcements
(``handlers/announcements``).

- A preview with Approve / Hold; only a manager decides, and only while the decision is
  still open — one conditional update, so of two taps at the same moment one counts; the
  preview is updated in every chat it was posted to.
- Whether one recipient's copy may go now (approved; daytime unless urgent).
- The pace: daytime hours only (unless the broadcast is urgent), and never more than
  ``queue_window`` bulk rows waiting in the outbox, so a resident's reply — interactive
  priority — never queues behind a broadcast and a late change (a payment, a recall) still
  reaches the rows not yet written.
- A Hold takes back what is not sent yet; approved again, a copy taken back goes as the same
  outbox row (:func:`resume`), so one the sender had in hand — marked sent before or after
  the approval — is not sent twice.
- What became of the messages sent under one ref: delivered, still waiting, cancelled,
  blocked (403) or failed, read back from the outbox.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

from sqlalchemy import Table, func, or_, update
from sqlalchemy import select as sql_select
from sqlmodel import select

from dialogs.events import Edit, InlineKeyboard, Priority, Say
from handlers.office.calendar import daytime_from, is_daytime
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import Msg, Text

APPROVER_ROLES: Final = ("manager", "admin")
# The choice → the statuses it may be made from.
DECISIONS: Final = {"approve": ("prepared", "held"), "hold": ("prepared", "approved")}
DECIDED: Final = {"approve": "approved", "hold": "held"}  # the choice → the status it sets
# Outbox statuses of a send, as a broadcast's report names them.
BLOCKED: Final = "undeliverable"  # 403: the person blocked the bot, or the group is gone
HELD_BACK: Final = "held back"  # why a copy taken back by a Hold was cancelled


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast a broadcast may go: local daytime hours and the outbox room it may take."""

    day_start: int
    day_end: int
    queue_window: int


def is_day(uow: UnitOfWork, pace: Pace) -> bool:
    """Whether it is daytime for broadcasts now."""
    return is_daytime(uow.now, uow.office.timezone, pace.day_start, pace.day_end)


def next_day(uow: UnitOfWork, pace: Pace, moment: datetime | None = None) -> datetime:
    """The first daytime moment at or after *moment* (default now)."""
    return daytime_from(moment or uow.now, uow.office.timezone, pace.day_start, pace.day_end)


def room(uow: UnitOfWork, pace: Pace, limit: int, *, urgent: bool = False) -> int:
    """How many more broadcast messages may be written to the outbox now (none at night
    unless *urgent*): at most *limit*, and only what the queue window has left."""
    if not urgent and not is_day(uow, pace):
        return 0
    waiting = uow.session.connection().execute(
        sql_select(func.count()).select_from(OUTBOX).where(
            OUTBOX.c.status == "pending", OUTBOX.c.priority == Priority.BULK)).scalar() or 0
    return max(0, min(limit, pace.queue_window - int(waiting)))


# -- the preview and its decision ---------------------------------------------------------
# The preview's buttons for one chat (a private chat's verbs differ from a group's).
KeyboardFor = Callable[[int], InlineKeyboard]


def post_preview(uow: UnitOfWork, ref: str, text: Text, keyboard: KeyboardFor,
                 chat_ids: Iterable[int]) -> None:
    """Post the preview to each chat (once each), under *ref* so decisions can update it."""
    for chat_id in dict.fromkeys(chat_ids):
        uow.send(Say(chat_id, text, keyboard(chat_id), ref=ref, priority=Priority.NOTICE))


def may_decide(caller: Caller, status: str, choice: str, *, not_a_manager: Msg,
               decided: Msg) -> bool:
    """Whether the caller may approve or hold a broadcast in *status* now; if not, they are
    told why and nothing changes."""
    if choice not in DECISIONS:
        caller.refuse(OUT_OF_DATE)
        return False
    if caller.person is None or caller.person.role not in APPROVER_ROLES:
        caller.refuse(not_a_manager)
        return False
    if status not in DECISIONS[choice]:
        caller.refuse(decided)
        return False
    return True


def claim(uow: UnitOfWork, table: Table, row_id: int | None, statuses: Iterable[str],
          **values: Any) -> bool:
    """Move one broadcast out of *statuses* (set *values*) in one conditional statement; False
    if it was no longer in them — two managers deciding at once: only the first one counts."""
    uow.session.flush()  # the broadcast's own unsaved changes go first, not lost
    result = uow.session.connection().execute(
        update(table).where(table.c.id == row_id, table.c.status.in_(tuple(statuses)))
        .values(**values))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def decide(uow: UnitOfWork, table: Table, row_id: int | None, choice: str,
           person_id: int | None, copies: Table, column: str,
           due: datetime | None = None) -> bool:
    """Approve or hold the broadcast *row_id* of *table* if it may still be (see
    :data:`DECISIONS`); its copies in *copies* still pending (``column`` names the broadcast)
    become due at *due* (approve) or wait for a decision (hold). False if it was decided
    meanwhile (nothing changed then)."""
    if not claim(uow, table, row_id, DECISIONS[choice],
                 status=DECIDED[choice],
                 decided_at=uow.now, decided_by=person_id):
        return False
    uow.session.connection().execute(
        update(copies).where(copies.c[column] == row_id, copies.c.state == "pending")
        .values(due_at=due if choice == "approve" else None))
    return True


def take_back(uow: UnitOfWork, refs: Iterable[str], reason: str = HELD_BACK
              ) -> list[tuple[str, int]]:
    """Cancel the messages under *refs* written to the outbox but not sent yet (a Hold: nothing
    more goes out; or a payment made it needless, said by *reason*); the (ref, chat) of each,
    so a held broadcast can make those copies pending again, to go once if approved again.

    One the sender has already read may still go out; it is recorded sent then
    (``outbox.mark_sent``), and :func:`reached` keeps its copy from going twice."""
    o = OUTBOX.c
    return [(str(ref), int(chat_id)) for ref, chat_id in uow.session.connection().execute(
        update(OUTBOX).where(o.ref.in_(tuple(refs)), o.op == "send", o.status == "pending")
        .values(status="cancelled", last_error=reason).returning(o.ref, o.chat_id))]


def reached(uow: UnitOfWork, ref: str, chat_ids: Iterable[int]) -> dict[int, datetime | None]:
    """The chats among *chat_ids* a message under *ref* has reached, each with when: asked of a
    copy a Hold took back, as its message may have gone out all the same (the sender had it
    in hand) and must not go twice when the broadcast is approved again."""
    o = OUTBOX.c
    found: dict[int, datetime | None] = {}
    for chat_id, sent_at in uow.session.connection().execute(
            sql_select(o.chat_id, o.sent_at).where(o.ref == ref, o.op == "send",
                                                   o.status == "sent",
                                                   o.chat_id.in_(tuple(chat_ids)))):
        found.setdefault(int(chat_id), sent_at)
    return found


def resume(uow: UnitOfWork, ref: str, chat_id: int) -> bool:
    """Make the chat's message under *ref* that a Hold took back pending again, rather than
    write it anew, when the broadcast is approved again: the sender may still have it in hand
    (its mark comes later, and the row is sent then) and a second row would go out too.
    False if there is none to resume."""
    o = OUTBOX.c
    held = (sql_select(func.max(o.id)).where(o.ref == ref, o.chat_id == chat_id, o.op == "send",
                                             o.status == "cancelled", o.last_error == HELD_BACK)
            .scalar_subquery())
    result = uow.session.connection().execute(
        update(OUTBOX).where(o.id == held, o.status == "cancelled")
        .values(status="pending", last_error=""))
    return int(getattr(result, "rowcount", 0) or 0) == 1


class Copy(Protocol):
    """One recipient's row of a broadcast (an announcement's delivery, a fee notice)."""

    due_at: datetime | None


def keep(uow: UnitOfWork, copy: Copy, outcome: str) -> str:
    """Store what became of *copy* in this round of the drain and say it."""
    uow.session.add(copy)
    return outcome


def wait_reason(uow: UnitOfWork, pace: Pace, copy: Copy, status: str, *,
                urgent: bool = False) -> str | None:
    """Why *copy* of a broadcast in *status* may not go right now — ``held`` (not approved:
    it waits for a decision) or ``later`` (night: it waits for the morning) — with its due
    moment moved accordingly; None if it may go now."""
    if status != "approved":
        copy.due_at = None
        return keep(uow, copy, "held")
    if not urgent and not is_day(uow, pace):
        copy.due_at = next_day(uow, pace)
        return keep(uow, copy, "later")
    return None


def show_decision(caller: Caller, ref: str, text: Text, keyboard: KeyboardFor) -> None:
    """Update the tapped preview and its copies in the other chats it was posted to."""
    caller.uow.send(Edit(caller.chat_id, text, keyboard(caller.chat_id),
                         message_id=caller.event.message_id, ref=ref))
    for chat_id in set(chats_posted(caller.uow, ref)) - {caller.chat_id}:
        caller.uow.send(Edit(chat_id, text, keyboard(chat_id), ref=ref))


def chats_posted(uow: UnitOfWork, ref: str) -> list[int]:
    """The chats a message under *ref* was posted to, each once (the chats bound today may
    differ from those then)."""
    return list(uow.session.exec(select(OUTBOX.c.chat_id).where(
        OUTBOX.c.ref == ref, OUTBOX.c.op == "send").distinct()).all())


# -- what became of it --------------------------------------------------------------------
def tally(uow: UnitOfWork, ref: str) -> Counter[str]:
    """The sends under *ref* by outbox status (sent, pending, undeliverable, failed …); a copy
    taken back by a Hold was never a send (it goes again, under the same ref, if approved) —
    unless it went out all the same: then it is sent."""
    o = OUTBOX.c
    rows = uow.session.connection().execute(
        sql_select(o.status, func.count()).where(
            o.ref == ref, o.op == "send", or_(o.status != "cancelled", o.last_error != HELD_BACK))
        .group_by(o.status)).all()
    return Counter({str(status): int(n) for status, n in rows})


def outcome(statuses: Iterable[str]) -> str:
    """One recipient's messages under a ref, summed up: ``delivered`` when any arrived,
    ``waiting`` while any may still go, ``cancelled`` when all were withdrawn unsent,
    ``undelivered`` otherwise (blocked, failed, or lost)."""
    found = set(statuses)
    if "sent" in found:
        return "delivered"
    if "pending" in found:
        return "waiting"
    if found == {"cancelled"}:
        return "cancelled"
    return "undelivered"
