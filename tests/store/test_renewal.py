"""Renewal against the emulator over loopback: margin, single flight, throttle, revoke, faults."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from emu_helpers import Clock, refreshes, sign_in

from tvauth.emulator import Emulator
from tvauth.errors import (
    InvalidClientError,
    NetworkError,
    NotSignedInError,
    ServerResponseError,
    SignInRequiredError,
    StoreBusyError,
    ThrottledError,
)
from tvauth.profile import Profile
from tvauth.redact import Secret
from tvauth.renewal import aget_access_token, get_access_token, renew
from tvauth.store import TokenStore


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens", lock_timeout=30.0)


def _zoho_shaped(token: str) -> bool:
    """Checked in a helper so a failing assert cannot print the token."""
    return re.fullmatch(r"1\d{3}\.[0-9a-f]{32}\.[0-9a-f]{32}", token) is not None


def _no_secret(text: str, store: TokenStore) -> bool:
    """Checked in a helper so a failing assert does not print what it found."""
    profile = store.load("default")
    assert profile is not None
    values = (profile.access_token, profile.refresh_token, profile.client_secret)
    return not any(v is not None and v.reveal() in text for v in values)


def _token(store: TokenStore) -> str:
    profile = store.load("default")
    assert profile is not None
    assert profile.access_token is not None
    return profile.access_token.reveal()


# -- margin --------------------------------------------------------------------------------------


def test_a_token_fresher_than_the_margin_is_served_without_asking_zoho(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    first = sign_in(emulator, store, now=clock())
    assert first.access_token is not None
    clock.advance(3600 - 301)
    assert get_access_token(store=store, now=clock) == first.access_token.reveal()
    assert refreshes(emulator) == 0


def test_a_token_inside_the_margin_is_renewed_at_the_users_data_center(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    first = sign_in(emulator, store, now=clock())
    clock.advance(3600 - 299)
    token = get_access_token(store=store, now=clock)
    assert first.access_token is not None
    assert token != first.access_token.reveal()
    assert _zoho_shaped(token)
    assert [e["location"] for e in emulator.requests_to("/oauth/v2/token")] == ["eu"]
    stored = store.load("default")
    assert stored is not None
    assert stored.access_token is not None
    assert stored.access_token.reveal() == token
    assert stored.refresh_token == first.refresh_token, "Zoho does not rotate refresh tokens"
    assert stored.access_expires_at == clock() + timedelta(seconds=3600)
    assert stored.refreshed_at == clock()
    assert stored.email == "jane@example.com", "renewal keeps what is known"
    # The new token works at the emulated API.
    answer = httpx.get(
        f"{stored.api_domain}/api/v1/whoami", headers={"Authorization": f"Zoho-oauthtoken {token}"}
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(("margin", "expected_refreshes"), [(0.0, 0), (99.0, 0), (101.0, 1)])
def test_the_margin_decides(
    emulator: Emulator, store: TokenStore, clock: Clock, margin: float, expected_refreshes: int
) -> None:
    sign_in(emulator, store, now=clock())
    clock.advance(3500)  # 100 s left
    get_access_token(margin=margin, store=store, now=clock)
    assert refreshes(emulator) == expected_refreshes


def test_force_renews_even_when_the_clock_says_fresh(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    first = sign_in(emulator, store, now=clock())
    token = get_access_token(force=True, store=store, now=clock)
    assert first.access_token is not None
    assert token != first.access_token.reveal()
    assert refreshes(emulator) == 1


def test_force_does_not_renew_again_when_someone_already_replaced_the_rejected_token(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    first = sign_in(emulator, store, now=clock())
    assert first.access_token is not None
    rejected = first.access_token.reveal()
    newer = get_access_token(force=True, store=store, now=clock)
    again = get_access_token(force=True, rejected_token=rejected, store=store, now=clock)
    assert again == newer
    assert refreshes(emulator) == 1


def test_not_signed_in_says_so(store: TokenStore) -> None:
    with pytest.raises(NotSignedInError, match="'default' is not signed in"):
        get_access_token(store=store)


# -- single flight -------------------------------------------------------------------------------

_CHILD = """
import os, sys, time
from pathlib import Path
from tvauth.renewal import get_access_token
from tvauth.store import TokenStore
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.002)
print(get_access_token(store=TokenStore(Path(sys.argv[1]))))
"""


@pytest.mark.slow
def test_twenty_processes_asking_at_once_cause_one_refresh(
    emulator: Emulator, store: TokenStore, tmp_path: Path
) -> None:
    sign_in(emulator, store, expires_in=-10)  # already expired
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(store.tokens_dir), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(20)
    ]
    time.sleep(0.3)  # let them start; the lock, not this pause, is what the test relies on
    go.touch()
    outputs = [c.communicate(timeout=60) for c in children]
    assert [c.returncode for c in children] == [0] * 20, [err for _, err in outputs]
    tokens = {out.strip() for out, _ in outputs}
    assert len(tokens) == 1, "all twenty got the same new token"
    assert tokens == {_token(store)}
    assert refreshes(emulator) == 1


def test_threads_asking_at_once_cause_one_refresh(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-10)
    results: list[str] = []
    barrier = threading.Barrier(10)

    def ask() -> None:
        barrier.wait()
        results.append(get_access_token(store=store, now=clock))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 10
    assert len(set(results)) == 1
    assert refreshes(emulator) == 1


async def test_tasks_asking_at_once_cause_one_refresh(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-10)
    async with httpx.AsyncClient() as http:
        results = await asyncio.gather(
            *(aget_access_token(store=store, http=http, now=clock) for _ in range(10))
        )
    assert len(set(results)) == 1
    assert refreshes(emulator) == 1


# -- throttle ------------------------------------------------------------------------------------


def test_throttle_keeps_serving_the_current_token_and_backs_off(
    make_emulator: Callable[..., Emulator], store: TokenStore, clock: Clock
) -> None:
    emu = make_emulator(refresh_limit=1)
    sign_in(emu, store, now=clock())
    get_access_token(force=True, store=store, now=clock)  # spends the one allowed refresh
    current = _token(store)
    clock.advance(3600 - 100)  # inside the margin, still valid for 100 s
    assert get_access_token(store=store, now=clock) == current  # Zoho said Access Denied
    assert refreshes(emu) == 2
    throttled = store.load("default")
    assert throttled is not None
    assert throttled.throttled_until == clock() + timedelta(seconds=60)
    # While backing off, nobody asks Zoho again.
    clock.advance(30)
    assert get_access_token(store=store, now=clock) == current
    assert refreshes(emu) == 2
    # The token runs out after the back-off: Zoho is asked once more, still says no, and
    # with nothing valid left that is an error saying until when; the back-off doubles.
    clock.advance(80)
    with pytest.raises(ThrottledError, match="too many renewals") as info:
        get_access_token(store=store, now=clock)
    assert "UTC" in str(info.value)
    assert refreshes(emu) == 3
    again = store.load("default")
    assert again is not None
    assert again.throttle_strikes == 2
    assert again.throttled_until == clock() + timedelta(seconds=120)
    # Inside the new back-off nobody asks.
    clock.advance(60)
    with pytest.raises(ThrottledError):
        get_access_token(store=store, now=clock)
    assert refreshes(emu) == 3
    # Zoho's window passes; so does ours: renewal works and the back-off is forgotten.
    emu.advance(601)
    clock.advance(61)
    fresh = get_access_token(store=store, now=clock)
    assert fresh != current
    healed = store.load("default")
    assert healed is not None
    assert (healed.throttled_until, healed.throttle_strikes) == (None, 0)


# -- revoked refresh token -----------------------------------------------------------------------


def test_a_revoked_refresh_token_marks_the_profile_and_keeps_everything_else(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    first = sign_in(emulator, store, now=clock(), expires_in=-1)
    assert emulator.revoke_user("jane@example.com") >= 1
    with pytest.raises(SignInRequiredError) as info:
        get_access_token(store=store, now=clock)
    message = str(info.value)
    assert "revoked" in message
    assert "jane@example.com" in message
    assert "tvauth login --force" in message
    kept = store.load("default")
    assert kept is not None
    assert kept.needs_sign_in is True
    assert dataclasses.replace(kept, needs_sign_in=False) == first
    # Later calls say the same without asking Zoho again.
    with pytest.raises(SignInRequiredError):
        get_access_token(store=store, now=clock)
    assert refreshes(emulator) == 1


def test_a_wrong_client_secret_is_reported_and_the_file_untouched(
    emulator: Emulator, store: TokenStore, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-1)
    store.update(
        "default",
        lambda p: None if p is None else dataclasses.replace(p, client_secret=Secret("wrong")),
    )
    before = store.path_for("default").read_bytes()
    with pytest.raises(InvalidClientError, match="client id and secret"):
        get_access_token(store=store, now=clock)
    assert store.path_for("default").read_bytes() == before
    # TVAUTH_CLIENT_SECRET overrides the stored one.
    from tvauth.emulator import DEMO_CLIENT_SECRET

    monkeypatch.setenv("TVAUTH_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    assert get_access_token(store=store, now=clock)


# -- network faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("drop", NetworkError, "127.0.0.1"),
        ("reset", NetworkError, "127.0.0.1"),
        ("502-html", ServerResponseError, "web page"),
        ("500", ServerResponseError, "refused to renew"),
        ("malformed", ServerResponseError, "not JSON"),
    ],
)
def test_a_network_fault_with_nothing_valid_left_is_a_clear_error_and_the_file_is_untouched(
    emulator: Emulator,
    store: TokenStore,
    clock: Clock,
    fault: str,
    error: type[Exception],
    words: str,
) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-1)
    before = store.path_for("default").read_bytes()
    emulator.set_faults([fault])
    with pytest.raises(error, match=words) as info:
        get_access_token(store=store, now=clock)
    assert isinstance(info.value, NetworkError), "transient: worth retrying"
    assert store.path_for("default").read_bytes() == before
    # Next time it works.
    assert get_access_token(store=store, now=clock)


def test_a_network_fault_while_the_token_is_still_valid_serves_it(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    first = sign_in(emulator, store, now=clock())
    clock.advance(3600 - 100)
    emulator.set_faults(["drop"])
    assert first.access_token is not None
    assert get_access_token(store=store, now=clock) == first.access_token.reveal()


def test_zoho_unreachable_is_a_network_error(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-1)
    emulator.stop()
    with pytest.raises(NetworkError, match="refused"):
        get_access_token(store=store, now=clock)


def test_a_timeout_is_a_network_error(emulator: Emulator, store: TokenStore, clock: Clock) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-1)
    emulator.set_faults(["hang"])
    with httpx.Client(timeout=0.3) as http, pytest.raises(NetworkError, match="longer than"):
        get_access_token(store=store, http=http, now=clock)


def test_secrets_never_appear_in_errors(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    profile = sign_in(emulator, store, now=clock(), expires_in=-1)
    emulator.revoke_user("jane@example.com")
    with pytest.raises(SignInRequiredError) as info:
        renew(store=store, now=clock)
    assert profile.refresh_token is not None
    assert profile.access_token is not None
    text = str(info.value) + repr(info.value)
    assert profile.refresh_token.reveal() not in text
    assert profile.access_token.reveal() not in text


def test_a_renewal_under_way_shows_no_token_in_its_repr(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    """Crash reports that print locals (Textual's do) must not show the token being replaced."""
    from tvauth.renewal import _begin

    profile = sign_in(emulator, store, now=clock(), expires_in=-1)
    attempt = _begin(
        "default",
        margin=300.0,
        force=True,
        rejected_token=None,
        fallback=True,
        store=store,
        now=clock,
    )
    assert profile.access_token is not None
    assert profile.refresh_token is not None
    assert profile.access_token.reveal() not in repr(attempt)
    assert profile.refresh_token.reveal() not in repr(attempt)


# -- a clock that goes backwards -----------------------------------------------------------------


def test_a_clock_that_went_back_in_time_renews_once_instead_of_trusting_the_expiry(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    """A Pi without a real-time clock boots in the past: the stored expiry is years ahead."""
    first = sign_in(emulator, store, now=clock())
    clock.advance(-365 * 86400)
    token = get_access_token(store=store, now=clock)
    assert first.access_token is not None
    assert token != first.access_token.reveal()
    stored = store.load("default")
    assert stored is not None
    assert stored.access_expires_at == clock() + timedelta(seconds=3600)
    assert get_access_token(store=store, now=clock) == token
    assert refreshes(emulator) == 1


def test_a_clock_set_back_hours_renews_instead_of_trusting_a_token_older_than_the_clock(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    """A clock read hours behind (an RTC kept in local time, after a reboot voided the measured
    skew) would see an expired token as valid for hours. A token cannot have been obtained after
    "now": when it claims more life than it was issued with, the clock is wrong, so renew once
    (Zoho's answer then measures the skew)."""
    first = sign_in(emulator, store, now=clock())
    clock.advance(-3 * 3600)
    token = get_access_token(store=store, now=clock)
    assert first.access_token is not None
    assert token != first.access_token.reveal()
    assert refreshes(emulator) == 1
    assert get_access_token(store=store, now=clock) == token
    assert refreshes(emulator) == 1


def test_a_token_is_trusted_for_the_life_it_was_issued_with(
    make_profile: Callable[..., Profile],
) -> None:
    issued = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    profile = make_profile(
        signed_in_at=issued - timedelta(days=30),
        refreshed_at=issued,
        access_expires_at=issued + timedelta(hours=1),
    )
    assert profile.access_valid_for(issued) == 3600
    assert profile.access_valid_for(issued - timedelta(seconds=30)) == 3630  # clocks differ a bit
    assert profile.access_valid_for(issued - timedelta(hours=2)) == 0
    never_refreshed = dataclasses.replace(profile, refreshed_at=None, signed_in_at=issued)
    assert never_refreshed.access_valid_for(issued - timedelta(hours=2)) == 0


def test_a_throttle_back_off_from_the_future_is_ignored(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock(), expires_in=-1)
    store.update(
        "default",
        lambda p: (
            None
            if p is None
            else dataclasses.replace(p, throttled_until=clock() + timedelta(days=300))
        ),
    )
    assert get_access_token(store=store, now=clock)
    assert refreshes(emulator) == 1


# -- a renewal stuck in another process ----------------------------------------------------------


def test_a_caller_with_a_still_valid_token_does_not_queue_behind_a_stuck_renewal(
    emulator: Emulator, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tvauth.renewal

    monkeypatch.setattr(tvauth.renewal, "LENIENT_LOCK_WAIT", 0.1)
    store = TokenStore(tmp_path / "tokens", lock_timeout=0.3)
    first = sign_in(emulator, store, now=clock())
    clock.advance(3600 - 100)  # inside the margin, still valid
    assert first.access_token is not None
    with store.lock("default"):  # another process is renewing and Zoho is slow
        assert get_access_token(store=store, now=clock) == first.access_token.reveal()
        clock.advance(101)  # now nothing valid is left: it must wait, and says so when it can't
        with pytest.raises(StoreBusyError, match="Another tvauth process"):
            get_access_token(store=store, now=clock)
    assert refreshes(emulator) == 0
    assert get_access_token(store=store, now=clock) != first.access_token.reveal()


def test_callers_queued_behind_a_failing_attempt_share_its_failure_instead_of_retrying(
    emulator: Emulator, store: TokenStore
) -> None:
    """Zoho unreachable and slow (a timeout): five callers wait one timeout, not five."""
    sign_in(emulator, store, expires_in=-10)
    emulator.set_faults(["hang"])  # the first refresh request never gets an answer
    errors: list[str] = []
    barrier = threading.Barrier(5)

    def ask(http: httpx.Client) -> None:
        barrier.wait()
        try:
            get_access_token(store=store, http=http)
        except NetworkError as err:
            errors.append(str(err))

    with httpx.Client(timeout=0.5) as http:
        threads = [threading.Thread(target=ask, args=(http,)) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert len(errors) == 5
    assert sum("another tvauth process tried just now" in e for e in errors) == 4
    assert refreshes(emulator) == 1, "one attempt reached Zoho; the others shared its timeout"
    note = store.lock_path_for("default").read_text()
    assert "failed_at" in note
    assert _no_secret(note, store)
    # A new call tries again by itself (and the fault is spent, so it works).
    assert get_access_token(store=store)
    assert refreshes(emulator) == 2
