"""Simulated people for seeding: they type and tap in the emulator, the real bot answers.

Nothing here writes office data directly. An actor acts exactly as a person on a phone would
(``/start CODE``, free text, taps) and then waits until the office has *settled*: the bot has
confirmed every update (both adapters confirm only after the transaction committed) and the
outbox has nothing left to send. Buttons are found by their callback data, not their label,
so the same script works for a resident reading English or Traditional Chinese.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from bot.emulator import Emulator
from bot.emulator.models import JSON, ChatState, MessageRecord
from handlers.office import Office
from storage.db import read_session
from storage.models import Outbox

SETTLE_TIMEOUT = 20.0  # seconds; generous for a slow CI machine, small next to a hang


class SeedingError(RuntimeError):
    """The demo estate could not be set up (the bot did not answer as expected)."""


def _pending_outbox(office: Office) -> int:
    with read_session(office.engine) as session:
        count = session.exec(select(func.count()).select_from(Outbox)
                             .where(Outbox.status == "pending")).one()
    return int(count)


async def settle(emulator: Emulator, office: Office, timeout: float = SETTLE_TIMEOUT) -> None:  # noqa: ASYNC109
    """Wait until the bot took in every update and sent everything it had to say.

    Both adapters confirm an update (the next getUpdates) only after its transaction
    committed, and the outbox rows commit in that same transaction, so "no update pending
    and no outbox row pending" means the office has answered everything.
    """
    deadline = time.monotonic() + timeout
    while not (emulator.pending_update_count == 0 and _pending_outbox(office) == 0):
        if time.monotonic() > deadline:
            raise SeedingError(
                f"the bot did not settle within {timeout:.0f}s "
                f"({emulator.pending_update_count} updates not taken in)")
        await asyncio.sleep(0.005)


def buttons_of(record: MessageRecord) -> list[JSON]:
    rows = (record.data.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


@dataclass
class Actor:
    """One person's phone: their private chat with the bot, and the groups they are in."""

    emulator: Emulator
    office: Office
    user_id: int
    name: str

    def _chat(self, chat_id: int | None) -> ChatState:
        return self.emulator.chats[self.user_id if chat_id is None else chat_id]

    async def says(self, text: str, chat_id: int | None = None) -> None:
        self.emulator.send_text(self.user_id, text, chat_id=chat_id)
        await settle(self.emulator, self.office)

    async def taps(self, data_pattern: str, chat_id: int | None = None) -> None:
        """Tap the newest bot button whose callback data matches the regular expression."""
        record, button = self.find(data_pattern, chat_id)
        self.emulator.press_button(self.user_id, message_id=record.message_id,
                                   callback_data=str(button["callback_data"]), chat_id=chat_id)
        await settle(self.emulator, self.office)

    async def shares_contact(self) -> None:
        self.emulator.send_contact(self.user_id, own=True)
        await settle(self.emulator, self.office)

    def find(self, data_pattern: str, chat_id: int | None = None) -> tuple[MessageRecord, JSON]:
        pattern = re.compile(data_pattern)
        for record in reversed(self._chat(chat_id).messages):
            if record.deleted or not record.from_bot:
                continue
            for button in buttons_of(record):
                if pattern.search(str(button.get("callback_data", ""))):
                    return record, button
        raise SeedingError(f"{self.name}: no button matching {data_pattern!r} "
                           f"in chat {chat_id or self.user_id}: {self.last_text(chat_id)!r}")

    def has_button(self, data_pattern: str, chat_id: int | None = None) -> bool:
        try:
            self.find(data_pattern, chat_id)
        except SeedingError:
            return False
        return True

    def last_bot_message(self, chat_id: int | None = None) -> MessageRecord | None:
        for record in reversed(self._chat(chat_id).messages):
            if record.from_bot and not record.deleted:
                return record
        return None

    def last_text(self, chat_id: int | None = None) -> str:
        record = self.last_bot_message(chat_id)
        return "" if record is None else str(record.data.get("text")
                                             or record.data.get("caption") or "")
