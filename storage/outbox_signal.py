"""Word from PostgreSQL whenever any process commits outbox rows.

With several workers behind a webhook, exactly one leads the sender; the replies the other
workers write would otherwise wait for its next poll of the outbox (half a second). Migration
0012 makes every statement that inserts outbox rows NOTIFY :data:`CHANNEL`; PostgreSQL
delivers that at commit, only for committed transactions. :class:`OutboxSignal` keeps one
connection LISTENing while the sender leads and calls *written* for each notification.

If the connection is lost, it says so once per attempt and connects again with a capped
back-off; meanwhile :attr:`OutboxSignal.listening` is False, so whoever relies on it falls
back to waking the sender itself. After each (re)connect it calls *written* once: commits
made while nobody listened were not heard. A connection that dies without a word (no reset
from the network) is found by a ``SELECT 1`` after each quiet *liveness* seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Final

import psycopg
from sqlalchemy.engine import make_url

from storage.leader import FAILURE_BACKOFF_CAP  # the leader loop's connects back off as far

log = logging.getLogger(__name__)

CHANNEL: Final = "frontline_outbox"  # migration 0012's trigger notifies it
LIVENESS: Final = 10.0  # seconds without a notification before the connection is checked
APPLICATION_NAME: Final = "frontline outbox signal"  # what pg_stat_activity shows for it


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+psycopg://…``) as libpq spells it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


class OutboxSignal:
    """Call *written* each time a commit of any process has written outbox rows."""

    def __init__(self, database_url: str, written: Callable[[], None], *,
                 liveness: float = LIVENESS, backoff_cap: float = FAILURE_BACKOFF_CAP) -> None:
        self._url = libpq_url(database_url)
        self._written = written
        self._liveness = liveness
        self._backoff_cap = backoff_cap
        self.listening = False
        self.connects = 0  # how many connections have listened (for the tests and logs)

    async def run(self) -> None:
        """Listen until cancelled."""
        delay = 0.1
        while True:
            heard = self.connects
            try:
                await self._listen()
            except (psycopg.Error, OSError) as error:
                if self.connects != heard:
                    delay = 0.1  # it had been listening: the back-off starts over
                log.warning("outbox signal: not listening (%s); again in %.1fs",
                            str(error).strip() or type(error).__name__, delay)
            finally:
                self.listening = False
            self._written()  # what was committed while nobody listened: a read finds it
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._backoff_cap)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, application_name=APPLICATION_NAME) as db:
            await db.execute(f"LISTEN {CHANNEL}")
            self.listening = True
            self.connects += 1
            self._written()  # commits before LISTEN took effect went unheard
            while True:
                async for _ in db.notifies(timeout=self._liveness):
                    self._written()
                await db.execute("SELECT 1")  # raises if the connection died silently
