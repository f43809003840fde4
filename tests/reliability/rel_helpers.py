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


def make_future_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 valid only from 2036: to this machine's clock it is
    'not yet valid', exactly what a device whose clock is years behind sees on every server."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:  # pragma: no cover
        raise RuntimeError("the openssl command is needed to make a test certificate")
    directory.mkdir(parents=True, exist_ok=True)
    key, csr, cert = directory / "key.pem", directory / "req.csr", directory / "future.pem"
    (directory / "index.txt").write_text("")
    (directory / "serial").write_text("01\n")
    (directory / "ca.cnf").write_text(
        "[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n"
        "default_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n"
    )

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=directory)

    run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(key))
    run(
        "req", "-new", "-key", str(key), "-out", str(csr), "-subj", "/CN=tvauth future",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    )  # fmt: skip
    run(
        "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", str(key), "-in", str(csr),
        "-out", str(cert), "-startdate", "20360101000000Z", "-enddate", "20370101000000Z",
    )  # fmt: skip
    return cert, key
