"""Webhook delivery: POST each pending update to the bot, like Telegram does.

An update stays pending until the bot answers 2xx; anything else is resent after a backoff,
which is exactly how bots see duplicate updates in production. Up to ``max_connections``
requests run at once (Telegram's default is 40), so delivery order is not guaranteed either.
A 2xx reply whose JSON body names a ``method`` is executed, as Telegram does for
"reply in webhook".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp

from .models import JSON

if TYPE_CHECKING:
    from .state import EmulatorState

log = logging.getLogger(__name__)
MethodRunner = Callable[[str, JSON], Awaitable[Any]]


class WebhookDelivery:
    def __init__(
        self,
        emulator: EmulatorState,
        url: str,
        *,
        secret_token: str | None,
        max_connections: int,
        run_method: MethodRunner,
        timeout: float = 10.0,
    ) -> None:
        self.emulator = emulator
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._run_method = run_method
        self._timeout = timeout
        self._ready: asyncio.Queue[int] = asyncio.Queue()
        self._attempts: dict[int, int] = {}
        self._workers: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.max_connections),
            timeout=aiohttp.ClientTimeout(total=self._timeout),
        )
        for update in self.emulator.pending_updates():
            self._ready.put_nowait(update["update_id"])
        self._workers = [
            asyncio.create_task(self._work(), name=f"webhook-{i}")
            for i in range(self.max_connections)
        ]

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None

    def notify(self, update_id: int) -> None:
        self._ready.put_nowait(update_id)

    def info(self) -> JSON:
        data: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.emulator.pending_update_count,
            "max_connections": self.max_connections,
            "ip_address": "127.0.0.1",
        }
        if self.emulator.allowed_updates:
            data["allowed_updates"] = self.emulator.allowed_updates
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message
        return data

    async def _work(self) -> None:
        while True:
            update_id = await self._ready.get()
            update = self.emulator.pending_update(update_id)
            if update is None:
                continue  # dropped or already delivered
            if await self._post(update):
                self._attempts.pop(update_id, None)
                self.emulator.ack_update(update_id)
                self.emulator.stats.webhook_deliveries += 1
            else:
                self.emulator.stats.webhook_failures += 1
                self._schedule_retry(update_id)

    def _schedule_retry(self, update_id: int) -> None:
        attempt = self._attempts.get(update_id, 0)
        self._attempts[update_id] = attempt + 1
        delays = self.emulator.webhook_retry_delays or (1.0,)
        delay = delays[min(attempt, len(delays) - 1)]
        loop = asyncio.get_running_loop()

        def requeue() -> None:
            self._timers.discard(handle)
            self._ready.put_nowait(update_id)

        handle = loop.call_later(delay, requeue)
        self._timers.add(handle)

    async def _post(self, update: JSON) -> bool:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        body = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
        try:
            async with self._session.post(self.url, data=body.encode(), headers=headers) as resp:
                payload = await resp.read()
                if not 200 <= resp.status < 300:
                    self._error(f"Wrong response from the webhook: {resp.status} {resp.reason}")
                    return False
        except TimeoutError:
            self._error("Read timeout expired")
            return False
        except aiohttp.ClientError as exc:
            self._error(f"Connection refused ({type(exc).__name__})")
            return False
        await self._maybe_run_reply(payload)
        return True

    def _error(self, message: str) -> None:
        self.last_error_date = int(self.emulator.now())
        self.last_error_message = message

    async def _maybe_run_reply(self, payload: bytes) -> None:
        if not payload.strip():
            return
        try:
            reply = json.loads(payload)
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            try:
                await self._run_method(reply["method"], params)
            except Exception:  # a bad reply-in-webhook is the bot's problem; keep delivering
                log.warning("webhook reply method %s failed", reply["method"], exc_info=True)
