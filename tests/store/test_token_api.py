"""Zoho's refresh, revoke, user-info and API-401 answers, parsed without any I/O."""

from __future__ import annotations

import json

import pytest

from tvauth.errors import (
    InvalidClientError,
    ServerResponseError,
    SignInRequiredError,
    ThrottledError,
)
from tvauth.token_api import (
    RevokeOutcome,
    describe_accounts,
    is_invalid_token_response,
    parse_refresh_response,
    parse_revoke_response,
    parse_user_info,
    refresh_request,
    revoke_request,
    scopes_allow_user_info,
    user_info_request,
)

EU = "https://accounts.zoho.eu"
JSON = "application/json;charset=UTF-8"


def _body(obj: object) -> bytes:
    return json.dumps(obj).encode()


def test_refresh_request_puts_every_parameter_in_the_form_not_the_url() -> None:
    req = refresh_request(EU, client_id="1000.X", client_secret="sec", refresh_token="1000.r.t")
    assert req.method == "POST"
    assert req.url == "https://accounts.zoho.eu/oauth/v2/token"
    assert dict(req.form or {}) == {
        "client_id": "1000.X",
        "client_secret": "sec",
        "grant_type": "refresh_token",
        "refresh_token": "1000.r.t",
    }
    assert "sec" not in repr(req)
    assert "1000.r.t" not in repr(req)


def test_revoke_and_user_info_requests() -> None:
    assert (
        revoke_request(EU + "/", token="t").url == "https://accounts.zoho.eu/oauth/v2/token/revoke"
    )
    info = user_info_request(EU, access_token="tok")
    assert info.method == "GET"
    assert info.url == "https://accounts.zoho.eu/oauth/user/info"
    assert dict(info.headers) == {"Authorization": "Zoho-oauthtoken tok"}
    assert "tok" not in repr(info)


@pytest.mark.parametrize("status", [200, 400])
def test_refresh_errors_are_read_from_the_body_whatever_the_status(status: int) -> None:
    with pytest.raises(SignInRequiredError, match="Zoho EU no longer accepts"):
        parse_refresh_response(status, JSON, _body({"error": "invalid_code"}), accounts_url=EU)
    with pytest.raises(InvalidClientError):
        parse_refresh_response(status, JSON, _body({"error": "invalid_client"}), accounts_url=EU)
    throttle = {
        "error": "Access Denied",
        "error_description": "You have made too many requests continuously. Please try again after some time.",
        "status": "failure",
    }
    with pytest.raises(ThrottledError, match="10 per 10 minutes"):
        parse_refresh_response(status, JSON, _body(throttle), accounts_url=EU)
    with pytest.raises(ServerResponseError, match="unsupported_grant_type"):
        parse_refresh_response(
            status, JSON, _body({"error": "unsupported_grant_type"}), accounts_url=EU
        )


def test_refresh_success_keeps_the_seconds_and_has_no_refresh_token() -> None:
    tokens = parse_refresh_response(
        200,
        JSON,
        _body(
            {
                "access_token": "1000.a.b",
                "api_domain": "https://www.zohoapis.eu",
                "token_type": "Bearer",
                "expires_in": 3600,
            }
        ),
        accounts_url=EU,
    )
    assert tokens.expires_in == 3600
    assert tokens.refresh_token is None
    assert tokens.api_domain == "https://www.zohoapis.eu"


def test_refresh_success_in_the_legacy_milliseconds_shape() -> None:
    tokens = parse_refresh_response(
        200,
        JSON,
        _body({"access_token": "1000.a.b", "expires_in": 3600000, "expires_in_sec": 3600}),
        accounts_url=EU,
    )
    assert tokens.expires_in == 3600


@pytest.mark.parametrize(
    ("status", "ctype", "body", "words"),
    [
        (502, "text/html", b"<html><body>Bad Gateway</body></html>", "web page"),
        (200, "text/plain", b"<!DOCTYPE html><p>Log in to the wifi</p>", "web page"),
        (200, JSON, b"{not json", "not JSON"),
        (200, JSON, b"", "not JSON"),
        (200, JSON, b"[1]", "unexpected JSON"),
        (503, JSON, b"{}", "internal error"),
        (200, JSON, b"{}", "no access token"),
    ],
)
def test_refresh_garbage_is_a_transient_server_response_error(
    status: int, ctype: str, body: bytes, words: str
) -> None:
    with pytest.raises(ServerResponseError, match=words):
        parse_refresh_response(status, ctype, body, accounts_url=EU)


def test_revoke_outcomes() -> None:
    assert parse_revoke_response(200, JSON, _body({"status": "success"}), accounts_url=EU) is (
        RevokeOutcome.REVOKED
    )
    assert (
        parse_revoke_response(
            400, JSON, _body({"status": "failure", "error": "invalid_token"}), accounts_url=EU
        )
        is RevokeOutcome.UNKNOWN_TOKEN
    )
    with pytest.raises(ServerResponseError):
        parse_revoke_response(502, "text/html", b"<html></html>", accounts_url=EU)
    with pytest.raises(ThrottledError):
        parse_revoke_response(200, JSON, _body({"error": "Access Denied"}), accounts_url=EU)


def test_user_info_in_zoho_s_shape_and_variants() -> None:
    zoho = {
        "First_Name": "Jane",
        "Last_Name": "Doe",
        "Email": "jane@example.com",
        "Display_Name": "Jane D",
        "ZUID": 1,
    }
    info = parse_user_info(200, JSON, _body(zoho), accounts_url=EU)
    assert (info.email, info.display_name) == ("jane@example.com", "Jane D")
    no_display = parse_user_info(
        200, JSON, _body({"First_Name": "Jane", "Last_Name": "Doe"}), accounts_url=EU
    )
    assert (no_display.email, no_display.display_name) == (None, "Jane Doe")
    with pytest.raises(ServerResponseError):
        parse_user_info(401, JSON, _body({"code": "OAUTH_SCOPE_MISMATCH"}), accounts_url=EU)


@pytest.mark.parametrize(
    ("status", "body", "dead"),
    [
        (401, {"code": "INVALID_OAUTHTOKEN", "status": "error"}, True),
        (401, {"code": "INVALID_TOKEN", "message": "invalid oauth token"}, True),
        (401, {"errorCode": "INVALID_OAUTH"}, True),
        (401, {"error": "invalid_token"}, True),
        (401, {"code": "OAUTH_SCOPE_MISMATCH"}, False),
        (401, {"code": "NO_PERMISSION"}, False),
        (403, {"code": "INVALID_OAUTHTOKEN"}, False),
        (200, {"code": "INVALID_OAUTHTOKEN"}, False),
    ],
)
def test_only_a_dead_token_401_asks_for_a_renewal(status: int, body: object, dead: bool) -> None:
    assert is_invalid_token_response(status, JSON, _body(body)) is dead


def test_a_401_that_is_not_json_is_not_a_dead_token() -> None:
    assert is_invalid_token_response(401, "text/html", b"<html>401</html>") is False


def test_profile_scope_is_recognised_in_any_case() -> None:
    assert scopes_allow_user_info(("ZohoCRM.modules.ALL", "AaaServer.profile.READ"))
    assert scopes_allow_user_info(("aaaserver.profile.read",))
    assert not scopes_allow_user_info(("ZohoCRM.modules.ALL",))


def test_accounts_servers_are_named_for_people() -> None:
    assert describe_accounts("https://accounts.zoho.eu") == "Zoho EU"
    assert describe_accounts("http://127.0.0.1:8080/eu") == "127.0.0.1:8080/eu"
