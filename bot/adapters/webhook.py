"""The webhook endpoint, one aiohttp server for both frameworks.

Telegram resends an update until it gets a 2xx, so we answer only after the update is
committed (a crash mid-way means a resend, and the database dedupes it). The secret token is
compared on every request: a wrong or missing one gets 401 and nothing is processed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FeedFn = Callable[[dict[str, Any]], Awaitable[bool]]


def derive_secret(token: str) -> str:
    """A stable secret when none is configured: every worker behind the proxy agrees on it."""
    return hashlib.sha256(f"frontline-webhook:{token}".encode()).hexdigest()[:48]


def webhook_path(url: str) -> str:
    """The path part of the public webhook URL, which the proxy forwards unchanged."""
    return urlsplit(url).path or "/"


def parse_listen(listen: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8080`` for IPv6)."""
    host, _, port = listen.rpartition(":")
    return (host.strip("[]") or "0.0.0.0"), int(port)


class WebhookServer:
    """POST updates to *path*; GET ``/healthz`` for the proxy's checks."""

    def __init__(self, feed: FeedFn, *, path: str, secret: str, host: str, port: int) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self._feed = feed
        self._secret = secret.encode()
        self._host, self._port = host, port
        self.accepting = True
        self.app = web.Application()
        self.app.router.add_post(path, self._on_update)
        self.app.router.add_get("/healthz", self._on_health)
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        assert self._runner is not None
        for site in self._runner.sites:
            sockets = getattr(site._server, "sockets", None)  # aiohttp keeps them here
            if sockets:
                return int(sockets[0].getsockname()[1])
        return self._port

    async def start(self) -> None:
        """Bind and serve."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        log.info("webhook: listening on %s:%d", self._host, self.port)

    async def stop(self) -> None:
        """Stop accepting; requests being processed are allowed to finish."""
        self.accepting = False
        if self._runner is not None:
            await self._runner.cleanup()

    async def _on_update(self, request: web.Request) -> web.Response:
        """Check the secret, hand the update to the framework, answer after the commit."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401, text="Unauthorized")
        if not self.accepting:
            # Shutting down: a non-2xx makes Telegram deliver this update again later.
            return web.Response(status=503, text="shutting down")
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        ok = await self._feed(data)
        return web.Response(status=200 if ok else 500, text="ok" if ok else "retry")

    async def _on_health(self, _request: web.Request) -> web.Response:
        """Say whether this worker takes updates."""
        return web.Response(status=200 if self.accepting else 503, text="ok")
