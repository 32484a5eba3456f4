"""Control API (``/control/...``): create simulated people and groups, act as them, read the
world, and watch it live. Documented in README.md; ``client.py`` wraps it for Python.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .api_updates import webhook_info
from .bot_api import EMULATOR_KEY, dumps
from .emulator import Emulator
from .errors import ApiError, ControlError
from .models import JSON, ChatState
from .ratelimit import RateLimits
from .views import chat_view, message_view

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=dumps(data), status=status, content_type="application/json")


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/control/"):
        return await handler(request)
    try:
        return await handler(request)
    except ControlError as exc:
        return _json({"error": exc.message}, exc.status)
    except ApiError as exc:
        return _json({"error": exc.description}, 404 if "not found" in exc.description else 400)
    except (KeyError, ValueError, TypeError) as exc:
        return _json({"error": f"bad request: {exc!r}"}, 400)


def _emu(request: web.Request) -> Emulator:
    return request.app[EMULATOR_KEY]


async def _body(request: web.Request) -> JSON:
    if not request.body_exists:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ControlError(400, "body must be a JSON object")
    return data


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _chat(request: web.Request) -> ChatState:
    chat_id = int(request.match_info["chat_id"])
    chat = _emu(request).chats.get(chat_id)
    if chat is None:
        raise ControlError(404, f"no chat {chat_id}")
    return chat


def _uid(request: web.Request) -> int:
    return int(request.match_info["user_id"])


# ------------------------------------------------------------ bot, users, groups


@routes.get("/control/health")
async def health(request: web.Request) -> web.Response:
    return _json({"ok": True})


@routes.get("/control/bot")
async def bot_info(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json(
        {
            **emu.bot.to_api(),
            "token_required": emu.token is not None,
            "group_privacy": emu.group_privacy,
        }
    )


@routes.post("/control/users")
async def create_user(request: web.Request) -> web.Response:
    emu, body = _emu(request), await _body(request)
    if not body.get("first_name"):
        raise ControlError(400, "first_name is required")
    user = emu.create_user(
        str(body["first_name"]),
        last_name=body.get("last_name"),
        username=body.get("username"),
        language_code=body.get("language_code"),
        phone=body.get("phone"),
        started=bool(body.get("started", False)),
        user_id=_int(body.get("id")),
    )
    return _json(emu.user_json(user), 201)


@routes.get("/control/users")
async def list_users(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json([emu.user_json(u) for u in emu.users.values()])


@routes.get("/control/users/{user_id}")
async def get_user(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json(emu.user_json(emu.known_user(_uid(request))))


@routes.post("/control/groups")
async def create_group(request: web.Request) -> web.Response:
    emu, body = _emu(request), await _body(request)
    chat = emu.create_group(
        str(body.get("title") or "Group"),
        [int(m) for m in body.get("members", [])],
        chat_type="supergroup" if body.get("type") == "supergroup" else "group",
        add_bot=bool(body.get("add_bot", True)),
        added_by=_int(body.get("added_by")),
        bot_admin=bool(body.get("bot_admin", False)),
    )
    return _json(chat_view(chat), 201)


@routes.post("/control/groups/{chat_id}/members")
async def add_member(request: web.Request) -> web.Response:
    body = await _body(request)
    chat = _emu(request).add_member(
        int(request.match_info["chat_id"]), int(body["user_id"]), str(body.get("status", "member"))
    )
    return _json(chat_view(chat))


@routes.post("/control/groups/{chat_id}/add_bot")
async def add_bot(request: web.Request) -> web.Response:
    body = await _body(request)
    update_id = _emu(request).add_bot(
        int(request.match_info["chat_id"]), int(body["by"]), admin=bool(body.get("admin"))
    )
    return _json({"update_id": update_id})


@routes.post("/control/groups/{chat_id}/remove_bot")
async def remove_bot(request: web.Request) -> web.Response:
    body = await _body(request)
    update_id = _emu(request).remove_bot(
        int(request.match_info["chat_id"]), int(body["by"]), ban=bool(body.get("ban"))
    )
    return _json({"update_id": update_id})


# ------------------------------------------------------------ acting as a user


@routes.post("/control/users/{user_id}/messages")
async def user_text(request: web.Request) -> web.Response:
    body = await _body(request)
    sent = _emu(request).send_text(
        _uid(request),
        str(body.get("text") or ""),
        chat_id=_int(body.get("chat_id")),
        reply_to_message_id=_int(body.get("reply_to_message_id")),
        forwarded_from=str(body.get("forwarded_from") or "") or None,
    )
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/messages/{message_id}/edit")
async def user_edit(request: web.Request) -> web.Response:
    body = await _body(request)
    message_id = int(request.match_info["message_id"])
    sent = _emu(request).edit_text(_uid(request), message_id, str(body.get("text") or ""),
                                   chat_id=_int(body.get("chat_id")))
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/contact")
async def user_contact(request: web.Request) -> web.Response:
    body = await _body(request)
    sent = _emu(request).send_contact(
        _uid(request),
        chat_id=_int(body.get("chat_id")),
        phone_number=body.get("phone_number"),
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        own=body.get("own"),
    )
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/location")
async def user_location(request: web.Request) -> web.Response:
    body = await _body(request)
    sent = _emu(request).send_location(
        _uid(request),
        float(body["latitude"]),
        float(body["longitude"]),
        chat_id=_int(body.get("chat_id")),
    )
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/photos")
async def user_photos(request: web.Request) -> web.Response:
    body = await _body(request)
    contents = [base64.b64decode(c) for c in body.get("contents_base64", [])] or None
    sent = _emu(request).send_photos(
        _uid(request),
        count=int(body.get("count", 1)),
        caption=body.get("caption"),
        chat_id=_int(body.get("chat_id")),
        contents=contents,
        forwarded_from=str(body.get("forwarded_from") or "") or None,
    )
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/document")
async def user_document(request: web.Request) -> web.Response:
    body = await _body(request)
    sent = _emu(request).send_document(
        _uid(request),
        base64.b64decode(body.get("content_base64", "")),
        file_name=str(body.get("file_name") or "file.bin"),
        mime_type=str(body.get("mime_type") or "application/octet-stream"),
        caption=body.get("caption"),
        chat_id=_int(body.get("chat_id")),
    )
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/press")
async def user_press(request: web.Request) -> web.Response:
    body = await _body(request)
    callback, update_id = _emu(request).press_button(
        _uid(request),
        message_id=_int(body.get("message_id")),
        callback_data=body.get("callback_data"),
        text=body.get("text"),
        chat_id=_int(body.get("chat_id")),
    )
    return _json(
        {"callback_query_id": callback.id, "update_id": update_id, "callback": callback.to_json()}
    )


@routes.post("/control/users/{user_id}/reply_button")
async def user_reply_button(request: web.Request) -> web.Response:
    body = await _body(request)
    latitude, longitude = body.get("latitude"), body.get("longitude")
    sent = _emu(request).press_reply_button(
        _uid(request),
        str(body["text"]),
        chat_id=_int(body.get("chat_id")),
        latitude=None if latitude is None else float(latitude),
        longitude=None if longitude is None else float(longitude),
    )
    return _json(sent.to_json())


@routes.post("/control/users/{user_id}/block")
async def user_block(request: web.Request) -> web.Response:
    return _json({"update_id": _emu(request).block_bot(_uid(request))})


@routes.post("/control/users/{user_id}/unblock")
async def user_unblock(request: web.Request) -> web.Response:
    return _json({"update_id": _emu(request).unblock_bot(_uid(request))})


# ------------------------------------------------------------ reading


@routes.get("/control/chats")
async def list_chats(request: web.Request) -> web.Response:
    chats = sorted(_emu(request).chats.values(), key=lambda c: c.last_activity, reverse=True)
    return _json([chat_view(c) for c in chats])


@routes.get("/control/chats/{chat_id}")
async def get_chat(request: web.Request) -> web.Response:
    return _json(chat_view(_chat(request)))


@routes.get("/control/chats/{chat_id}/messages")
async def chat_messages(request: web.Request) -> web.Response:
    """History; with ``wait`` it long-polls until ``version`` changes (or a newer message)."""
    emu, chat, q = _emu(request), _chat(request), request.query
    after = int(q.get("after", 0))
    wait = min(float(q.get("wait", 0)), 60.0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    if "version" in q:
        await chat.wait_change(int(q["version"]), wait)
    else:
        while len(chat.messages) <= after and (left := deadline - loop.time()) > 0:
            await chat.wait_change(chat.version, left)
    limit = _int(q.get("limit"))
    return _json(
        {"chat_id": chat.id, "version": chat.version, "messages": emu.history(chat, after, limit)}
    )


@routes.get("/control/chats/{chat_id}/messages/{message_id}")
async def chat_message(request: web.Request) -> web.Response:
    record = _chat(request).get_message(int(request.match_info["message_id"]))
    if record is None:
        raise ControlError(404, "no such message")
    return _json(message_view(record))


@routes.get("/control/callbacks/{callback_id}")
async def get_callback(request: web.Request) -> web.Response:
    callback = _emu(request).callbacks.get(request.match_info["callback_id"])
    if callback is None:
        raise ControlError(404, "no such callback query")
    return _json(callback.to_json())


@routes.get("/control/commands")
async def commands(request: web.Request) -> web.Response:
    emu, q = _emu(request), request.query
    if "chat_id" in q:
        found = emu.effective_commands(
            int(q["chat_id"]), _int(q.get("user_id")), q.get("language_code", "")
        )
        return _json({"commands": found})
    return _json(
        {
            "sets": [
                {"scope": json.loads(scope), "language_code": lang, "commands": cmds}
                for (scope, lang), cmds in emu.commands.items()
            ]
        }
    )


@routes.get("/control/stats")
async def stats(request: web.Request) -> web.Response:
    return _json(_emu(request).stats.to_json())


@routes.get("/control/webhook")
async def webhook(request: web.Request) -> web.Response:
    return _json(webhook_info(_emu(request)))


@routes.get("/control/updates")
async def pending_updates(request: web.Request) -> web.Response:
    return _json(_emu(request).pending_updates())


@routes.get("/control/files/{file_id}")
async def get_file(request: web.Request) -> web.Response:
    record = _emu(request).files.by_id.get(request.match_info["file_id"])
    if record is None:
        raise ControlError(404, "no such file")
    return web.Response(body=record.content, content_type=record.mime_type)


@routes.put("/control/rate_limits")
async def set_rate_limits(request: web.Request) -> web.Response:
    body = await _body(request)
    limits = None
    if body.get("enabled", True):
        fields = {
            k: float(body[k])
            for k in ("global_per_second", "private_per_second", "group_per_minute")
            if k in body
        }
        limits = RateLimits(**fields)
    _emu(request).set_rate_limits(limits)
    return _json({"enabled": limits is not None, **(limits.__dict__ if limits else {})})


@routes.post("/control/reset")
async def reset(request: web.Request) -> web.Response:
    _emu(request).reset()
    return _json({"ok": True})


# ------------------------------------------------------------ live events


def _event_chat(event: JSON) -> Any:
    return event.get("chat_id", event.get("chat", {}).get("id"))


@routes.get("/control/events")
async def events(request: web.Request) -> web.Response:
    """JSON long-poll alternative to SSE: events with seq > ``since`` (wait up to ``wait`` s)."""
    emu, q = _emu(request), request.query
    since = int(q.get("since", 0))
    found = [e for e in emu.bus.recent if e["seq"] > since]
    if not found and float(q.get("wait", 0)) > 0:
        with emu.subscribe(since) as sub:
            event = await sub.get(wait=min(float(q["wait"]), 60.0))
            found = [event] if event else []
    return _json({"seq": emu.bus.seq, "events": found})


@routes.get("/control/stream")
async def stream(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: one ``data:`` JSON line per event, ``id:`` = its seq."""
    emu = _emu(request)
    since = request.query.get("since") or request.headers.get("Last-Event-ID")
    chat_filter = request.query.get("chat_id")
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    with emu.subscribe(int(since) if since else None) as sub:
        try:
            await response.write(f"retry: 1000\n: seq {emu.bus.seq}\n\n".encode())
            while not sub.closed or not sub.queue.empty():
                event = await sub.get(wait=15.0)
                if event is None:
                    if sub.closed:
                        break
                    await response.write(b": ping\n\n")  # keeps proxies from timing out
                    continue
                chat = _event_chat(event)
                if chat_filter and chat is not None and str(chat) != chat_filter:
                    continue
                await response.write(f"id: {event['seq']}\ndata: {dumps(event)}\n\n".encode())
        except ConnectionError:
            pass  # the browser went away
    return response
