"""What the emulator pretends to be: timings, accounts, clients, and one switch per wire variant.

Zoho's documents leave several details open (units, key names, optional fields). Each open detail is
a switch here so tests can put the client in front of every variant it may meet in the field.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from tvauth.zoho import DATA_CENTERS

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SELF_CLIENT_ID",
    "DEMO_SELF_CLIENT_SECRET",
    "RUNTIME_SWITCHES",
    "ClientSecrets",
    "EmulatorConfig",
]

# Shaped like Zoho's: "1000." and 30 upper-case letters or digits; secrets are 42 lower-case chars.
DEMO_CLIENT_ID = "1000.TVAUTHDEMOCLIENT0EMULATOR00001"
DEMO_CLIENT_SECRET = "0d3m0c1e4e5ec4e7f0b2a9d6c3e8f1a4b7d0c3e6f9"
# A "Self Client": it exists, but Zoho refuses it the device grant (invalid_client).
DEMO_SELF_CLIENT_ID = "1000.TVAUTHSELFCLIENT0EMULATOR00001"
DEMO_SELF_CLIENT_SECRET = "5e1fc1e4e5ec4e7f0b2a9d6c3e8f1a4b7d0c3e6f90"

DEMO_ACCOUNTS: dict[str, str] = {
    "ada@example.com": "us",
    "jane@example.com": "eu",
    "arjun@example.com": "in",
}

# One secret for every data center, or one per data center where the client is enabled (multi-DC).
ClientSecrets = str | Mapping[str, str]

Units = Literal["ms", "s"]
UserLocationKey = Literal["user_location", "dc", "location"]


def _default_clients() -> dict[str, ClientSecrets]:
    return {DEMO_CLIENT_ID: DEMO_CLIENT_SECRET, DEMO_SELF_CLIENT_ID: DEMO_SELF_CLIENT_SECRET}


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """Everything the emulator does differently from one run to another.

    Durations are seconds (floats); the wire units are decided by ``units``. ``clock`` is a
    monotonic clock; :meth:`Emulator.advance` moves emulated time forward without sleeping.
    """

    interval: float = 30.0
    code_lifetime: float = 300.0
    token_lifetime: float = 3600.0
    refresh_window: float = 600.0
    refresh_limit: int = 10
    access_token_cap: int = 15
    refresh_token_cap: int = 20
    error_status: int = 200
    accounts: Mapping[str, str] = field(default_factory=lambda: dict(DEMO_ACCOUNTS))
    clients: Mapping[str, ClientSecrets] = field(default_factory=_default_clients)
    self_clients: frozenset[str] = frozenset({DEMO_SELF_CLIENT_ID})
    client_names: Mapping[str, str] = field(
        default_factory=lambda: {DEMO_CLIENT_ID: "tvauth demo", DEMO_SELF_CLIENT_ID: "Self Client"}
    )
    client_location: str = "us"
    locations: tuple[str, ...] = tuple(DATA_CENTERS)
    # Wire variants (see docs/zoho-device-flow.md, points marked uncertain).
    send_verification_uri_complete: bool = True
    units: Units = "ms"
    user_location_key: UserLocationKey = "user_location"
    legacy_expires: bool = False
    token_scope: bool = True
    send_id_token: bool = False
    user_code_format: str = "XXXXXXXX"
    require_profile_scope: bool = True
    # The person on the phone, automated: approve every code as this account after a delay.
    auto_approve: str | None = None
    auto_approve_after: float = 0.0
    # Network.
    host: str = "127.0.0.1"
    port: int = 0
    url_host: str | None = None
    # Each data center on its own port (base URL without a path), like separate hosts.
    dc_ports: bool = False
    clock: Callable[[], float] = time.monotonic
    log_limit: int = 20_000

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        """Why this configuration cannot run, in words; empty when it can."""
        out: list[str] = []
        for name in ("interval", "code_lifetime", "token_lifetime", "refresh_window"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                out.append(f"{name} must be a positive number of seconds")
        for name in ("refresh_limit", "access_token_cap", "refresh_token_cap"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                out.append(f"{name} must be a positive whole number")
        if self.error_status not in (200, 400):
            out.append("error_status must be 200 or 400")
        if self.units not in ("ms", "s"):
            out.append("units must be 'ms' or 's'")
        if self.user_location_key not in ("user_location", "dc", "location"):
            out.append("user_location_key must be 'user_location', 'dc' or 'location'")
        if not self.locations:
            out.append("at least one location is needed")
        for loc in self.locations:
            if not loc.isalnum() or loc != loc.lower() or loc in ("emulator", "zohoapis"):
                out.append(f"location {loc!r} must be lower-case letters/digits")
        if self.client_location not in self.locations:
            out.append(f"client_location {self.client_location!r} is not among the locations")
        for email, loc in self.accounts.items():
            if loc not in self.locations:
                out.append(f"account {email} lives in {loc!r}, which is not emulated")
        if not isinstance(self.user_code_format, str) or "X" not in self.user_code_format:
            out.append("user_code_format needs at least one X")
        if self.auto_approve is not None and self.auto_approve not in self.accounts:
            out.append(f"auto_approve account {self.auto_approve!r} is not an account here")
        if not isinstance(self.auto_approve_after, int | float) or self.auto_approve_after < 0:
            out.append("auto_approve_after must be zero or more seconds")

        return out

    def secret_for(self, client_id: str, location: str) -> str | None:
        """The client's secret in a data center, or None where the client is not enabled."""
        secrets = self.clients.get(client_id)
        if secrets is None:
            return None
        if isinstance(secrets, str):
            return secrets
        return secrets.get(location)

    def client_name(self, client_id: str) -> str:
        """How the consent page names a client."""
        return self.client_names.get(client_id) or f"Client {client_id[:9]}…"

    def seconds_on_wire(self, seconds: float) -> int:
        """A device-code duration in the configured wire unit (Zoho: milliseconds)."""
        return round(seconds * 1000) if self.units == "ms" else round(seconds)

    def with_changes(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with runtime switches changed; unknown names raise ValueError."""
        unknown = sorted(set(changes) - RUNTIME_SWITCHES)
        if unknown:
            raise ValueError(f"unknown or fixed setting(s): {', '.join(unknown)}")
        values = dict(changes)
        try:
            if "self_clients" in values:
                values["self_clients"] = frozenset(values["self_clients"])
            return replace(self, **values)
        except ValueError:
            raise
        except Exception as err:  # wrong JSON types (a list for accounts...) are bad input too
            raise ValueError(f"bad setting value: {err}") from None

    def public_view(self) -> dict[str, Any]:
        """The settings as JSON-friendly data (clients by id only)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("clock", "clients"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, frozenset | tuple):
                value = sorted(value) if isinstance(value, frozenset) else list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        out["clients"] = sorted(self.clients)
        return out


# Settings that can change while serving (the listening socket and clock cannot).
RUNTIME_SWITCHES = frozenset(
    f.name
    for f in fields(EmulatorConfig)
    if f.name not in ("host", "port", "url_host", "clock", "locations", "dc_ports", "log_limit")
)
