"""One signed-in device profile, and the versioned file format it is kept in.

Pure: no I/O and no clock. The store reads and writes bytes; this module turns them into a
:class:`Profile` and back. Version-1 files must stay readable forever (a box may sit untouched for
years while tvauth is upgraded under it), so the reader accepts every field a version-1 writer ever
wrote, ignores fields it does not know, and refuses only files from a newer format it cannot
understand (without calling them corrupt: a newer tvauth can still read them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tvauth.errors import ConfigError, StoreError
from tvauth.redact import Secret

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms on `tvauth token`
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DEFAULT_PROFILE",
    "FORMAT_VERSION",
    "MAX_TRUSTED_LIFETIME",
    "Profile",
    "ProfileFormatError",
    "decode_profile",
    "encode_profile",
    "validate_profile_name",
]

FORMAT_VERSION = 1
# No Zoho access token lives longer than an hour; a day leaves room for other servers.
MAX_TRUSTED_LIFETIME = 86_400.0
# Seconds the clock may read before the moment a token was obtained before it counts as set back
# (clocks corrected by NTP, or by Zoho's Date, still wobble by a few seconds).
CLOCK_SLACK = 60.0
DEFAULT_PROFILE = "default"

# File names are built from profile names: keep them boring, so no name can escape the directory,
# hide itself (leading dot) or collide with a lock or temporary file ("x.signin" would lock
# x.signin.lock, the file with which profile "x" claims its sign-in).
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_RESERVED_SUFFIXES = (".lock", ".tmp", ".json", ".signin")


class ProfileFormatError(ValueError):
    """The bytes are not a profile this version can read; ``reason`` is safe to show."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def validate_profile_name(name: str) -> str:
    """The name, if it can safely be a file name; raises ConfigError otherwise."""
    if not _NAME_RE.fullmatch(name) or name.endswith(_RESERVED_SUFFIXES) or ".corrupt-" in name:
        raise ConfigError(
            f"{name[:70]!r} cannot be a profile name.",
            "Use letters, digits, '.', '_' or '-' (up to 64 characters, starting with a letter "
            f"or digit, not ending in {', '.join(_RESERVED_SUFFIXES)}).",
        )
    return name


@dataclass(frozen=True, slots=True)
class Profile:
    """What tvauth knows about one sign-in. Secrets are :class:`Secret` and print masked.

    ``accounts_url`` is the accounts server of the *user's* data center: refreshes and revokes go
    there. ``client_secret`` is kept so an unattended box can refresh on its own (the file is 0600).
    ``needs_sign_in`` is set when Zoho rejected the refresh token: everything else is kept so
    ``tvauth status`` can still say who it was. ``throttled_until`` is when Zoho's refresh throttle
    should have passed; until then tvauth does not ask again and serves the current token.
    All datetimes are aware and UTC (wall clock: they must survive restarts).
    """

    name: str
    client_id: str
    accounts_url: str
    signed_in_at: datetime
    client_secret: Secret | None = None
    location: str | None = None
    api_domain: str | None = None
    scopes: tuple[str, ...] = ()
    refresh_token: Secret | None = None
    access_token: Secret | None = None
    access_expires_at: datetime | None = None
    email: str | None = None
    display_name: str | None = None
    needs_sign_in: bool = False
    refreshed_at: datetime | None = None
    throttled_until: datetime | None = None
    throttle_strikes: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def can_refresh(self) -> bool:
        """A refresh token Zoho has not (yet) told us is dead."""
        return self.refresh_token is not None and not self.needs_sign_in

    def access_valid_for(self, now: datetime) -> float:
        """Seconds the cached access token still has at ``now``; 0 when there is none.

        More time left than the token was issued with (or than any Zoho token lives) means the
        clock reads earlier than when the token was obtained: it went backwards since (a Pi
        without a real-time clock booting in the past, an RTC kept in local time). The stored
        expiry cannot be judged by such a clock, so the token counts as expired and one renewal
        re-pins it (and measures the skew from Zoho's answer).
        """
        if self.access_token is None or self.access_expires_at is None or self.needs_sign_in:
            return 0.0
        left = (self.access_expires_at - now).total_seconds()
        if left > self._issued_lifetime():
            return 0.0
        return max(0.0, left)

    def _issued_lifetime(self) -> float:
        """The most life the cached token can have: from when it was obtained to its expiry."""
        assert self.access_expires_at is not None
        obtained = self.refreshed_at or self.signed_in_at
        issued = (self.access_expires_at - obtained).total_seconds() + CLOCK_SLACK
        return min(issued, MAX_TRUSTED_LIFETIME) if issued > 0 else MAX_TRUSTED_LIFETIME

    def has_access_for(self, now: datetime, margin: float) -> bool:
        """True when the cached token is still good for more than ``margin`` seconds."""
        return self.access_valid_for(now) > margin

    @property
    def who(self) -> str | None:
        """Who signed in, for people: "Jane Doe <jane@example.com>", or whatever is known."""
        if self.display_name and self.email and self.display_name != self.email:
            return f"{self.display_name} <{self.email}>"
        return self.email or self.display_name


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat()


def encode_profile(profile: Profile) -> bytes:
    """The version-1 file body. Secrets are revealed here on purpose: this is where they are stored."""
    body: dict[str, Any] = dict(profile.extra)
    body.update(
        {
            "version": FORMAT_VERSION,
            "profile": profile.name,
            "client_id": profile.client_id,
            "client_secret": _reveal(profile.client_secret),
            "accounts_url": profile.accounts_url,
            "location": profile.location,
            "api_domain": profile.api_domain,
            "scopes": list(profile.scopes),
            "refresh_token": _reveal(profile.refresh_token),
            "access_token": _reveal(profile.access_token),
            "access_expires_at": _iso(profile.access_expires_at),
            "email": profile.email,
            "display_name": profile.display_name,
            "signed_in_at": _iso(profile.signed_in_at),
            "needs_sign_in": profile.needs_sign_in,
            "refreshed_at": _iso(profile.refreshed_at),
            "throttled_until": _iso(profile.throttled_until),
            "throttle_strikes": profile.throttle_strikes,
        }
    )
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _reveal(value: Secret | None) -> str | None:
    return None if value is None else value.reveal()


_KNOWN = {
    "version",
    "profile",
    "client_id",
    "client_secret",
    "accounts_url",
    "location",
    "api_domain",
    "scopes",
    "refresh_token",
    "access_token",
    "access_expires_at",
    "email",
    "display_name",
    "signed_in_at",
    "needs_sign_in",
    "refreshed_at",
    "throttled_until",
    "throttle_strikes",
}


def decode_profile(data: bytes, *, expected_name: str) -> Profile:
    """Parse a file body. Raises ProfileFormatError (corrupt) or StoreError (newer format)."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileFormatError("it is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ProfileFormatError("it does not hold a JSON object")
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProfileFormatError("it has no format version")
    if version > FORMAT_VERSION:
        raise StoreError(
            f"The token file for profile '{expected_name}' was written by a newer tvauth "
            f"(format {version}; this one reads up to {FORMAT_VERSION}).",
            "Upgrade tvauth on this device; the file was left as it is.",
        )
    if version < 1:
        raise ProfileFormatError(f"format version {version} does not exist")
    return _decode_v1(body, expected_name)


def _decode_v1(body: dict[str, Any], expected_name: str) -> Profile:
    return Profile(
        name=expected_name,
        client_id=_req_str(body, "client_id"),
        accounts_url=_req_str(body, "accounts_url"),
        signed_in_at=_req_time(body, "signed_in_at"),
        client_secret=_opt_secret(body, "client_secret"),
        location=_opt_str(body, "location"),
        api_domain=_opt_str(body, "api_domain"),
        scopes=_scopes(body.get("scopes")),
        refresh_token=_opt_secret(body, "refresh_token"),
        access_token=_opt_secret(body, "access_token"),
        access_expires_at=_opt_time(body, "access_expires_at"),
        email=_opt_str(body, "email"),
        display_name=_opt_str(body, "display_name"),
        needs_sign_in=_bool(body, "needs_sign_in"),
        refreshed_at=_opt_time(body, "refreshed_at"),
        throttled_until=_opt_time(body, "throttled_until"),
        throttle_strikes=_int(body, "throttle_strikes"),
        extra={k: v for k, v in body.items() if k not in _KNOWN},
    )


def _req_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ProfileFormatError(f"the field '{key}' is missing or not text")
    return value


def _opt_str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProfileFormatError(f"the field '{key}' is not text")
    return value or None


def _opt_secret(body: Mapping[str, Any], key: str) -> Secret | None:
    value = _opt_str(body, key)
    return None if value is None else Secret(value)


def _parse_time(value: str, key: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ProfileFormatError(f"the field '{key}' is not a date and time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _req_time(body: Mapping[str, Any], key: str) -> datetime:
    return _parse_time(_req_str(body, key), key)


def _opt_time(body: Mapping[str, Any], key: str) -> datetime | None:
    value = _opt_str(body, key)
    return None if value is None else _parse_time(value, key)


def _scopes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return tuple(value)
    raise ProfileFormatError("the field 'scopes' is not a list of text")


def _bool(body: Mapping[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise ProfileFormatError(f"the field '{key}' is not true or false")
    return value


def _int(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileFormatError(f"the field '{key}' is not a whole number")
    return value
