"""``POST /oauth/v3/device/code``: the initiation answer and its errors."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from zoho_wire import PROFILE, Wire

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_SELF_CLIENT_ID, Emulator

TOKEN_SHAPE = re.compile(r"^1004\.[0-9a-f]{32}\.[0-9a-f]{32}$")


def test_answer_has_zoho_fields_in_milliseconds(wire: Wire) -> None:
    body = wire.code()
    assert set(body) == {
        "user_code",
        "device_code",
        "verification_url",
        "verification_uri_complete",
        "interval",
        "expires_in",
    }
    assert TOKEN_SHAPE.match(body["device_code"])
    assert re.fullmatch(r"[A-Z2-9]{8}", body["user_code"])
    assert body["interval"] == 200  # 0.2 s, in ms
    assert body["expires_in"] == 5000  # 5 s, in ms
    assert body["verification_url"] == wire.emu.base_url("us") + "/oauth/v3/device"
    assert body["verification_uri_complete"].startswith(body["verification_url"] + "?")
    assert body["user_code"] in body["verification_uri_complete"]


def test_default_timings_are_zohos(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(interval=30.0, code_lifetime=300.0)
    body = Wire(emu, http).code()
    assert (body["interval"], body["expires_in"]) == (30000, 300000)


def test_seconds_variant(make_emulator: Callable[..., Emulator], http: httpx.Client) -> None:
    body = Wire(make_emulator(interval=5.0, code_lifetime=60.0, units="s"), http).code()
    assert (body["interval"], body["expires_in"]) == (5, 60)


def test_without_verification_uri_complete(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    body = Wire(make_emulator(send_verification_uri_complete=False), http).code()
    assert "verification_uri_complete" not in body
    assert "verification_url" in body


def test_user_code_pattern_variant(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(user_code_format="XXXX-XXXX")
    wire = Wire(emu, http)
    body = wire.code()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", body["user_code"])
    emu.approve(body["user_code"].replace("-", "").lower())  # people type it any way
    assert "access_token" in wire.poll_json(body["device_code"])


def test_parameters_in_the_query_string(wire: Wire, http: httpx.Client) -> None:
    params = {
        "client_id": DEMO_CLIENT_ID,
        "grant_type": "device_request",
        "scope": PROFILE,
        "access_type": "offline",
    }
    answer = http.post(wire.emu.base_url("us") + "/oauth/v3/device/code", params=params)
    assert answer.status_code == 200
    assert "device_code" in answer.json()
    entry = wire.emu.requests_to("/oauth/v3/device/code")[-1]
    assert entry["query"]
    assert not entry["form"]


def test_parameters_split_between_query_and_form_are_merged(wire: Wire, http: httpx.Client) -> None:
    answer = http.post(
        wire.emu.base_url("us") + "/oauth/v3/device/code",
        params={"client_id": DEMO_CLIENT_ID, "grant_type": "device_request"},
        data={"scope": PROFILE, "access_type": "offline"},
    )
    assert "device_code" in answer.json()


@pytest.mark.parametrize(
    ("client_id", "location"),
    [
        ("1000.UNKNOWNCLIENT00000000000000000", "us"),
        ("", "us"),
        (DEMO_CLIENT_ID, "eu"),  # the client is registered in us
        (DEMO_SELF_CLIENT_ID, "us"),  # a Self Client may not use the device grant
    ],
)
def test_invalid_client(wire: Wire, client_id: str, location: str) -> None:
    answer = wire.start(location=location, client_id=client_id)
    assert answer.status_code == 200
    assert answer.json() == {"error": "invalid_client"}


@pytest.mark.parametrize(
    "scope", ["", "AaaServer.profile.READ ZohoMail.messages.READ", "not a scope", "A.b.READ,,"]
)
def test_invalid_scope(wire: Wire, scope: str) -> None:
    assert wire.start(scope=scope).json() == {"error": "invalid_scope"}


def test_comma_separated_scopes_are_accepted(wire: Wire) -> None:
    assert "device_code" in wire.start(scope="AaaServer.profile.READ,ZohoCRM.modules.ALL").json()


def test_wrong_grant_type(wire: Wire, http: httpx.Client) -> None:
    answer = http.post(
        wire.emu.base_url("us") + "/oauth/v3/device/code",
        data={
            "client_id": DEMO_CLIENT_ID,
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "scope": PROFILE,
        },
    )
    assert answer.json() == {"error": "unsupported_grant_type"}


def test_get_is_refused(wire: Wire, http: httpx.Client) -> None:
    answer = http.get(wire.emu.base_url("us") + "/oauth/v3/device/code")
    assert answer.status_code == 405
    assert answer.json()["error"] == "invalid_request"


def test_error_status_400_variant(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    answer = Wire(make_emulator(error_status=400), http).start(location="eu")
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_client"}
