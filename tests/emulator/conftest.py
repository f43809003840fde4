"""Fixtures of the emulator conformance tests: a plain httpx client and a :class:`Wire` on it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from zoho_wire import Wire

from tvauth.emulator import Emulator


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


@pytest.fixture
def wire(emulator: Emulator, http: httpx.Client) -> Wire:
    return Wire(emulator, http)
