"""Building and running the emulator's aiohttp application."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .bot_api import EMULATOR_KEY, add_bot_api_routes
from .control_api import control_errors, routes
from .emulator import Emulator


async def _on_startup(app: web.Application) -> None:
    # The same Emulator may be served again after a stop (its state outlives the server).
    app[EMULATOR_KEY].closing = False


async def _on_shutdown(app: web.Application) -> None:
    emu = app[EMULATOR_KEY]
    # Release long polls and event streams so the server stops at once, not after timeouts.
    emu.closing = True
    emu.wake_pollers()
    emu.bus.close_all()
    if emu.webhook is not None:
        delivery, emu.webhook = emu.webhook, None
        await delivery.stop()


def build_app(emulator: Emulator) -> web.Application:
    # Telegram accepts uploads up to 50 MB; aiohttp's default body limit is 1 MB.
    app = web.Application(client_max_size=50 * 1024 * 1024, middlewares=[control_errors])
    app[EMULATOR_KEY] = emulator
    add_bot_api_routes(app)
    app.add_routes(routes)
    app.on_startup.append(_on_startup)
    app.on_shutdown.append(_on_shutdown)
    return app


@dataclass
class RunningEmulator:
    url: str
    emulator: Emulator
    runner: web.AppRunner

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def __aenter__(self) -> RunningEmulator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def start_emulator(
    host: str = "127.0.0.1", port: int = 0, *, emulator: Emulator | None = None, **kw: Any
) -> RunningEmulator:
    """Start an emulator server (``kw`` go to ``Emulator(...)``); port 0 picks a free one."""
    emu = emulator if emulator is not None else Emulator(**kw)
    runner = web.AppRunner(build_app(emu), access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    bound_port = server.sockets[0].getsockname()[1]
    return RunningEmulator(url=f"http://{host}:{bound_port}", emulator=emu, runner=runner)
