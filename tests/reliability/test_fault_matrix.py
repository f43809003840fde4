"""Every emulator fault at every step of a sign-in, a renewal and a sign-out, over real loopback HTTP.

Sign-ins run on emulated time (the session sleeps by advancing the emulator), with Zoho's own
timings (30 s interval, 5-minute codes) and short client timeouts so a ``hang`` costs 0.4 s. Each
case ends in the documented state with nothing lost:

* sign-in: the person's approval survives the fault; exactly one code; tokens stored and accepted
  by the emulated API (a fault on "who am I" only loses the name);
* renewal: the attempt fails with a clear error and the token file is byte-for-byte unchanged
  (a throttle only adds when to ask again); the next attempt renews with the same refresh token;
* sign-out: the tokens are kept when the revoke fails; the next sign-out revokes them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.reliability.rel_helpers import (
    CODE,
    FAULTS,
    POLL,
    READ_TIMEOUT,
    REFRESH,
    REVOKE,
    USER_INFO,
    FakeTime,
    fast_settings,
    store_for,
)
from tests.signin.helpers import whoami_sync
from tests.store.emu_helpers import sign_in as stored_sign_in
from tvauth.emulator import Emulator
from tvauth.errors import NetworkError, ThrottledError
from tvauth.events import Approved, CodeIssued, DataCenterSwitched, NetworkTrouble, Pending
from tvauth.logout import SignOut, sign_out
from tvauth.renewal import renew
from tvauth.session import SessionEvent, SignedIn
from tvauth.signin import LiveSession

pytestmark = pytest.mark.timeout(20)

MakeEmulator = Callable[..., Emulator]
ADA = "ada@example.com"  # us: approves where the client is registered
JANE = "jane@example.com"  # eu: approval comes back as other_dc
SIGN_IN_STEPS = ("code", "first_poll", "approving_poll", "other_dc_poll", "user_info")
PATHS = {
    "code": CODE,
    "first_poll": POLL,
    "approving_poll": POLL,
    "other_dc_poll": POLL,
    "user_info": USER_INFO,
}


def zoho_timed(make_emulator: MakeEmulator) -> Emulator:
    return make_emulator(interval=30.0, code_lifetime=300.0)


async def signed_in_through(
    emu: Emulator, home: Path, step: str, fault: str
) -> tuple[list[SessionEvent], FakeTime]:
    """One sign-in; ``fault`` hits the request of ``step``; the person approves at the first pending."""
    time = FakeTime(emu)
    session = LiveSession(
        settings=fast_settings(emu.base_url("us"), home),
        store=store_for(home),
        sleep=time.sleep,
        now=time.now,
        clock=time.clock,
    )
    spec = {"fault": fault, "path": PATHS[step]}
    account = JANE if step == "other_dc_poll" else ADA
    if step == "code":
        emu.set_faults([spec])
    events: list[SessionEvent] = []
    code = ""
    approved = False
    stream = session.sign_in()
    try:
        async for event in stream:
            events.append(event)
            assert len(events) < 80, [type(e).__name__ for e in events]
            if isinstance(event, CodeIssued):
                code = event.authorization.user_code
                if step == "first_poll":
                    emu.set_faults([spec])
            elif isinstance(event, Pending) and not approved:
                approved = True
                emu.approve(code, account)
                if step == "approving_poll":
                    emu.set_faults([spec])  # the very poll that would carry the tokens
            elif isinstance(event, DataCenterSwitched) and step == "other_dc_poll":
                emu.set_faults([spec])  # the first poll at the user's data center
            elif isinstance(event, Approved) and step == "user_info":
                emu.set_faults([spec])
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return events, time


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("step", SIGN_IN_STEPS)
async def test_sign_in_survives_the_fault(
    make_emulator: MakeEmulator, tvauth_home: Path, step: str, fault: str
) -> None:
    emu = zoho_timed(make_emulator)
    events, _ = await signed_in_through(emu, tvauth_home, step, fault)

    assert isinstance(events[-1], SignedIn), events[-1]
    assert emu.pending_faults() == []  # the fault really happened...
    hit = [e for e in emu.log() if e.get("fault") == fault]
    assert len(hit) == 1
    assert hit[0]["path"] == PATHS[step]
    assert hit[0]["location"] == ("eu" if step == "other_dc_poll" else "us")
    # ...and the approval outlived it: one code, approved once, no second sign-in needed.
    assert sum(isinstance(e, CodeIssued) for e in events) == 1
    troubles = [e for e in events if isinstance(e, NetworkTrouble)]
    retried = step != "user_info" and not fault.startswith("delay")
    assert len(troubles) == (1 if retried else 0)
    if retried and fault == "throttle":
        assert isinstance(troubles[0].error, ThrottledError)

    profile = store_for(tvauth_home).load("default")
    assert profile is not None
    assert profile.refresh_token is not None
    assert profile.access_token is not None
    account = JANE if step == "other_dc_poll" else ADA
    assert profile.accounts_url == emu.base_url("eu" if account == JANE else "us")
    answer = whoami_sync(profile.api_domain or "", profile.access_token.reveal())
    assert answer["http_status"] == 200
    if step == "user_info" and not fault.startswith("delay"):
        assert profile.email is None  # only the name is lost
    else:
        assert profile.email == account


# ----------------------------------------------------------------------------------- renewal


def client() -> httpx.Client:
    return httpx.Client(timeout=float(READ_TIMEOUT), trust_env=False)


@pytest.mark.parametrize("fault", FAULTS)
def test_renewal_fault_leaves_the_token_file_alone(
    emulator: Emulator, tvauth_home: Path, fault: str
) -> None:
    store = store_for(tvauth_home)
    time = FakeTime(emulator)
    signed = stored_sign_in(emulator, store, now=time.now(), expires_in=100)  # inside the margin
    path = store.path_for("default")
    before = path.read_bytes()
    emulator.set_faults([{"fault": fault, "path": REFRESH}])

    with client() as http:
        if fault.startswith("delay"):
            fresh = renew(store=store, http=http, now=time.now, fallback=False)
            assert fresh.access_token != signed.access_token
        else:
            with pytest.raises(NetworkError if fault != "throttle" else ThrottledError) as info:
                renew(store=store, http=http, now=time.now, fallback=False)
            assert info.value.problem
            after = store.load("default")
            assert after is not None
            if fault == "throttle":
                # Only when to ask again is written down; the tokens are untouched.
                assert after.throttled_until is not None
                assert after.access_token == signed.access_token
                assert after.refresh_token == signed.refresh_token
                time.move(61)
            else:
                assert path.read_bytes() == before
            # The fault was one-off: the next attempt renews, with the same refresh token.
            fresh = renew(store=store, http=http, now=time.now, fallback=False)
    assert emulator.pending_faults() == []
    assert fresh.refresh_token == signed.refresh_token
    assert fresh.access_token is not None
    assert whoami_sync(signed.api_domain or "", fresh.access_token.reveal())["http_status"] == 200


@pytest.mark.parametrize("fault", FAULTS)
def test_renewal_fault_with_a_valid_token_serves_it(
    emulator: Emulator, tvauth_home: Path, fault: str
) -> None:
    """``tvauth token`` inside the margin: a failed renewal still hands out the valid token."""
    store = store_for(tvauth_home)
    time = FakeTime(emulator)
    signed = stored_sign_in(emulator, store, now=time.now(), expires_in=100)
    emulator.set_faults([{"fault": fault, "path": REFRESH}])
    with client() as http:
        served = renew(store=store, http=http, now=time.now)
    assert served.access_token is not None
    if not fault.startswith("delay"):
        assert served.access_token == signed.access_token
    assert whoami_sync(signed.api_domain or "", served.access_token.reveal())["http_status"] == 200


# ---------------------------------------------------------------------------------- sign-out


@pytest.mark.parametrize("fault", FAULTS)
def test_sign_out_fault_keeps_the_tokens_until_the_revoke_succeeds(
    emulator: Emulator, tvauth_home: Path, fault: str
) -> None:
    store = store_for(tvauth_home)
    signed = stored_sign_in(emulator, store)
    path = store.path_for("default")
    before = path.read_bytes()
    emulator.set_faults([{"fault": fault, "path": REVOKE}])
    assert signed.access_token is not None
    token = signed.access_token.reveal()
    with client() as http:
        first = sign_out(store, "default", http=http)
        if fault.startswith("delay"):
            assert first.outcome is SignOut.REVOKED
        else:
            assert first.outcome is SignOut.KEPT
            assert first.error is not None
            assert path.read_bytes() == before
            assert whoami_sync(signed.api_domain or "", token)["http_status"] == 200
            second = sign_out(store, "default", http=http)
            assert second.outcome is SignOut.REVOKED
    assert not path.exists()
    assert emulator.pending_faults() == []
    assert whoami_sync(signed.api_domain or "", token)["http_status"] == 401


# ---------------------------------------------------------------- timeouts of tvauth's own client


def test_renewal_and_sign_out_with_tvauth_s_own_client_honour_the_configured_read_timeout(
    emulator: Emulator, tvauth_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tvauth token``/``refresh``/``logout`` build their own client: TVAUTH_READ_TIMEOUT (or
    [http] read_timeout) must apply to it, as the timeout message tells people to raise it."""
    monkeypatch.setenv("TVAUTH_READ_TIMEOUT", READ_TIMEOUT)
    store = store_for(tvauth_home)
    time = FakeTime(emulator)
    stored_sign_in(emulator, store, now=time.now(), expires_in=100)
    emulator.set_faults([{"fault": "hang", "path": REFRESH}, {"fault": "hang", "path": REVOKE}])
    with pytest.raises(NetworkError) as renewing:
        renew(store=store, now=time.now, fallback=False)
    assert f"{float(READ_TIMEOUT):g} s" in renewing.value.problem
    kept = sign_out(store, "default")
    assert kept.outcome is SignOut.KEPT
    assert kept.error is not None
    assert f"{float(READ_TIMEOUT):g} s" in kept.error.problem


def test_a_config_mistake_does_not_stop_a_renewal(emulator: Emulator, tvauth_home: Path) -> None:
    """The settings only lend their timeouts here: with a broken file the defaults serve."""
    store = store_for(tvauth_home)
    time = FakeTime(emulator)
    signed = stored_sign_in(emulator, store, now=time.now(), expires_in=100)
    config = tvauth_home / "config" / "config.toml"
    config.parent.mkdir(mode=0o700, parents=True)
    config.write_text("[http]\nread_timout = 3\n")
    fresh = renew(store=store, now=time.now, fallback=False)
    assert fresh.access_token != signed.access_token
