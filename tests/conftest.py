"""Shared fixtures: a running Zoho Accounts emulator (fast timings) and an isolated TVAUTH_HOME.

``emulator`` is a started :class:`tvauth.emulator.Emulator` on a free loopback port with a 0.2 s
interval and a 5 s code lifetime; ``make_emulator(**overrides)`` builds more (other variants). All are
stopped at teardown.

Mind the units: on the wire these fast timings are 200 ms and 5000 ms, which a client following
Zoho's documented normalisation rule (interval > 1000 or expires_in > 10000 means milliseconds) reads
as *seconds*. Tests that run the real client against this fixture either drive it on the emulator's
clock (``clock=emu.now``, ``sleep=emu.advance``) or pass ``timing_units="ms"`` to the flow.

Every test runs with ``TVAUTH_HOME`` in its own temporary directory, so no test
can read or write the developer's real tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tvauth.emulator import Emulator, EmulatorConfig

FAST_SETTINGS: dict[str, Any] = {"interval": 0.2, "code_lifetime": 5.0}

MakeEmulator = Callable[..., Emulator]


@pytest.fixture(autouse=True)
def tvauth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private TVAUTH_HOME per test (created lazily by the code under test)."""
    home = tmp_path / "tvauth-home"
    monkeypatch.setenv("TVAUTH_HOME", str(home))
    return home


@pytest.fixture
def make_emulator() -> Iterator[MakeEmulator]:
    """Factory: ``make_emulator(interval=1.0, error_status=400, ...)`` -> a started Emulator."""
    started: list[Emulator] = []

    def factory(**overrides: Any) -> Emulator:
        emu = Emulator(EmulatorConfig(**{**FAST_SETTINGS, **overrides})).start()
        started.append(emu)
        return emu

    yield factory
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(make_emulator: MakeEmulator) -> Emulator:
    """A started emulator with fast timings (interval 0.2 s, codes live 5 s)."""
    return make_emulator()
