"""Photos given as local files (``file://`` URIs, the monthly report's charts) are uploaded as
multipart by both frameworks, through the same outbox sender, against the Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.base import Transport
from bot.emulator import Emulator, RunningEmulator
from bot.emulator.files import make_png
from bot.sender import Limits, OutboxSender
from dialogs.events import Say
from handlers.office import Office
from locales import Raw
from tests.e2e.harness import outbox
from tests.e2e.senders import queue
from tests.support.emulator import TEST_TOKEN

QUICK = Limits(private_per_second=20, group_per_minute=1200, backoff_base=0.1,
               poll_interval=0.1)


@pytest.fixture
def emu(emulator: RunningEmulator) -> Emulator:
    return emulator.emulator


@pytest.fixture
async def transport(framework: str, emulator: RunningEmulator) -> AsyncIterator[Transport]:
    """The transport exactly as ``frontline run`` builds it (PTB over our aiohttp request)."""
    if framework == "aiogram":
        from bot.adapters.aiogram_adapter import AiogramTransport
        from tests.support.emulator import aiogram_bot

        bot = aiogram_bot(emulator.url)
        try:
            yield AiogramTransport(bot)
        finally:
            await bot.session.close()
        return
    from telegram import Bot

    from bot.adapters.ptb_adapter import PtbTransport
    from bot.adapters.ptb_request import AiohttpRequest

    ptb = Bot(TEST_TOKEN, base_url=f"{emulator.url}/bot", request=AiohttpRequest(connections=8))
    async with ptb:
        yield PtbTransport(ptb)


def charts(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = folder / f"chart {n} 图表.png"  # a space and Chinese: the URI is percent-encoded
        path.write_bytes(make_png(120, 80, seed=n + 3))
        paths.append(path)
    return paths


async def test_a_local_photo_and_an_album_of_them_are_uploaded(
        emu: Emulator, live_office: Office, transport: Transport, tmp_path: Path) -> None:
    managers = emu.create_group("管理群", [emu.create_user("黄经理").id]).id
    one, *album = charts(tmp_path, 4)
    queue(live_office, Say(managers, Raw("📊 the report")),
          Say(managers, Raw("📈 charts"), photos=tuple(p.as_uri() for p in album)),
          Say(managers, Raw("one chart"), photos=(one.as_uri(),)))
    await OutboxSender(live_office, transport, QUICK).drain()
    assert [row.status for row in outbox(live_office)] == ["sent", "sent", "sent"]
    shown = [m.data for m in emu.chats[managers].messages if m.from_bot]
    assert shown[0]["text"] == "📊 the report"
    photos = [m for m in shown[1:] if "photo" in m]
    assert len(photos) == 4 and photos[0]["caption"] == "📈 charts"
    assert len({m["media_group_id"] for m in photos[:3]}) == 1  # one album
    uploaded = [emu.files.by_id[m["photo"][-1]["file_id"]].content for m in photos]
    assert uploaded == [p.read_bytes() for p in (*album, one)]
    assert photos[3]["caption"] == "one chart"


async def test_a_missing_local_file_fails_the_row_instead_of_retrying(
        emu: Emulator, live_office: Office, transport: Transport, tmp_path: Path) -> None:
    reader = emu.create_user("R", started=True).id
    queue(live_office, Say(reader, Raw("gone"), photos=((tmp_path / "nope.png").as_uri(),)))
    await OutboxSender(live_office, transport, QUICK).drain()
    [row] = outbox(live_office)
    assert row.status == "failed" and "does not exist" in row.last_error
    assert not [m for m in emu.chats[reader].messages if m.from_bot]
