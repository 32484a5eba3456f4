"""Storage on SQLite and PostgreSQL: migrations match the models, time stays aware, and a
failure half-way through a handler leaves nothing behind but an apology."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

import storage.appointments  # registers the visit windows
import storage.complaints  # registers the complaint desk's tables
import storage.fees  # registers the fee desk's tables
import storage.followups  # registers the follow-up tables
import storage.models  # noqa: F401
from handlers.office import Office
from handlers.requests import intake
from storage.models import EventLog, Outbox, WorkOrder
from tests.support.estate import build_estate


def test_migrations_create_exactly_the_models_tables(any_office: Office) -> None:
    with any_office.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_times_come_back_aware_and_equal(any_office: Office) -> None:
    moment = datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with Session(any_office.engine) as session:
        session.add(EventLog(at=moment, action="probe"))
        session.commit()
    with Session(any_office.engine) as session:
        stored = session.exec(select(EventLog)).one().at
    assert stored is not None and stored.tzinfo is not None
    assert stored == moment and stored.astimezone(UTC).hour == 15


def test_a_failure_half_way_rolls_everything_back_and_asks_to_retry(
        any_office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    estate = build_estate(any_office)
    with Session(any_office.engine) as session:
        outbox_before = len(session.exec(select(Outbox)).all())

    def broken_acknowledgement(*_: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(intake, "_acknowledge", broken_acknowledgement)
    wang = estate.resident
    wang.command("menu")
    wang.taps("报修")
    wang.says("厨房水龙头一直滴水")
    wang.taps("是的")
    wang.taps("没有照片")
    wang.taps("明天上午")
    wang.taps("使用")
    tap = wang.taps("提交")
    assert "未保存" in wang.toast_for(tap)
    with Session(any_office.engine) as session:
        assert session.exec(select(WorkOrder)).all() == []
        assert session.exec(select(EventLog).where(EventLog.action == "created")).all() == []
        new_rows = session.exec(select(Outbox)).all()[outbox_before:]
    assert not any("WO-" in row.text for row in new_rows)
    monkeypatch.undo()
    wang.taps("提交")  # the dialog is still at its last step: trying again works
    with Session(any_office.engine) as session:
        assert len(session.exec(select(WorkOrder)).all()) == 1
