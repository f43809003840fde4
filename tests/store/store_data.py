"""Shared data for the store tests: fixed secrets and a profile factory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tvauth.profile import Profile
from tvauth.redact import Secret

NOW = datetime(2026, 11, 28, 16, 0, 0, tzinfo=UTC)
REFRESH = "1000." + "a" * 32 + "." + "b" * 32
ACCESS = "1000." + "c" * 32 + "." + "d" * 32
SECRET = "s3cr3t-client-secret-value"


def profile_factory(**overrides: Any) -> Profile:
    fields: dict[str, Any] = {
        "name": "default",
        "client_id": "1000.CLIENTID",
        "client_secret": Secret(SECRET),
        "accounts_url": "https://accounts.zoho.eu",
        "location": "eu",
        "api_domain": "https://www.zohoapis.eu",
        "scopes": ("ZohoCRM.modules.ALL", "AaaServer.profile.Read"),
        "refresh_token": Secret(REFRESH),
        "access_token": Secret(ACCESS),
        "access_expires_at": NOW + timedelta(hours=1),
        "email": "jane@example.com",
        "display_name": "Jane Doe",
        "signed_in_at": NOW,
    }
    fields.update(overrides)
    return Profile(**fields)
