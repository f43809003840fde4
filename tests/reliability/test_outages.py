"""Longer outages and broken networks: the server gone for minutes, DNS failing, a proxy refusing.

Outages stop the emulator's listening socket (connection refused, as when a router reboots) on a
fixed port and start it again later, on emulated time: the session's sleeps advance the clock, and
the server comes back once enough time has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.config.cfg_netfakes import ProxyServer, closed_port
from tests.reliability.rel_helpers import (
    CODE,
    READ_TIMEOUT,
    REFRESH,
    FakeTime,
    fast_settings,
    store_for,
)
from tests.signin.helpers import whoami_sync
from tests.store.emu_helpers import sign_in as stored_sign_in
from tvauth.emulator import Emulator
from tvauth.errors import CodeExpiredError, NetworkError, ProxyRefusedError
from tvauth.events import CodeIssued, Failed, NetworkTrouble, Pending, Requesting
from tvauth.logout import SignOut, sign_out
from tvauth.plain import EXIT_EXPIRED, exit_code_for
from tvauth.profile import Profile
from tvauth.renewal import renew
from tvauth.session import SessionEvent, SignedIn
from tvauth.signin import LiveSession
from tvauth.store import TokenStore

pytestmark = pytest.mark.timeout(20)

MakeEmulator = Callable[..., Emulator]
ADA = "ada@example.com"


class Outage:
    """Stops the emulator when told, starts it again ``length`` emulated seconds later."""

    def __init__(self, emu: Emulator, time: FakeTime, length: float) -> None:
        self.emu, self.time, self.length = emu, time, length
        self.back_at: float | None = None

    def begin(self) -> None:
        self.emu.stop()
        self.back_at = self.time.mono + self.length

    async def sleep(self, seconds: float) -> None:
        await self.time.sleep(seconds)
        if self.back_at is not None and self.time.mono >= self.back_at and not self.emu.running:
            self.emu.start()


async def sign_in_with_outage(
    make_emulator: MakeEmulator,
    home: Path,
    *,
    length: float,
    approve_before: bool,
    code_renewals: int = 2,
) -> tuple[list[SessionEvent], Emulator]:
    emu = make_emulator(interval=30.0, code_lifetime=300.0, port=closed_port())
    time = FakeTime(emu)
    outage = Outage(emu, time, length)
    session = LiveSession(
        settings=fast_settings(emu.base_url("us"), home),
        store=store_for(home),
        sleep=outage.sleep,
        now=time.now,
        clock=time.clock,
        code_renewals=code_renewals,
    )
    events: list[SessionEvent] = []
    code = ""
    stream = session.sign_in()
    try:
        async for event in stream:
            events.append(event)
            assert len(events) < 120
            if isinstance(event, CodeIssued):
                code = event.authorization.user_code
            if isinstance(event, Pending):
                if outage.back_at is None:
                    if approve_before:
                        emu.approve(code, ADA)
                    outage.begin()
                elif not approve_before or event.polls > 1:
                    emu.approve(code, ADA)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return events, emu


async def test_an_approval_survives_two_minutes_without_network(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    events, _emu = await sign_in_with_outage(
        make_emulator, tvauth_home, length=120.0, approve_before=True
    )
    assert isinstance(events[-1], SignedIn)
    assert sum(isinstance(e, CodeIssued) for e in events) == 1
    assert any(isinstance(e, NetworkTrouble) for e in events)
    profile = store_for(tvauth_home).load("default")
    assert profile is not None
    assert profile.access_token is not None
    assert (
        whoami_sync(profile.api_domain or "", profile.access_token.reveal())["http_status"] == 200
    )


async def test_network_down_longer_than_the_code_gets_a_fresh_code_after(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    events, emu = await sign_in_with_outage(
        make_emulator, tvauth_home, length=420.0, approve_before=False
    )
    assert isinstance(events[-1], SignedIn)
    codes = [e for e in events if isinstance(e, CodeIssued)]
    assert [c.attempt for c in codes] == [1, 2]
    first_code = codes[0].authorization.user_code
    assert {c["user_code"]: c["status"] for c in emu.codes()}[first_code] != "approved"
    # While the server was away the device kept asking for a new code, calmly.
    between = events[events.index(codes[0]) : events.index(codes[1])]
    assert any(isinstance(e, Requesting) for e in between)
    waits = [e.retry_at - e.at for e in between if isinstance(e, NetworkTrouble)]
    assert waits
    assert max(waits) <= 60.0
    assert len(emu.requests_to(CODE)) == 2
    assert store_for(tvauth_home).load("default") is not None


async def test_network_down_longer_than_the_code_without_renewals_ends_expired(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    events, _ = await sign_in_with_outage(
        make_emulator, tvauth_home, length=420.0, approve_before=False, code_renewals=0
    )
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, CodeExpiredError)
    assert exit_code_for(last.error) == EXIT_EXPIRED
    assert "expired" in last.error.problem
    assert store_for(tvauth_home).load("default") is None


# ------------------------------------------------------------------------- DNS and the proxy


def _dns_broken(store: TokenStore, emu: Emulator) -> Profile:
    import dataclasses

    signed = stored_sign_in(emu, store, expires_in=100)
    broken = dataclasses.replace(signed, accounts_url="http://accounts.tvauth-test.invalid/eu")
    store.save(broken)
    return broken


def test_renewal_with_dns_failing_leaves_the_token_file_alone(
    emulator: Emulator, tvauth_home: Path
) -> None:
    store = store_for(tvauth_home)
    _dns_broken(store, emulator)
    before = store.path_for("default").read_bytes()
    with httpx.Client(timeout=float(READ_TIMEOUT), trust_env=False) as http:
        with pytest.raises(NetworkError) as info:
            renew(store=store, http=http, fallback=False)
        assert "DNS lookup failed" in info.value.problem
        served = renew(store=store, http=http)  # still valid: served as it is
    assert served.access_token is not None
    assert store.path_for("default").read_bytes() == before


@pytest.fixture
def refusing_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProxyServer]:
    proxy = ProxyServer(refuse=True)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield proxy
    proxy.stop()


async def test_sign_in_behind_a_refusing_proxy_stops_at_once_and_says_why(
    refusing_proxy: ProxyServer, tvauth_home: Path
) -> None:
    """Retrying unchanged cannot help, so the person reads why now (nothing leaves the machine)."""
    time = FakeTime()
    session = LiveSession(
        settings=fast_settings("https://accounts.zoho.eu", tvauth_home),
        store=store_for(tvauth_home),
        sleep=time.sleep,
        now=time.now,
        clock=time.clock,
    )
    events = [event async for event in session.sign_in()]
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, ProxyRefusedError)
    assert f"127.0.0.1:{refusing_proxy.port}" in last.error.problem
    assert "accounts.zoho.eu" in last.error.problem
    assert refusing_proxy.seen == ["CONNECT accounts.zoho.eu:443 HTTP/1.1"]
    assert time.slept == []
    assert store_for(tvauth_home).load("default") is None


def test_renewal_and_sign_out_behind_a_refusing_proxy_keep_everything(
    refusing_proxy: ProxyServer, emulator: Emulator, tvauth_home: Path
) -> None:
    import dataclasses

    store = store_for(tvauth_home)
    signed = stored_sign_in(emulator, store, expires_in=100)
    store.save(dataclasses.replace(signed, accounts_url="https://accounts.zoho.eu"))
    before = store.path_for("default").read_bytes()
    from tvauth.http import make_client

    with make_client() as http:  # as tvauth builds it: HTTPS_PROXY honoured
        with pytest.raises(ProxyRefusedError):
            renew(store=store, http=http, fallback=False)
        assert store.path_for("default").read_bytes() == before
        result = sign_out(store, "default", http=http)
    assert result.outcome is SignOut.KEPT
    assert isinstance(result.error, ProxyRefusedError)
    assert store.path_for("default").read_bytes() == before
    assert len(refusing_proxy.seen) == 2
    assert emulator.requests_to(REFRESH) == []
