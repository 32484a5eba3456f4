"""``frontline sandbox`` in one asyncio process: emulator + real bot + demo estate + web view.

One aiohttp server on 127.0.0.1 serves three things on one port: the Bot API the bot talks to
(``/bot<token>/...``), the emulator's control API and event stream (``/control/...``), and
the web view (``/``). The bot is ``bot.runtime.run_bot`` — the ``frontline run`` code path —
running as a task of the same loop with the sandbox clock injected into its office.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import SecretStr

from bot.bootstrap import build_office, prepare_database
from bot.emulator import Emulator, build_app
from bot.sandbox import snapshot
from bot.sandbox.clock import SandboxClock
from bot.sandbox.history import write_fees, write_history
from bot.sandbox.seed import (
    Seeder,
    World,
    create_world,
    find_world,
    import_roster,
    last_update_id,
)
from bot.sandbox.timers import (
    AfterSeeding,
    DueRunner,
    find_scheduler,
    office_walk,
    run_due,
    walk,
)
from bot.sandbox.web import CLOCK_EVENT, SandboxView, add_routes
from bot.settings import Settings
from handlers.office import Office

if TYPE_CHECKING:
    from bot.runtime import BackgroundService

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only: the sandbox has no authentication at all
# Any token works with the emulator; the numeric part becomes the bot's user id.
SANDBOX_TOKEN = "7000000001:SANDBOX-not-a-telegram-token"
BOT_USERNAME = "frontline_sandbox_bot"
SEED_OFFSET = timedelta(days=-1)  # the demo history happened "yesterday"
READY_MARK = "estate-ready"  # written once the demo estate is complete
AUTOSAVE_SECONDS = 5.0  # the chats are saved this often when something changed (--data)


@dataclass(frozen=True)
class Options:
    port: int = 8000
    data: Path | None = None
    framework: str = "aiogram"


def sandbox_settings(base: Settings, database: Path, api_base: str, framework: str) -> Settings:
    """The office's settings, pointed at the local emulator, whatever the environment says.

    The send limits are raised: the emulator enforces none, and a trainer should not watch a
    resident's answers trickle out at Telegram's one message per second per chat.
    """
    if urlsplit(api_base).hostname != HOST:
        raise RuntimeError(f"the sandbox only talks to a local emulator, not {api_base}")
    return base.model_copy(update={
        "database_url": f"sqlite:///{database}",
        "api_base": api_base,
        "bot_token": SecretStr(SANDBOX_TOKEN),
        "bot_username": BOT_USERNAME,
        "framework": framework,
        "send_rate_per_second": 200.0,
        "private_chat_per_second": 50.0,
        "group_chat_per_minute": 3000.0,
    })


class Sandbox:
    """Start everything, run until asked to stop, then stop everything in reverse order."""

    def __init__(self, options: Options, announce: Callable[[str], None]) -> None:
        self.options = options
        self.announce = announce
        self.stop_requested = asyncio.Event()
        self._temp: Path | None = None
        self.data = options.data or self._temp_dir()
        self.data.mkdir(parents=True, exist_ok=True)
        self.snapshot_path = self.data / "chats.json"
        self.base = Settings()
        self.timezone = ZoneInfo(self.base.timezone)
        self.clock = SandboxClock.load(self.timezone, self.data / "clock.json")
        self.emulator = self._new_emulator()
        self.view = SandboxView(self.emulator, self.clock, options.framework,
                                jump_to=self._jump_to)
        self.scheduler: DueRunner | None = None
        self.office: Office | None = None
        self.url = ""

    def _new_emulator(self) -> Emulator:
        return Emulator(token=None, clock=self.clock.timestamp, bot_username=BOT_USERNAME,
                        bot_first_name="Frontline")

    def _temp_dir(self) -> Path:
        self._temp = Path(tempfile.mkdtemp(prefix="frontline-sandbox-"))
        return self._temp

    async def _jump_to(self, target: datetime) -> bool:
        if self.scheduler is None or self.office is None:
            self.clock.move_to(target)
            return False
        how = office_walk(self.office, self.scheduler)

        async def settle() -> None:
            await how.settle()
            # Every tab's clock face follows the walk, stop by stop.
            self.emulator.publish(CLOCK_EVENT, clock=self.clock.describe())

        stops = await walk(self.clock, target, replace(how, settle=settle))
        log.info("sandbox: clock moved to %s, through %s moments something fell due", target,
                 stops)
        return True

    async def run(self) -> None:
        runner: web.AppRunner | None = None
        bot_stop = asyncio.Event()
        bot_task: asyncio.Task[None] | None = None
        try:
            database = self.data / "frontline.db"
            fresh = not (self.data / READY_MARK).exists()
            if fresh:
                # No estate, or one whose set-up was cut short: start again from nothing.
                for stale in self.data.glob("frontline.db*"):
                    stale.unlink()
            # The database and the world first: the emulator may have to be replaced.
            settings = sandbox_settings(self.base, database, f"http://{HOST}:0",
                                        self.options.framework)
            await asyncio.to_thread(prepare_database, settings)
            # In a thread, so the loop stays live (run_bot warms the triage up beside it).
            office = self.office = await asyncio.to_thread(build_office, settings, self.clock)
            world = self._prepare_world(office, fresh)
            app = build_app(self.emulator)
            add_routes(app, self.view)
            app.on_response_prepare.append(_no_cache_static)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
            await runner.setup()
            site = web.TCPSite(runner, HOST, self.options.port)
            await site.start()
            self.url = f"http://{HOST}:{runner.addresses[0][1]}"
            settings = sandbox_settings(self.base, database, self.url, self.options.framework)
            self.scheduler = find_scheduler(office, settings)
            if self.scheduler is None:
                self.view.notes.append("Timed follow-ups (surveys, deadlines) need the "
                                       "scheduler service; clock jumps move time only.")
            if fresh:
                # The roster and its fees before the bot: its fee calendar, on its first
                # pass, must find last month's bills and notices in place, not an empty
                # estate. Dated by the real present, where the history is written too.
                await asyncio.to_thread(import_roster, office)
                await asyncio.to_thread(write_fees, office, self.clock.now() - SEED_OFFSET)
            # A fresh estate's scheduler starts once the estate is complete: its catch-up,
            # run before the groups were bound, would record last month's report as
            # skipped (no managers' chat) for good.
            seeded = asyncio.Event()
            services: list[BackgroundService] = []
            if self.scheduler is not None:
                services.append(AfterSeeding(self.scheduler, seeded) if fresh
                                else self.scheduler)
            from bot.runtime import run_bot  # imports the framework: seconds, so only now
            bot_task = asyncio.create_task(run_bot(
                settings, office=office, stop=bot_stop, extra_services=services), name="bot")
            if fresh:
                seeder = Seeder(self.emulator, office, world,
                                present=self.clock.now() - SEED_OFFSET)
                if not await self._race(seeder.run(), bot_task):
                    return  # stopped half-way: the next start sets the estate up again
                self.clock.set_offset(timedelta(0))  # back to the real present
                # Six weeks of the office's past, so the monthly report has a month to show.
                await asyncio.to_thread(write_history, office, self.clock.now())
                (self.data / READY_MARK).write_text("the demo estate is complete\n")
            self.view.world = world
            self._save()
            if self.stop_requested.is_set():
                return  # Ctrl-C during start-up: no URL for a sandbox that is going away
            self.announce(f"{self.url}/")
            if fresh:
                # What the past made due (last month's report with its charts, seconds of
                # work) arrives just after the URL instead of holding it back.
                seeded.set()
                await run_due(self.scheduler)
            await self._race(self._autosave(), bot_task)
        finally:
            bot_stop.set()
            if bot_task is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(bot_task, 15)
            self._save()
            if runner is not None:
                await runner.cleanup()
            if self.office is not None:
                self.office.engine.dispose()
            if self._temp is not None:
                shutil.rmtree(self._temp, ignore_errors=True)

    def _prepare_world(self, office: Office, fresh: bool) -> World:
        """The estate's people and chats in the emulator: restored, re-created, or new."""
        if fresh:
            # A new database means a new estate: old chats or a moved clock would not match.
            self.snapshot_path.unlink(missing_ok=True)
            self.clock.set_offset(SEED_OFFSET)
            return create_world(self.emulator)
        world = find_world(self.emulator) if snapshot.restore(
            self.emulator, self.snapshot_path) else None
        if world is None:
            # The database outlived the chats: same creation order, same ids, empty histories.
            self.emulator = self.view.emulator = self._new_emulator()
            world = create_world(self.emulator)
            for chat in self.emulator.chats.values():
                chat.started = True
            self.emulator.drop_pending_updates()  # the bot saw these joins long ago
            self.view.notes.append("The chat histories were not kept; the office's records "
                                   "(orders, bindings) were.")
        snapshot.skip_update_ids(self.emulator, last_update_id(office))
        return world

    async def _race(self, work: object, bot_task: asyncio.Task[None]) -> bool:
        """Run *work* until it ends (True), the bot dies, or a stop is requested (False)."""
        assert asyncio.iscoroutine(work)
        task = asyncio.ensure_future(work)
        stopper = asyncio.ensure_future(self.stop_requested.wait())
        try:
            await asyncio.wait({task, bot_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if task.done():
            task.result()  # re-raise a seeding failure
            return True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if bot_task.done() and not self.stop_requested.is_set():
            bot_task.result()  # the bot's own error, if it had one
            raise RuntimeError("the bot stopped unexpectedly")
        return False

    async def _autosave(self) -> None:
        seen = self.emulator.bus.seq
        while True:
            await asyncio.sleep(AUTOSAVE_SECONDS)
            if self.emulator.bus.seq != seen:
                seen = self.emulator.bus.seq
                self._save()

    def _save(self) -> None:
        if self.options.data is None or self.view.world is None:
            return  # a throw-away sandbox keeps nothing
        try:
            snapshot.save(self.emulator, self.snapshot_path)
        except OSError:
            log.exception("sandbox: could not save the chats to %s", self.snapshot_path)


async def _no_cache_static(request: web.Request, response: web.StreamResponse) -> None:
    # The page is tiny; always revalidating saves a confused trainer after an upgrade.
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-cache"
