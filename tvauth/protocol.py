"""The device flow on the wire, as requests to build and answers to classify.

Pure: no I/O, no clock, no httpx. Two dialects share the shapes here: Zoho's (``device_request`` /
``device_token``, ``code=``, milliseconds, errors that arrive with HTTP 200) and standard RFC 8628
(GitHub, Google, Entra, Keycloak). Every answer, however broken, becomes an *outcome*; nothing here
raises on bad input, so the driver never crashes on an HTML page or a truncated body.

Outcomes carry errors from :mod:`tvauth.errors` built from server names and field names only: never
from a device code, token or secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from tvauth import zoho
from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    FlowError,
    InvalidClientError,
    InvalidCodeError,
    NetworkError,
    ServerResponseError,
    ThrottledError,
    TvauthError,
)
from tvauth.events import DeviceAuthorization
from tvauth.redact import Secret
from tvauth.tokens import TokenSet, as_number, parse_token_success

__all__ = [
    "RFC8628",
    "RFC8628_GRANT_TYPE",
    "ZOHO",
    "AuthorizationPending",
    "CodeGranted",
    "Dialect",
    "Endpoints",
    "HttpRequest",
    "HttpResponse",
    "OtherDataCenter",
    "Outcome",
    "SlowDown",
    "Terminal",
    "TimingUnits",
    "TokensGranted",
    "Transient",
    "decode_json",
    "describe_server",
    "device_code_request",
    "normalise_zoho_timing",
    "parse_device_code_response",
    "parse_poll_response",
    "parse_serverinfo",
    "serverinfo_request",
    "token_poll_request",
    "zoho_endpoints",
]

Dialect = Literal["zoho", "rfc8628"]
TimingUnits = Literal["auto", "ms", "s"]
ZOHO: Final = "zoho"
RFC8628: Final = "rfc8628"
RFC8628_GRANT_TYPE: Final = "urn:ietf:params:oauth:grant-type:device_code"

# Zoho documents milliseconds; some deployments answer in seconds. Values above these cannot be
# seconds for a 5-minute code polled every 30 s, so they are milliseconds.
_ZOHO_MS_INTERVAL_ABOVE: Final = 1000.0
_ZOHO_MS_EXPIRES_ABOVE: Final = 10000.0
ZOHO_DEFAULT_INTERVAL: Final = 30.0
ZOHO_DEFAULT_EXPIRES_IN: Final = 300.0
RFC8628_DEFAULT_INTERVAL: Final = 5.0
RFC8628_DEFAULT_EXPIRES_IN: Final = 900.0

# Poll errors by outcome. Entra says ``authorization_declined`` / ``bad_verification_code``, GitHub
# ``incorrect_device_code`` / ``incorrect_client_credentials`` for RFC 8628's standard outcomes.
_BAD_CLIENT: Final[dict[str, tuple[str, ...]]] = {
    ZOHO: ("invalid_client", "unauthorized_client"),
    RFC8628: ("invalid_client", "unauthorized_client", "incorrect_client_credentials"),
}
_BAD_CODE: Final[dict[str, tuple[str, ...]]] = {
    ZOHO: ("invalid_code", "invalid_grant"),
    RFC8628: ("invalid_code", "invalid_grant", "bad_verification_code", "incorrect_device_code"),
}

_JSON_HEADERS: Final = (("Accept", "application/json"),)
_DESCRIPTION_LIMIT: Final = 200
_LONG_OPAQUE = re.compile(r"[A-Za-z0-9._~+/=-]{24,}")


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where to ask for a device code, and where to poll for tokens."""

    device_authorization_url: str
    token_url: str


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request to send. Secret form values are :class:`Secret`, so the repr shows masks."""

    method: str
    url: str
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = _JSON_HEADERS

    def revealed_form(self) -> dict[str, str]:
        """The form with real values: only the transport calls this."""
        return {k: v.reveal() if isinstance(v, Secret) else v for k, v in self.form}

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names only, for logs."""
        return tuple(k for k, _ in self.form)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back. The body may hold tokens, so it is left out of the repr."""

    status: int
    body: bytes = field(repr=False)
    content_type: str = ""


# ----------------------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class CodeGranted:
    """A device code was issued."""

    authorization: DeviceAuthorization


@dataclass(frozen=True, slots=True)
class AuthorizationPending:
    """Nobody has approved yet."""


@dataclass(frozen=True, slots=True)
class SlowDown:
    """The server wants fewer polls."""


@dataclass(frozen=True, slots=True)
class OtherDataCenter:
    """Approved by a user of another Zoho data center, named by location code only."""

    location: str


@dataclass(frozen=True, slots=True)
class TokensGranted:
    """Signed in."""

    tokens: TokenSet


@dataclass(frozen=True, slots=True)
class Transient:
    """Worth retrying later: network, 5xx, HTML, garbage, or a throttle."""

    reason: str
    error: NetworkError | ThrottledError


@dataclass(frozen=True, slots=True)
class Terminal:
    """The flow (or this code) cannot go on: denied, expired, bad client, unknown code..."""

    error: TvauthError


Outcome = (
    CodeGranted
    | AuthorizationPending
    | SlowDown
    | OtherDataCenter
    | TokensGranted
    | Transient
    | Terminal
)


# ----------------------------------------------------------------------------------------- requests


def zoho_endpoints(accounts_url: str) -> Endpoints:
    """Zoho's device endpoints on one data center's accounts server."""
    base = accounts_url.rstrip("/")
    return Endpoints(base + zoho.DEVICE_CODE_PATH, base + zoho.DEVICE_TOKEN_PATH)


def device_code_request(
    dialect: Dialect,
    endpoints: Endpoints,
    client_id: str,
    scopes: Sequence[str],
    *,
    client_secret: str | None = None,
    offline: bool = True,
    prompt_consent: bool = False,
) -> HttpRequest:
    """Ask for a device code. Zoho wants comma-separated scopes and no secret here."""
    form: list[tuple[str, str]] = [("client_id", client_id)]
    if dialect == ZOHO:
        form.append(("grant_type", "device_request"))
        form.append(("scope", ",".join(scopes)))
        form.append(("access_type", "offline" if offline else "online"))
        if prompt_consent:
            form.append(("prompt", "consent"))
    else:
        if scopes:
            form.append(("scope", " ".join(scopes)))
        if client_secret:
            form.append(("client_secret", Secret(client_secret)))
    return HttpRequest("POST", endpoints.device_authorization_url, tuple(form))


def token_poll_request(
    dialect: Dialect,
    endpoints: Endpoints,
    client_id: str,
    device_code: Secret,
    client_secret: str | None,
) -> HttpRequest:
    """One poll. Zoho names the device code ``code``; RFC 8628 names it ``device_code``."""
    form: list[tuple[str, str]] = [("client_id", client_id)]
    if client_secret:
        form.append(("client_secret", Secret(client_secret)))
    if dialect == ZOHO:
        form.append(("grant_type", "device_token"))
        form.append(("code", device_code))
    else:
        form.append(("grant_type", RFC8628_GRANT_TYPE))
        form.append(("device_code", device_code))
    return HttpRequest("POST", endpoints.token_url, tuple(form))


def serverinfo_request(accounts_url: str) -> HttpRequest:
    """Ask a (non-Zoho) accounts server where its data centers live."""
    return HttpRequest("GET", accounts_url.rstrip("/") + zoho.SERVERINFO_PATH)


# ------------------------------------------------------------------------------------------ helpers


def describe_server(accounts_url: str, location: str | None = None) -> str:
    """A name for people: "Zoho EU (accounts.zoho.eu)", or the emulator's URL and location."""
    dc = zoho.data_center_for_accounts_url(accounts_url)
    host = urlsplit(accounts_url).netloc or accounts_url
    if dc is not None:
        return f"{dc.display_name} ({host})"
    if location:
        return f"the accounts server for '{location}' at {accounts_url.rstrip('/')}"
    return f"the accounts server at {accounts_url.rstrip('/')}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _description(body: Mapping[str, Any]) -> str:
    """The server's own words, shortened and stripped of anything that could be a code or token."""
    text = _text(body.get("error_description")) or _text(body.get("message")) or ""
    text = " ".join(text.split())
    text = _LONG_OPAQUE.sub("…", text)
    if len(text) > _DESCRIPTION_LIMIT:
        text = text[: _DESCRIPTION_LIMIT - 1] + "…"
    return text


def _looks_like_html(content_type: str, body: bytes) -> bool:
    return "html" in content_type.lower() or body.lstrip()[:1] == b"<"


def decode_json(response: HttpResponse, where: str) -> dict[str, Any] | Transient:
    """The JSON object in a response, or why it is not there (always transient: proxies, outages)."""
    status, body = response.status, response.body
    html = _looks_like_html(response.content_type, body)
    if status >= 500:
        kind = " with an HTML page" if html else ""
        return Transient(
            f"HTTP {status}{kind}",
            ServerResponseError(f"{where} answered HTTP {status}{kind}.", None),
        )
    if 300 <= status < 400:
        return Transient(
            f"a redirect (HTTP {status})",
            ServerResponseError(
                f"{where} answered with a redirect (HTTP {status}); tvauth does not follow "
                "redirects, so a client secret never travels to another address.",
                "A captive portal may be in the way (tvauth retries by itself), or the accounts "
                "URL is not the final address: check it.",
            ),
        )
    if status == 429:
        return Transient(
            "too many requests (HTTP 429)",
            ThrottledError(f"{where} says too many requests (HTTP 429).", None),
        )
    if html:
        remedy = "A captive portal or proxy may be in the way; tvauth retries by itself."
        if status in (404, 405):
            # No such API path: most often an accounts URL with a path added, or the wrong host.
            remedy = (
                "Check the accounts URL (the server's address only, such as "
                "https://accounts.zoho.eu); a captive portal may also be in the way, and tvauth "
                "retries by itself."
            )
        return Transient(
            f"an HTML page instead of JSON (HTTP {status})",
            ServerResponseError(
                f"{where} answered with a web page instead of its API (HTTP {status}).", remedy
            ),
        )
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Transient(
            f"malformed JSON (HTTP {status})",
            ServerResponseError(f"{where} answered with malformed JSON (HTTP {status}).", None),
        )
    if not isinstance(parsed, dict):
        return Transient(
            f"a JSON answer that is not an object (HTTP {status})",
            ServerResponseError(f"{where} answered with unexpected JSON (HTTP {status}).", None),
        )
    return parsed


def _throttled(body: Mapping[str, Any], where: str) -> Transient:
    said = _description(body)
    detail = f": {said}" if said else "."
    return Transient(
        "too many requests (Access Denied)",
        ThrottledError(f"{where} says too many requests{detail}", None),
    )


def _is_zoho_throttle(error: str) -> bool:
    # Zoho's throttle is the words "Access Denied"; the person's refusal is ``access_denied``.
    return error.strip().lower() == "access denied"


# ----------------------------------------------------------------------------------- device codes


def normalise_zoho_timing(
    interval: Any, expires_in: Any, units: TimingUnits = "auto"
) -> tuple[float, float]:
    """Zoho's ``interval``/``expires_in`` in seconds, whichever unit the server used.

    ``units="auto"`` applies the defensive rule (interval above 1000 or expires_in above 10000 is
    milliseconds, and so is an interval no shorter than the code's life); ``"ms"`` or ``"s"`` is for
    callers who know their server (an emulator with sub-second timings is ambiguous otherwise).
    """
    raw_interval = as_number(interval)
    raw_expires = as_number(expires_in)
    scale = 1000.0 if units == "ms" else 1.0
    exp = (
        ZOHO_DEFAULT_EXPIRES_IN if raw_expires is None or raw_expires <= 0 else raw_expires / scale
    )
    ivl = (
        ZOHO_DEFAULT_INTERVAL if raw_interval is None or raw_interval <= 0 else raw_interval / scale
    )
    if units != "auto":
        return ivl, exp
    if exp > _ZOHO_MS_EXPIRES_ABOVE:
        exp /= 1000.0
    if ivl > _ZOHO_MS_INTERVAL_ABOVE or (ivl >= exp and ivl / 1000.0 < exp):
        ivl /= 1000.0
    return ivl, exp


def _rfc_timing(interval: Any, expires_in: Any) -> tuple[float, float]:
    raw_interval = as_number(interval)
    raw_expires = as_number(expires_in)
    ivl = RFC8628_DEFAULT_INTERVAL if raw_interval is None or raw_interval <= 0 else raw_interval
    exp = RFC8628_DEFAULT_EXPIRES_IN if raw_expires is None or raw_expires <= 0 else raw_expires
    return ivl, exp


def _initiation_error(
    error: str, body: Mapping[str, Any], where: str, client_id: str, scopes: Sequence[str]
) -> Terminal:
    said = _description(body)
    detail = f" ({said})" if said else ""
    if error in ("invalid_client", "unauthorized_client"):
        return Terminal(
            InvalidClientError(
                f"{where} does not accept the client id {client_id}{detail}.",
                "Check that it is a 'Non-browser application' client (not a Self Client) "
                "registered in this data center, or set the accounts URL of the data center "
                "where it was registered.",
            )
        )
    if error == "invalid_scope":
        return Terminal(
            FlowError(
                f"{where} refused the requested scopes ({', '.join(scopes) or 'none'}){detail}.",
                "Check the scope names and that the client may ask for them.",
            )
        )
    return Terminal(
        FlowError(
            f"{where} refused to issue a device code: {error}{detail}.",
            "Check the client settings; start again once fixed.",
        )
    )


def parse_device_code_response(
    dialect: Dialect,
    response: HttpResponse,
    *,
    where: str,
    client_id: str = "",
    scopes: Sequence[str] = (),
    units: TimingUnits = "auto",
) -> CodeGranted | Transient | Terminal:
    """Classify the answer to a device-code request."""
    body = decode_json(response, where)
    if isinstance(body, Transient):
        return body
    error = _text(body.get("error"))
    if error is not None:
        if dialect == ZOHO and _is_zoho_throttle(error):
            return _throttled(body, where)
        if error in ("slow_down", "temporarily_unavailable"):
            return Transient(f"busy ({error})", ThrottledError(f"{where} asks to slow down.", None))
        return _initiation_error(error, body, where, client_id, scopes)
    device_code = _text(body.get("device_code"))
    user_code = _text(body.get("user_code"))
    if dialect == ZOHO:
        url = _text(body.get("verification_url")) or _text(body.get("verification_uri"))
        interval, expires_in = normalise_zoho_timing(
            body.get("interval"), body.get("expires_in"), units
        )
    else:
        url = _text(body.get("verification_uri")) or _text(body.get("verification_url"))
        interval, expires_in = _rfc_timing(body.get("interval"), body.get("expires_in"))
    missing = [
        name
        for name, value in (
            ("device_code", device_code),
            ("user_code", user_code),
            ("verification URL", url),
        )
        if value is None
    ]
    if device_code is None or user_code is None or url is None:
        return Transient(
            f"a device-code answer without {', '.join(missing)}",
            ServerResponseError(
                f"{where} issued a device code answer without {', '.join(missing)}.", None
            ),
        )
    complete = _text(body.get("verification_uri_complete"))
    return CodeGranted(
        DeviceAuthorization(
            user_code=user_code,
            device_code=Secret(device_code),
            verification_url=url,
            verification_uri_complete=complete,
            interval=interval,
            expires_in=expires_in,
        )
    )


# ------------------------------------------------------------------------------------------- polls


def _other_dc_location(body: Mapping[str, Any]) -> str | None:
    for key in ("user_location", "dc", "location"):
        value = _text(body.get(key))
        if value is not None:
            return value.strip().lower()
    return None


def parse_poll_response(
    dialect: Dialect, response: HttpResponse, *, where: str, user_code: str = ""
) -> Outcome:
    """Classify one poll's answer: switch on ``error``, never on the HTTP status."""
    body = decode_json(response, where)
    if isinstance(body, Transient):
        return body
    error = _text(body.get("error"))
    if error is None:
        if _text(body.get("access_token")) is None:
            return Transient(
                "an answer with neither tokens nor an error",
                ServerResponseError(f"{where} answered with neither tokens nor an error.", None),
            )
        return TokensGranted(parse_token_success(body))  # cannot raise: access_token checked
    said = _description(body)
    detail = f" ({said})" if said else ""
    code_words = f"The code {user_code}" if user_code else "The code"
    if error == "authorization_pending":
        return AuthorizationPending()
    if error == "slow_down":
        return SlowDown()
    if error == "access_denied" or (dialect == RFC8628 and error == "authorization_declined"):
        return Terminal(AccessDeniedError("The sign-in was denied on the verification page."))
    if dialect == ZOHO and _is_zoho_throttle(error):
        return _throttled(body, where)
    if dialect == ZOHO and error == "other_dc":
        location = _other_dc_location(body)
        if location is None:
            return Terminal(
                ServerResponseError(
                    f"{where} said the sign-in was approved in another data center "
                    "but did not say which.",
                    "Start again; if it repeats, approve with an account of this data center.",
                )
            )
        return OtherDataCenter(location)
    expired = ("expired",) if dialect == ZOHO else ("expired_token",)
    if error in expired:
        return Terminal(CodeExpiredError(f"{code_words} expired before anyone approved it."))
    if error in _BAD_CLIENT[dialect]:
        return Terminal(
            InvalidClientError(f"{where} does not accept this client's id and secret{detail}.")
        )
    if error in _BAD_CODE[dialect]:
        return Terminal(
            InvalidCodeError(
                f"{where} does not know this device code (already used, or issued "
                f"elsewhere){detail}."
            )
        )
    if error == "temporarily_unavailable":
        return Transient(
            "temporarily unavailable", ServerResponseError(f"{where} is busy{detail}.", None)
        )
    return Terminal(
        FlowError(
            f"{where} ended the sign-in with the error {error}{detail}.",
            "Start again; if it repeats, check the client settings.",
        )
    )


# ------------------------------------------------------------------------------------- server info


def parse_serverinfo(response: HttpResponse, *, where: str) -> dict[str, str] | Transient:
    """Location -> accounts URL from a registration host's ``/oauth/serverinfo``."""
    body = decode_json(response, where)
    if isinstance(body, Transient):
        return body
    locations = body.get("locations")
    result: dict[str, str] = {}
    if isinstance(locations, Mapping):
        for key, value in locations.items():
            if isinstance(key, str) and isinstance(value, str):
                scheme = urlsplit(value).scheme
                if scheme in ("http", "https"):
                    result[key.strip().lower()] = value.rstrip("/")
    if body.get("result") not in (None, "success") or not result:
        return Transient(
            "a server-info answer without locations",
            ServerResponseError(f"{where} did not list its data centers.", None),
        )
    return result
