"""A simulated person's phone, driven through the emulator's control API.

``await wang.says("…")``, ``await wang.taps("报修")``, ``await wang.sees("WO-")`` — the
test reads like the person's day. Every wait is bounded and looks only at what changed after
the person's last action, so a test never passes on an old message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.client import EmulatorClient
from tests.e2e.office import OfficeCodes

JSON = dict[str, Any]
WAIT = 15.0
# The resident's "next visit day's morning": 明天上午, or 周一上午 on a Friday (the tests run on
# the real calendar, so its label depends on the day they run).
NEXT_MORNING = ":time:tomorrow_am"


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


def buttons(message: JSON) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Phone:
    client: EmulatorClient
    user_id: int
    name: str
    # Per chat: the last message id before my latest action; answers come after it.
    marks: dict[int, int] = field(default_factory=dict)

    @classmethod
    async def of(cls, client: EmulatorClient, name: str, language_code: str = "zh-hans",
                 phone: str | None = None) -> Phone:
        user = await client.create_user(name, language_code=language_code, phone=phone)
        return cls(client, int(user["id"]), name)

    def _chat(self, chat_id: int | None) -> int:
        return self.user_id if chat_id is None else chat_id

    async def says(self, text: str, chat_id: int | None = None) -> JSON:
        sent = await self.client.send_text(self.user_id, text,
                                           **({"chat_id": chat_id} if chat_id else {}))
        self.marks[self._chat(chat_id)] = int(sent["message"]["message_id"])
        return sent

    async def forwards(self, text: str, origin: str) -> JSON:
        """Forward into my chat with the bot a message *origin* wrote."""
        sent = await self.client.send_text(self.user_id, text, forwarded_from=origin)
        self.marks[self.user_id] = int(sent["message"]["message_id"])
        return sent

    async def sends_photos(self, count: int, caption: str | None = None,
                           forwarded_from: str | None = None) -> JSON:
        """Send *count* photos, or (*forwarded_from* a name) forward someone else's."""
        sent = await self.client.send_photos(self.user_id, count, caption=caption,
                                             forwarded_from=forwarded_from)
        self.marks[self.user_id] = int(sent["messages"][-1]["message_id"])
        return sent

    async def messages(self, chat_id: int | None = None) -> list[JSON]:
        return [m for m in await self.client.history(self._chat(chat_id))
                if m["from_bot"] and not m.get("deleted")]

    async def sees(self, *needles: str, chat_id: int | None = None, after: int | None = None,
                   within: float = WAIT) -> JSON:
        """The first bot message after *after* (default: my last action) with all *needles*."""
        chat = self._chat(chat_id)
        return await self.client.wait_for_message(
            chat, lambda m: all(n in text_of(m) for n in needles), timeout=within,
            after_message_id=self.marks.get(chat, 0) if after is None else after)

    async def waits_for(self, check: Callable[[list[JSON]], bool], chat_id: int | None = None,
                        within: float = WAIT) -> list[JSON]:
        """Poll the chat's bot messages (current state, edits included) until *check* holds."""
        deadline = time.monotonic() + within
        while True:
            shown = await self.messages(chat_id)
            if check(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: chat {self._chat(chat_id)} never got there:"
                                     f" {[text_of(m)[:60] for m in shown[-5:]]}")
            await asyncio.sleep(0.05)

    async def button(self, label: str, chat_id: int | None = None,
                     within: float = WAIT, *, data_ends: str = "") -> tuple[JSON, str]:
        """The newest message with a button whose text contains *label* (or, with
        *data_ends*, whose callback data ends so) — waits for it."""
        found: list[tuple[JSON, str]] = []

        def has(shown: list[JSON]) -> bool:
            for message in reversed(shown):
                for text, data in buttons(message):
                    if data.endswith(data_ends) if data_ends else label in text:
                        found.append((message, data))
                        return True
            return False

        await self.waits_for(has, chat_id, within)
        return found[0]

    async def taps(self, label: str, chat_id: int | None = None) -> JSON:
        """Tap the newest button labelled *label*; returns the bot's answer to the tap."""
        return await self._press(await self.button(label, chat_id), chat_id)

    async def taps_choice(self, data_ends: str, chat_id: int | None = None) -> JSON:
        """Tap the newest button whose callback data ends with *data_ends*: a choice whose
        label follows the real day (``NEXT_MORNING``: 明天上午, or 周一上午 on a Friday)."""
        return await self._press(await self.button("", chat_id, data_ends=data_ends), chat_id)

    async def _press(self, found: tuple[JSON, str], chat_id: int | None) -> JSON:
        message, data = found
        self.marks[self._chat(chat_id)] = await self.last_id(chat_id)
        press = await self.client.press_button(self.user_id, callback_data=data,
                                               message_id=message["message_id"],
                                               chat_id=self._chat(chat_id))
        return await self.client.wait_for_callback_answer(press["callback_query_id"], WAIT)

    async def last_id(self, chat_id: int | None = None) -> int:
        history = await self.client.history(self._chat(chat_id))
        return int(history[-1]["message_id"]) if history else 0


@dataclass
class Crew:
    """Zhang the plumber, 刘调度 the dispatcher (in English) with the plumbers' and dispatch
    groups bound, and Li Lei of 3-1203 (in English), all registered."""

    zhang: Phone
    liu: Phone
    li: Phone
    plumbers: int
    dispatch: int


async def crew_of(client: EmulatorClient, codes: OfficeCodes) -> Crew:
    """Register the crew and bind their groups, as the office does on its first day."""
    zhang = await Phone.of(client, "张师傅")
    liu = await Phone.of(client, "刘调度", language_code="en")
    li = await Phone.of(client, "Li Lei", language_code="en", phone="+8613800000002")
    for person in (zhang, liu):
        await person.says(f"/start {codes.staff[person.name]}")
        await person.sees(person.name)
    plumbers = (await client.create_group("Plumbers", [zhang.user_id, liu.user_id],
                                          added_by=liu.user_id))["id"]
    dispatch = (await client.create_group("Dispatch", [liu.user_id], added_by=liu.user_id))["id"]
    for chat, purpose in ((plumbers, "plumbers"), (dispatch, "dispatch")):
        await liu.says(f"/bindgroup {codes.groups[purpose]}", chat_id=chat)
        await liu.sees(chat_id=chat)
    await li.says(f"/start {codes.households['3-1203']}")
    await li.sees("3-1203")
    return Crew(zhang, liu, li, plumbers, dispatch)
