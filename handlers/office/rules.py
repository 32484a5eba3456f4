"""The office's rules: every deadline, window and quota of the manuals, in one place.

Defaults are the manuals' own numbers (each field names its source). An office changes them
with ``FRONTLINE_*`` environment variables or in a YAML file it owns (``FRONTLINE_RULES_PATH``,
keys as the field names below); the environment wins over the file. ``frontline rules show``
prints the rules in force and where each value came from. Texts that state a deadline take it
from here as a parameter, so they never contradict the office's settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

ENV_PREFIX = "FRONTLINE_"
RULES_PATH_VARIABLE = "FRONTLINE_RULES_PATH"


def _rule(default: Any, source: str, description: str, **limits: Any) -> Any:
    """A rule's field: its default, the manual it comes from, what it means."""
    return Field(default=default, description=description,
                 json_schema_extra={"manual": source}, **limits)


class CallbackWindows(BaseModel):
    """Days after confirmation within which each class of callback must happen (回访)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    safety: int = _rule(2, "001 第四篇 2(3)④", "safety facilities: callback within days",
                        ge=1, le=60)
    leak: int = _rule(3, "001 第四篇 2(3)④", "leaks: callback days after the leak test",
                      ge=1, le=60)
    other: int = _rule(2, "001 第四篇 2(3)④", "all other repairs: callback within days",
                       ge=1, le=60)

    def days(self, callback_class: str) -> int:
        """The window of *callback_class*; unknown classes get the "other" window."""
        return int(getattr(self, callback_class, self.other))


class ComplaintClocks(BaseModel):
    """The complaint clocks of 001 第四篇 4(5), and what happens around them.

    Hours count the office's opening hours (``office_calendar_path``); days are calendar days.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    major_answer_days: int = _rule(2, "001 第四篇 4(5)", "major: a clear answer to the resident "
                                   "within calendar days", ge=1, le=60)
    major_resolve_days: int = _rule(10, "001 第四篇 4(5)", "major: resolved within calendar days",
                                    ge=1, le=90)
    important_first_step_hours: int = _rule(
        1, "001 第四篇 4(5)", "important: the supervisor takes it within office hours of "
        "receiving it", ge=1, le=24)
    important_resolve_days: int = _rule(3, "001 第四篇 4(5)", "important: resolved within "
                                        "calendar days", ge=1, le=60)
    minor_resolve_days: int = _rule(2, "001 第四篇 4(5)", "minor: resolved within calendar days "
                                    "(or by the resident's own deadline)", ge=1, le=60)
    warn_percent: int = _rule(80, "issue 12", "the owner is warned when this share of a "
                              "clock has passed", ge=1, le=99)
    escalated_office_hours: int = _rule(
        8, "office practice", "after a missed deadline, the next level's time for the same "
        "duty, in office hours", ge=1, le=200)
    verdict_hours: int = _rule(48, "office practice (as 001 §2.5.5)", "hours the resident has "
                               "to accept or reopen a result before it closes by itself", ge=1)
    repeat_minutes: int = _rule(60, "office practice", "the same complaint from the same "
                                "resident this soon after the first is added to it, not "
                                "filed again", ge=0, le=7 * 24 * 60)


class AppointmentRules(BaseModel):
    """The visit window a technician confirms on taking a job, and its reminders."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    morning: str = _rule("09:00-12:00", "office practice", "the morning visit window (local)")
    afternoon: str = _rule("14:00-17:00", "office practice", "the afternoon visit window")
    evening: str = _rule("18:00-20:00", "office practice", "the evening visit window")
    days_offered: int = _rule(2, "office practice", "open days of the office calendar offered "
                              "for a visit (today and tomorrow)", ge=1, le=7)
    evening_reminder: time = _rule(time(19, 0), "office practice", "local time of the "
                                   "reminder the evening before the visit")
    reminder_minutes_before: int = _rule(60, "office practice", "the last reminder comes this "
                                         "many minutes before the window opens", ge=5, le=24 * 60)
    minutes_left_to_offer: int = _rule(60, "office practice", "a window of today is offered "
                                       "only while at least this many minutes of it remain",
                                       ge=0, le=24 * 60)
    typed_time_minutes: int = _rule(60, "office practice", "a time a technician types "
                                    "(\"下午三点\") is diaried as a window this many minutes "
                                    "long", ge=15, le=12 * 60)
    missed_grace_minutes: int = _rule(30, "office practice", "dispatch is alerted when nobody "
                                      "arrived by the window's end plus minutes", ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _windows_are_periods(self) -> AppointmentRules:
        for name in SLOTS:
            opens, closes = slot_times(getattr(self, name))
            if not opens < closes:
                raise ValueError(f"appointments.{name}: {getattr(self, name)!r} must be like "
                                 "09:00-12:00 and end after it starts")
        return self

    def window(self, slot: str) -> tuple[time, time]:
        """The local start and end of *slot* (morning | afternoon | evening)."""
        return slot_times(getattr(self, slot))


SLOTS = ("morning", "afternoon", "evening")


def slot_times(text: str) -> tuple[time, time]:
    """"09:00-12:00" as two times; raises ValueError if it is not like that."""
    opens, _, closes = text.strip().partition("-")
    return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())


class AnnouncementRules(BaseModel):
    """How announcements go out (001 §2.2.7: a service that exists now is announced)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day_start: int = _rule(9, "SPEC (daytime only)", "announcements from this local hour "
                           "(unless urgent)", ge=0, le=23)
    day_end: int = _rule(20, "SPEC (daytime only)", "announcements until this local hour",
                         ge=1, le=24)
    queue_window: int = _rule(1000, "office practice", "announcement messages waiting in the "
                              "outbox at most, so replies and recalls are never stuck behind "
                              "them", ge=1)
    delete_within_hours: int = _rule(48, "Telegram Bot API", "a recalled announcement is "
                                     "deleted if sent less than this many hours ago, else a "
                                     "correction is sent", ge=1, le=48)
    delete_margin_minutes: int = _rule(60, "office practice", "a recall deletes only copies "
                                       "this many minutes inside delete_within_hours, so the "
                                       "delete still reaches Telegram in time", ge=0, le=600)

    @model_validator(mode="after")
    def _daytime_makes_sense(self) -> AnnouncementRules:
        if not self.day_start < self.day_end:
            raise ValueError("announcements.day_start must come before day_end")
        return self


class OfficeRules(BaseSettings):
    """Every number from the manuals the office may change, with the manual's default."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore",
                                      env_nested_delimiter="__", frozen=True)

    hotline: str = _rule("400-000-0000", "001 §2.2.6", "the emergency / service hotline")
    dispatch_deadline_minutes: int = _rule(
        15, "001 §2.4.3", "the resident hears who is coming within minutes", ge=1, le=24 * 60)
    repost_after_minutes: int = _rule(
        8, "office practice", "an unclaimed job is posted to its group again after minutes "
        "(once; at half the dispatch deadline if this is not before it)", ge=1, le=24 * 60)
    open_jobs_per_technician: int = _rule(
        5, "office practice", "open jobs one technician may hold at once (a cap)", ge=1, le=100)
    emergency_ack_minutes: int = _rule(
        5, "001 §2.2.6", "the on-duty chat acknowledges an emergency within minutes, else the "
        "alert repeats and the managers hear", ge=1, le=60)
    auto_confirm_hours: int = _rule(
        48, "001 §2.5.5", "an unsigned finished job confirms itself after hours", ge=1)
    held_messages_hours: int = _rule(
        72, "office practice", "messages for a person who blocked the bot are held this many "
        "hours for their return, then dropped (dispatch has a phone task)", ge=1, le=24 * 30)
    response_deadline_hours: int = _rule(
        24, "004", "every request gets a human response within hours", ge=1)
    response_deadline_basis: Literal["calendar", "office"] = _rule(
        "calendar", "004", "the 24-hour rule counts calendar hours (the concierge answers round "
        "the clock) or office hours")
    desk_follow_up_hours: int = _rule(
        72, "004", "what a resident writes within hours of an answer (the FAQ's or the "
        "desk's), reading as no new request (\"还是不明白\"), is their reply to it and goes to "
        "the desk", ge=1, le=24 * 30)
    complaints: ComplaintClocks = Field(default_factory=ComplaintClocks,
                                        description="complaint clocks")
    announcements: AnnouncementRules = Field(default_factory=AnnouncementRules,
                                             description="announcements")
    appointments: AppointmentRules = Field(default_factory=AppointmentRules,
                                           description="visit windows and their reminders")
    unlinked_message_hours: int = _rule(
        24, "office practice", "what a resident wrote before linking their home is offered "
        "back to them once linked, if written within hours", ge=1, le=24 * 30)
    office_calendar_path: Path | None = _rule(
        None, "001 第四篇 4(5)", "the office's opening hours, lunch break and holidays (YAML); "
        "default: handlers/office/data/office_calendar.yaml")
    faq_path: Path | None = _rule(
        None, "001 第四篇 2(1)(2)", "the office's FAQ (YAML); default: "
        "handlers/front_desk/data/faq.yaml")
    canned_replies_path: Path | None = _rule(
        None, "001 第四篇 2(1)(2), 4(1)", "the ready answers staff tap when they answer a "
        "resident (YAML); default: handlers/front_desk/data/canned_replies.yaml")
    faq_min_score: float = _rule(
        0.25, "office practice", "an FAQ answer is given only when the question matches at "
        "least this well (0–1)", ge=0.0, le=1.0)
    manager_after_reworks: int = _rule(
        2, "001 §2.5.4", "rework requests on one order after which the manager is alerted",
        ge=1, le=10)
    callback_windows: CallbackWindows = Field(default_factory=CallbackWindows,
                                              description="callback windows in days")
    dissatisfied_at_most: int = _rule(
        2, "001 §2.7.6", "a rating at or below this raises a corrective task", ge=1, le=4)
    fault_persists_path: Path | None = _rule(
        None, "001 §2.7.6", "the words that say a fault persists in a callback comment, which "
        "reopen the order as rework (YAML); default: "
        "handlers/callback_surveys/data/fault_persists.yaml")
    survey_delay_minutes: int = _rule(
        60, "office practice", "minutes after confirmation before the survey is pushed",
        ge=0, le=24 * 60)
    survey_day_start: int = _rule(9, "SPEC (daytime only)", "surveys from this local hour",
                                  ge=0, le=23)
    survey_day_end: int = _rule(20, "SPEC (daytime only)", "surveys until this local hour",
                                ge=1, le=24)
    survey_retry_first_minutes: int = _rule(
        5, "office practice", "first retry of a survey that failed to send, in minutes", ge=1)
    survey_retry_max_hours: int = _rule(
        6, "office practice", "longest wait between retries of a failing survey, in hours",
        ge=1)
    phone_attempts_unreachable: int = _rule(
        3, "office practice", "unanswered calls after which the desk may close a phone "
        "callback as could not reach the resident", ge=1, le=20)
    callbacks_list_day: int = _rule(
        1, "001 §2.7.3", "day of the month dispatch gets last month's open callbacks",
        ge=1, le=28)
    callbacks_due_day: int = _rule(
        10, "001 §2.7.3", "last month's callbacks must be done by this day", ge=1, le=28)
    quota_check_day: int = _rule(
        20, "001 §2.7.4–2.7.5", "day of the month the callback quotas are checked", ge=1, le=28)
    onsite_callback_percent: int = _rule(
        5, "001 §2.7.4", "share of a month's callbacks done on site, at least", ge=0, le=100)
    manager_spot_checks: int = _rule(
        3, "001 §2.7.5", "callbacks a manager re-checks each month, at least", ge=0)
    fee_ladder_path: Path | None = _rule(
        None, "001 第五篇", "the office's fee ladder (YAML); default: the manual's "
        "handlers/fees/data/ladder.yaml")
    report_day: int = _rule(
        1, "001 §2.8.3, §2.6.6", "day of the month the managers get last month's service "
        "report (客户服务信息统计分析汇总表)", ge=1, le=28)
    report_time: time = _rule(time(9, 0), "office practice",
                              "local time of day the monthly report is posted")
    digest_time: time = _rule(time(8, 30), "office practice",
                              "local time of the managers' daily digest")
    reports_path: Path | None = _rule(
        None, "office practice", "where report files (PNG, XLSX, CSV) are kept; default: "
        "a reports/ folder beside the SQLite database, else ./reports")

    @model_validator(mode="after")
    def _daytime_and_month_make_sense(self) -> OfficeRules:
        if not self.survey_day_start < self.survey_day_end:
            raise ValueError(f"survey daytime must start before it ends, got "
                             f"{self.survey_day_start}–{self.survey_day_end}")
        if not self.callbacks_list_day < self.callbacks_due_day:
            raise ValueError("callbacks_list_day must come before callbacks_due_day")
        return self

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Code, then the environment, then ``.env``, then the office's rules file."""
        path = rules_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings,
                                                     dotenv_settings]
        if path is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

    # -- the rules as durations, for the code that computes deadlines ---------------------
    @property
    def dispatch_deadline(self) -> timedelta:
        """The dispatch deadline as a duration."""
        return timedelta(minutes=self.dispatch_deadline_minutes)

    @property
    def repost_after(self) -> timedelta:
        """When an unclaimed job is posted again: before the dispatch deadline, always."""
        if self.repost_after_minutes < self.dispatch_deadline_minutes:
            return timedelta(minutes=self.repost_after_minutes)
        return self.dispatch_deadline / 2

    @property
    def emergency_ack(self) -> timedelta:
        """How long the on-duty chat has to acknowledge an emergency."""
        return timedelta(minutes=self.emergency_ack_minutes)

    @property
    def held_messages_expire(self) -> timedelta:
        """How long messages wait for a person who cannot be reached."""
        return timedelta(hours=self.held_messages_hours)

    @property
    def auto_confirm_after(self) -> timedelta:
        """How long a finished job waits for the signature."""
        return timedelta(hours=self.auto_confirm_hours)

    @property
    def response_deadline(self) -> timedelta:
        """The 24-hour rule as a duration."""
        return timedelta(hours=self.response_deadline_hours)

    @property
    def desk_follow_up(self) -> timedelta:
        """How long after an answer (the FAQ's or the desk's) a resident's words reply to it."""
        return timedelta(hours=self.desk_follow_up_hours)

    @property
    def survey_delay(self) -> timedelta:
        """The wait between confirmation and the survey."""
        return timedelta(minutes=self.survey_delay_minutes)

    def survey_retry_delay(self, attempts: int) -> timedelta:
        """How long a survey that failed *attempts* times waits: doubling, up to the cap."""
        first = timedelta(minutes=self.survey_retry_first_minutes)
        cap = timedelta(hours=self.survey_retry_max_hours)
        return min(cap, first * (1 << min(max(attempts - 1, 0), 20)))


def rules_path() -> Path | None:
    """The office's rules file, if ``FRONTLINE_RULES_PATH`` names one."""
    value = os.environ.get(RULES_PATH_VARIABLE, "").strip()
    return Path(value) if value else None


def load_rules(**overrides: Any) -> OfficeRules:
    """The rules in force: defaults, overridden by the rules file and the environment."""
    path = rules_path()
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"{RULES_PATH_VARIABLE} names {path}, which does not exist")
    return OfficeRules(**overrides)


def rules_in_force(rules: OfficeRules) -> list[dict[str, str]]:
    """Each rule's value, meaning and origin (environment, rules file, or the manual's default),
    for ``frontline rules show``."""
    path = rules_path()
    in_file: Mapping[str, Any] = {}
    if path is not None and path.is_file():
        in_file = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows: list[dict[str, str]] = []

    def walk(model: BaseModel, prefix: str, file_part: Mapping[str, Any]) -> None:
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            key = f"{prefix}{name}"
            variable = ENV_PREFIX + key.replace(".", "__").upper()
            if isinstance(value, BaseModel):
                walk(value, key + ".", file_part.get(name) or {})
                continue
            if variable in os.environ:
                origin = f"environment {variable}"
            elif name in file_part:
                origin = f"rules file {path}"
            else:
                extra = info.json_schema_extra
                manual = extra.get("manual", "") if isinstance(extra, dict) else ""
                origin = f"default ({manual})"
            rows.append({"rule": key, "value": str(value), "meaning": info.description or "",
                         "from": origin})

    walk(rules, "", in_file)
    return rows
