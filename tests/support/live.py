"""Fixtures for tests that run the Telegram side for real: each framework, the emulator, a
client acting as people, and an office on a fresh SQLite file (registered in conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from handlers.office import Office
from tests.e2e.faults import FaultProxy
from tests.e2e.harness import office_for
from tests.support.emulator import running_emulator


@pytest.fixture(params=["aiogram", "ptb"])
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def emulator() -> AsyncIterator[RunningEmulator]:
    async with running_emulator() as running:
        yield running


@pytest.fixture
async def proxy(emulator: RunningEmulator) -> AsyncIterator[FaultProxy]:
    """The emulator behind a proxy that logs every call and can inject faults."""
    proxy = await FaultProxy(emulator.url).start()
    yield proxy
    await proxy.stop()


@pytest.fixture
async def client(emulator: RunningEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url) as emu:
        yield emu


@pytest.fixture
def live_office(tmp_path: Path) -> Iterator[Office]:
    office = office_for(f"sqlite:///{tmp_path / 'frontline.db'}")
    yield office
    office.engine.dispose()
