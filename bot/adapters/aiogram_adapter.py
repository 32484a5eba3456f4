"""The aiogram 3 runtime: a Router that turns updates into Events, and a Transport for sends.

Polling runs with ``handle_as_tasks=False``: our handler only *submits* to the intake (which
is quick), so updates reach the per-chat queues in Telegram's order. A request middleware
holds back each getUpdates — which confirms the previous batch — until that batch is
committed, so a crash never loses an update aiogram had already fetched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    DetailedAiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeUnion,
    FSInputFile,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from aiohttp import ClientError, ClientTimeout

from bot.adapters.base import (
    INTAKE_UPDATE_TYPES,
    Blocked,
    CommandScope,
    KeyboardJson,
    Migrated,
    NotModified,
    Rejected,
    RetryAfter,
    TokenRejected,
    Transient,
    Transport,
    Unreachable,
    edit_markup,
    menu_entries,
    reply_markup,
)
from bot.adapters.convert import event_from_update
from bot.adapters.intake import Intake
from bot.adapters.parts import local_file

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
# aiogram parses every answer as ``Response[method.__returning__]``, a pydantic generic that
# pydantic caches only weakly: once the garbage collector drops it, the next request rebuilds
# its schema (~5 ms). Holding the answers we read on the hot path keeps them built; measured
# against the emulator, about a fifth of the sender's time went to those rebuilds. (A text
# sent, an edit, a tap's answer are read as plain JSON unless refused: AiogramTransport._call.)
RESPONSE_TYPES = tuple(Response[method.__returning__]  # type: ignore[name-defined]
                       for method in (GetUpdates, SendMessage, SendPhoto, SendMediaGroup,
                                      EditMessageText, AnswerCallbackQuery))


def photo_input(photo: str) -> str | FSInputFile:
    """A file_id as it is, a local ``file://`` photo as an upload."""
    path = local_file(photo)
    return photo if path is None else FSInputFile(path, filename=path.name)


def markup(keyboard: KeyboardJson | None) -> Markup | None:
    """Build aiogram's reply_markup from the outbox's neutral keyboard JSON."""
    data = reply_markup(keyboard)
    if data is None:
        return None
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove()
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    return ReplyKeyboardMarkup.model_validate(data)


@asynccontextmanager
async def neutral_errors() -> AsyncIterator[None]:
    """Translate aiogram's exceptions into the sender's neutral outcomes."""
    try:
        yield
    except TelegramRetryAfter as error:
        raise RetryAfter(float(error.retry_after), error.message) from error
    except TelegramMigrateToChat as error:
        raise Migrated(error.migrate_to_chat_id) from error
    except TelegramForbiddenError as error:
        raise Blocked(error.message) from error
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            raise NotModified(error.message) from error
        raise Rejected(error.message) from error
    except (TelegramServerError, TelegramNetworkError) as error:
        raise Transient(error.message) from error
    except ClientDecodeError as error:  # not the Bot API's answer: a proxy's error page
        raise Transient(f"{error.message}: {str(error.data)[:200]}") from error
    except TimeoutError as error:
        raise Transient("timeout") from error


class AiogramTransport:
    """The outbox's Bot API calls through an aiogram ``Bot``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def _call(self, method: type[TelegramMethod[Any]], fields: dict[str, Any]) -> Any:
        """Post *fields* as JSON on the bot's own session and return the answer's result as
        plain JSON. aiogram would build its pydantic method and validate the answer into its
        models (a Message with its chat, sender and keyboard) only for the one id the outbox
        keeps; a refused call is read by aiogram's own ``check_response``, so it raises the
        same errors as ``bot(method)`` would (mapped by :func:`neutral_errors`)."""
        session = self.bot.session
        assert isinstance(session, AiohttpSession)  # the adapter's and the tests' session
        client = await session.create_session()
        url = session.api.api_url(token=self.bot.token, method=method.__api_method__)
        try:
            async with client.post(url, json=fields,
                                   timeout=ClientTimeout(total=session.timeout)) as answer:
                status, content = answer.status, await answer.text()
        except TimeoutError as error:
            raise Transient("timeout") from error
        except ClientError as error:
            raise Transient(f"{type(error).__name__}: {error}") from error
        try:
            said = session.json_loads(content)
        except ValueError:
            said = None
        if 200 <= status < 300 and isinstance(said, dict) and said.get("ok") is True:
            return said.get("result")
        return session.check_response(self.bot, method.model_construct(**fields), status,
                                      content).result

    async def send_text(self, chat_id: int, text: str, keyboard: KeyboardJson | None) -> int:
        fields: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if (keys := reply_markup(keyboard)) is not None:
            fields["reply_markup"] = keys
        async with neutral_errors():
            message = await self._call(SendMessage, fields)
        return int(message["message_id"])

    async def send_photo(self, chat_id: int, file_id: str, caption: str,
                         keyboard: KeyboardJson | None) -> int:
        async with neutral_errors():
            message = await self.bot.send_photo(chat_id, photo_input(file_id),
                                                caption=caption or None,
                                                reply_markup=markup(keyboard))
        return message.message_id

    async def send_album(self, chat_id: int, file_ids: Sequence[str], caption: str) -> list[int]:
        media = [InputMediaPhoto(media=photo_input(file_id),
                                 caption=caption if i == 0 and caption else None)
                 for i, file_id in enumerate(file_ids)]
        async with neutral_errors():
            messages = await self.bot.send_media_group(chat_id, media=list(media))
        return [m.message_id for m in messages]

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        keyboard: KeyboardJson | None) -> None:
        fields: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
        if (keys := edit_markup(keyboard)) is not None:
            fields["reply_markup"] = keys
        async with neutral_errors():
            await self._call(EditMessageText, fields)

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        async with neutral_errors():
            await self.bot.delete_message(chat_id, message_id)

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        fields: dict[str, Any] = {"callback_query_id": callback_id, "show_alert": alert}
        if text:
            fields["text"] = text
        async with neutral_errors():
            await self._call(AnswerCallbackQuery, fields)

    async def set_commands(self, commands: Sequence[tuple[str, str]], scope: CommandScope,
                           language_code: str | None) -> None:
        where: BotCommandScopeUnion = (
            BotCommandScopeChat(chat_id=scope) if isinstance(scope, int)
            else BotCommandScopeAllPrivateChats() if scope == "private"
            else BotCommandScopeAllGroupChats())
        async with neutral_errors():
            await self.bot.set_my_commands(
                [BotCommand(command=c, description=d) for c, d in menu_entries(commands)],
                scope=where, language_code=language_code)


class _ConfirmAfterCommit(BaseRequestMiddleware):
    """Hold getUpdates (which confirms the previous batch) until that batch is committed."""

    def __init__(self, intake: Intake) -> None:
        self._intake = intake

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        """Wait for the intake to go idle before asking for more updates."""
        if isinstance(method, GetUpdates):
            await self._intake.wait_idle()
            self._intake.receiving.set()
        return await make_request(bot, method)


class AiogramAdapter:
    """Receive with aiogram's Dispatcher, send with aiogram's Bot."""

    name = "aiogram"

    def __init__(self, token: str, api_base: str, intake: Intake, *,
                 connections: int = 100) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), limit=connections)
        self.bot = Bot(token, session=session)
        self.transport: Transport = AiogramTransport(self.bot)
        self.intake = intake
        self.username = ""
        self.dispatcher = Dispatcher(disable_fsm=True)  # dialog state lives in our database
        router = Router(name="frontline")
        router.message.register(self._on_update)
        router.edited_message.register(self._on_update)
        router.callback_query.register(self._on_update)
        router.my_chat_member.register(self._on_update)
        self.dispatcher.include_router(router)

    async def start(self) -> None:
        """Learn our @username (group commands may be addressed to it)."""
        try:
            me = await self.bot.me()
        except TelegramUnauthorizedError as error:
            raise TokenRejected(error.message) from error
        except TelegramNotFound as error:
            raise Unreachable(f"404 {error.message}: no Bot API at this address") from error
        except ClientDecodeError as error:
            raise Unreachable("the answer is not the Bot API's JSON") from error
        except (AiogramError, TimeoutError) as error:
            reason = (error.message if isinstance(error, DetailedAiogramError)
                      else type(error).__name__)
            raise Unreachable(reason) from error
        self.username = me.username or ""

    async def _on_update(self, _event: TelegramObject, event_update: Update) -> Any:
        """Submit the update to the intake; return the commit future for webhook mode."""
        event = event_from_update(event_update, self.username)
        if event is None:
            return None
        return self.intake.submit(event)

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Long-poll until *stop* is set; updates are confirmed only after their commit."""
        self.bot.session.middleware(_ConfirmAfterCommit(self.intake))
        async with neutral_errors():
            await self.bot.delete_webhook(drop_pending_updates=False)
        polling = asyncio.create_task(self.dispatcher.start_polling(
            self.bot, handle_as_tasks=False, handle_signals=False, close_bot_session=False,
            allowed_updates=list(INTAKE_UPDATE_TYPES), polling_timeout=10))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if polling in done:
            await polling  # it ended on its own: re-raise whatever stopped it
            return
        await self.dispatcher.stop_polling()
        await asyncio.gather(polling, return_exceptions=True)

    async def set_webhook(self, url: str, secret: str) -> None:
        """Register the webhook with the secret and our update types."""
        async with neutral_errors():
            await self.bot.set_webhook(url, secret_token=secret,
                                       allowed_updates=list(INTAKE_UPDATE_TYPES))

    async def feed_webhook(self, data: dict[str, Any]) -> bool:
        """Run one pushed update through the Dispatcher and wait for its commit."""
        if not any(data.get(kind) is not None for kind in INTAKE_UPDATE_TYPES):
            return True  # an update type we did not ask for (or one newer than us): ignore
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except ValueError:
            # It will never parse, and a non-2xx would have Telegram resend it for a day.
            log.warning("aiogram: ignoring an update we cannot read: %.300s", data)
            return True
        try:
            result = await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            log.exception("aiogram: update %s could not be processed", data.get("update_id"))
            return False
        if isinstance(result, asyncio.Future):
            return bool(await result)
        return True

    async def close(self) -> None:
        """Close aiogram's HTTP session."""
        await self.bot.session.close()
