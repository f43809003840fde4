"""Shared fixtures for the screen tests: a frozen clock, a scripted session, local time in UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.ui.fakes import FrozenClock, ScriptedSession


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clock times on screen are local; pin the zone so screenshots do not depend on the machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def session() -> ScriptedSession:
    return ScriptedSession()
