"""The web view's server side: the page, its static files, and two small JSON endpoints.

Everything a person does (write, tap, share a contact, send a photo) goes straight to the
emulator's control API on the same origin (``/control/...``), and the page watches the
emulator's event stream (``/control/stream``). This module only adds what the emulator cannot
know: who is who in the estate, the tour, and the sandbox clock.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.emulator import Emulator
from bot.sandbox.clock import JUMPS, SandboxClock
from bot.sandbox.estate import GROUPS, PEOPLE
from bot.sandbox.seed import World
from bot.sandbox.tour import tour_json

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
# The colour emoji font to serve when the browser has none of its own (static/base.css asks
# for it last): Debian's fonts-noto-color-emoji, which .ci/run installs.
EMOJI_FONTS = (Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"),
               Path("/usr/share/fonts/noto/NotoColorEmoji.ttf"),
               Path("/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf"))
CLOCK_EVENT = "sandbox_clock"  # published on the emulator's stream so every tab updates


@dataclass
class SandboxView:
    """What the web view's endpoints need; ``world`` is filled in once the estate exists."""

    emulator: Emulator
    clock: SandboxClock
    framework: str
    world: World | None = None
    # Moves the clock to a moment through the follow-ups due on the way (the scheduler seam);
    # True if a scheduler ran them. Without it a jump only moves the clock.
    jump_to: Callable[[datetime], Awaitable[bool]] | None = None
    notes: list[str] = field(default_factory=list)


VIEW = web.AppKey("sandbox_view", SandboxView)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(data, ensure_ascii=False), status=status,
                        content_type="application/json",
                        headers={"Cache-Control": "no-store"})


async def index(request: web.Request) -> web.FileResponse:
    # Never cached: a reloaded page must match the running server's API.
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def world(request: web.Request) -> web.Response:
    view = request.app[VIEW]
    if view.world is None:
        return _json({"error": "the demo estate is still being set up"}, 503)
    bot = view.emulator.bot
    people = [{"key": p.key, "id": view.world.people[p.key], "name": p.name, "role": p.role,
               "title": p.title, "language_code": p.language_code, "phone": p.phone}
              for p in PEOPLE]
    groups = [{"key": g.key, "id": view.world.groups[g.key], "title": g.title,
               "about": g.about, "members": list(g.members)} for g in GROUPS]
    return _json({
        "bot": {"id": bot.id, "name": bot.first_name, "username": bot.username},
        "framework": view.framework,
        "people": people,
        "groups": groups,
        "tour": tour_json(),
        "clock": view.clock.describe(),
        "notes": view.notes,
    })


async def emoji_font(request: web.Request) -> web.StreamResponse:
    font = next((path for path in EMOJI_FONTS if path.is_file()), None)
    if font is None:
        raise web.HTTPNotFound(text="no colour emoji font on this machine "
                                    "(apt-get install fonts-noto-color-emoji)")
    return web.FileResponse(font, headers={"Content-Type": "font/ttf",
                                           "Cache-Control": "max-age=86400"})


async def get_clock(request: web.Request) -> web.Response:
    return _json(request.app[VIEW].clock.describe())


async def move_clock(request: web.Request) -> web.Response:
    """Jump the office clock forward (+1 h, +1 day, next 09:00, next 1st), running what falls
    due on the way at its own moment."""
    view = request.app[VIEW]
    try:
        body = await request.json()
        jump = body["jump"]
    except (ValueError, KeyError, TypeError):
        return _json({"error": f"send {{\"jump\": one of {list(JUMPS)}}}"}, 400)
    if jump not in JUMPS:
        return _json({"error": f"jump must be one of {list(JUMPS)}"}, 400)
    start = view.clock.now()
    target = view.clock.target(jump, start)  # one reading: the step is exactly the jump
    step = target - start
    log.info("sandbox: clock moving forward by %s", step)
    if view.jump_to is not None:
        ran = await view.jump_to(target)
    else:
        view.clock.move_to(target)
        ran = False
    state = {**view.clock.describe(), "step_seconds": step.total_seconds(), "timers_ran": ran}
    view.emulator.publish(CLOCK_EVENT, clock=state)
    return _json(state)


def add_routes(app: web.Application, view: SandboxView) -> None:
    app[VIEW] = view
    app.router.add_get("/", index)
    app.router.add_get("/sandbox/api/world", world)
    app.router.add_get("/sandbox/api/clock", get_clock)
    app.router.add_post("/sandbox/api/clock", move_clock)
    app.router.add_get("/sandbox/fonts/emoji.ttf", emoji_font)
    app.router.add_static("/static/", STATIC, append_version=False)
