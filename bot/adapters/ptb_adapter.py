"""The python-telegram-bot 22 runtime: an Application with one catch-all handler, and a Transport.

Concurrency lives in our intake, not in PTB: the Application processes updates one at a time
(so they are *submitted* in Telegram's order) and our callback only queues them, which takes
microseconds. The Bot subclass holds each getUpdates — which confirms the previous batch —
until every update fetched so far is committed, so a crash loses nothing PTB had fetched.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

# Opt in to PTB's future timedelta periods now (``RetryAfter.retry_after`` …): otherwise every
# 429 costs a deprecation warning. The code below accepts both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, TypeHandler

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
from bot.adapters.ptb_request import AiohttpRequest

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
PtbApp = Application[Any, Any, Any, Any, Any, Any]


def photo_input(photo: str) -> tuple[str | bytes, str | None]:
    """A file_id as it is, a local ``file://`` photo as bytes to upload, and its file name.

    Bytes, not an ``InputFile``: PTB attaches bytes in a media group by itself
    (``attach://``), a ready-made InputFile it would send as a bare field.
    """
    path = local_file(photo)
    return (photo, None) if path is None else (path.read_bytes(), path.name)


def markup(keyboard: KeyboardJson | None) -> Markup | None:
    """Build PTB's reply_markup from the outbox's neutral keyboard JSON."""
    data = reply_markup(keyboard)
    if data is None:
        return None
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove()
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data)
    return ReplyKeyboardMarkup.de_json(data)


@asynccontextmanager
async def neutral_errors() -> AsyncIterator[None]:
    """Translate PTB's exceptions into the sender's neutral outcomes."""
    try:
        yield
    except PtbRetryAfter as error:
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        raise RetryAfter(seconds, error.message) from error
    except ChatMigrated as error:
        raise Migrated(int(error.new_chat_id)) from error
    except Forbidden as error:
        raise Blocked(error.message) from error
    except BadRequest as error:  # a subclass of NetworkError in PTB: must come first
        if "message is not modified" in error.message.lower():
            raise NotModified(error.message) from error
        raise Rejected(error.message) from error
    except NetworkError as error:  # includes TimedOut and 5xx answers
        raise Transient(error.message) from error


class PtbTransport:
    """The outbox's Bot API calls through a PTB ``Bot``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def _call(self, endpoint: str, fields: dict[str, Any]) -> Any:
        """Call *endpoint* through the Bot's own request path (``Bot._post``, what every PTB
        method ends in: defaults, encoding, PTB's errors for a refusal) and return the answer
        as plain JSON: PTB would build its objects for the keyboard going out and for the whole
        Message coming back, only for the one id the outbox keeps."""
        return await self.bot._post(endpoint, fields)

    async def send_text(self, chat_id: int, text: str, keyboard: KeyboardJson | None) -> int:
        async with neutral_errors():
            message = await self._call("sendMessage", {
                "chat_id": chat_id, "text": text, "reply_markup": reply_markup(keyboard)})
        return int(message["message_id"])

    async def send_photo(self, chat_id: int, file_id: str, caption: str,
                         keyboard: KeyboardJson | None) -> int:
        media, name = photo_input(file_id)
        async with neutral_errors():
            message = await self.bot.send_photo(chat_id, media, caption=caption or None,
                                                reply_markup=markup(keyboard), filename=name)
        return message.message_id

    async def send_album(self, chat_id: int, file_ids: Sequence[str], caption: str) -> list[int]:
        inputs = [photo_input(file_id) for file_id in file_ids]
        media = [InputMediaPhoto(item, caption=caption if i == 0 and caption else None,
                                 filename=name) for i, (item, name) in enumerate(inputs)]
        async with neutral_errors():
            messages = await self.bot.send_media_group(chat_id, media)
        return [m.message_id for m in messages]

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        keyboard: KeyboardJson | None) -> None:
        async with neutral_errors():
            await self._call("editMessageText", {
                "chat_id": chat_id, "message_id": message_id, "text": text,
                "reply_markup": edit_markup(keyboard)})  # None is left out of the request

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        async with neutral_errors():
            await self.bot.delete_message(chat_id, message_id)

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        async with neutral_errors():
            await self._call("answerCallbackQuery", {
                "callback_query_id": callback_id, "text": text or None, "show_alert": alert})

    async def set_commands(self, commands: Sequence[tuple[str, str]], scope: CommandScope,
                           language_code: str | None) -> None:
        where: BotCommandScope = (
            BotCommandScopeChat(chat_id=scope) if isinstance(scope, int)
            else BotCommandScopeAllPrivateChats() if scope == "private"
            else BotCommandScopeAllGroupChats())
        async with neutral_errors():
            await self.bot.set_my_commands([BotCommand(c, d) for c, d in menu_entries(commands)],
                                           scope=where, language_code=language_code)


class _Confirmation:
    """How many updates getUpdates returned and how many reached our callback."""

    def __init__(self) -> None:
        self.fetched = 0
        self.seen = 0
        self.intake: Intake | None = None
        # Whether PTB's updater still runs: a batch that returns after it stopped is dropped
        # by PTB (and pulled again on restart), so it must not be waited for.
        self.polling: Callable[[], bool] | None = None

    async def settle(self) -> None:
        """Wait until every fetched update reached the intake and was committed."""
        intake = self.intake
        if intake is None:
            return
        # Updates still in PTB's queue have not reached the intake yet; wait for them too.
        while self.seen < self.fetched or intake.pending:
            await intake.wait_idle()
            if self.seen < self.fetched:
                await asyncio.sleep(0.001)
        intake.receiving.set()  # the getUpdates goes out now


class _ConfirmingBot(ExtBot[None]):
    """An ExtBot whose getUpdates first waits until every fetched update is committed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # PTB freezes public attributes of its objects; underscored ones stay settable.
        self._frontline = _Confirmation()

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Confirm the previous batch only once it is safely in the database."""
        await self._frontline.settle()
        updates = await super().get_updates(*args, **kwargs)
        polling = self._frontline.polling
        if polling is None or polling():
            self._frontline.fetched += len(updates)
        return updates


class PtbAdapter:
    """Receive with PTB's Application, send with PTB's Bot."""

    name = "ptb"

    def __init__(self, token: str, api_base: str, intake: Intake, *,
                 connections: int = 40) -> None:
        base = api_base.rstrip("/")
        self.bot = _ConfirmingBot(
            token, base_url=base + "/bot", base_file_url=base + "/file/bot",
            # Room for the sender's requests in flight (32); a smaller pool queues them.
            request=AiohttpRequest(connections=connections, pool_timeout=10.0),
            get_updates_request=AiohttpRequest(connections=2, read_timeout=30.0))
        self.application: PtbApp = (
            # No JobQueue: timers live in our own tables and scheduler, not in PTB.
            ApplicationBuilder().bot(self.bot).job_queue(None).build())
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.transport: Transport = PtbTransport(self.bot)
        self.intake = intake
        self.username = ""
        self._waiting: dict[int, asyncio.Future[bool]] = {}
        self._webhook = False

    async def start(self) -> None:
        """Initialise the Application (which calls getMe) and learn our @username."""
        try:
            await self.application.initialize()
        except InvalidToken as error:
            # PTB raises InvalidToken for a 401 and for a 404 alike; the server's own words
            # (kept in the cause) tell an unknown token from an address with no Bot API.
            said = getattr(error.__cause__, "message", "") or "Not Found"
            if "unauthorized" in said.lower():
                raise TokenRejected(said) from error
            raise Unreachable(f"{said}: no Bot API at this address") from error
        except TelegramError as error:
            raise Unreachable(error.message) from error
        except TimeoutError as error:
            raise Unreachable("TimeoutError") from error
        self.username = self.bot.username

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Submit the update to the intake; in webhook mode, keep its commit future."""
        self.bot._frontline.seen += 1
        event = event_from_update(update, self.username)
        if event is None:
            return
        future = self.intake.submit(event)
        if self._webhook:
            self._waiting[update.update_id] = future

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Long-poll until *stop* is set; updates are confirmed only after their commit."""
        self.bot._frontline.intake = self.intake
        updater = self.application.updater
        assert updater is not None
        self.bot._frontline.polling = lambda: updater.running
        await updater.start_polling(timeout=timedelta(seconds=10),
                                    allowed_updates=list(INTAKE_UPDATE_TYPES),
                                    drop_pending_updates=False)
        await self.application.start()
        try:
            await stop.wait()
        finally:
            # Updater first: its last getUpdates waits for the intake, then confirms.
            await updater.stop()
            await self.application.stop()

    async def set_webhook(self, url: str, secret: str) -> None:
        """Register the webhook with the secret and our update types."""
        self._webhook = True
        async with neutral_errors():
            await self.bot.set_webhook(url, secret_token=secret,
                                       allowed_updates=list(INTAKE_UPDATE_TYPES))

    async def feed_webhook(self, data: dict[str, Any]) -> bool:
        """Run one pushed update through the Application and wait for its commit."""
        if not any(data.get(kind) is not None for kind in INTAKE_UPDATE_TYPES):
            return True  # an update type we did not ask for (or one newer than us): ignore
        self._webhook = True
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            # It will never parse, and a non-2xx would have Telegram resend it for a day.
            log.warning("ptb: ignoring an update we cannot read: %.300s", data)
            return True
        try:
            await self.application.process_update(update)
        except Exception:
            log.exception("ptb: update %s could not be processed", data.get("update_id"))
            return False
        future = self._waiting.pop(update.update_id, None)
        return True if future is None else await future

    async def close(self) -> None:
        """Shut the Application down (closes its HTTP clients)."""
        await self.application.shutdown()
        # An Application whose start never got an answer was not initialised, and its
        # shutdown does nothing; the Bot's HTTP sessions are open all the same.
        await self.bot.shutdown()
