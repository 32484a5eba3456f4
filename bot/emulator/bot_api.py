"""HTTP face of the Bot API: ``/bot{token}/{method}`` and ``/file/bot{token}/{path}``."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from . import api_chats, api_messages, api_updates  # noqa: F401  (they fill the registry)
from .emulator import Emulator
from .errors import FILE_NOT_FOUND, METHOD_NOT_FOUND, UNAUTHORIZED, ApiError
from .params import Params, read_params
from .registry import METHODS

EMULATOR_KEY = web.AppKey("emulator", Emulator)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(text=dumps(body), status=status, content_type="application/json")


def _error(emu: Emulator, error: ApiError) -> web.Response:
    emu.stats.errors[error.code] += 1
    return _response(error.to_json(), status=error.code)


async def call_method(emu: Emulator, name: str, values: dict[str, Any]) -> Any:
    """Run a Bot API method in-process (used for webhook replies); raises ApiError."""
    entry = METHODS.get(name.lower())
    if entry is None:
        raise METHOD_NOT_FOUND
    canonical, handler = entry
    emu.stats.requests += 1
    emu.stats.methods[canonical] += 1
    return await handler(emu, Params(values))


async def handle_method(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    emu.stats.requests += 1
    if emu.token is not None and request.match_info["token"] != emu.token:
        return _error(emu, UNAUTHORIZED)
    entry = METHODS.get(request.match_info["method"].lower())
    if entry is None:
        return _error(emu, METHOD_NOT_FOUND)
    canonical, handler = entry
    emu.stats.methods[canonical] += 1
    try:
        params = await read_params(request)
        result = await handler(emu, params)
    except ApiError as error:
        return _error(emu, error)
    return _response({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR_KEY]
    if emu.token is not None and request.match_info["token"] != emu.token:
        return _response(UNAUTHORIZED.to_json(), status=401)
    record = emu.files.by_path.get(request.match_info["path"])
    if record is None:
        return _response(FILE_NOT_FOUND.to_json(), status=404)
    return web.Response(body=record.content, content_type=record.mime_type)


def add_bot_api_routes(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
