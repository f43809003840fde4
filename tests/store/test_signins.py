"""Refusing needless sign-ins, and recording a finished one (who signed in, where, when)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from emu_helpers import Clock, sign_in

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.errors import AlreadySignedInError
from tvauth.events import Approved
from tvauth.signins import ensure_may_sign_in, record_sign_in, record_sign_in_sync, usable_sign_in
from tvauth.store import TokenStore
from tvauth.tokens import parse_token_success

SCOPES = ("ZohoCRM.modules.ALL", "AaaServer.profile.READ")


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens", on_warning=lambda _m: None)


def _approved(emu: Emulator, account: str = "jane@example.com", scopes=SCOPES) -> Approved:
    tokens = parse_token_success(emu.grant_tokens(account=account, scopes=scopes))
    location = {"jane@example.com": "eu", "ada@example.com": "us"}[account]
    return Approved(tokens=tokens, accounts_url=emu.base_url(location), location=location, at=0.0)


def test_a_usable_sign_in_refuses_a_new_one_unless_forced(
    emulator: Emulator, store: TokenStore
) -> None:
    sign_in(emulator, store)
    assert usable_sign_in(store, "default") is not None
    with pytest.raises(AlreadySignedInError) as info:
        ensure_may_sign_in(store, "default", force=False)
    assert "jane@example.com" in str(info.value)
    assert "--force" in str(info.value)
    ensure_may_sign_in(store, "default", force=True)
    ensure_may_sign_in(store, "other", force=False)


def test_a_revoked_or_missing_sign_in_does_not_block_a_new_one(
    emulator: Emulator, store: TokenStore
) -> None:
    ensure_may_sign_in(store, "default", force=False)
    sign_in(emulator, store)
    store.update(
        "default", lambda p: None if p is None else dataclasses.replace(p, needs_sign_in=True)
    )
    assert usable_sign_in(store, "default") is None
    ensure_may_sign_in(store, "default", force=False)


def test_a_corrupt_file_does_not_block_a_new_sign_in_but_is_reported(tmp_path: Path) -> None:
    told: list[str] = []
    store = TokenStore(tmp_path / "tokens", on_warning=told.append)
    store.tokens_dir.mkdir(mode=0o700)
    store.path_for("default").write_text("garbage")
    store.path_for("default").chmod(0o600)
    ensure_may_sign_in(store, "default", force=False)
    assert len(told) == 1
    assert "moved to" in told[0]


async def test_record_sign_in_asks_who_at_the_users_data_center_and_saves(
    emulator: Emulator, store: TokenStore
) -> None:
    clock = Clock()
    approved = _approved(emulator)
    async with httpx.AsyncClient() as http:
        profile = await record_sign_in(
            store,
            "default",
            approved=approved,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            http=http,
            scopes=SCOPES,
            now=clock,
        )
    assert profile.email == "jane@example.com"
    assert profile.display_name
    assert profile.accounts_url == emulator.base_url("eu")
    assert profile.location == "eu"
    assert profile.api_domain == emulator.api_url("eu")
    assert profile.signed_in_at == clock()
    assert profile.access_expires_at is not None
    assert profile.refresh_token == approved.tokens.refresh_token
    assert profile.client_secret is not None
    assert profile.client_secret.reveal() == DEMO_CLIENT_SECRET
    assert store.load("default") == profile
    assert [e["location"] for e in emulator.requests_to("/oauth/user/info")] == ["eu"]


def test_record_sign_in_without_the_profile_scope_does_not_ask(
    emulator: Emulator, store: TokenStore
) -> None:
    approved = _approved(emulator, scopes=("ZohoCRM.modules.ALL",))
    with httpx.Client() as http:
        profile = record_sign_in_sync(
            store,
            "default",
            approved=approved,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            http=http,
            scopes=("ZohoCRM.modules.ALL",),
        )
    assert profile.email is None
    assert emulator.requests_to("/oauth/user/info") == []
    assert store.load("default") == profile


@pytest.mark.parametrize("fault", ["500", "502-html", "drop", "malformed"])
def test_a_failing_user_info_still_records_the_sign_in(
    emulator: Emulator, store: TokenStore, fault: str
) -> None:
    emulator.set_faults([{"fault": fault, "path": "/oauth/user/info"}])
    with httpx.Client() as http:
        profile = record_sign_in_sync(
            store,
            "default",
            approved=_approved(emulator),
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            http=http,
            scopes=SCOPES,
        )
    assert profile.email is None
    assert profile.refresh_token is not None
    assert store.load("default") == profile


def test_a_sign_in_without_a_new_refresh_token_keeps_the_previous_one(
    emulator: Emulator, store: TokenStore
) -> None:
    """Zoho sends no refresh token when the person had consented before (no prompt=consent)."""
    first = sign_in(emulator, store)
    again = _approved(emulator)
    again = dataclasses.replace(again, tokens=dataclasses.replace(again.tokens, refresh_token=None))
    with httpx.Client() as http:
        profile = record_sign_in_sync(
            store,
            "default",
            approved=again,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            http=http,
            scopes=SCOPES,
        )
    assert profile.refresh_token == first.refresh_token
