"""Table-driven tests of the pure protocol layer: every request shape and every answer, both dialects."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    FlowError,
    InvalidClientError,
    InvalidCodeError,
    ServerResponseError,
    ThrottledError,
)
from tvauth.protocol import (
    RFC8628,
    RFC8628_GRANT_TYPE,
    ZOHO,
    AuthorizationPending,
    CodeGranted,
    Endpoints,
    HttpResponse,
    OtherDataCenter,
    SlowDown,
    Terminal,
    TokensGranted,
    Transient,
    describe_server,
    device_code_request,
    normalise_zoho_timing,
    parse_device_code_response,
    parse_poll_response,
    parse_serverinfo,
    serverinfo_request,
    token_poll_request,
    zoho_endpoints,
)
from tvauth.redact import Secret

WHERE = "Zoho EU (accounts.zoho.eu)"
DEVICE = "1004." + "1" * 32 + "." + "2" * 32


def js(body: Any, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(status, json.dumps(body).encode(), content_type)


# ------------------------------------------------------------------------------------------ requests


def test_zoho_device_code_request_uses_zoho_names_commas_and_offline() -> None:
    req = device_code_request(
        ZOHO, zoho_endpoints("https://accounts.zoho.eu/"), "1000.ID", ["A.b.READ", "C.d.ALL"]
    )
    assert (req.method, req.url) == ("POST", "https://accounts.zoho.eu/oauth/v3/device/code")
    assert req.revealed_form() == {
        "client_id": "1000.ID",
        "grant_type": "device_request",
        "scope": "A.b.READ,C.d.ALL",
        "access_type": "offline",
    }
    assert ("Accept", "application/json") in req.headers


@pytest.mark.parametrize(
    ("offline", "consent", "expected"),
    [
        (True, True, {"access_type": "offline", "prompt": "consent"}),
        (False, False, {"access_type": "online"}),
    ],
)
def test_zoho_device_code_request_options(
    offline: bool, consent: bool, expected: dict[str, str]
) -> None:
    form = device_code_request(
        ZOHO,
        zoho_endpoints("https://accounts.zoho.com"),
        "1000.ID",
        ["x"],
        offline=offline,
        prompt_consent=consent,
    ).revealed_form()
    for key, value in expected.items():
        assert form[key] == value
    assert ("prompt" in form) == consent
    assert "client_secret" not in form


def test_zoho_poll_request_names_the_device_code_code_and_masks_secrets() -> None:
    req = token_poll_request(
        ZOHO, zoho_endpoints("https://accounts.zoho.com"), "1000.ID", Secret(DEVICE), "s3cr3t" * 5
    )
    assert req.url == "https://accounts.zoho.com/oauth/v3/device/token"
    assert req.revealed_form() == {
        "client_id": "1000.ID",
        "client_secret": "s3cr3t" * 5,
        "grant_type": "device_token",
        "code": DEVICE,
    }
    assert DEVICE not in repr(req)
    assert "s3cr3t" * 5 not in repr(req)
    assert req.param_names == ("client_id", "client_secret", "grant_type", "code")


def test_rfc8628_requests_use_standard_names_and_spaces() -> None:
    ends = Endpoints("https://idp.example/device", "https://idp.example/token")
    code = device_code_request(RFC8628, ends, "cid", ["openid", "profile"])
    assert code.url == "https://idp.example/device"
    assert code.revealed_form() == {"client_id": "cid", "scope": "openid profile"}
    poll = token_poll_request(RFC8628, ends, "cid", Secret(DEVICE), None)
    assert poll.url == "https://idp.example/token"
    assert poll.revealed_form() == {
        "client_id": "cid",
        "grant_type": RFC8628_GRANT_TYPE,
        "device_code": DEVICE,
    }
    confidential = device_code_request(RFC8628, ends, "cid", [], client_secret="sh")
    assert confidential.revealed_form() == {"client_id": "cid", "client_secret": "sh"}


def test_serverinfo_request() -> None:
    req = serverinfo_request("http://127.0.0.1:9/us/")
    assert (req.method, req.url) == ("GET", "http://127.0.0.1:9/us/oauth/serverinfo")


# -------------------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("interval", "expires", "units", "expected"),
    [
        (30000, 300000, "auto", (30.0, 300.0)),  # documented: milliseconds
        (30, 300, "auto", (30.0, 300.0)),  # some deployments: seconds
        ("30000", "300000", "auto", (30.0, 300.0)),  # numbers as strings
        (5000, 300, "auto", (5.0, 300.0)),  # mixed: only interval implausible as seconds
        (30, 600000, "auto", (30.0, 600.0)),
        (1000, 300, "auto", (1.0, 300.0)),  # interval no shorter than the code's life: ms
        (None, None, "auto", (30.0, 300.0)),  # missing: Zoho's documented values
        (0, -1, "auto", (30.0, 300.0)),
        (True, "soon", "auto", (30.0, 300.0)),  # nonsense: defaults
        (float("inf"), float("nan"), "auto", (30.0, 300.0)),  # json.loads reads Infinity, NaN
        ("Infinity", "nan", "auto", (30.0, 300.0)),  # an endless wait would hang the flow
        pytest.param(10**400, 10**400, "auto", (30.0, 300.0), id="huge-int"),  # beyond float
        (200, 5000, "ms", (0.2, 5.0)),  # the caller knows its server
        (2, 60, "s", (2.0, 60.0)),
        (2000, 60000, "s", (2000.0, 60000.0)),
    ],
)
def test_zoho_timing_is_normalised_defensively(
    interval: Any, expires: Any, units: Any, expected: tuple[float, float]
) -> None:
    assert normalise_zoho_timing(interval, expires, units) == expected


# ---------------------------------------------------------------------------- device code answers


def test_zoho_code_answer_with_complete_url() -> None:
    out = parse_device_code_response(
        ZOHO,
        js(
            {
                "user_code": "ABCD-1234",
                "device_code": DEVICE,
                "verification_url": "https://accounts.zoho.eu/oauth/v3/device",
                "verification_uri_complete": "https://accounts.zoho.eu/oauth/v3/device?user_code=ABCD-1234",
                "interval": 30000,
                "expires_in": 300000,
            }
        ),
        where=WHERE,
    )
    assert isinstance(out, CodeGranted)
    auth = out.authorization
    assert auth.user_code == "ABCD-1234"
    assert auth.device_code.reveal() == DEVICE
    assert isinstance(auth.device_code, Secret)
    assert (auth.interval, auth.expires_in) == (30.0, 300.0)
    assert auth.qr_url.endswith("user_code=ABCD-1234")
    assert DEVICE not in repr(out)


def test_zoho_code_answer_without_complete_url_uses_verification_url() -> None:
    out = parse_device_code_response(
        ZOHO,
        js({"user_code": "X", "device_code": DEVICE, "verification_url": "https://v"}),
        where=WHERE,
    )
    assert isinstance(out, CodeGranted)
    assert out.authorization.verification_uri_complete is None
    assert out.authorization.qr_url == "https://v"
    assert (out.authorization.interval, out.authorization.expires_in) == (30.0, 300.0)


def test_rfc_code_answer_seconds_and_default_interval() -> None:
    out = parse_device_code_response(
        RFC8628,
        js(
            {
                "user_code": "WDJB-MJHT",
                "device_code": DEVICE,
                "verification_uri": "https://idp/device",
                "expires_in": 1800,
            }
        ),
        where="idp",
    )
    assert isinstance(out, CodeGranted)
    assert (out.authorization.interval, out.authorization.expires_in) == (5.0, 1800.0)
    assert out.authorization.verification_url == "https://idp/device"


def test_rfc_code_answer_google_style_verification_url_and_seconds_kept() -> None:
    out = parse_device_code_response(
        RFC8628,
        js(
            {
                "user_code": "A",
                "device_code": DEVICE,
                "verification_url": "https://www.google.com/device",
                "interval": 5000,
                "expires_in": 1800,
            }
        ),
        where="idp",
    )
    assert isinstance(out, CodeGranted)
    assert out.authorization.interval == 5000.0  # RFC dialect: seconds, never reinterpreted


@pytest.mark.parametrize(
    ("dialect", "body", "status", "error_type", "words"),
    [
        (ZOHO, {"error": "invalid_client"}, 200, InvalidClientError, "Zoho EU"),
        (ZOHO, {"error": "invalid_client"}, 400, InvalidClientError, "Non-browser application"),
        (ZOHO, {"error": "invalid_scope"}, 200, FlowError, "scopes"),
        (ZOHO, {"error": "unsupported_grant_type"}, 400, FlowError, "unsupported_grant_type"),
        (RFC8628, {"error": "unauthorized_client"}, 400, InvalidClientError, "client id"),
        (RFC8628, {"error": "invalid_request"}, 400, FlowError, "invalid_request"),
    ],
)
def test_code_request_errors_are_terminal_and_named(
    dialect: Any, body: dict[str, Any], status: int, error_type: type[Exception], words: str
) -> None:
    out = parse_device_code_response(
        dialect, js(body, status), where=WHERE, client_id="1000.ID", scopes=["a"]
    )
    assert isinstance(out, Terminal)
    assert type(out.error) is error_type
    assert words in str(out.error)


@pytest.mark.parametrize(
    "body",
    [
        {"device_code": DEVICE, "verification_url": "https://v"},
        {"user_code": "A", "verification_url": "https://v"},
        {"user_code": "A", "device_code": DEVICE},
    ],
)
def test_code_answer_missing_fields_is_transient_and_never_shows_the_device_code(
    body: dict[str, Any],
) -> None:
    out = parse_device_code_response(ZOHO, js(body), where=WHERE)
    assert isinstance(out, Transient)
    assert DEVICE not in str(out.error)
    assert DEVICE not in out.reason


def test_code_request_throttle_is_transient() -> None:
    out = parse_device_code_response(
        ZOHO, js({"error": "Access Denied", "error_description": "Too many"}), where=WHERE
    )
    assert isinstance(out, Transient)
    assert isinstance(out.error, ThrottledError)


@pytest.mark.parametrize("status", [404, 405])
def test_a_web_page_saying_not_found_points_at_the_accounts_url(status: int) -> None:
    """A path that is not there is most often a wrong accounts URL (a path added to it, a typo).

    It is still retried (a captive portal can answer anything), but the person reads the likelier
    cause first instead of only 'a captive portal may be in the way'.
    """
    page = HttpResponse(status, b"<html><h1>Not Found</h1></html>", "text/html")
    out = parse_device_code_response(ZOHO, page, where=WHERE)
    assert isinstance(out, Transient)
    assert "accounts URL" in out.error.remedy
    assert f"HTTP {status}" in out.error.problem


# ---------------------------------------------------------------------------------- poll answers

POLL_TABLE: list[tuple[str, Any, int, bytes | dict[str, Any], str, type | None, str]] = [
    # (id, dialect, status, body, content type, outcome type, error type name or words)
    ("pending", ZOHO, 200, {"error": "authorization_pending"}, "", AuthorizationPending, ""),
    ("pending-400", ZOHO, 400, {"error": "authorization_pending"}, "", AuthorizationPending, ""),
    ("slow_down", ZOHO, 200, {"error": "slow_down"}, "", SlowDown, ""),
    ("denied", ZOHO, 200, {"error": "access_denied"}, "", Terminal, "AccessDeniedError"),
    ("denied-400", ZOHO, 400, {"error": "access_denied"}, "", Terminal, "AccessDeniedError"),
    ("expired", ZOHO, 200, {"error": "expired"}, "", Terminal, "CodeExpiredError"),
    ("expired-400", ZOHO, 400, {"error": "expired"}, "", Terminal, "CodeExpiredError"),
    ("bad client", ZOHO, 200, {"error": "invalid_client"}, "", Terminal, "InvalidClientError"),
    ("bad code", ZOHO, 200, {"error": "invalid_code"}, "", Terminal, "InvalidCodeError"),
    ("bad code 400", ZOHO, 400, {"error": "invalid_code"}, "", Terminal, "InvalidCodeError"),
    (
        "throttle",
        ZOHO,
        200,
        {"error": "Access Denied", "error_description": "You have made too many requests"},
        "",
        Transient,
        "too many requests",
    ),
    ("unknown error", ZOHO, 200, {"error": "server_hiccup"}, "", Terminal, "server_hiccup"),
    ("html 502", ZOHO, 502, b"<html>Bad gateway</html>", "text/html", Transient, "HTML"),
    ("html 200", ZOHO, 200, b"<!DOCTYPE html><p>portal", "text/html", Transient, "web page"),
    ("html no ctype", ZOHO, 200, b"  <html>", "", Transient, "web page"),
    ("json 503", ZOHO, 503, {"error": "server_error"}, "", Transient, "503"),
    ("malformed", ZOHO, 200, b'{"error": "authoriz', "", Transient, "malformed"),
    ("empty", ZOHO, 200, b"", "", Transient, "malformed"),
    ("not utf-8", ZOHO, 200, b"\xff\xfe{", "", Transient, "malformed"),
    ("array", ZOHO, 200, [1, 2], "", Transient, "unexpected JSON"),
    ("nothing", ZOHO, 200, {"status": "ok"}, "", Transient, "neither tokens"),
    ("429", ZOHO, 429, {"error": "too_many"}, "", Transient, "429"),
    ("redirect", ZOHO, 302, b"", "", Transient, "redirect"),
    ("portal redirect", ZOHO, 307, b"<html>login</html>", "text/html", Transient, "redirect"),
    ("rfc pending", RFC8628, 400, {"error": "authorization_pending"}, "", AuthorizationPending, ""),
    ("rfc slow", RFC8628, 400, {"error": "slow_down"}, "", SlowDown, ""),
    ("rfc denied", RFC8628, 400, {"error": "access_denied"}, "", Terminal, "AccessDeniedError"),
    ("rfc expired", RFC8628, 400, {"error": "expired_token"}, "", Terminal, "CodeExpiredError"),
    ("rfc grant", RFC8628, 400, {"error": "invalid_grant"}, "", Terminal, "InvalidCodeError"),
    ("rfc client", RFC8628, 401, {"error": "invalid_client"}, "", Terminal, "InvalidClientError"),
    ("rfc html", RFC8628, 500, b"<html>", "text/html", Transient, "HTML"),
    # Providers' own words for the standard outcomes (Entra, GitHub, Google).
    (
        "entra declined",
        RFC8628,
        400,
        {"error": "authorization_declined"},
        "",
        Terminal,
        "AccessDeniedError",
    ),
    (
        "entra bad code",
        RFC8628,
        400,
        {"error": "bad_verification_code"},
        "",
        Terminal,
        "InvalidCodeError",
    ),
    (
        "github bad code",
        RFC8628,
        200,
        {"error": "incorrect_device_code"},
        "",
        Terminal,
        "InvalidCodeError",
    ),
    (
        "github client",
        RFC8628,
        200,
        {"error": "incorrect_client_credentials"},
        "",
        Terminal,
        "InvalidClientError",
    ),
    (
        "google pending 428",
        RFC8628,
        428,
        {"error": "authorization_pending"},
        "",
        AuthorizationPending,
        "",
    ),
    # A Zoho-only word is not special in the standard dialect (and vice versa).
    ("rfc other_dc", RFC8628, 400, {"error": "other_dc"}, "", Terminal, "other_dc"),
    ("zoho expired_token", ZOHO, 200, {"error": "expired_token"}, "", Terminal, "expired_token"),
]


@pytest.mark.parametrize(
    ("dialect", "status", "body", "ctype", "kind", "detail"),
    [pytest.param(*row[1:], id=row[0]) for row in POLL_TABLE],
)
def test_poll_answers(
    dialect: Any,
    status: int,
    body: bytes | dict[str, Any],
    ctype: str,
    kind: type,
    detail: str,
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    out = parse_poll_response(
        dialect, HttpResponse(status, raw, ctype), where=WHERE, user_code="ABCD"
    )
    assert isinstance(out, kind)
    if isinstance(out, Terminal):
        if detail.endswith("Error"):
            assert type(out.error).__name__ == detail
        else:
            assert detail in str(out.error)
        assert out.error.problem
        assert out.error.remedy
    if isinstance(out, Transient):
        assert detail in out.reason or detail in str(out.error)


@pytest.mark.parametrize("key", ["user_location", "dc", "location"])
@pytest.mark.parametrize("status", [200, 400])
def test_other_dc_reads_user_location_then_dc_then_location(key: str, status: int) -> None:
    out = parse_poll_response(ZOHO, js({"error": "other_dc", key: "EU"}, status), where=WHERE)
    assert out == OtherDataCenter("eu")


def test_other_dc_prefers_user_location_and_never_reads_urls() -> None:
    body = {
        "error": "other_dc",
        "user_location": "in",
        "dc": "eu",
        "accounts_server": "https://evil.example",
    }
    assert parse_poll_response(ZOHO, js(body), where=WHERE) == OtherDataCenter("in")


def test_other_dc_without_a_location_is_a_clear_terminal_error() -> None:
    out = parse_poll_response(ZOHO, js({"error": "other_dc"}), where=WHERE)
    assert isinstance(out, Terminal)
    assert "did not say which" in str(out.error)


def test_expired_names_the_user_code_and_the_denial_is_specific() -> None:
    expired = parse_poll_response(ZOHO, js({"error": "expired"}), where=WHERE, user_code="QWER")
    denied = parse_poll_response(ZOHO, js({"error": "access_denied"}), where=WHERE)
    assert isinstance(expired, Terminal)
    assert isinstance(expired.error, CodeExpiredError)
    assert "QWER" in str(expired.error)
    assert isinstance(denied, Terminal)
    assert isinstance(denied.error, AccessDeniedError)


def test_invalid_client_and_code_name_the_data_center() -> None:
    for error, kind in (("invalid_client", InvalidClientError), ("invalid_code", InvalidCodeError)):
        out = parse_poll_response(ZOHO, js({"error": error}), where=WHERE)
        assert isinstance(out, Terminal)
        assert isinstance(out.error, kind)
        assert "Zoho EU" in str(out.error)


def test_server_descriptions_are_shortened_and_scrubbed_of_code_like_strings() -> None:
    body = {"error": "weird", "error_description": f"code {DEVICE} is odd " + "x " * 300}
    out = parse_poll_response(ZOHO, js(body), where=WHERE)
    assert isinstance(out, Terminal)
    assert DEVICE not in str(out.error)
    assert len(str(out.error)) < 400


@pytest.mark.parametrize(
    ("extra", "refresh", "scope", "expires"),
    [
        ({"refresh_token": "r" * 40, "scope": "A.READ B.ALL"}, True, ("A.READ", "B.ALL"), 3600.0),
        ({}, False, None, 3600.0),  # no refresh token (online, or not first consent), no scope
        ({"expires_in": 3600000, "expires_in_sec": 3600}, False, None, 3600.0),  # legacy
    ],
)
@pytest.mark.parametrize("dialect", [ZOHO, RFC8628])
def test_success_answers(
    dialect: Any,
    extra: dict[str, Any],
    refresh: bool,
    scope: tuple[str, ...] | None,
    expires: float,
) -> None:
    body = {
        "access_token": "1000." + "a" * 40,
        "api_domain": "https://www.zohoapis.eu",
        "token_type": "Bearer",
        "expires_in": 3600,
        **extra,
    }
    out = parse_poll_response(dialect, js(body), where=WHERE)
    assert isinstance(out, TokensGranted)
    assert (out.tokens.refresh_token is not None) == refresh
    assert out.tokens.scope == scope
    assert out.tokens.expires_in == expires
    assert out.tokens.api_domain == "https://www.zohoapis.eu"
    assert "a" * 40 not in repr(out)


def test_response_repr_hides_the_body() -> None:
    assert "secret-token" not in repr(HttpResponse(200, b'{"access_token": "secret-token"}'))


# ----------------------------------------------------------------------------------- server info


def test_serverinfo_parses_locations() -> None:
    out = parse_serverinfo(
        js(
            {
                "result": "success",
                "locations": {"us": "http://127.0.0.1:5/us/", "EU": "http://127.0.0.1:5/eu"},
            }
        ),
        where=WHERE,
    )
    assert out == {"us": "http://127.0.0.1:5/us", "eu": "http://127.0.0.1:5/eu"}


@pytest.mark.parametrize(
    "body",
    [
        {"result": "failure", "locations": {"us": "http://a"}},
        {"result": "success", "locations": {}},
        {"result": "success", "locations": {"us": "javascript:alert(1)"}},
        {"result": "success"},
    ],
)
def test_serverinfo_without_usable_locations_is_transient(body: dict[str, Any]) -> None:
    assert isinstance(parse_serverinfo(js(body), where=WHERE), Transient)


def test_describe_server_names_zoho_dcs_and_other_servers() -> None:
    assert describe_server("https://accounts.zoho.eu") == "Zoho EU (accounts.zoho.eu)"
    assert describe_server("http://127.0.0.1:8/us", "us") == (
        "the accounts server for 'us' at http://127.0.0.1:8/us"
    )
    assert (
        describe_server("http://127.0.0.1:8/us/") == "the accounts server at http://127.0.0.1:8/us"
    )


def test_server_error_is_a_network_error_for_callers_catching_broadly() -> None:
    out = parse_poll_response(ZOHO, HttpResponse(500, b"{}"), where=WHERE)
    assert isinstance(out, Transient)
    assert isinstance(out.error, ServerResponseError)


@pytest.mark.parametrize("text", ["Infinity", "NaN", "-Infinity", '"inf"'])
def test_non_finite_numbers_in_answers_fall_back_to_defaults(text: str) -> None:
    """Python's json reads NaN and Infinity; a token that expires at NaN never renews (or always)."""
    code = parse_device_code_response(
        ZOHO,
        HttpResponse(
            200,
            f'{{"user_code": "ABCD", "device_code": "{DEVICE}", "verification_url": "https://v",'
            f' "interval": {text}, "expires_in": {text}}}'.encode(),
        ),
        where=WHERE,
    )
    assert isinstance(code, CodeGranted)
    assert (code.authorization.interval, code.authorization.expires_in) == (30.0, 300.0)
    poll = parse_poll_response(
        ZOHO,
        HttpResponse(200, f'{{"access_token": "a", "expires_in": {text}}}'.encode()),
        where=WHERE,
    )
    assert isinstance(poll, TokensGranted)
    assert poll.tokens.expires_in == 3600.0
