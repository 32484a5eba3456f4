"""Runtime settings, from ``FRONTLINE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """How this installation runs: database, time zone, Telegram, the sender's limits.

    The office's own rules (deadlines, windows, quotas, the hotline) are
    ``handlers.office.rules.OfficeRules``, read from the same environment and the rules file.
    """

    model_config = SettingsConfigDict(env_prefix="FRONTLINE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///frontline.db", description="where the office's records live: any "
        "SQLAlchemy URL (`postgresql://user:password@host/frontline` works); a relative "
        "SQLite path is relative to the folder `frontline` runs in")
    timezone: str = Field("Asia/Shanghai", description="the office's time zone (an IANA "
                          "name): its dates, order numbers and daytime rules")
    bot_token: SecretStr = Field(SecretStr(""), description="the bot's token from @BotFather "
                                 "(secret; `frontline run` refuses to start without it)")
    bot_username: str = Field("", description="the bot's @username without the @: invites "
                              "print a `https://t.me/USERNAME?start=CODE` link only when set")
    api_base: str = Field("https://api.telegram.org", description="the Bot API server (a "
                          "local Bot API server, or the emulator in tests)")
    framework: Literal["aiogram", "ptb"] = Field(
        "aiogram", description="the Telegram library the bot runs on (`ptb`: "
        "python-telegram-bot)")
    webhook_secret: SecretStr = Field(
        SecretStr(""), description="with `frontline run --webhook URL`: the secret Telegram "
        "sends in the X-Telegram-Bot-Api-Secret-Token header; empty: derived from the token")
    webhook_listen: str = Field("127.0.0.1:8080", description="with `--webhook`: host:port "
                                "the webhook server listens on, behind your HTTPS proxy")
    catalog_path: Path | None = Field(
        None, description="the office's own copy of `handlers/office/data/catalog.yaml` (paid "
        "services, prices, the manual's checklists); empty: that file")
    send_rate_per_second: float = Field(
        default=25.0, gt=0, description="messages per second the sender sends in all "
        "(Telegram allows about 30)")
    private_chat_per_second: float = Field(
        default=1.0, gt=0, description="messages per second to one private chat (Telegram: "
        "about 1, short bursts tolerated)")
    group_chat_per_minute: float = Field(
        default=20.0, gt=0, description="messages per minute to one group chat (Telegram: 20)")
