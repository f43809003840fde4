"""LiveSession (flow -> store -> renewal) against the emulator over real loopback HTTP.

Tests that wait for the code to expire, or for a token to near its end, run on emulated time: the
session's monotonic ``clock`` is the emulator's, its ``sleep`` advances the emulator (and a wall
clock the test owns), so Zoho's real 30 s interval and 5-minute codes take milliseconds while every
request still crosses a socket and the emulator applies its own rules.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import stat
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.signin.helpers import settings_for, whoami
from tvauth.atomic import FileOps
from tvauth.config import load_settings
from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.errors import (
    AccessDeniedError,
    AlreadySignedInError,
    CodeExpiredError,
    ConfigError,
    InvalidClientError,
    SignInRequiredError,
    StoreBusyError,
    StoreError,
)
from tvauth.events import (
    Approved,
    CodeIssued,
    DataCenterSwitched,
    Failed,
    Pending,
    Requesting,
)
from tvauth.paths import resolve_paths
from tvauth.session import RenewalFailed, Renewed, SessionEvent, SignedIn
from tvauth.signin import LiveSession
from tvauth.store import TokenStore

pytestmark = pytest.mark.timeout(30)

MakeEmulator = Callable[..., Emulator]
CODE_PATH = "/oauth/v3/device/code"
POLL_PATH = "/oauth/v3/device/token"
REFRESH_PATH = "/oauth/v2/token"
JANE = "jane@example.com"


class EmulatedTime:
    """The emulator's clock as the session's monotonic clock; sleeping moves it (and a wall clock)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.wall = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.emu.now()

    def now(self) -> datetime:
        return self.wall

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.emu.advance(max(0.0, seconds))
        self.wall += timedelta(seconds=max(0.0, seconds))
        await asyncio.sleep(0)


def session_for(emu: Emulator | None, home: Path, **kw: Any) -> LiveSession:
    settings_kw = {k: kw.pop(k) for k in list(kw) if k in ("client_id", "client_secret", "scopes")}
    settings = settings_for(emu, home, **settings_kw)
    return LiveSession(
        settings=settings,
        store=TokenStore(resolve_paths({"TVAUTH_HOME": str(home)}).tokens_dir),
        **kw,
    )


async def run_sign_in(
    session: LiveSession,
    emu: Emulator | None = None,
    *,
    account: str = JANE,
    decision: str = "allow",
    after_polls: int = 1,
) -> list[SessionEvent]:
    """Every event of one sign-in; the person decides once ``after_polls`` polls were pending."""
    events: list[SessionEvent] = []
    code: str | None = None
    stream = session.sign_in()
    try:
        async for event in stream:
            events.append(event)
            if isinstance(event, CodeIssued):
                code = event.authorization.user_code
            if isinstance(event, Pending) and event.polls == after_polls and emu is not None:
                assert code is not None
                emu.approve(code, account, decision)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return events


def kinds(events: list[SessionEvent]) -> list[str]:
    """Event names with runs of Pending collapsed, to compare sequences."""
    out: list[str] = []
    for event in events:
        name = type(event).__name__
        if not (out and out[-1] == name == "Pending"):
            out.append(name)
    return out


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------------- sign in


async def test_sign_in_switches_data_center_and_stores_the_profile(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    session = session_for(live_emu, tvauth_home)
    assert session.existing() is None

    events = await run_sign_in(session, live_emu, after_polls=2)

    assert kinds(events) == [
        "Requesting",
        "CodeIssued",
        "Pending",
        "DataCenterSwitched",
        "Approved",
        "SignedIn",
    ]
    assert sum(isinstance(e, Pending) for e in events) == 2
    issued = next(e for e in events if isinstance(e, CodeIssued))
    assert issued.attempt == 1
    assert issued.accounts_url == live_emu.base_url("us")
    switched = next(e for e in events if isinstance(e, DataCenterSwitched))
    assert (switched.from_location, switched.to_location) == ("us", "eu")
    assert switched.accounts_url == live_emu.base_url("eu")
    approved = next(e for e in events if isinstance(e, Approved))
    assert approved.location == "eu"

    signed_in = events[-1]
    assert isinstance(signed_in, SignedIn)
    assert signed_in.email == JANE
    assert signed_in.location == "eu"
    assert signed_in.profile == "default"
    # The data center in words, and that it is the emulator, not Zoho itself.
    label = signed_in.data_center.lower()
    assert "eu" in label, signed_in.data_center
    assert "emulat" in label, signed_in.data_center
    assert signed_in.next_renewal_at < signed_in.access_expires_at
    assert "AaaServer.profile.Read" in signed_in.scopes

    # Stored at once, privately, in TVAUTH_HOME.
    store = session.store
    path = store.path_for("default")
    assert path.is_relative_to(tvauth_home)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    profile = store.load("default")
    assert profile is not None
    assert profile.email == JANE
    assert profile.location == "eu"
    assert profile.accounts_url == live_emu.base_url("eu")
    assert profile.can_refresh
    assert profile.client_secret is not None
    assert profile.client_secret.reveal() == DEMO_CLIENT_SECRET
    # The stored token is the one the emulator issued, for Jane, in the EU.
    assert profile.access_token is not None
    assert profile.api_domain is not None
    answer = await whoami(profile.api_domain, profile.access_token.reveal())
    assert answer["http_status"] == 200
    assert answer["user"] == {**answer["user"], "email": JANE, "location": "eu"}
    # One code, polls only until approved, then the EU server, then who signed in.
    assert len(live_emu.requests_to(CODE_PATH)) == 1
    assert len(live_emu.requests_to(POLL_PATH, "eu")) == 1
    assert live_emu.internal_errors == 0


async def test_signed_in_refuses_a_new_sign_in_without_asking_zoho(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    first = await run_sign_in(session_for(live_emu, tvauth_home), live_emu)
    assert isinstance(first[-1], SignedIn)
    requests_before = len(live_emu.log())

    again = session_for(live_emu, tvauth_home)
    existing = again.existing()
    assert existing is not None
    assert existing.email == JANE
    assert existing.data_center == first[-1].data_center

    events = await run_sign_in(again, live_emu)
    assert len(events) == 1
    assert isinstance(events[0], Failed)
    error = events[0].error
    assert isinstance(error, AlreadySignedInError)
    assert JANE in error.problem
    assert "--force" in error.remedy
    # Not one request: a needless device code is not even asked for.
    assert len(live_emu.log()) == requests_before


async def test_force_signs_in_again_then_refuses_the_next(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    await run_sign_in(session_for(live_emu, tvauth_home), live_emu)
    before = session_for(live_emu, tvauth_home).store.load("default")
    assert before is not None
    assert before.refresh_token is not None

    forced = session_for(live_emu, tvauth_home, force=True)
    assert forced.existing() is None
    events = await run_sign_in(forced, live_emu, account="ada@example.com")
    assert isinstance(events[-1], SignedIn)
    assert events[-1].email == "ada@example.com"
    assert not any(isinstance(e, DataCenterSwitched) for e in events)  # Ada lives in the US
    assert len(live_emu.requests_to(CODE_PATH)) == 2
    after = forced.store.load("default")
    assert after is not None
    assert after.refresh_token is not None
    assert after.email == "ada@example.com"
    assert after.refresh_token.reveal() != before.refresh_token.reveal()

    # The force was for one sign-in: the same session now refuses, again without a request.
    requests_before = len(live_emu.log())
    events = await run_sign_in(forced, live_emu)
    assert isinstance(events[-1], Failed)
    assert isinstance(events[-1].error, AlreadySignedInError)
    assert len(live_emu.log()) == requests_before


async def test_denied(live_emu: Emulator, tvauth_home: Path) -> None:
    session = session_for(live_emu, tvauth_home)
    events = await run_sign_in(session, live_emu, decision="deny")
    assert kinds(events)[-2:] == ["Pending", "Failed"]
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, AccessDeniedError)
    assert last.error.problem
    assert last.error.remedy
    assert session.store.load("default") is None
    assert session.existing() is None


async def test_code_expires_renewed_twice_then_fails(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    """Zoho's own timings (30 s polls, 5-minute codes) on emulated time."""
    emu = make_emulator(interval=30.0, code_lifetime=300.0)
    clock = EmulatedTime(emu)
    session = session_for(
        emu, tvauth_home, code_renewals=2, clock=clock.clock, sleep=clock.sleep, now=clock.now
    )
    events = await run_sign_in(session)

    issued = [e for e in events if isinstance(e, CodeIssued)]
    assert [e.attempt for e in issued] == [1, 2, 3]
    assert len({e.authorization.user_code for e in issued}) == 3
    assert [type(e) for e in events if isinstance(e, Requesting)] == [Requesting] * 3
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, CodeExpiredError)
    assert all(not isinstance(e, Failed) for e in events[:-1])
    # The events carry the session's clock: each code lives 300 s on it.
    for code in issued:
        assert code.expires_at - code.at == pytest.approx(300.0, abs=1.0)
    assert len(emu.requests_to(CODE_PATH)) == 3
    polls = len(emu.requests_to(POLL_PATH))
    assert 3 * 9 <= polls <= 3 * 11, polls  # about one per 30 s of each code's 300 s
    assert sum(clock.slept) >= 3 * 290
    assert session.store.load("default") is None


async def test_missing_client_id_says_what_to_set(live_emu: Emulator, tvauth_home: Path) -> None:
    session = session_for(live_emu, tvauth_home, client_id=None)
    events = await run_sign_in(session)
    assert len(events) == 1
    failed = events[0]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ConfigError)
    text = failed.error.message
    assert "TVAUTH_CLIENT_ID" in text
    assert "--client-id" in text
    assert str(resolve_paths({"TVAUTH_HOME": str(tvauth_home)}).config_file) in text
    assert live_emu.log() == []


async def test_missing_client_secret_says_what_to_set(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    session = session_for(live_emu, tvauth_home, client_secret=None)
    events = await run_sign_in(session)
    failed = events[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ConfigError)
    assert "TVAUTH_CLIENT_SECRET" in failed.error.message
    assert live_emu.log() == []


async def test_wrong_client_id_names_the_server(live_emu: Emulator, tvauth_home: Path) -> None:
    wrong = "1000.NOSUCHCLIENT0000000000000000000"
    session = session_for(live_emu, tvauth_home, client_id=wrong)
    events = await run_sign_in(session)
    failed = events[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, InvalidClientError)
    assert wrong in failed.error.problem
    host = live_emu.base_url("us").split("//", 1)[1].split("/", 1)[0]
    assert host in failed.error.problem or "us" in failed.error.problem.lower()
    assert DEMO_CLIENT_SECRET not in failed.error.message
    assert session.store.load("default") is None


class _FullDisk(FileOps):
    def write(self, fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


async def test_full_disk_when_storing_ends_with_failed_not_an_exception(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    """The session contract: a sign-in ends with SignedIn or Failed, never by raising."""
    session = session_for(live_emu, tvauth_home)
    session.store = TokenStore(session.store.tokens_dir, file_ops=_FullDisk())
    events = await run_sign_in(session, live_emu)
    assert isinstance(events[-2], Approved)
    last = events[-1]
    assert isinstance(last, Failed), last
    assert isinstance(last.error, StoreError)
    assert "space" in last.error.message.lower()


async def test_closing_the_iteration_stops_polling(live_emu: Emulator, tvauth_home: Path) -> None:
    session = session_for(live_emu, tvauth_home)
    stream: AsyncIterator[SessionEvent] = session.sign_in()
    async for event in stream:
        if isinstance(event, Pending) and event.polls == 2:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    polls = len(live_emu.requests_to(POLL_PATH))
    await asyncio.sleep(0.6)  # three intervals
    assert len(live_emu.requests_to(POLL_PATH)) == polls


# ------------------------------------------------------------------------------ keep fresh


async def test_keep_fresh_renews_then_stops_when_revoked(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    emu = make_emulator(interval=30.0, code_lifetime=300.0, token_lifetime=120.0)
    clock = EmulatedTime(emu)
    session = session_for(
        emu, tvauth_home, margin=30.0, clock=clock.clock, sleep=clock.sleep, now=clock.now
    )
    events = await run_sign_in(session, emu)
    signed_in = events[-1]
    assert isinstance(signed_in, SignedIn)
    assert signed_in.access_expires_at == clock.wall + timedelta(seconds=120)
    assert signed_in.next_renewal_at == signed_in.access_expires_at - timedelta(seconds=30)
    assert emu.requests_to(REFRESH_PATH) == []

    renewed: list[Renewed] = []
    ending: list[SessionEvent] = []
    stream = session.keep_fresh()
    try:
        async for event in stream:
            if isinstance(event, Renewed):
                renewed.append(event)
                if len(renewed) == 3:
                    assert emu.revoke_user(JANE) >= 1
                continue
            ending.append(event)
            break
        else:
            pytest.fail("keep_fresh ended without reporting why")
        # After a final failure the generator is over.
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()
    finally:
        await stream.aclose()  # type: ignore[attr-defined]

    expiries = [signed_in.access_expires_at] + [r.signed_in.access_expires_at for r in renewed]
    assert expiries == sorted(expiries)
    assert len(set(expiries)) == 4
    for r in renewed:
        assert r.signed_in.email == JANE
        assert r.signed_in.access_expires_at - r.signed_in.next_renewal_at == timedelta(seconds=30)
    # Each renewal came 30 s before the token ran out: 90 s of a 120 s token.
    assert clock.slept[-4:] == pytest.approx([90.0, 90.0, 90.0, 90.0], abs=1.0)
    # Three renewals, one refused one: nothing more.
    assert len(emu.requests_to(REFRESH_PATH, "eu")) == 4
    assert len(emu.requests_to(REFRESH_PATH)) == 4

    failed = ending[0]
    assert isinstance(failed, RenewalFailed)
    assert isinstance(failed.error, SignInRequiredError)
    assert failed.will_retry is False

    kept = session.store.load("default")
    assert kept is not None
    assert kept.needs_sign_in
    assert kept.email == JANE
    assert kept.refresh_token is not None
    # Now a new sign-in is allowed without --force.
    assert session_for(emu, tvauth_home).existing() is None


async def test_keep_fresh_reports_renewed_tokens_that_work(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    """One real-time renewal (forced by a margin longer than the token) gives a working token."""
    session = session_for(live_emu, tvauth_home)
    await run_sign_in(session, live_emu)
    old = session.store.load("default")
    assert old is not None
    assert old.access_token is not None
    session.margin = 4000.0  # the 3600 s token is already "due"
    stream = session.keep_fresh()
    try:
        event = await anext(stream)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    assert isinstance(event, Renewed)
    new = session.store.load("default")
    assert new is not None
    assert new.access_token is not None
    assert new.api_domain is not None
    assert new.access_token.reveal() != old.access_token.reveal()
    answer = await whoami(new.api_domain, new.access_token.reveal())
    assert answer["http_status"] == 200
    assert answer["user"]["email"] == JANE
    assert len(live_emu.requests_to(REFRESH_PATH)) == 1


async def test_renewal_of_another_clients_profile_ignores_the_environments_secret(
    live_emu: Emulator, tvauth_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person with their own client in the environment runs the demo (the demo's own client)."""
    session = session_for(live_emu, tvauth_home)
    await run_sign_in(session, live_emu)
    monkeypatch.setenv("TVAUTH_CLIENT_ID", "1000.THEPERSONSOWNCLIENT00000000000")
    monkeypatch.setenv("TVAUTH_CLIENT_SECRET", "the-persons-own-secret-for-their-client")
    session.margin = 4000.0  # the 3600 s token is due now
    stream = session.keep_fresh()
    try:
        event = await anext(stream)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    assert isinstance(event, Renewed), event


async def test_a_second_sign_in_at_the_same_time_is_refused_at_once(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    """Two processes (here: sessions on one token directory) signing in one profile at once.

    Both would mint a refresh token and only one could be kept; the other would live on at Zoho,
    counting towards the 20 per person that evict the oldest. So the second is refused before it
    asks Zoho for anything, and the first signs in as usual.
    """
    first = session_for(live_emu, tvauth_home)
    second = session_for(live_emu, tvauth_home)
    stream = first.sign_in()
    try:
        assert isinstance(await anext(stream), Requesting)
        refused = [event async for event in second.sign_in()]
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    assert len(refused) == 1
    assert isinstance(refused[0], Failed)
    assert isinstance(refused[0].error, StoreBusyError)
    assert "Another tvauth is already signing in profile 'default'" in refused[0].error.problem
    # Once the first is gone, the profile can be signed in again.
    events = await run_sign_in(second, live_emu, account=JANE)
    assert isinstance(events[-1], SignedIn)
    # The first was stopped before its request went out, and the refused one never asked.
    assert len(live_emu.requests_to("/oauth/v3/device/code")) == 1
    stored = second.store.load("default")
    assert stored is not None
    assert stored.email == JANE
    assert mode(second.store.path_for("default")) == 0o600
    assert stored.access_token is not None
    assert stored.api_domain is not None
    answer = await whoami(stored.api_domain, stored.access_token.reveal())
    assert answer["user"]["email"] == stored.email


async def test_new_scopes_are_not_reported_as_signed_in(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    """Signed in for the profile only; the settings now also ask for CRM: say so, ask nothing."""
    first = session_for(live_emu, tvauth_home, scopes=("AaaServer.profile.Read",))
    await run_sign_in(first, live_emu)
    requests = len(live_emu.log())

    wider = session_for(
        live_emu, tvauth_home, scopes=("AaaServer.profile.READ", "ZohoCRM.modules.ALL")
    )
    assert wider.existing() is None
    events = await run_sign_in(wider, live_emu)
    assert len(events) == 1
    failed = events[0]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, AlreadySignedInError)
    assert "ZohoCRM.modules.ALL" in failed.error.problem
    assert "AaaServer.profile" not in failed.error.problem  # case differs, same scope
    assert "flag --scope" in failed.error.problem
    assert "--force" in failed.error.remedy
    assert len(live_emu.log()) == requests

    # The same scopes in other case, or a subset: signed in.
    same = session_for(live_emu, tvauth_home, scopes=("aaaserver.profile.read",))
    assert same.existing() is not None
    # Forced: a new sign-in with both scopes, which then counts as signed in for them.
    forced = session_for(
        live_emu, tvauth_home, scopes=("AaaServer.profile.Read", "ZohoCRM.modules.ALL"), force=True
    )
    assert isinstance((await run_sign_in(forced, live_emu))[-1], SignedIn)
    assert (
        session_for(
            live_emu, tvauth_home, scopes=("AaaServer.profile.Read", "ZohoCRM.modules.ALL")
        ).existing()
        is not None
    )


async def test_the_default_scope_does_not_question_a_sign_in_made_with_others(
    live_emu: Emulator, tvauth_home: Path
) -> None:
    """Signed in with CRM scopes by flag; a bare ``tvauth login`` (default scope) is signed in."""
    await run_sign_in(session_for(live_emu, tvauth_home, scopes=("ZohoCRM.modules.ALL",)), live_emu)
    bare = LiveSession(
        settings=load_settings(
            argparse.Namespace(
                client_id=DEMO_CLIENT_ID,
                client_secret=DEMO_CLIENT_SECRET,
                accounts_url=live_emu.base_url("us"),
            ),
            environ={"TVAUTH_HOME": str(tvauth_home)},
        ),
        store=session_for(live_emu, tvauth_home).store,
    )
    assert bare.settings.source["scope"] == "default"
    assert bare.existing() is not None
