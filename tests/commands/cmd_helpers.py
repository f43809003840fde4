"""Running ``python -m tvauth`` in a subprocess, and signed-in profiles minted by the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tvauth.emulator import DEMO_ACCOUNTS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.paths import resolve_paths
from tvauth.profile import Profile
from tvauth.redact import Secret
from tvauth.store import TokenStore
from tvauth.tokens import parse_token_success


def run_tvauth(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m tvauth ARGS`` with this test's TVAUTH_HOME; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "tvauth", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def home_store() -> TokenStore:
    """The store ``tvauth`` itself uses under this test's TVAUTH_HOME."""
    return TokenStore(resolve_paths().tokens_dir)


def sign_in(
    emu: Emulator,
    *,
    account: str = "jane@example.com",
    name: str = "default",
    expires_in: float | None = None,
    scopes: tuple[str, ...] = ("ZohoCRM.modules.ALL", "AaaServer.profile.READ"),
) -> Profile:
    body = emu.grant_tokens(account=account, scopes=scopes)
    tokens = parse_token_success(body)
    location = DEMO_ACCOUNTS[account]
    now = datetime.now(UTC)
    lifetime = tokens.expires_in if expires_in is None else expires_in
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
        access_expires_at=now + timedelta(seconds=lifetime),
        email=account,
        display_name="Jane Doe" if account.startswith("jane") else None,
        signed_in_at=now,
    )
    home_store().save(profile)
    return profile


def token_of(profile: Profile | None) -> str:
    assert profile is not None
    assert profile.access_token is not None
    return profile.access_token.reveal()


def secrets_of(profile: Profile) -> list[str]:
    out = []
    for value in (profile.access_token, profile.refresh_token, profile.client_secret):
        if value is not None:
            out.append(value.reveal())
    return out


def no_secret_in(text: str, profile: Profile) -> bool:
    """Checked in a helper so a failing assert does not print the secret it found."""
    return not any(s in text for s in secrets_of(profile))


def path_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
