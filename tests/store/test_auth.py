"""ZohoAuth against the emulated API: the header, renewal before expiry, one retry on a dead token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from emu_helpers import Clock, refreshes, sign_in

from tvauth.auth import ZohoAuth
from tvauth.emulator import Emulator
from tvauth.errors import NotSignedInError, SignInRequiredError
from tvauth.store import TokenStore


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens")


def _whoami(emu: Emulator) -> str:
    return f"{emu.api_url('eu')}/api/v1/whoami"


def test_the_request_carries_zoho_s_header(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock())
    with httpx.Client(auth=ZohoAuth(store=store, now=clock)) as client:
        answer = client.get(_whoami(emulator))
    assert answer.status_code == 200
    assert answer.json()["user"]["email"] == "jane@example.com"
    assert answer.request.headers["Authorization"].split(" ")[0] == "Zoho-oauthtoken"
    assert refreshes(emulator) == 0


def test_a_token_near_expiry_is_renewed_before_the_request(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock())
    clock.advance(3600 - 10)
    with httpx.Client(auth=ZohoAuth(store=store, now=clock)) as client:
        assert client.get(_whoami(emulator)).status_code == 200
    assert refreshes(emulator) == 1


def test_a_dead_token_the_clock_thinks_fresh_is_renewed_once_and_retried(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    """The device's clock says fresh; Zoho's says expired (a Pi that booted in the past)."""
    sign_in(emulator, store, now=clock())
    emulator.advance(3601)
    with httpx.Client(auth=ZohoAuth(store=store, now=clock)) as client:
        answer = client.get(_whoami(emulator))
        assert answer.status_code == 200
        assert refreshes(emulator) == 1
        # The renewed token is stored: the next request goes straight through.
        assert client.get(_whoami(emulator)).status_code == 200
    assert refreshes(emulator) == 1
    api_calls = emulator.requests_to("/zohoapis/api/v1/whoami", "eu")
    assert len(api_calls) == 3, "first try, retry, next request"


async def test_the_async_flow_renews_once_on_a_dead_token(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock())
    emulator.advance(3601)
    async with httpx.AsyncClient(auth=ZohoAuth(store=store, now=clock)) as client:
        answer = await client.get(_whoami(emulator))
    assert answer.status_code == 200
    assert refreshes(emulator) == 1


def test_a_401_that_is_not_a_dead_token_is_passed_through_without_a_refresh(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    """A missing scope answers 401 too; renewing would not help and spends Zoho's quota."""
    sign_in(emulator, store, now=clock(), scopes=("ZohoCRM.modules.ALL",))
    with httpx.Client(auth=ZohoAuth(store=store, now=clock)) as client:
        answer = client.get(f"{emulator.base_url('eu')}/oauth/user/info")
    assert answer.status_code == 401
    assert answer.json()["code"] == "OAUTH_SCOPE_MISMATCH"
    assert refreshes(emulator) == 0


def test_a_post_body_is_sent_again_on_the_retry(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock())
    emulator.advance(3601)
    with httpx.Client(auth=ZohoAuth(store=store, now=clock)) as client:
        answer = client.post(_whoami(emulator), content=b"payload")
    # The emulated API only knows GET whoami: what matters is that the retry was sent whole.
    assert answer.request.content == b"payload"
    assert refreshes(emulator) == 1


def test_revoked_sign_in_surfaces_as_sign_in_required(
    emulator: Emulator, store: TokenStore, clock: Clock
) -> None:
    sign_in(emulator, store, now=clock())
    emulator.revoke_user("jane@example.com")
    with (
        httpx.Client(auth=ZohoAuth(store=store, now=clock)) as client,
        pytest.raises(SignInRequiredError),
    ):
        client.get(_whoami(emulator))


def test_not_signed_in_is_raised_before_any_request(emulator: Emulator, store: TokenStore) -> None:
    with (
        httpx.Client(auth=ZohoAuth(store=store)) as client,
        pytest.raises(NotSignedInError),
    ):
        client.get(_whoami(emulator))
    assert emulator.requests_to("/zohoapis/api/v1/whoami", "eu") == []


def test_default_store_follows_tvauth_home(
    emulator: Emulator, tvauth_home: Path, clock: Clock
) -> None:
    sign_in(emulator, TokenStore(tvauth_home / "data" / "tokens"), now=clock())
    with httpx.Client(auth=ZohoAuth(profile="default", now=clock)) as client:
        assert client.get(_whoami(emulator)).status_code == 200
    assert repr(ZohoAuth()) == "ZohoAuth(profile='default')"
