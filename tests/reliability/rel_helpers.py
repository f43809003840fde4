"""Helpers for the reliability suite: sessions on a fake clock, and the emulator's view of tokens."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.signin.helpers import settings_for
from tvauth.emulator import Emulator
from tvauth.paths import resolve_paths
from tvauth.signin import LiveSession
from tvauth.store import TokenStore

CODE = "/oauth/v3/device/code"
POLL = "/oauth/v3/device/token"
REFRESH = "/oauth/v2/token"
REVOKE = "/oauth/v2/token/revoke"
USER_INFO = "/oauth/user/info"


class FakeTime:
    """A monotonic clock and a wall clock that only move when the code under test sleeps.

    ``emu`` (optional) is advanced too, so the emulator's expiry rules follow the same time.
    """

    def __init__(self, emu: Emulator | None = None, wall: datetime | None = None) -> None:
        self.emu = emu
        self.mono = 1000.0
        self.wall = wall or datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.wall

    def move(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.slept.append(seconds)
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)
        if self.emu is not None:
            self.emu.advance(seconds)

    async def sleep(self, seconds: float) -> None:
        self.move(seconds)
        await asyncio.sleep(0)


def store_for(home: Path) -> TokenStore:
    return TokenStore(resolve_paths({"TVAUTH_HOME": str(home)}).tokens_dir)


def session_at(accounts_url: str, home: Path, time: FakeTime, **kw: Any) -> LiveSession:
    """A LiveSession (as ``tvauth login`` builds it) against ``accounts_url``, on ``time``."""
    settings = settings_for(None, home, accounts_url=accounts_url)
    return LiveSession(
        settings=settings,
        store=store_for(home),
        sleep=time.sleep,
        now=time.now,
        clock=time.clock,
        **kw,
    )


FAULTS = (
    "drop",
    "reset",
    "hang",
    "500",
    "502-html",
    "malformed",
    "empty",
    "delay:0.05",
    "throttle",
)
"""Every emulator fault kind; ``hang`` costs one client read timeout (READ_TIMEOUT) of real time."""

READ_TIMEOUT = "0.4"


def fast_settings(accounts_url: str, home: Path, **environ: str) -> Any:
    """Settings as ``tvauth login`` builds them, with short client timeouts (so ``hang`` is quick)."""
    import argparse

    from tvauth.config import load_settings
    from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

    flags = argparse.Namespace(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        scope=["AaaServer.profile.Read", "ZohoCRM.modules.ALL"],
        accounts_url=accounts_url,
        profile=None,
    )
    env = {
        "TVAUTH_HOME": str(home),
        "TVAUTH_READ_TIMEOUT": READ_TIMEOUT,
        "TVAUTH_CONNECT_TIMEOUT": "1",
        **environ,
    }
    return load_settings(flags, environ=env)
