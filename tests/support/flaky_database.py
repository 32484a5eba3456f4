"""A database that refuses the next few transactions, as a dropped connection would."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

from handlers.office.unit_of_work import UnitOfWork


class FlakyClaims:
    """Make the next *failures* ``UnitOfWork.claim`` calls raise ``OperationalError``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self._lock = threading.Lock()
        original = UnitOfWork.claim

        def claim(uow: UnitOfWork, key: str) -> bool:
            with self._lock:
                self.calls += 1
                failing = self.failures > 0
                self.failures -= failing
            if failing:
                raise OperationalError("BEGIN IMMEDIATE", {},
                                       ConnectionRefusedError("the database is down"))
            return original(uow, key)

        monkeypatch.setattr(UnitOfWork, "claim", claim)
