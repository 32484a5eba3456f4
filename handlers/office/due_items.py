"""Running due timers in batches: many per transaction, one by one when a batch fails.

A timer kind says how to find its due items (inside the write transaction, so PostgreSQL can
lock them with ``FOR UPDATE SKIP LOCKED`` and a second drain skips them) and how to handle one.
A batch shares one transaction because SQLite pays for every commit; if anything in it fails,
the batch rolls back as a whole and each item is retried alone, so one bad row costs its own
retry and never blocks the rest.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func
from sqlmodel import Session, col, select

from handlers.office import Office
from handlers.office.people import alert_chats
from handlers.office.unit_of_work import UnitOfWork
from locales import parse_language
from storage.followups import FollowupMark
from storage.models import Person

log = logging.getLogger(__name__)

# Items per transaction: large enough to amortise SQLite's commit, small enough that a
# resident's tap never waits long behind the drain's write lock (≈ 0.3 s here).
BATCH = 100


# (uow, limit, skip) → ids due at uow.now, oldest first, without the ids in skip
Find = Callable[[UnitOfWork, int, frozenset[int]], Sequence[int]]


@dataclass(frozen=True, slots=True)
class Timer:
    """One kind of due item: how to find them, how to handle one, what to do when it fails."""

    name: str
    find: Find
    # (uow, id) → what happened ("sent", "phone", "skipped" …), for the report
    step: Callable[[UnitOfWork, int], str]
    # (uow, id) after the item failed alone: e.g. back off, so it is not retried at once
    failed: Callable[[UnitOfWork, int], None] | None = None


def finder(table: Any, column: Any, *where: Any) -> Find:
    """How to find *table*'s rows whose due time *column* has come (and that match *where*),
    oldest first, locked for this drain so another one skips them."""
    def find(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
        query = select(table.id).where(col(column).is_not(None), col(column) <= uow.now, *where)
        if skip:
            query = query.where(col(table.id).not_in(skip))
        query = query.order_by(col(column)).limit(limit)
        return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=table))
                if i is not None]
    return find


def run(office: Office, timer: Timer, batch: int = BATCH) -> Counter[str]:
    """Handle every item of *timer* due by the office clock; return what happened, by outcome."""
    done: Counter[str] = Counter()
    skip: set[int] = set()  # items that failed alone: not retried within this drain
    seen: set[int] = set()
    while True:
        ids: Sequence[int] = ()
        found: Sequence[int] = ()
        try:
            with UnitOfWork(office) as uow:
                found = timer.find(uow, batch, frozenset(skip))
                if not found:
                    return done
                ids = [item for item in found if item not in seen]
                if len(ids) < len(found):
                    # A handled item must stop being due; one that does not would loop here.
                    again = set(found) - set(ids)
                    log.error("timers: %s items %s are still due after handling; skipped",
                              timer.name, sorted(again))
                    skip.update(again)
                seen.update(ids)
                outcomes = Counter(timer.step(uow, item) for item in ids)
                uow.commit()
            done += outcomes
        except Exception:
            if not found:
                log.exception("timers: could not look for due %s items", timer.name)
                return done
            log.warning("timers: a batch of %d %s items failed; retrying one by one",
                        len(ids), timer.name, exc_info=True)
            for item in ids:
                outcome = _one(office, timer, item)
                done[outcome] += 1
                if outcome == "failed":
                    skip.add(item)
        if len(found) < batch:
            return done


def _one(office: Office, timer: Timer, item: int) -> str:
    try:
        with UnitOfWork(office) as uow:
            outcome = timer.step(uow, item)
            uow.commit()
            return outcome
    except Exception:
        log.exception("timers: %s item %s failed", timer.name, item)
    if timer.failed is not None:
        try:
            with UnitOfWork(office) as uow:
                timer.failed(uow, item)
                uow.commit()
        except Exception:
            log.exception("timers: could not record the failure of %s item %s", timer.name,
                          item)
    return "failed"


# -- per-batch memos -----------------------------------------------------------------------
# A batch sends hundreds of messages to the same few staff chats and to residents loaded in
# one query; these keep what one transaction already looked up (the session's ``info`` dict
# lives exactly as long as the unit of work).
def chats(uow: UnitOfWork, *purposes: str) -> list[int]:
    """``alert_chats`` for this unit of work, with each chat's language looked up once."""
    memo: dict[tuple[str, ...], list[int]] = uow.session.info.setdefault("timers.chats", {})
    if purposes not in memo:
        memo[purposes] = alert_chats(uow.session, *purposes)
        for chat_id in memo[purposes]:
            uow.hint_language(chat_id, uow.language_of(chat_id))
    return memo[purposes]


def keep(session: Session, rows: Sequence[object]) -> None:
    """Hold loaded rows for the rest of the transaction, so ``session.get`` finds them without
    a query (the identity map alone holds them only weakly)."""
    session.info.setdefault("timers.keep", []).extend(rows)


def load_people(uow: UnitOfWork, telegram_ids: set[int]) -> dict[int, Person]:
    """The people behind these chats, in one query; their languages are noted for sending."""
    memo: dict[int, Person] = uow.session.info.setdefault("timers.people", {})
    missing = telegram_ids - memo.keys()
    if missing:
        for person in uow.session.exec(select(Person).where(
                col(Person.telegram_user_id).in_(missing))):
            assert person.telegram_user_id is not None
            memo[person.telegram_user_id] = person
            language = parse_language(person.language)
            if language is not None:
                uow.hint_language(person.telegram_user_id, language)
    return memo


def mark(uow: UnitOfWork, kind: str, subject_id: int, outcome: str = "done",
         **detail: object) -> None:
    """Record that a one-off follow-up happened (a second one fails on the unique key)."""
    uow.session.add(FollowupMark(kind=kind, subject_id=subject_id, outcome=outcome, at=uow.now,
                                 detail=dict(detail)))
    uow.session.flush()


def marked(session: Session, kind: str, subject_id: int) -> bool:
    """Whether a mark of *kind* was made for *subject_id* (that follow-up happened)."""
    return session.exec(select(FollowupMark.id).where(
        FollowupMark.kind == kind, FollowupMark.subject_id == subject_id)).first() is not None


def restart(uow: UnitOfWork, kind: str, subject_id: int, *, clearing: Sequence[str]) -> None:
    """A clock that starts over now: the one-off follow-ups of the kinds in *clearing* may
    happen again (their marks go), and the mark of *kind* — whose moment is the clock's new
    start — is made, or moved on to now."""
    session = uow.session
    session.execute(delete(FollowupMark).where(col(FollowupMark.kind).in_(list(clearing)),
                                               col(FollowupMark.subject_id) == subject_id))
    start = session.exec(select(FollowupMark).where(FollowupMark.kind == kind,
                                                    FollowupMark.subject_id == subject_id)).first()
    if start is None:
        mark(uow, kind, subject_id)
        return
    start.at = uow.now
    session.add(start)
    session.flush()


def started(kind: str, subject: Any, since: Any) -> ColumnElement[Any]:
    """When a clock that ``restart`` may start over (with *kind*) runs from, for a query over
    *subject* (its id column): the latest restart, else *since* (the subject's own start)."""
    restarted = (select(FollowupMark.at).where(col(FollowupMark.kind) == kind,
                                               col(FollowupMark.subject_id) == subject)
                 .scalar_subquery())
    return func.coalesce(restarted, since)
