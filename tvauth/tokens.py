"""Tokens as Zoho (or an RFC 6749 server) hands them out, parsed defensively.

Pure: no I/O and no clock. ``expires_in`` stays relative; the caller pins it to a clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tvauth.errors import ServerResponseError
from tvauth.redact import Secret

__all__ = ["TokenSet", "parse_token_success"]

# Zoho's legacy token answers put milliseconds in ``expires_in`` and seconds in ``expires_in_sec``.
# Without ``expires_in_sec`` a value above a day is read as milliseconds (no Zoho access token lives
# a day; 3600 s is normal).
_MAX_PLAUSIBLE_SECONDS = 86_400
DEFAULT_TOKEN_LIFETIME = 3600.0


@dataclass(frozen=True, slots=True)
class TokenSet:
    """The result of a sign-in or refresh. Secrets print masked."""

    access_token: Secret
    refresh_token: Secret | None
    expires_in: float
    token_type: str = "Bearer"
    api_domain: str | None = None
    scope: tuple[str, ...] | None = None
    id_token: Secret | None = None


def as_number(value: Any) -> float | None:
    """A finite JSON number, or a string holding one (some servers quote them); else None.

    Shared with :mod:`tvauth.protocol` (device-code timings), so both read numbers alike. Python's
    json accepts ``NaN`` and ``Infinity``: an endless interval would hang a flow, and a token that
    expires at NaN is never (or always) due, so they count as missing.
    """
    if isinstance(value, bool):
        return None
    number: float
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # a JSON integer beyond a float's range
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _expires_in(body: Mapping[str, Any]) -> float:
    seconds = as_number(body.get("expires_in_sec"))
    if seconds is not None and seconds > 0:
        return seconds
    value = as_number(body.get("expires_in"))
    if value is None or value <= 0:
        return DEFAULT_TOKEN_LIFETIME
    if value > _MAX_PLAUSIBLE_SECONDS:
        return value / 1000.0
    return value


def _scope(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, str) or not value.strip():
        return None
    # Zoho sends token scopes space-separated; requests use commas. Accept both.
    parts = value.replace(",", " ").split()
    return tuple(parts)


def parse_token_success(body: Mapping[str, Any]) -> TokenSet:
    """A token answer that has an ``access_token``. Raises if it has none (never returns half a set)."""
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ServerResponseError(
            "The server's token answer had no access token.",
            "This is a server or proxy problem; try again later.",
        )
    refresh = body.get("refresh_token")
    id_token = body.get("id_token")
    api_domain = body.get("api_domain")
    token_type = body.get("token_type")
    return TokenSet(
        access_token=Secret(access),
        refresh_token=Secret(refresh) if isinstance(refresh, str) and refresh else None,
        expires_in=_expires_in(body),
        token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
        api_domain=api_domain if isinstance(api_domain, str) and api_domain else None,
        scope=_scope(body.get("scope")),
        id_token=Secret(id_token) if isinstance(id_token, str) and id_token else None,
    )
