"""``EmulatorClient``: async Python wrapper of the control API, for e2e tests and benchmarks.

    async with EmulatorClient(url) as emu:
        alice = await emu.create_user("Alice", phone="+8613800000000")
        await emu.send_text(alice["id"], "/start")
        reply = await emu.wait_for_message(alice["id"], lambda m: "Welcome" in m.get("text", ""))

``wait_for_message`` long-polls the chat history (no events can be missed: message ids and
the chat's version only grow). By default it looks only at messages after the last one this
client sent into that chat, so "send, then wait for the answer" needs no bookkeeping.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp

JSON = dict[str, Any]
Predicate = Callable[[JSON], bool]


class EmulatorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class EmulatorClient:
    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self._last_sent: dict[int, int] = {}  # chat id -> last message id we sent there

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        return self._session

    async def _call(self, verb: str, path: str, body: JSON | None = None, **query: Any) -> Any:
        params = {k: str(v) for k, v in query.items() if v is not None}
        async with self._http().request(
            verb, f"{self.base_url}/control{path}", json=body, params=params
        ) as resp:
            data = await resp.json(content_type=None)
            if resp.status >= 400:
                raise EmulatorError(resp.status, str(data.get("error", data)))
            return data

    def _track(self, result: JSON) -> JSON:
        for message in result.get("messages", []):
            chat_id, message_id = message["chat_id"], message["message_id"]
            self._last_sent[chat_id] = max(self._last_sent.get(chat_id, 0), message_id)
        return result

    # ------------------------------------------------------------ world

    async def health(self) -> JSON:
        return dict(await self._call("GET", "/health"))

    async def bot(self) -> JSON:
        return dict(await self._call("GET", "/bot"))

    async def reset(self) -> None:
        await self._call("POST", "/reset")
        self._last_sent.clear()

    async def create_user(self, first_name: str, **fields: Any) -> JSON:
        """fields: last_name, username, language_code, phone, started."""
        return dict(await self._call("POST", "/users", {"first_name": first_name, **fields}))

    async def users(self) -> list[JSON]:
        return list(await self._call("GET", "/users"))

    async def create_group(self, title: str, members: list[int], **fields: Any) -> JSON:
        """fields: type ("group"/"supergroup"), add_bot, added_by, bot_admin."""
        return dict(
            await self._call("POST", "/groups", {"title": title, "members": members, **fields})
        )

    async def add_member(self, chat_id: int, user_id: int, status: str = "member") -> JSON:
        body = {"user_id": user_id, "status": status}
        return dict(await self._call("POST", f"/groups/{chat_id}/members", body))

    async def add_bot(self, chat_id: int, by: int, *, admin: bool = False) -> int | None:
        body = {"by": by, "admin": admin}
        result = await self._call("POST", f"/groups/{chat_id}/add_bot", body)
        return result["update_id"]  # type: ignore[no-any-return]

    async def remove_bot(self, chat_id: int, by: int, *, ban: bool = False) -> int | None:
        body = {"by": by, "ban": ban}
        result = await self._call("POST", f"/groups/{chat_id}/remove_bot", body)
        return result["update_id"]  # type: ignore[no-any-return]

    # ------------------------------------------------------------ acting as a user

    async def send_text(self, user_id: int, text: str, **fields: Any) -> JSON:
        """fields: chat_id, reply_to_message_id, forwarded_from (a name: the message is
        forwarded). Returns {message, update_id, ...}."""
        body = {"text": text, **fields}
        return self._track(await self._call("POST", f"/users/{user_id}/messages", body))

    async def edit_text(self, user_id: int, message_id: int, text: str,
                        **fields: Any) -> JSON:
        """The user edits a message they sent (fields: chat_id for a group); returns
        {message, update_id, ...} with the update_id of its ``edited_message``."""
        body = {"text": text, **fields}
        return self._track(await self._call("POST", f"/users/{user_id}/messages/{message_id}"
                                                    "/edit", body))

    async def send_contact(self, user_id: int, **fields: Any) -> JSON:
        """Own contact by default; pass phone_number/first_name for someone else's."""
        return self._track(await self._call("POST", f"/users/{user_id}/contact", fields))

    async def send_location(
        self, user_id: int, latitude: float, longitude: float, **fields: Any
    ) -> JSON:
        body = {"latitude": latitude, "longitude": longitude, **fields}
        return self._track(await self._call("POST", f"/users/{user_id}/location", body))

    async def send_photos(
        self,
        user_id: int,
        count: int = 1,
        *,
        caption: str | None = None,
        contents: list[bytes] | None = None,
        **fields: Any,
    ) -> JSON:
        body: JSON = {"count": count, "caption": caption, **fields}
        if contents:
            body["contents_base64"] = [base64.b64encode(c).decode() for c in contents]
        return self._track(await self._call("POST", f"/users/{user_id}/photos", body))

    async def send_document(
        self, user_id: int, content: bytes, file_name: str, **fields: Any
    ) -> JSON:
        body = {
            "content_base64": base64.b64encode(content).decode(),
            "file_name": file_name,
            **fields,
        }
        return self._track(await self._call("POST", f"/users/{user_id}/document", body))

    async def press_button(
        self,
        user_id: int,
        *,
        callback_data: str | None = None,
        text: str | None = None,
        message_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """Press an inline button; returns {callback_query_id, update_id, callback}."""
        body = {
            "callback_data": callback_data,
            "text": text,
            "message_id": message_id,
            "chat_id": chat_id,
        }
        return dict(await self._call("POST", f"/users/{user_id}/press", body))

    async def press_reply_button(self, user_id: int, text: str, **fields: Any) -> JSON:
        body = {"text": text, **fields}
        return self._track(await self._call("POST", f"/users/{user_id}/reply_button", body))

    async def block(self, user_id: int) -> int | None:
        return (await self._call("POST", f"/users/{user_id}/block"))["update_id"]  # type: ignore[no-any-return]

    async def unblock(self, user_id: int) -> int | None:
        return (await self._call("POST", f"/users/{user_id}/unblock"))["update_id"]  # type: ignore[no-any-return]

    # ------------------------------------------------------------ reading

    async def chats(self) -> list[JSON]:
        return list(await self._call("GET", "/chats"))

    async def chat(self, chat_id: int) -> JSON:
        return dict(await self._call("GET", f"/chats/{chat_id}"))

    async def history(self, chat_id: int, after: int = 0) -> list[JSON]:
        return list(
            (await self._call("GET", f"/chats/{chat_id}/messages", after=after))["messages"]
        )

    async def message(self, chat_id: int, message_id: int) -> JSON:
        return dict(await self._call("GET", f"/chats/{chat_id}/messages/{message_id}"))

    async def callback(self, callback_query_id: str) -> JSON:
        return dict(await self._call("GET", f"/callbacks/{callback_query_id}"))

    async def commands(
        self,
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str | None = None,
    ) -> Any:
        return await self._call(
            "GET", "/commands", chat_id=chat_id, user_id=user_id, language_code=language_code
        )

    async def stats(self) -> JSON:
        return dict(await self._call("GET", "/stats"))

    async def webhook(self) -> JSON:
        return dict(await self._call("GET", "/webhook"))

    async def set_rate_limits(self, enabled: bool = True, **limits: float) -> JSON:
        return dict(await self._call("PUT", "/rate_limits", {"enabled": enabled, **limits}))

    # ------------------------------------------------------------ waiting

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the documented test-helper signature
        *,
        after_message_id: int | None = None,
        from_bot: bool | None = True,
    ) -> JSON:
        """First message (current state, so edits count) after ``after_message_id`` that
        matches ``predicate``; raises TimeoutError. Defaults: bot messages, after the last
        message this client sent into the chat."""
        after = self._last_sent.get(chat_id, 0) if after_message_id is None else after_message_id

        def matches(message: JSON) -> bool:
            if message.get("deleted") or (
                from_bot is not None and message["from_bot"] != from_bot
            ):
                return False
            return predicate is None or predicate(message)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        version: int | None = None
        while True:
            left = deadline - loop.time()
            page = await self._call(
                "GET",
                f"/chats/{chat_id}/messages",
                after=after,
                version=version,
                wait=max(0.0, min(left, 30.0)) if version is not None else None,
            )
            for message in page["messages"]:
                if matches(message):
                    return dict(message)
            version = page["version"]
            if deadline - loop.time() <= 0:
                raise TimeoutError(f"no matching message in chat {chat_id} within {timeout}s")

    async def wait_for_callback_answer(
        self,
        callback_query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for_message
    ) -> JSON:
        """The bot's answerCallbackQuery for this press (text, show_alert, ...)."""
        async for event in self.events(timeout=timeout):
            if event["type"] == "_connected":
                # The answer may have come before the stream opened.
                record = await self.callback(callback_query_id)
                if record["answered"]:
                    return dict(record["answer"])
            elif event["type"] == "callback_answered" and (
                event["callback"]["id"] == callback_query_id
            ):
                return dict(event["callback"]["answer"])
        raise TimeoutError(f"callback {callback_query_id} not answered within {timeout}s")

    async def events(
        self,
        since: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - bounds the whole stream
        chat_id: int | None = None,
    ) -> AsyncIterator[JSON]:
        """Live events from the SSE stream (first replaying buffered events after ``since``).

        Yields an initial ``{"type": "_connected"}`` marker so callers can re-check state
        that may have changed before they subscribed; stops after ``timeout`` seconds."""
        query = {"since": since, "chat_id": chat_id}
        params = {k: str(v) for k, v in query.items() if v is not None}
        client_timeout = aiohttp.ClientTimeout(total=timeout, sock_read=None)
        try:
            async with self._http().get(
                f"{self.base_url}/control/stream", params=params, timeout=client_timeout
            ) as resp:
                yield {"type": "_connected"}
                async for raw in resp.content:
                    line = raw.decode().rstrip("\n")
                    if line.startswith("data: "):
                        yield json.loads(line[6:])
        except TimeoutError:
            return
