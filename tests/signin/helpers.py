"""Settings as the commands build them, and asking the emulated API who a token belongs to."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import httpx

from tvauth.config import Settings, load_settings
from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator


def settings_for(
    emu: Emulator | None,
    home: Path,
    *,
    client_id: str | None = DEMO_CLIENT_ID,
    client_secret: str | None = DEMO_CLIENT_SECRET,
    scopes: tuple[str, ...] = ("AaaServer.profile.Read", "ZohoCRM.modules.ALL"),
    profile: str | None = None,
    accounts_url: str | None = None,
) -> Settings:
    """Settings as ``tvauth login`` builds them from flags (nothing from the developer's shell)."""
    flags = argparse.Namespace(
        client_id=client_id,
        client_secret=client_secret,
        scope=list(scopes),
        accounts_url=accounts_url or (emu.base_url("us") if emu is not None else None),
        profile=profile,
    )
    return load_settings(flags, environ={"TVAUTH_HOME": str(home)})


async def whoami(api_domain: str, access_token: str) -> dict[str, Any]:
    """The emulated API's answer for ``access_token`` (status and JSON), as a Zoho API call."""
    async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
        answer = await client.get(
            f"{api_domain}/api/v1/whoami",
            headers={"Authorization": f"Zoho-oauthtoken {access_token}"},
        )
    body: dict[str, Any] = answer.json()
    body["http_status"] = answer.status_code
    return body


def whoami_sync(api_domain: str, access_token: str) -> dict[str, Any]:
    with httpx.Client(timeout=5, trust_env=False) as client:
        answer = client.get(
            f"{api_domain}/api/v1/whoami",
            headers={"Authorization": f"Zoho-oauthtoken {access_token}"},
        )
    body: dict[str, Any] = answer.json()
    body["http_status"] = answer.status_code
    return body
