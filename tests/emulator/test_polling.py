"""``POST /oauth/v3/device/token``: every polling answer of the protocol document."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from zoho_wire import Wire

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator

OTHER_SECRET = "a" * 42


def test_pending_until_approved_then_tokens(wire: Wire) -> None:
    body = wire.code()
    assert wire.poll_json(body["device_code"]) == {"error": "authorization_pending"}
    wire.emu.advance(1)
    wire.emu.approve(body["user_code"], "ada@example.com")
    answer = wire.poll_json(body["device_code"])
    assert answer["access_token"].startswith("1004.")
    assert answer["token_type"] == "Bearer"


def test_two_polls_within_the_interval_get_slow_down(wire: Wire) -> None:
    code = wire.code()["device_code"]
    assert wire.poll_json(code) == {"error": "authorization_pending"}
    assert wire.poll_json(code) == {"error": "slow_down"}
    wire.emu.advance(0.2)
    assert wire.poll_json(code) == {"error": "authorization_pending"}


def test_slow_down_window_is_the_interval(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(interval=30.0, code_lifetime=300.0)
    wire = Wire(emu, http)
    code = wire.code()["device_code"]
    wire.poll_json(code)
    emu.advance(29.0)
    assert wire.poll_json(code) == {"error": "slow_down"}
    emu.advance(30.0)
    assert wire.poll_json(code) == {"error": "authorization_pending"}


def test_expired_after_the_code_lifetime(wire: Wire) -> None:
    body = wire.code()
    wire.emu.advance(5.0)
    assert wire.poll_json(body["device_code"]) == {"error": "expired"}


def test_approved_but_not_collected_in_time_is_expired(wire: Wire) -> None:
    body = wire.code()
    wire.emu.approve(body["user_code"])
    wire.emu.advance(5.0)
    assert wire.poll_json(body["device_code"]) == {"error": "expired"}


def test_denied(wire: Wire) -> None:
    body = wire.code()
    wire.emu.deny(body["user_code"])
    assert wire.poll_json(body["device_code"]) == {"error": "access_denied"}


def test_other_dc_then_tokens_from_the_users_dc(wire: Wire) -> None:
    body = wire.code()
    wire.emu.approve(body["user_code"], "jane@example.com")
    assert wire.poll_json(body["device_code"]) == {"error": "other_dc", "user_location": "eu"}
    answer = wire.poll_json(body["device_code"], "eu")
    assert answer["access_token"].startswith("1004.")
    assert answer["api_domain"] == wire.emu.api_url("eu")
    # The code is spent everywhere now.
    wire.emu.advance(1)
    assert wire.poll_json(body["device_code"], "eu") == {"error": "invalid_code"}
    assert wire.poll_json(body["device_code"], "us") == {"error": "invalid_code"}


@pytest.mark.parametrize("key", ["dc", "location"])
def test_other_dc_key_variants(
    make_emulator: Callable[..., Emulator], http: httpx.Client, key: str
) -> None:
    emu = make_emulator(user_location_key=key)
    wire = Wire(emu, http)
    body = wire.code()
    emu.approve(body["user_code"], "arjun@example.com")
    assert wire.poll_json(body["device_code"]) == {"error": "other_dc", key: "in"}


def test_polling_a_dc_that_is_neither_the_clients_nor_the_users(wire: Wire) -> None:
    body = wire.code()
    assert wire.poll_json(body["device_code"], "eu") == {"error": "invalid_code"}
    wire.emu.approve(body["user_code"], "jane@example.com")
    assert wire.poll_json(body["device_code"], "in") == {"error": "invalid_code"}


def test_unknown_and_spent_codes_are_invalid_code(wire: Wire) -> None:
    assert wire.poll_json("1004." + "0" * 32 + "." + "0" * 32) == {"error": "invalid_code"}
    body = wire.code()
    wire.emu.approve(body["user_code"])
    assert "access_token" in wire.poll_json(body["device_code"])
    wire.emu.advance(1)
    assert wire.poll_json(body["device_code"]) == {"error": "invalid_code"}


@pytest.mark.parametrize(
    ("client_id", "client_secret"),
    [
        (DEMO_CLIENT_ID, "wrong"),
        (DEMO_CLIENT_ID, ""),
        ("1000.UNKNOWNCLIENT00000000000000000", DEMO_CLIENT_SECRET),
    ],
)
def test_poll_with_bad_client_credentials(wire: Wire, client_id: str, client_secret: str) -> None:
    code = wire.code()["device_code"]
    answer = wire.poll_json(code, client_id=client_id, client_secret=client_secret)
    assert answer == {"error": "invalid_client"}


def test_parameters_in_the_query_string(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    wire.emu.approve(body["user_code"])
    answer = http.post(
        wire.emu.base_url("us") + "/oauth/v3/device/token",
        params={
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "grant_type": "device_token",
            "code": body["device_code"],
        },
    )
    assert "access_token" in answer.json()


def test_per_dc_client_secrets(make_emulator: Callable[..., Emulator], http: httpx.Client) -> None:
    emu = make_emulator(clients={DEMO_CLIENT_ID: {"us": DEMO_CLIENT_SECRET, "eu": OTHER_SECRET}})
    wire = Wire(emu, http)
    body = wire.code()
    emu.approve(body["user_code"], "jane@example.com")
    code = body["device_code"]
    assert wire.poll_json(code, "eu") == {"error": "invalid_client"}  # us secret at eu
    assert "access_token" in wire.poll_json(code, "eu", client_secret=OTHER_SECRET)


def test_client_not_enabled_in_the_users_dc(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(clients={DEMO_CLIENT_ID: {"us": DEMO_CLIENT_SECRET}})
    wire = Wire(emu, http)
    body = wire.code()
    emu.approve(body["user_code"], "jane@example.com")
    assert wire.poll_json(body["device_code"]) == {"error": "other_dc", "user_location": "eu"}
    assert wire.poll_json(body["device_code"], "eu") == {"error": "invalid_client"}


def test_error_status_400_variant(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(error_status=400)
    wire = Wire(emu, http)
    body = wire.code()
    pending = wire.poll(body["device_code"])
    assert (pending.status_code, pending.json()) == (400, {"error": "authorization_pending"})
    emu.approve(body["user_code"])
    emu.advance(1)
    assert wire.poll(body["device_code"]).status_code == 200  # success stays 200


def test_error_status_switches_at_runtime(wire: Wire) -> None:
    code = wire.code()["device_code"]
    assert wire.poll(code).status_code == 200
    wire.emu.configure(error_status=400)
    wire.emu.advance(1)
    assert wire.poll(code).status_code == 400


def test_auto_approve_after_a_delay(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(auto_approve="jane@example.com", auto_approve_after=2.0)
    wire = Wire(emu, http)
    code = wire.code()["device_code"]
    assert wire.poll_json(code) == {"error": "authorization_pending"}
    emu.advance(2.0)
    assert wire.poll_json(code) == {"error": "other_dc", "user_location": "eu"}
    assert "access_token" in wire.poll_json(code, "eu")


def test_the_log_counts_polls_without_secrets(wire: Wire) -> None:
    body = wire.code()
    for _ in range(3):
        wire.poll(body["device_code"])
        wire.emu.advance(0.2)
    polls = wire.emu.requests_to("/oauth/v3/device/token", "us")
    assert [p["error"] for p in polls] == ["authorization_pending"] * 3
    assert polls[0]["params"] == ["client_id", "client_secret", "code", "grant_type"]
    assert polls[1]["time"] - polls[0]["time"] >= 0.2
    text = repr(wire.emu.log())
    assert body["device_code"] not in text
    assert DEMO_CLIENT_SECRET not in text


def test_each_dc_on_its_own_port(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(dc_ports=True, locations=("us", "eu"), accounts={"j@example.com": "eu"})
    assert emu.ports["us"] != emu.ports["eu"]
    assert emu.base_url("eu") == f"http://127.0.0.1:{emu.ports['eu']}"
    info = http.get(emu.base_url("us") + "/oauth/serverinfo").json()
    assert info["locations"] == {"us": emu.base_url("us"), "eu": emu.base_url("eu")}
    wire = Wire(emu, http)
    body = wire.code()
    assert body["verification_url"] == emu.base_url("us") + "/oauth/v3/device"
    emu.approve(body["user_code"], "j@example.com")
    assert wire.poll_json(body["device_code"]) == {"error": "other_dc", "user_location": "eu"}
    tokens = wire.poll_json(body["device_code"], "eu")
    assert tokens["api_domain"].startswith(emu.base_url("eu"))
    assert wire.user_info(tokens["access_token"], "eu").status_code == 200
    # A path-prefixed URL is a client bug here, as against separate hosts.
    assert http.post(emu.base_url("us") + "/us/oauth/v3/device/code").status_code == 404
