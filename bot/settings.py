"""Runtime settings, from ``FRONTLINE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an office may configure without touching code."""

    model_config = SettingsConfigDict(env_prefix="FRONTLINE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///frontline.db"
    timezone: str = "Asia/Shanghai"
    bot_token: SecretStr = SecretStr("")
    bot_username: str = ""
    api_base: str = "https://api.telegram.org"
    framework: Literal["aiogram", "ptb"] = "aiogram"
    webhook_secret: SecretStr = SecretStr("")
    webhook_listen: str = "127.0.0.1:8080"
    hotline: str = "400-000-0000"
    catalog_path: Path | None = None
    dispatch_deadline_minutes: int = Field(default=15, ge=1)
    auto_confirm_hours: int = Field(default=48, ge=1)
    response_deadline_hours: int = Field(default=24, ge=1)
    survey_day_start: int = Field(default=9, ge=0, le=23)
    survey_day_end: int = Field(default=20, ge=1, le=24)
    send_rate_per_second: float = Field(default=25.0, gt=0)
    private_chat_per_second: float = Field(default=1.0, gt=0)
    group_chat_per_minute: float = Field(default=20.0, gt=0)
