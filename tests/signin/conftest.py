"""Fixtures for the sign-in wiring and command tests.

``live_emu``: an emulator polled in real time, quickly: 0.2 s interval and 60 s codes. (The code
lifetime is kept above 10 s on purpose: Zoho sends milliseconds, and the client's unit guess reads
"interval 200, expires_in 5000" as seconds, so sub-10-second codes are only used on emulated time.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tvauth.emulator import Emulator
from tvauth.paths import resolve_paths
from tvauth.store import TokenStore

MakeEmulator = Callable[..., Emulator]

LIVE_TIMINGS: dict[str, Any] = {"interval": 0.2, "code_lifetime": 60.0}


@pytest.fixture
def live_emu(make_emulator: MakeEmulator) -> Emulator:
    return make_emulator(**LIVE_TIMINGS)


@pytest.fixture
def store(tvauth_home: Path) -> TokenStore:
    return TokenStore(resolve_paths({"TVAUTH_HOME": str(tvauth_home)}).tokens_dir)
