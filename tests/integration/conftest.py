"""The sender's integration tests: the emulator, and each framework's transport aimed at it
through a proxy that logs every call and can inject faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.base import Transport
from bot.emulator import Emulator, RunningEmulator
from tests.e2e.faults import FaultProxy
from tests.e2e.senders import transport_for


@pytest.fixture
def emu(emulator: RunningEmulator) -> Emulator:
    return emulator.emulator


@pytest.fixture
async def transport(framework: str, proxy: FaultProxy) -> AsyncIterator[Transport]:
    async with transport_for(framework, proxy.url) as transport:
        yield transport
