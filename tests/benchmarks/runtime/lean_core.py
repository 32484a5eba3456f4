"""The lean core: the least a core must do, so the runtime's own cost can be told apart from the
office's. Served by ``runtime_bench.py --serve-lean-core`` in place of ``frontline run``."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.dialects import postgresql, sqlite

from dialogs.events import Event, EventKind
from handlers.office import Office
from storage.models import Outbox, ProcessedUpdate


class LeanCore:
    """One transaction that dedupes the update and writes a reply (a toast and an edit for a
    tap), in SQLAlchemy Core — so the figure is the runtime's."""

    def __call__(self, office: Office, event: Event) -> None:
        """Handle one event exactly once."""
        insert = postgresql.insert if office.engine.dialect.name == "postgresql" else sqlite.insert
        now = office.clock.now()
        with office.engine.begin() as connection:
            claimed = connection.execute(
                insert(ProcessedUpdate).values(key=event.key, at=now)
                .on_conflict_do_nothing()).rowcount
            if not claimed:
                return
            again = {"inline": [[{"text": "again", "data": f"again:{event.key}"}]]}
            rows: list[dict[str, object]]
            if event.kind is EventKind.BUTTON:
                rows = [dict(chat_id=event.user_id, op="toast", callback_id=event.callback_id,
                             text="ok", edit_message_id=None, keyboard=None),
                        dict(chat_id=event.chat_id, op="edit", callback_id="",
                             text=f"pressed {event.key}", edit_message_id=event.message_id,
                             keyboard=again)]
            else:
                rows = [dict(chat_id=event.chat_id, op="send", callback_id="",
                             text=event.text or "?", edit_message_id=None, keyboard=again)]
            # One executemany needs the same columns in every row.
            connection.execute(insert(Outbox), [{"created_at": now, "photos": [], **row}
                                                for row in rows])


def serve_lean_core() -> None:
    """Run the real runtime (settings from the environment) with the lean core, logging as
    ``frontline run`` does."""
    from bot.runtime import run_bot
    from bot.settings import Settings

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "aiogram.event", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run(run_bot(Settings(), handle=LeanCore()))
