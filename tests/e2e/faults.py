"""A fault-injecting proxy in front of the emulator: the Bot API as a bad day makes it look.

The bot under test talks to the proxy as its ``FRONTLINE_API_BASE``. Every call is logged with
its time, method, chat and outcome (so a test can check that nothing reached a chat inside its
429 window), and rules can answer a call with an error instead of forwarding it, or hand out
the previous getUpdates batch again (Telegram redelivering updates).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

_CHAT_ID = re.compile(rb'chat_id"?\s*(?:\r\n(?:[^\r\n]+\r\n)*\r\n|=|:\s*)"?(-?\d+)')


@dataclass(slots=True)
class Call:
    at: float
    method: str
    chat_id: int | None
    status: int
    retry_after: int | None = None


@dataclass(slots=True)
class Rule:
    method: str
    status: int
    description: str
    times: int
    chat_id: int | None = None
    parameters: dict[str, Any] | None = None
    page: bool = False


@dataclass
class FaultProxy:
    target: str
    calls: list[Call] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    replays: int = 0
    url: str = ""
    _last_batch: bytes | None = None
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    def fail(self, method: str, status: int, description: str = "", *, times: int = 1,
             chat_id: int | None = None, page: bool = False, **parameters: Any) -> None:
        """Answer the next *times* calls of *method* (to *chat_id*) with an error.

        Status 0 drops the connection instead (a network error); *page* answers with an HTML
        page, as a proxy in front of the Bot API does, instead of the Bot API's JSON;
        *parameters* become the error's ``parameters`` (``retry_after``, ``migrate_to_chat_id``).
        """
        self.rules.append(Rule(method, status, description, times, chat_id,
                               parameters or None, page))

    def replay_updates(self, times: int = 1) -> None:
        """Make the next *times* getUpdates return the previous batch again."""
        self.replays += times

    def sent_to(self, chat_id: int, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id and
                (method is None or c.method == method)]

    async def start(self) -> FaultProxy:
        self._session = aiohttp.ClientSession()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        # A long poll may still hang in the proxy at the end: do not wait a minute for it.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _rule_for(self, method: str, chat_id: int | None) -> Rule | None:
        for rule in self.rules:
            if rule.times > 0 and rule.method == method and rule.chat_id in (None, chat_id):
                rule.times -= 1
                return rule
        return None

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        method = request.path.rsplit("/", 1)[-1]
        match = _CHAT_ID.search(body)
        chat_id = int(match.group(1)) if match else None
        rule = self._rule_for(method, chat_id)
        if rule is not None:
            retry_after = (rule.parameters or {}).get("retry_after")
            self.calls.append(Call(time.monotonic(), method, chat_id, rule.status, retry_after))
            if rule.status == 0:
                assert request.transport is not None
                request.transport.abort()  # the client sees a dropped connection
                return web.Response()
            if rule.page:
                return web.Response(text=f"<html><h1>{rule.status} {rule.description}</h1></html>",
                                    status=rule.status, content_type="text/html")
            payload: dict[str, Any] = {"ok": False, "error_code": rule.status,
                                       "description": rule.description}
            if rule.parameters:
                payload["parameters"] = rule.parameters
            return web.json_response(payload, status=rule.status)
        if method == "getUpdates" and self.replays and self._last_batch is not None:
            self.replays -= 1
            self.calls.append(Call(time.monotonic(), method, None, 200))
            return web.Response(body=self._last_batch, content_type="application/json")
        started = time.monotonic()
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        async with self._session.request(request.method, self.target + request.path_qs,
                                         data=body, headers=headers) as upstream:
            data = await upstream.read()
            status = upstream.status
            content_type = upstream.content_type
        retry_after = None
        if status == 429:
            retry_after = json.loads(data).get("parameters", {}).get("retry_after")
        self.calls.append(Call(started, method, chat_id, status, retry_after))
        if method == "getUpdates" and status == 200 and json.loads(data).get("result"):
            self._last_batch = data
        return web.Response(body=data, status=status, content_type=content_type)
