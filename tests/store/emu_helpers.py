"""Signed-in profiles backed by a running emulator, without the device flow (test setup)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tvauth.emulator import DEMO_ACCOUNTS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.profile import Profile
from tvauth.redact import Secret
from tvauth.store import TokenStore
from tvauth.tokens import parse_token_success

TOKEN_PATH = "/oauth/v2/token"


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.value = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += timedelta(seconds=seconds)


def sign_in(
    emu: Emulator,
    store: TokenStore,
    *,
    account: str = "jane@example.com",
    scopes: tuple[str, ...] = ("ZohoCRM.modules.ALL", "AaaServer.profile.READ"),
    name: str = "default",
    now: datetime | None = None,
    expires_in: float | None = None,
) -> Profile:
    """Tokens minted by the emulator for ``account``, stored as profile ``name``."""
    body = emu.grant_tokens(account=account, scopes=scopes)
    tokens = parse_token_success(body)
    location = DEMO_ACCOUNTS[account]
    at = now or datetime.now(UTC)
    profile = Profile(
        name=name,
        client_id=DEMO_CLIENT_ID,
        client_secret=Secret(DEMO_CLIENT_SECRET),
        accounts_url=emu.base_url(location),
        location=location,
        api_domain=tokens.api_domain,
        scopes=tokens.scope or scopes,
        refresh_token=tokens.refresh_token,
        access_token=tokens.access_token,
        access_expires_at=at
        + timedelta(seconds=tokens.expires_in if expires_in is None else expires_in),
        email=account,
        display_name="Jane Doe",
        signed_in_at=at,
    )
    store.save(profile)
    return profile


def refreshes(emu: Emulator) -> int:
    """How many refresh requests reached the emulator (any data center)."""
    return len(emu.requests_to(TOKEN_PATH))
