"""Set the demo estate up the way a real office would, through the running bot.

The roster and the one-time codes come from the office's own admin use cases (what
``frontline households import`` and ``frontline invite`` do); everything after that is people
in the emulator sending ``/start CODE``, ``/bindgroup CODE``, free text and taps to the real
bot. So the demo's history has the same rows, events and outbox traffic real use would.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.emulator import Emulator
from bot.sandbox.actors import Actor, SeedingError, buttons_of, settle
from bot.sandbox.estate import GROUPS, HOUSEHOLDS, PEOPLE, Persona
from handlers.office import Office
from handlers.registration import roster
from storage.db import read_session
from storage.models import ProcessedUpdate

log = logging.getLogger(__name__)

NOTICE = "【通知】本周六上午9:00–11:00，中心花园举行消防演练，届时会有警报声，请勿惊慌。"
OUTAGE = "3号楼二次供水水箱清洗，期间停水，请提前储水。"
OUTAGE_BUILDINGS = "3"  # where 王芳, 陳大文 and Li Lei live: a visitor sees it at once
OUTAGE_HOURS = (-1, 8)  # from an hour before the present to eight after: running as it opens


@dataclass
class World:
    """Where the estate lives in this emulator: persona key → user id, group key → chat id."""

    people: dict[str, int]
    groups: dict[str, int]


def create_world(emulator: Emulator) -> World:
    """Create everyone and every group, always in the same order (so ids repeat)."""
    people: dict[str, int] = {}
    for p in PEOPLE:
        user = emulator.create_user(p.name, language_code=p.language_code, phone=p.phone,
                                    username=f"{p.key}_demo")
        people[p.key] = user.id
    groups: dict[str, int] = {}
    for g in GROUPS:
        chat = emulator.create_group(g.title, [people[k] for k in g.members],
                                     added_by=people[g.members[0]])
        groups[g.key] = chat.id
    return World(people, groups)


def find_world(emulator: Emulator) -> World | None:
    """The estate in a restored emulator, matched by name; None if anyone is missing."""
    users = {u.first_name: u.id for u in emulator.users.values() if not u.is_bot}
    titles = {c.title: c.id for c in emulator.chats.values() if c.type != "private"}
    if not all(p.name in users for p in PEOPLE) or not all(g.title in titles for g in GROUPS):
        return None
    return World({p.key: users[p.name] for p in PEOPLE},
                 {g.key: titles[g.title] for g in GROUPS})


def last_update_id(office: Office) -> int:
    """The highest Telegram update id the bot has recorded as handled."""
    with read_session(office.engine) as session:
        keys = session.exec(select(ProcessedUpdate.key)
                            .where(col(ProcessedUpdate.key).startswith("u:"))).all()
    numbers = [int(k[2:]) for k in keys if k[2:].isdigit()]
    return max(numbers, default=0)


def import_roster(office: Office) -> None:
    """The estate's households with their fee plans, as ``frontline households import``
    would take them from the office's roster CSV."""
    rows = [{"building": h.building, "room": h.room, "name": h.name, "phone": h.phone,
             "fee_plan": h.fee_plan, "monthly_fee": h.monthly_fee} for h in HOUSEHOLDS]
    roster.import_households(office, enumerate(rows, start=2))


class Seeder:
    """Runs the demo estate's set-up script against the running bot."""

    def __init__(self, emulator: Emulator, office: Office, world: World,
                 present: datetime | None = None) -> None:
        """*present*: the moment the estate opens to visitors (the set-up may run on a clock
        moved back; the outage is planned around the present)."""
        self.emulator, self.office, self.world = emulator, office, world
        self.present = present or office.clock.now()
        self.actors = {p.key: Actor(emulator, office, world.people[p.key], p.name)
                       for p in PEOPLE}

    async def run(self) -> None:
        await self.register_everyone()
        await self.bind_groups()
        await self.make_history()
        await self.make_announcements()

    async def register_everyone(self) -> None:
        """Residents and staff redeem their codes (the roster is in: ``import_roster``), all
        at once."""
        codes = {f"{b}-{r}": code for b, r, code in roster.household_codes(self.office)}
        for p in PEOPLE:
            if p.role == "resident" and p.bound:
                self._say(p, f"/start {codes[p.unit]}")
            elif p.role != "resident":
                self._say(p, f"/start {self._staff_code(p)}")
        await settle(self.emulator, self.office, timeout=30)

    def _staff_code(self, p: Persona) -> str:
        return roster.create_invite(self.office, "staff", p.role, list(p.trades), p.name)

    def _say(self, p: Persona, text: str, chat_id: int | None = None) -> None:
        self.emulator.send_text(self.world.people[p.key], text, chat_id=chat_id)

    async def bind_groups(self) -> None:
        """The first member of each group sends /bindgroup with a fresh group code."""
        for g in GROUPS:
            code = roster.create_invite(self.office, "group", g.purpose, list(g.trades))
            binder = next(p for p in PEOPLE if p.key == g.members[0])
            self._say(binder, f"/bindgroup {code}", chat_id=self.world.groups[g.key])
        await settle(self.emulator, self.office)

    async def make_history(self) -> None:
        """A few repairs in different states, so /my, /jobs and the boards are not empty.

        Reported through the menu's category buttons (the other way in; the tour shows free
        text), all three at once: the bot handles different chats in parallel.
        """
        a, groups = self.actors, self.world.groups
        await asyncio.gather(
            self.report(a["wang"], "plumbing", "unit", "卫生间地漏堵了，水下不去"),
            self.report(a["li"], "electrical", "public",
                        "The corridor light keeps flickering", "Building 3, 12th floor corridor"),
            self.report(a["chan"], "gas", "unit", "熱水器打不著火"),
        )
        await asyncio.gather(a["zhao"].taps(r"^v1:accept:", chat_id=groups["plumbing"]),
                             a["chen"].taps(r"^v1:accept:", chat_id=groups["electrical"]),
                             a["sun"].taps(r"^v1:accept:", chat_id=groups["gas_hvac"]))
        await asyncio.gather(a["zhao"].taps(r"^v1:set_off:"), a["chen"].taps(r"^v1:set_off:"))
        await a["zhao"].taps(r"^v1:finish:")
        await a["zhao"].says("疏通了地漏，清出头发和杂物")
        await a["zhao"].taps(r":finish$")
        await a["wang"].taps(r"^v1:sign:")

    async def make_announcements(self) -> None:
        """The manager announces a fire drill to the whole estate (daytime: at night it waits
        for the morning) and a water outage in building 3, running now (urgent: day or
        night), each composed with /announce and approved as a manager would. Last, so no
        copy lands in the middle of a dialog here: the copies go with what the present makes
        due, just after the URL (``server.py``)."""
        huang = self.actors["huang"]
        await self.announce(huang, NOTICE, r":to:estate$", r":when:now$")
        local = self.present.astimezone(self.office.timezone).replace(minute=0, second=0,
                                                                       microsecond=0)
        starts, ends = (local + timedelta(hours=h) for h in OUTAGE_HOURS)
        period = f"{starts:%Y-%m-%d %H:%M} - {ends:%Y-%m-%d %H:%M}"
        await self.announce(huang, OUTAGE, r":to:outage$", r":utility:water$",
                            OUTAGE_BUILDINGS, period, r":when:urgent$")

    async def announce(self, author: Actor, text: str, *answers: str) -> None:
        """/announce privately: the text, then each answer (a button's data pattern, ``:``
        first, or words typed), then Approve on the preview."""
        await author.says("/announce")
        await author.says(text)
        for answer in answers:
            await (author.taps(answer) if answer.startswith(":") else author.says(answer))
        await author.taps(r"^v1:announce_me:\d+:approve$")

    async def report(self, actor: Actor, trade: str, where: str, description: str,
                     place: str = "") -> None:
        """Report a repair from the menu, answering each question the dialog asks."""
        await actor.taps(r"^v1:menu:repair$")
        taps = (rf":trade:{trade}$", rf":{where}$", r":unit:\d+$", r":photos_done$",
                r":time:tomorrow_am$", r":roster_phone$", r":submit$")
        for _ in range(12):
            record = actor.last_bot_message()
            data = [str(b.get("callback_data", "")) for b in buttons_of(record)] if record else []
            choice = next((d for pattern in taps for d in data if re.search(pattern, d)), None)
            if choice is None and any(d.endswith(":skip") for d in data):
                await actor.says(description)  # "describe the problem in a few words"
                continue
            if choice is None and data and all(d.endswith(":cancel") for d in data):
                await actor.says(place)  # "where exactly?" for a public area
                continue
            if choice is None or record is None:
                raise SeedingError(f"{actor.name}: unexpected step: {actor.last_text()!r}")
            self.emulator.press_button(actor.user_id, message_id=record.message_id,
                                       callback_data=choice)
            await settle(self.emulator, self.office)
            if choice.endswith(":submit"):
                return
        raise SeedingError(f"{actor.name}: the repair dialog did not end")
