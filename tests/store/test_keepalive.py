"""The background renewal behind the signed-in screen, on injected time against the emulator."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from emu_helpers import Clock, refreshes, sign_in

from tvauth.emulator import Emulator
from tvauth.errors import NetworkError, SignInRequiredError, ThrottledError
from tvauth.keepalive import data_center_label, keep_fresh, signed_in_summary
from tvauth.session import RenewalFailed, Renewed
from tvauth.store import TokenStore


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens")


class Sleeper:
    """Instead of sleeping, moves the test's wall clock and the emulator's clock forward."""

    def __init__(self, clock: Clock, emu: Emulator) -> None:
        self.clock = clock
        self.emu = emu
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)
        self.emu.advance(seconds)


async def test_renews_margin_seconds_before_expiry_and_reports_each_renewal(
    emulator: Emulator, store: TokenStore
) -> None:
    clock = Clock()
    sign_in(emulator, store, now=clock())
    sleeper = Sleeper(clock, emulator)
    events = keep_fresh(store, "default", now=clock, sleep=sleeper)
    first = await anext(events)
    assert isinstance(first, Renewed)
    assert sleeper.waits == [3300.0]
    assert refreshes(emulator) == 1
    assert first.signed_in.access_expires_at == clock() + timedelta(seconds=3600)
    assert first.signed_in.next_renewal_at == clock() + timedelta(seconds=3300)
    assert first.signed_in.email == "jane@example.com"
    assert first.signed_in.data_center == "Zoho EU (emulator)"
    second = await anext(events)
    assert isinstance(second, Renewed)
    assert sleeper.waits == [3300.0, 3300.0]
    assert refreshes(emulator) == 2
    await events.aclose()


async def test_a_network_fault_is_reported_and_retried(
    emulator: Emulator, store: TokenStore
) -> None:
    clock = Clock()
    sign_in(emulator, store, now=clock(), expires_in=100)
    sleeper = Sleeper(clock, emulator)
    emulator.set_faults(["drop"])
    events = keep_fresh(store, "default", now=clock, sleep=sleeper, retry_after=10)
    failed = await anext(events)
    assert isinstance(failed, RenewalFailed)
    assert isinstance(failed.error, NetworkError)
    assert failed.will_retry
    renewed = await anext(events)
    assert isinstance(renewed, Renewed)
    assert sleeper.waits == [10]
    await events.aclose()


async def test_a_throttle_waits_until_zoho_s_window_may_have_passed(
    make_emulator: Callable[..., Emulator], store: TokenStore
) -> None:
    emu = make_emulator(refresh_limit=1)
    clock = Clock()
    sign_in(emu, store, now=clock(), expires_in=100)
    sleeper = Sleeper(clock, emu)
    events = keep_fresh(store, "default", now=clock, sleep=sleeper, margin=300)
    assert isinstance(await anext(events), Renewed)  # the one allowed refresh
    store.update(
        "default",
        lambda p: None if p is None else dataclasses.replace(p, access_expires_at=clock()),
    )
    throttled = await anext(events)
    assert isinstance(throttled, RenewalFailed)
    assert isinstance(throttled.error, ThrottledError)
    assert throttled.will_retry
    await events.aclose()


async def test_a_revoked_sign_in_ends_the_loop(emulator: Emulator, store: TokenStore) -> None:
    clock = Clock()
    sign_in(emulator, store, now=clock(), expires_in=10)
    emulator.revoke_user("jane@example.com")
    events = keep_fresh(store, "default", now=clock, sleep=Sleeper(clock, emulator))
    failed = await anext(events)
    assert isinstance(failed, RenewalFailed)
    assert isinstance(failed.error, SignInRequiredError)
    assert not failed.will_retry
    with pytest.raises(StopAsyncIteration):
        await anext(events)


async def test_short_lived_tokens_do_not_make_it_spin(
    make_emulator: Callable[..., Emulator], store: TokenStore
) -> None:
    emu = make_emulator(token_lifetime=120)
    clock = Clock()
    sign_in(emu, store, now=clock(), expires_in=120)
    sleeper = Sleeper(clock, emu)
    events = keep_fresh(store, "default", now=clock, sleep=sleeper)
    for _ in range(3):
        assert isinstance(await anext(events), Renewed)
    await events.aclose()
    # Renewed at once (120 s < margin), then every half lifetime rather than continuously.
    assert sleeper.waits == [60.0, 60.0]
    assert refreshes(emu) == 3


def test_summary_and_labels(emulator: Emulator, store: TokenStore) -> None:
    profile = sign_in(emulator, store)
    summary = signed_in_summary(profile, margin=300)
    assert summary.profile == "default"
    assert summary.scopes == profile.scopes
    zoho = dataclasses.replace(profile, accounts_url="https://accounts.zoho.eu")
    assert data_center_label(zoho) == "Zoho EU"
    other = dataclasses.replace(profile, accounts_url="https://sso.example.com", location=None)
    assert data_center_label(other) == "sso.example.com"
