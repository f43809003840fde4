"""Refresh, revoke, who-am-I and API 401s in Zoho's dialect, as pure request builders and parsers.

No I/O and no clock: callers send :class:`ApiRequest` with whatever HTTP client they hold and hand
the status, content type and body back here. Zoho answers errors with HTTP 200 as often as 400, so
parsers switch on the JSON body, never on the status alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from tvauth.errors import (
    InvalidClientError,
    ServerResponseError,
    SignInRequiredError,
    ThrottledError,
    TvauthError,
)
from tvauth.tokens import TokenSet, parse_token_success
from tvauth.zoho import (
    REVOKE_PATH,
    TOKEN_PATH,
    USER_INFO_PATH,
    data_center_for_accounts_url,
)

__all__ = [
    "PROFILE_SCOPE",
    "ApiRequest",
    "RevokeOutcome",
    "UserInfo",
    "describe_accounts",
    "is_invalid_token_response",
    "parse_refresh_response",
    "parse_revoke_response",
    "parse_user_info",
    "refresh_request",
    "revoke_request",
    "scopes_allow_user_info",
    "user_info_request",
]

PROFILE_SCOPE = "AaaServer.profile.Read"

# Codes Zoho's APIs put in a 401 body when the access token itself is dead (CRM says INVALID_TOKEN,
# most others INVALID_OAUTHTOKEN, Desk an errorCode). Other 401s (scope mismatch, no permission)
# must not trigger a refresh: each refresh spends one of ten per ten minutes.
_DEAD_TOKEN_CODES = frozenset({"INVALID_OAUTHTOKEN", "INVALID_TOKEN", "INVALID_OAUTH"})


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One HTTP request to make. The form and headers carry secrets, so they stay out of repr."""

    method: str
    url: str
    form: Mapping[str, str] | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


class RevokeOutcome(Enum):
    """What a revoke achieved."""

    REVOKED = "revoked"
    UNKNOWN_TOKEN = "unknown"  # Zoho did not know the token: already revoked, or never valid


@dataclass(frozen=True, slots=True)
class UserInfo:
    """Who signed in, as far as ``/oauth/user/info`` says."""

    email: str | None
    display_name: str | None


def describe_accounts(accounts_url: str) -> str:
    """ "Zoho EU" for a real data center, else the host (the emulator, a proxy)."""
    dc = data_center_for_accounts_url(accounts_url)
    if dc is not None:
        return dc.display_name
    parts = urlsplit(accounts_url)
    return parts.netloc + parts.path.rstrip("/") or accounts_url


def _url(accounts_url: str, path: str) -> str:
    return accounts_url.rstrip("/") + path


def refresh_request(
    accounts_url: str, *, client_id: str, client_secret: str | None, refresh_token: str
) -> ApiRequest:
    """POST /oauth/v2/token at the user's data center, parameters in the form body (not the URL)."""
    form = {
        "client_id": client_id,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    if client_secret:
        form["client_secret"] = client_secret
    return ApiRequest("POST", _url(accounts_url, TOKEN_PATH), form=form)


def revoke_request(accounts_url: str, *, token: str) -> ApiRequest:
    """POST /oauth/v2/token/revoke; revoking the refresh token kills its access tokens too."""
    return ApiRequest("POST", _url(accounts_url, REVOKE_PATH), form={"token": token})


def user_info_request(accounts_url: str, *, access_token: str) -> ApiRequest:
    """GET /oauth/user/info with Zoho's own authorization scheme."""
    return ApiRequest(
        "GET",
        _url(accounts_url, USER_INFO_PATH),
        headers={"Authorization": f"Zoho-oauthtoken {access_token}"},
    )


def scopes_allow_user_info(scopes: tuple[str, ...]) -> bool:
    """True when the granted scopes include AaaServer.profile.Read (any case)."""
    return any(s.lower() == PROFILE_SCOPE.lower() for s in scopes)


def _json_object(status: int, content_type: str, body: bytes, where: str) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace").strip()
    if "html" in content_type.lower() or text[:1] == "<":
        raise ServerResponseError(
            f"{where} answered with a web page instead of data (HTTP {status}).",
            "A proxy or captive portal may be in the way; tvauth will try again later.",
        )
    try:
        parsed = json.loads(text)
    except ValueError:
        raise ServerResponseError(
            f"{where} answered with something that is not JSON (HTTP {status}).",
            "This is a server or network problem; tvauth will try again later.",
        ) from None
    if not isinstance(parsed, dict):
        raise ServerResponseError(
            f"{where} answered with unexpected JSON (HTTP {status}).",
            "This is a server or network problem; tvauth will try again later.",
        )
    return parsed


def _is_throttle(error: str, description: str) -> bool:
    text = f"{error} {description}".lower()
    return error.strip().lower() == "access denied" or "too many requests" in text


def parse_refresh_response(
    status: int, content_type: str, body: bytes, *, accounts_url: str
) -> TokenSet:
    """The new tokens, or a member of the error tree saying exactly what went wrong.

    SignInRequiredError: the refresh token is dead (``invalid_code``). ThrottledError: Zoho's
    ``Access Denied``. InvalidClientError: wrong client id or secret for this data center.
    ServerResponseError (a NetworkError): 5xx, HTML, garbage; worth retrying later.
    """
    where = describe_accounts(accounts_url)
    obj = _json_object(status, content_type, body, where)
    error = obj.get("error")
    description = str(obj.get("error_description") or "")
    if isinstance(error, str) and error:
        raise _refresh_error(error, description, where)
    if status >= 500:
        raise ServerResponseError(
            f"{where} had an internal error (HTTP {status}).", "tvauth will try again later."
        )
    return parse_token_success(obj)


def _refresh_error(error: str, description: str, where: str) -> TvauthError:
    if _is_throttle(error, description):
        return ThrottledError(
            f"{where} is refusing to renew the access token for now: too many renewals "
            "(Zoho allows 10 per 10 minutes)."
        )
    if error == "invalid_code":
        return SignInRequiredError(
            f"{where} no longer accepts this device's sign-in: the refresh token was revoked, "
            "or replaced by newer sign-ins."
        )
    if error == "invalid_client":
        return InvalidClientError(f"{where} does not accept this client id and secret.")
    return ServerResponseError(
        f"{where} refused to renew the access token ({error}).",
        "Try again later; if it persists, sign in again with 'tvauth login --force'.",
    )


def parse_revoke_response(
    status: int, content_type: str, body: bytes, *, accounts_url: str
) -> RevokeOutcome:
    """REVOKED on ``{"status": "success"}``; UNKNOWN_TOKEN on a 400 or a JSON error; else raise."""
    where = describe_accounts(accounts_url)
    if status >= 500:
        raise ServerResponseError(
            f"{where} had an internal error (HTTP {status}) while revoking the sign-in.",
            "Try again later.",
        )
    obj = _json_object(status, content_type, body, where)
    if str(obj.get("status", "")).lower() == "success" and status < 400:
        return RevokeOutcome.REVOKED
    error = obj.get("error")
    if isinstance(error, str) and _is_throttle(error, str(obj.get("error_description") or "")):
        raise ThrottledError(f"{where} is refusing requests for now (too many).")
    if status == 400 or (isinstance(error, str) and error):
        return RevokeOutcome.UNKNOWN_TOKEN
    raise ServerResponseError(
        f"{where} gave an unexpected answer to the revoke (HTTP {status}).", "Try again later."
    )


def _first_text(obj: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def parse_user_info(status: int, content_type: str, body: bytes, *, accounts_url: str) -> UserInfo:
    """Email and display name from Zoho's ``Email``/``Display_Name`` (or lower-case variants)."""
    where = describe_accounts(accounts_url)
    if status >= 400:
        raise ServerResponseError(
            f"{where} would not say who signed in (HTTP {status}).",
            "The sign-in still works; only the name is unknown.",
        )
    obj = _json_object(status, content_type, body, where)
    email = _first_text(obj, "Email", "email")
    display = _first_text(obj, "Display_Name", "display_name", "name")
    if display is None:
        names = [n for n in (_first_text(obj, "First_Name"), _first_text(obj, "Last_Name")) if n]
        display = " ".join(names) or None
    return UserInfo(email=email, display_name=display)


def is_invalid_token_response(status: int, content_type: str, body: bytes) -> bool:
    """True for an API 401 saying the access token is dead (not for other 401s)."""
    if status != 401:
        return False
    try:
        obj = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        return False
    if not isinstance(obj, dict):
        return False
    for key in ("code", "errorCode", "error"):
        value = obj.get(key)
        if isinstance(value, str) and value.upper() in _DEAD_TOKEN_CODES:
            return True
    return False
