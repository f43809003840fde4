"""Token answers, refresh and its throttle, revoke, the token caps, user info and the API."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from zoho_wire import Wire

from tvauth.emulator import DEMO_CLIENT_ID, Emulator

TOKEN_SHAPE = re.compile(r"^1004\.[0-9a-f]{32}\.[0-9a-f]{32}$")
INVALID_TOKEN = {
    "code": "INVALID_OAUTHTOKEN",
    "details": {},
    "message": "invalid oauth token",
    "status": "error",
}


# ---- success shapes ---------------------------------------------------------------------------


def test_first_offline_consent_gives_a_refresh_token(wire: Wire) -> None:
    answer = wire.tokens(scope="AaaServer.profile.READ,ZohoMail.messages.READ")
    assert set(answer) == {
        "access_token",
        "refresh_token",
        "scope",
        "api_domain",
        "token_type",
        "expires_in",
    }
    assert TOKEN_SHAPE.match(answer["access_token"])
    assert TOKEN_SHAPE.match(answer["refresh_token"])
    assert answer["scope"] == "AaaServer.profile.READ ZohoMail.messages.READ"  # spaces
    assert answer["expires_in"] == 3600  # seconds here
    assert answer["token_type"] == "Bearer"
    assert answer["api_domain"] == wire.emu.api_url("us")


def test_later_consent_without_prompt_gives_no_refresh_token(wire: Wire) -> None:
    assert "refresh_token" in wire.tokens()
    assert "refresh_token" not in wire.tokens()
    assert "refresh_token" in wire.tokens(prompt="consent")


def test_online_access_gives_no_refresh_token(wire: Wire) -> None:
    assert "refresh_token" not in wire.tokens(access_type=None)
    assert "refresh_token" not in wire.tokens(access_type="online", prompt="consent")


def test_scope_can_be_absent(make_emulator: Callable[..., Emulator], http: httpx.Client) -> None:
    assert "scope" not in Wire(make_emulator(token_scope=False), http).tokens()


def test_legacy_expires_shape(make_emulator: Callable[..., Emulator], http: httpx.Client) -> None:
    answer = Wire(make_emulator(legacy_expires=True), http).tokens()
    assert answer["expires_in"] == 3_600_000
    assert answer["expires_in_sec"] == 3600


def test_id_token_variant(make_emulator: Callable[..., Emulator], http: httpx.Client) -> None:
    answer = Wire(make_emulator(send_id_token=True), http).tokens()
    assert answer["id_token"].count(".") == 2


# ---- refresh ---------------------------------------------------------------------------------


def test_refresh_gives_a_new_access_token_and_keeps_the_refresh_token(wire: Wire) -> None:
    first = wire.tokens("jane@example.com")
    answer = wire.refresh(first["refresh_token"], "eu")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "scope", "api_domain", "token_type", "expires_in"}
    assert body["access_token"] != first["access_token"]
    assert body["api_domain"] == wire.emu.api_url("eu")
    assert wire.user_info(body["access_token"], "eu").status_code == 200
    assert wire.user_info(first["access_token"], "eu").status_code == 200  # both live


def test_refresh_at_the_wrong_dc_is_invalid_code(wire: Wire) -> None:
    refresh = wire.tokens("jane@example.com")["refresh_token"]
    assert wire.refresh(refresh, "us").json() == {"error": "invalid_code"}


def test_refresh_with_bad_credentials(wire: Wire) -> None:
    refresh = wire.tokens()["refresh_token"]
    assert wire.refresh(refresh, client_secret="nope").json() == {"error": "invalid_client"}
    assert wire.refresh("1004.unknown").json() == {"error": "invalid_code"}
    assert wire.refresh(refresh, client_id="1000.OTHER").json() == {"error": "invalid_client"}


def test_refresh_throttle_ten_per_window(wire: Wire) -> None:
    refresh = wire.tokens()["refresh_token"]
    for _ in range(10):
        assert "access_token" in wire.refresh(refresh).json()
    answer = wire.refresh(refresh)
    assert answer.status_code == 200
    assert answer.json() == {
        "error": "Access Denied",
        "error_description": (
            "You have made too many requests continuously. Please try again after some time."
        ),
        "status": "failure",
    }
    wire.emu.advance(599)
    assert wire.refresh(refresh).json()["error"] == "Access Denied"
    wire.emu.advance(1)
    assert "access_token" in wire.refresh(refresh).json()


def test_refresh_throttle_is_configurable(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(refresh_limit=2, refresh_window=5.0, error_status=400)
    wire = Wire(emu, http)
    refresh = wire.tokens()["refresh_token"]
    assert wire.refresh(refresh).status_code == 200
    assert wire.refresh(refresh).status_code == 200
    denied = wire.refresh(refresh)
    assert (denied.status_code, denied.json()["error"]) == (400, "Access Denied")
    emu.advance(5.0)
    assert wire.refresh(refresh).status_code == 200


def test_only_fifteen_access_tokens_per_refresh_token(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    wire = Wire(make_emulator(refresh_limit=100), http)
    first = wire.tokens()
    later = [wire.refresh(first["refresh_token"]).json()["access_token"] for _ in range(14)]
    assert wire.user_info(first["access_token"]).status_code == 200  # 15 live
    wire.refresh(first["refresh_token"])
    assert wire.user_info(first["access_token"]).json() == INVALID_TOKEN
    assert wire.user_info(later[0]).status_code == 200


# ---- revoke ----------------------------------------------------------------------------------


def test_revoking_the_refresh_token_kills_its_access_tokens(wire: Wire) -> None:
    first = wire.tokens()
    second = wire.refresh(first["refresh_token"]).json()["access_token"]
    answer = wire.revoke(first["refresh_token"])
    assert (answer.status_code, answer.json()) == (200, {"status": "success"})
    for access in (first["access_token"], second):
        dead = wire.user_info(access)
        assert (dead.status_code, dead.json()) == (401, INVALID_TOKEN)
    assert wire.refresh(first["refresh_token"]).json() == {"error": "invalid_code"}


def test_revoking_unknown_or_spent_tokens_is_400(wire: Wire) -> None:
    refresh = wire.tokens()["refresh_token"]
    assert wire.revoke(refresh).status_code == 200
    assert wire.revoke(refresh).status_code == 400
    assert wire.revoke("1004.nothing").status_code == 400


def test_revoke_at_the_wrong_dc_is_400(wire: Wire) -> None:
    refresh = wire.tokens("jane@example.com")["refresh_token"]
    assert wire.revoke(refresh, "us").status_code == 400
    assert wire.revoke(refresh, "eu").status_code == 200


def test_revoking_an_access_token_leaves_the_refresh_token(wire: Wire) -> None:
    first = wire.tokens()
    assert wire.revoke(first["access_token"]).json() == {"status": "success"}
    assert wire.user_info(first["access_token"]).status_code == 401
    assert "access_token" in wire.refresh(first["refresh_token"]).json()


def test_the_21st_refresh_token_evicts_the_oldest(wire: Wire) -> None:
    signins = [wire.tokens(prompt="consent") for _ in range(20)]
    for s in signins:
        assert "refresh_token" in s
    assert "access_token" in wire.refresh(signins[0]["refresh_token"]).json()
    wire.tokens(prompt="consent")  # the 21st
    assert wire.refresh(signins[0]["refresh_token"]).json() == {"error": "invalid_code"}
    assert wire.user_info(signins[0]["access_token"]).status_code == 401
    assert "access_token" in wire.refresh(signins[1]["refresh_token"]).json()


def test_the_refresh_token_cap_is_per_user(wire: Wire) -> None:
    ada = wire.tokens("ada@example.com")
    for _ in range(20):
        wire.tokens("jane@example.com", prompt="consent")
    assert "access_token" in wire.refresh(ada["refresh_token"]).json()


def test_user_revoking_in_settings_kills_everything(wire: Wire) -> None:
    first = wire.tokens()
    assert wire.emu.revoke_user("ada@example.com") == 1
    assert wire.refresh(first["refresh_token"]).json() == {"error": "invalid_code"}
    assert wire.user_info(first["access_token"]).status_code == 401


# ---- user info and the API domain ------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Zoho-oauthtoken", "Bearer", "bearer"])
def test_user_info(wire: Wire, scheme: str) -> None:
    access = wire.tokens("jane@example.com")["access_token"]
    answer = wire.user_info(access, "eu", scheme)
    assert answer.status_code == 200
    body = answer.json()
    assert body["Email"] == "jane@example.com"
    assert set(body) == {"First_Name", "Email", "Last_Name", "Display_Name", "ZUID"}
    assert isinstance(body["ZUID"], int)


def test_user_info_rejects_expired_tokens(wire: Wire) -> None:
    access = wire.tokens()["access_token"]
    wire.emu.advance(3599)
    assert wire.user_info(access).status_code == 200
    wire.emu.advance(1)
    answer = wire.user_info(access)
    assert (answer.status_code, answer.json()) == (401, INVALID_TOKEN)


def test_user_info_rejects_missing_and_foreign_tokens(wire: Wire, http: httpx.Client) -> None:
    access = wire.tokens("jane@example.com")["access_token"]
    assert wire.user_info(access, "us").json() == INVALID_TOKEN  # tokens are DC-bound
    assert wire.user_info(access, "eu", scheme="Basic").json() == INVALID_TOKEN
    bare = http.get(wire.emu.base_url("eu") + "/oauth/user/info")
    assert (bare.status_code, bare.json()) == (401, INVALID_TOKEN)


def test_user_info_needs_the_profile_scope(wire: Wire) -> None:
    access = wire.tokens(scope="ZohoMail.messages.READ")["access_token"]
    answer = wire.user_info(access)
    assert answer.status_code == 401
    assert answer.json()["code"] == "OAUTH_SCOPE_MISMATCH"


def test_api_domain_serves_whoami_for_live_tokens_only(wire: Wire, http: httpx.Client) -> None:
    tokens = wire.tokens("jane@example.com")
    url = tokens["api_domain"] + "/api/v1/whoami"
    auth = {"Authorization": f"Zoho-oauthtoken {tokens['access_token']}"}
    answer = http.get(url, headers=auth)
    assert answer.status_code == 200
    assert answer.json()["user"]["email"] == "jane@example.com"
    assert answer.json()["client_id"] == DEMO_CLIENT_ID
    missing = http.get(tokens["api_domain"] + "/crm/v2/nothing", headers=auth)
    assert (missing.status_code, missing.json()["code"]) == (404, "INVALID_URL_PATTERN")
    wire.revoke(tokens["refresh_token"], "eu")
    dead = http.get(url, headers=auth)
    assert (dead.status_code, dead.json()) == (401, INVALID_TOKEN)


def test_grant_tokens_shortcut_matches_the_wire(wire: Wire) -> None:
    answer = wire.emu.grant_tokens("jane@example.com")
    assert TOKEN_SHAPE.match(answer["refresh_token"])
    assert wire.user_info(answer["access_token"], "eu").status_code == 200
    assert "access_token" in wire.refresh(answer["refresh_token"], "eu").json()


# ---- serverinfo ------------------------------------------------------------------------------


def test_serverinfo_lists_every_emulated_dc(wire: Wire, http: httpx.Client) -> None:
    for location in ("us", "eu"):
        answer = http.get(wire.emu.base_url(location) + "/oauth/serverinfo")
        assert answer.status_code == 200
        assert answer.json() == {"result": "success", "locations": wire.emu.urls}
    assert {"us", "eu", "in", "au", "jp", "ca", "sa", "uk", "cn", "ae"} <= set(wire.emu.urls)


def test_serverinfo_follows_the_locations_setting(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(locations=("us", "eu"), accounts={"a@example.com": "us"})
    body = http.get(emu.base_url("eu") + "/oauth/serverinfo").json()
    assert set(body["locations"]) == {"us", "eu"}
    assert http.get(emu.root_url + "/in/oauth/serverinfo").status_code == 404
