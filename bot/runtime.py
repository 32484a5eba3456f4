"""``frontline run``: receive updates (long polling or webhook), handle them, drain the outbox.

Start-up: office → intake → adapter (getMe, tried again with back-off until the Bot API
answers; a rejected token ends it) → receiving. Only what answers an update comes before the
first getUpdates (the core, the intake, the adapter); once it has gone out
(:attr:`Intake.receiving`; with a webhook, once the server listens) the rest starts beside it
(:class:`BesideReceiving`): the sender's leader loop (it sends whenever this process holds
the sender lock, ``storage/leader.py``; on PostgreSQL, while it leads, it hears of every
process's commits of outbox rows, ``storage/outbox_signal.py``), the command menus, the
services (the scheduler, with a lock of its own, which loads APScheduler and its jobs then)
and the triage model's warm-up in a thread (:func:`warm_triage`). Shutdown on SIGTERM/SIGINT
finishes in-flight work: stop receiving, commit the updates already taken in (for at most
30 s), stop the services, let the sender finish its requests (and flush what is due for a
few seconds), close the HTTP session. A second SIGINT (``uv run`` forwards Ctrl-C twice) never
cuts this short (``bot/stopping.py``); at the end the SQLite WAL is checkpointed and
"stopped" is logged.

While the database is unavailable, polling holds an update back and tries it again; a webhook
answers 500 and Telegram redelivers (``bot/adapters/intake.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection

from bot.adapters.base import Adapter, CommandScope, TokenRejected, Transport, Unreachable
from bot.adapters.intake import Intake
from bot.sender import Limits, OutboxSender
from bot.settings import Settings
from dialogs.commands import UNBOUND_GROUP_COMMANDS, MenuCommand, for_person
from dialogs.events import Event
from handlers.office import Office
from locales import Language, render
from storage.leader import FOLLOWER_RETRY, LEADER_RECHECK, LeaderLock, Leadership, lead

if TYPE_CHECKING:  # aiohttp's server: imported for --webhook only (PTB polls with httpx)
    from bot.adapters.webhook import WebhookServer
    from storage.outbox_signal import OutboxSignal

log = logging.getLogger(__name__)

HandleFn = Callable[[Office, Event], None]
# Telegram's setMyCommands takes a two-letter ISO 639-1 code, so Traditional Chinese cannot
# get its own menu: "zh" would cover zh-hans and zh-hant alike. Simplified is the office's
# default, so it is the menu for everyone without a dedicated one; English has its own.
MENU_LANGUAGES: tuple[tuple[str | None, Language], ...] = ((None, "zh_Hans"), ("en", "en"))
SHUTDOWN_FLUSH = 3.0  # seconds the sender keeps sending due rows after SIGTERM
CONNECT_TIMEOUT = 20.0  # seconds one getMe may take before it counts as unreachable
CONNECT_RETRY_FIRST = 1.0  # seconds before the second getMe; doubling from there …
CONNECT_RETRY_CAP = 60.0  # … up to this
# Seconds a sender that takes the lead after a database outage waits first: the former leader
# may still be writing down what Telegram accepted (its writes are retried every 5 s at most),
# and sending those rows again would double them.
SENDER_HANDOVER = 7.0


class BackgroundService(Protocol):
    """Something that runs beside the bot (the scheduler): started after, stopped before."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def limits_from(settings: Settings) -> Limits:
    """The sender's limits from the office's settings."""
    return Limits(global_per_second=settings.send_rate_per_second,
                  private_per_second=settings.private_chat_per_second,
                  group_per_minute=settings.group_chat_per_minute)


def make_adapter(settings: Settings, intake: Intake) -> Adapter:
    """The adapter for ``FRONTLINE_FRAMEWORK`` (imports only the chosen framework)."""
    token = settings.bot_token.get_secret_value()
    if not token:
        raise RuntimeError("FRONTLINE_BOT_TOKEN is not set")
    if settings.framework == "ptb":
        from bot.adapters.ptb_adapter import PtbAdapter
        return PtbAdapter(token, settings.api_base, intake)
    from bot.adapters.aiogram_adapter import AiogramAdapter
    return AiogramAdapter(token, settings.api_base, intake)


async def connect(adapter: Adapter, settings: Settings, stop: asyncio.Event, *,
                  first: float = CONNECT_RETRY_FIRST, cap: float = CONNECT_RETRY_CAP,
                  attempt_within: float = CONNECT_TIMEOUT) -> bool:
    """getMe until the Bot API answers (True), or until *stop* (False).

    Each failed attempt is one warning line saying what is unreachable; the waits between
    attempts double from *first* up to *cap*. A rejected token raises :class:`TokenRejected`.
    """
    token = settings.bot_token.get_secret_value()
    delay, attempt = first, 1
    while not stop.is_set():
        start = asyncio.ensure_future(asyncio.wait_for(adapter.start(), attempt_within))
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({start, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not start.done():
            start.cancel()
            with contextlib.suppress(asyncio.CancelledError, Unreachable, TokenRejected):
                await start
            return False
        try:
            start.result()
            return True
        except TimeoutError:
            reason = f"no answer within {attempt_within:g} s"
        except Unreachable as error:
            reason = str(error)
        if token:
            reason = reason.replace(token, "<token>")
        log.warning("runtime: cannot reach the Bot API at %s (%s); attempt %d, trying again "
                    "in %g s (check the network and FRONTLINE_API_BASE)",
                    settings.api_base, reason, attempt, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay, attempt = min(cap, delay * 2), attempt + 1
    return False


async def register_commands(transport: Transport) -> None:
    """Set the default menus in each menu language: the residents' commands in private
    chats, /bindgroup in groups. Staff chats and bound groups get their own menus
    (``handlers/registration/menus.py``), which Telegram shows instead."""
    scopes: tuple[tuple[CommandScope, tuple[MenuCommand, ...]], ...] = (
        ("private", for_person("resident")), ("group", UNBOUND_GROUP_COMMANDS))
    for scope, commands in scopes:
        for code, language in MENU_LANGUAGES:
            rendered = [(c.name, render(c.menu, language)) for c in commands]
            await transport.set_commands(rendered, scope, code)


def _refresh_chat_menus(office: Office) -> None:
    # Imported here, as the core is: a stand-in core's process needs no more of handlers/.
    from handlers.registration.menus import refresh_all
    log.info("runtime: %d chat menus asked for", refresh_all(office))


def _core_handle() -> HandleFn:
    # Imported only when no core is passed in: the tests' stand-in cores and the lean
    # benchmark core run without loading the office's rules.
    from handlers.reception.entry import handle
    return handle


async def lead_sender(sender: OutboxSender, leader: Leadership, stop: asyncio.Event, *,
                      retry: float = FOLLOWER_RETRY, recheck: float = LEADER_RECHECK,
                      signal: OutboxSignal | None = None) -> None:
    """Run the sender whenever this process holds the sender's lock, until *stop*; while it
    leads, *signal* (PostgreSQL) wakes it for the rows any process commits.

    The loop is :func:`storage.leader.lead`, the scheduler's too: a failed database connect
    is logged and retried with back-off, never the end of the sender.
    """

    async def send(lost: asyncio.Event) -> None:
        listening = (asyncio.create_task(signal.run(), name="outbox signal")
                     if signal is not None else None)
        try:
            await sender.run(lost)
            if stop.is_set():
                # Replies to the last updates taken in: send what the limits allow right away.
                await sender.drain(within=SHUTDOWN_FLUSH)
        finally:
            if listening is not None:
                listening.cancel()
                await asyncio.gather(listening, return_exceptions=True)

    await lead(leader, send, stop, name="sender", retry=retry, recheck=recheck,
               handover=SENDER_HANDOVER)


async def warm_triage(office: Office, stop: asyncio.Event, *, freeze: bool = False) -> None:
    """Load the triage model (jieba's dictionary, about a second) and the FAQ index in a thread
    beside receiving (``handlers.reception.entry.warm_up``).

    Started once the first getUpdates has gone out, so off the path to it, but never behind
    the first free text: each is built under a lock, so a text that comes while this is
    running waits for it, and one that comes first builds it (this then finds it built). A
    broken data file stops the bot, as a start-up check would.
    """
    from handlers.reception.entry import warm_up

    try:
        seconds = await asyncio.to_thread(warm_up, office)
    except Exception:
        log.exception("runtime: the triage data files cannot be loaded; stopping")
        stop.set()
        raise
    log.info("runtime: triage ready (%.2f s in the background)", seconds)
    if freeze:
        keep_start_up_out_of_collections()


def keep_start_up_out_of_collections() -> None:
    """What start-up built (modules, both frameworks' models, the triage model) lives as long
    as the process. Python's full collection walks every object it tracks, with the GIL held:
    run whenever the heap has grown by a quarter, it stopped every update for up to 0.2 s, the
    worst waits at 100 updates/s. Collected once now, those objects are moved out of the
    collector's sight (``gc.freeze``), so a full collection walks only what came after.
    For a process of its own only (``frontline run``): in a test's process it would keep the
    fixtures of the moment from ever being collected."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    log.info("runtime: %d start-up objects kept out of collections (%.0f ms)",
             gc.get_freeze_count(), (time.perf_counter() - started) * 1000)


def _announce(adapter: Adapter, mode: str) -> None:
    # Process supervisors and the end-to-end tests wait for this line.
    log.info("runtime: %s bot @%s up (%s)", adapter.name, getattr(adapter, "username", ""), mode)


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)


async def run_bot(settings: Settings, *, webhook_url: str | None = None,
                  office: Office | None = None, stop: asyncio.Event | None = None,
                  extra_services: Sequence[BackgroundService] = (),
                  handle: HandleFn | None = None, freeze_start_up: bool = False) -> None:
    """Run the bot until *stop* is set (without *stop*: until SIGTERM or SIGINT). With
    *freeze_start_up* (the process is the bot's own), start-up's objects are kept out of
    Python's collections once the triage is warm (:func:`keep_start_up_out_of_collections`)."""
    if office is None:
        from bot.bootstrap import build_office
        office = build_office(settings)
    if stop is None:
        # Run as a program: SIGTERM/SIGINT end it. An embedding caller owns shutdown instead.
        stop = asyncio.Event()
        _on_signals(stop)
    core = handle or _core_handle()
    # SQLite takes one writer at a time, and a writer that finds the file locked sleeps in
    # its busy handler; one writer thread for the whole process keeps the queue in Python.
    sqlite = settings.database_url.startswith("sqlite")
    workers = 1 if sqlite else 8
    writers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="db")
    sender_ref: list[OutboxSender] = []
    if sqlite:  # units of work hand their committed rows to the sender (OutboxSender.hand_off)
        def hand_off(batches: Sequence[tuple[int, Sequence[Sequence[Any]]]], /, *,
                     reach_changed: bool = False) -> None:
            sender_ref[0].hand_off(batches, reach_changed=reach_changed)

        # … and take the sender's sent marks along (bot/sent_marks.py): one writer thread,
        # so a mark queued behind the updates being handled would be a transaction of its own.
        def ride_marks(connect: Callable[[], Connection], /) -> Callable[[bool], None] | None:
            return sender_ref[0].marks.ride(connect) if sender_ref else None

        office = replace(office, outbox_listener=hand_off, ride_along=ride_marks)
    # On PostgreSQL every commit with outbox rows, this process's or another's, wakes the
    # leading sender (storage/outbox_signal.py); SQLite's units of work hand their rows over.
    signal: OutboxSignal | None = None
    if not sqlite:
        from storage.outbox_signal import OutboxSignal
        signal = OutboxSignal(settings.database_url, lambda: sender_ref[0].wake())

    def wake_after_update() -> None:
        # A stand-in core may write without a unit of work; without the signal, wake for all.
        if sender_ref and (signal is None or not signal.listening):
            sender_ref[0].wake()

    # Polling tries an update again while the database is down; a webhook answers 500.
    intake = Intake(lambda event: core(office, event), pool=writers, workers=workers,
                    on_handled=wake_after_update if not sqlite or handle is not None else None,
                    retry_unavailable=webhook_url is None)
    adapter = make_adapter(settings, intake)
    sender = OutboxSender(office, adapter.transport, limits_from(settings), writer=writers)
    sender_ref.append(sender)
    sender_stop = asyncio.Event()
    beside = BesideReceiving(office, settings, sender, sender_stop, extra_services, writers,
                             signal, freeze_start_up=freeze_start_up)
    polling: asyncio.Task[None] | None = None
    server: WebhookServer | None = None
    try:
        if not await connect(adapter, settings, stop):
            return  # stopped before the Bot API ever answered
        if webhook_url:
            from bot.adapters.webhook import (
                WebhookServer,
                derive_secret,
                parse_listen,
                webhook_path,
            )

            secret = (settings.webhook_secret.get_secret_value()
                      or derive_secret(settings.bot_token.get_secret_value()))
            host, port = parse_listen(settings.webhook_listen)
            server = WebhookServer(adapter.feed_webhook, path=webhook_path(webhook_url),
                                   secret=secret, host=host, port=port)
            await server.start()
            await adapter.set_webhook(webhook_url, secret)
            _announce(adapter, "webhook")
            await beside.start(adapter, warm=handle is None, stop=stop)
            await stop.wait()
        else:
            _announce(adapter, "long polling")
            polling = asyncio.create_task(adapter.run_polling(stop), name="polling")
            receiving = asyncio.create_task(intake.receiving.wait())
            await asyncio.wait({polling, receiving}, return_when=asyncio.FIRST_COMPLETED)
            receiving.cancel()
            if not polling.done():
                await beside.start(adapter, warm=handle is None, stop=stop)
            await polling
    finally:
        log.info("runtime: shutting down")
        if polling is not None and not polling.done():
            stop.set()  # starting what runs beside failed: stop receiving too
            await asyncio.gather(polling, return_exceptions=True)
        if server is not None:
            await server.stop()
        await intake.close()
        await beside.stop()
        await adapter.close()
        writers.shutdown(wait=True)
        await beside.cooled()
        log.info("runtime: stopped")
    beside.check()


class BesideReceiving:
    """What runs beside receiving and is not needed to answer an update: the sender's leader
    loop, the command menus, the services and the triage warm-up. Started once receiving has
    begun; stopped after the intake has finished its updates."""

    def __init__(self, office: Office, settings: Settings, sender: OutboxSender,
                 sender_stop: asyncio.Event, services: Sequence[BackgroundService],
                 writer: ThreadPoolExecutor, signal: OutboxSignal | None = None, *,
                 freeze_start_up: bool = False) -> None:
        self.office = office
        self.freeze_start_up = freeze_start_up
        self.signal = signal
        self.writer = writer
        self.settings = settings
        self.sender = sender
        self.sender_stop = sender_stop
        self.services = services
        self.started: list[BackgroundService] = []
        self.sender_task: asyncio.Task[None] | None = None
        self.menus: asyncio.Task[None] | None = None
        self.warming: asyncio.Task[None] | None = None

    async def start(self, adapter: Adapter, *, warm: bool, stop: asyncio.Event) -> None:
        """Start them all; a service that fails to start raises (and the bot stops)."""
        # Only the office's core triages; a stand-in core passed by a test or a benchmark
        # does not.
        if warm:
            self.warming = asyncio.create_task(
                warm_triage(self.office, stop, freeze=self.freeze_start_up), name="triage")
        self.sender_task = asyncio.create_task(
            lead_sender(self.sender, LeaderLock(self.settings.database_url), self.sender_stop,
                        signal=self.signal),
            name="sender")
        self.menus = asyncio.create_task(
            set_menus(adapter.transport, self.office, self.writer), name="menus")
        for service in self.services:
            await service.start()
            self.started.append(service)

    async def stop(self) -> None:
        """Stop the services, then the sender (which flushes what is due); the menus, if
        still being set, are given up (they are set again at the next start)."""
        if self.menus is not None:
            self.menus.cancel()
            await asyncio.gather(self.menus, return_exceptions=True)
        for service in reversed(self.started):
            try:
                await service.stop()
            except Exception:
                log.exception("runtime: stopping %r failed", service)
        self.sender_stop.set()
        if self.sender_task is not None:
            await asyncio.gather(self.sender_task, return_exceptions=True)

    async def cooled(self) -> None:
        """Wait for the warm-up: a thread cannot be cancelled; it ends within seconds."""
        if self.warming is not None:
            await asyncio.wait({self.warming})

    def check(self) -> None:
        """A broken triage data file ends the run with its error."""
        if self.warming is not None:
            self.warming.result()


async def set_menus(transport: Transport, office: Office, writer: ThreadPoolExecutor) -> None:
    """The default menus, then each staff chat's and bound group's own; a failure is logged
    (the bot answers without them). The chat menus are outbox rows, written on *writer*: the
    updates already arriving write there too, and SQLite takes one writer at a time."""
    try:
        await register_commands(transport)
        await asyncio.get_running_loop().run_in_executor(writer, _refresh_chat_menus, office)
    except Exception as error:
        log.warning("runtime: could not set the command menus (%s); carrying on", error)


def close_database(office: Office) -> None:
    """Close the office's connections; SQLite's WAL is folded back into the database file.

    SQLite checkpoints and removes the ``-wal`` file when its last connection closes, so a
    cleanly stopped bot leaves one file behind, which copies and backs up as it is.
    """
    engine = office.engine
    if engine.dialect.name == "sqlite":
        try:
            # The raw connection is in autocommit: a checkpoint cannot run in a transaction.
            raw = engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        except Exception as error:  # the database is still consistent; only the WAL stays
            log.warning("runtime: could not checkpoint the SQLite WAL (%s)", error)
    engine.dispose()


def office_services(office: Office, settings: Settings) -> list[BackgroundService]:
    """The services that run beside the bot: the scheduler (leading by its own lock)."""
    from scheduler import SchedulerService
    return [SchedulerService(office, LeaderLock(settings.database_url, name="scheduler"))]


