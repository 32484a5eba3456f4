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

    database_url: str = "sqlite:///frontline.db"
    timezone: str = "Asia/Shanghai"
    bot_token: SecretStr = SecretStr("")
    bot_username: str = ""
    api_base: str = "https://api.telegram.org"
    framework: Literal["aiogram", "ptb"] = "aiogram"
    webhook_secret: SecretStr = SecretStr("")
    webhook_listen: str = "127.0.0.1:8080"
    catalog_path: Path | None = None
    send_rate_per_second: float = Field(default=25.0, gt=0)
    private_chat_per_second: float = Field(default=1.0, gt=0)
    group_chat_per_minute: float = Field(default=20.0, gt=0)
