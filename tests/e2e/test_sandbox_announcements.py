"""The demo estate has its notices: an approved announcement to the whole estate and a water
outage running now in building 3, composed and approved by the manager through the bot; the
residents there have the outage notice in their chat, and a report of no water is answered
by it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from bot.emulator.client import EmulatorClient
from bot.sandbox.seed import NOTICE, OUTAGE
from storage.announcements import Announcement
from tests.e2e.test_sandbox_restart import _person, _world
from tests.support.sandbox import start_sandbox

pytestmark = pytest.mark.e2e


def announcements(data: Path) -> list[Announcement]:
    engine = create_engine(f"sqlite:///{data / 'frontline.db'}")
    try:
        with Session(engine) as session:
            return list(session.exec(select(Announcement).order_by(col(Announcement.id))))
    finally:
        engine.dispose()


async def test_the_demo_estate_has_an_announcement_and_a_water_outage_running(
        tmp_path: Path) -> None:
    data = tmp_path / "estate"
    sandbox = start_sandbox(data, tmp_path, name="notices")
    try:
        notice, outage = announcements(data)
        assert (notice.kind, notice.audience, notice.text) == ("notice", "estate", NOTICE)
        assert notice.status in ("approved", "done") and notice.recipients > 0
        assert (outage.kind, outage.utility, outage.buildings) == ("outage", "water", ["3"])
        assert outage.status in ("approved", "done") and outage.text == OUTAGE
        now = datetime.now(UTC)
        assert outage.starts_at is not None and outage.ends_at is not None
        assert outage.starts_at.replace(tzinfo=UTC) <= now < outage.ends_at.replace(tzinfo=UTC)
        wang = _person(await _world(sandbox.url), "wang")
        async with EmulatorClient(sandbox.url.rstrip("/")) as client:
            # Sent with what the present makes due, just after the URL: urgent, day or night.
            await client.wait_for_message(wang, lambda m: OUTAGE in m.get("text", ""),
                                          timeout=20, after_message_id=0)
            await client.send_text(wang, "怎么没水了")
            answer = await client.wait_for_message(
                wang, lambda m: m.get("text", "").startswith("🚧"),
                timeout=20)
            assert OUTAGE in answer["text"]
    finally:
        assert sandbox.interrupt() == 0
    assert "Traceback" not in sandbox.stderr(), sandbox.stderr()
