"""The control API over HTTP (for tests in other processes and curl) and the Python API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from zoho_wire import Wire

from tvauth.emulator import DEMO_CLIENT_SECRET, Emulator, EmulatorConfig, EmulatorError


def test_approve_over_http_with_form_fields(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    answer = http.post(
        wire.emu.base_url("us") + "/emulator/approve",
        data={"user_code": body["user_code"], "account": "jane@example.com", "decision": "allow"},
    )
    assert answer.json() == {
        "status": "success",
        "user_code": body["user_code"],
        "account": "jane@example.com",
        "decision": "allow",
        "user_location": "eu",
    }
    assert wire.poll_json(body["device_code"])["error"] == "other_dc"


def test_deny_over_http(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    http.post(
        wire.emu.root_url + "/emulator/approve",
        data={"user_code": body["user_code"], "account": "ada@example.com", "decision": "deny"},
    )
    assert wire.poll_json(body["device_code"]) == {"error": "access_denied"}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"user_code": "NOPE"}, "invalid_user_code"),
        ({"account": "nobody@example.com"}, "unknown_account"),
        ({"decision": "maybe"}, "invalid_decision"),
    ],
)
def test_approve_mistakes_are_named(
    wire: Wire, http: httpx.Client, fields: dict[str, str], error: str
) -> None:
    body = wire.code()
    data = {"user_code": body["user_code"], "account": "ada@example.com", "decision": "allow"}
    answer = http.post(wire.emu.root_url + "/emulator/approve", data={**data, **fields})
    assert answer.status_code == 400
    assert answer.json()["error"] == error


def test_python_approve_mistakes_raise(wire: Wire) -> None:
    body = wire.code()
    wire.emu.approve(body["user_code"])
    with pytest.raises(EmulatorError, match="already_used"):
        wire.emu.approve(body["user_code"])
    with pytest.raises(EmulatorError, match="invalid_user_code"):
        wire.emu.approve("ZZZZ9999")


def test_log_over_http_with_since_and_clear(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    wire.poll(body["device_code"])
    log = http.get(wire.emu.root_url + "/emulator/log").json()
    assert [e["path"] for e in log] == ["/oauth/v3/device/code", "/oauth/v3/device/token"]
    assert all({"path", "location", "method", "params", "time"} <= set(e) for e in log)
    later = http.get(wire.emu.root_url + "/emulator/log", params={"since": log[0]["seq"]}).json()
    assert [e["seq"] for e in later] == [log[1]["seq"]]
    assert body["device_code"] not in str(log)
    assert DEMO_CLIENT_SECRET not in str(log)
    http.post(wire.emu.root_url + "/emulator/log/clear")
    assert http.get(wire.emu.root_url + "/emulator/log").json() == []


def test_control_requests_are_not_logged(wire: Wire, http: httpx.Client) -> None:
    http.get(wire.emu.root_url + "/emulator/codes")
    assert wire.emu.log() == []


def test_log_masks_tokens_in_every_request(wire: Wire) -> None:
    tokens = wire.tokens()
    wire.refresh(tokens["refresh_token"])
    wire.user_info(tokens["access_token"])
    wire.revoke(tokens["refresh_token"])
    text = str(wire.emu.log())
    for secret in (tokens["refresh_token"], tokens["access_token"], DEMO_CLIENT_SECRET):
        assert secret not in text


def test_codes_lists_grants_without_device_codes(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    codes = http.get(wire.emu.root_url + "/emulator/codes").json()
    assert codes[0]["user_code"] == body["user_code"]
    assert codes[0]["status"] == "pending"
    assert body["device_code"] not in str(codes)
    assert wire.emu.latest_user_code == body["user_code"]
    assert wire.emu.wait_for_user_code(timeout=0.1) == body["user_code"]
    with pytest.raises(TimeoutError):
        wire.emu.wait_for_user_code(timeout=0.05, after=body["user_code"])


def test_advance_over_http_expires_codes(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    answer = http.post(wire.emu.root_url + "/emulator/advance", data={"seconds": "5"})
    assert answer.json()["status"] == "success"
    assert wire.poll_json(body["device_code"]) == {"error": "expired"}
    bad = http.post(wire.emu.root_url + "/emulator/advance", data={"seconds": "-1"})
    assert bad.status_code == 400


def test_reset_forgets_codes_tokens_and_faults(wire: Wire, http: httpx.Client) -> None:
    tokens = wire.tokens()
    wire.emu.set_faults(["500"])
    assert http.post(wire.emu.root_url + "/emulator/reset").json() == {"status": "success"}
    assert wire.emu.pending_faults() == []
    assert wire.refresh(tokens["refresh_token"]).json() == {"error": "invalid_code"}
    assert "refresh_token" in wire.tokens()  # consent forgotten too


def test_config_over_http_switches_variants(wire: Wire, http: httpx.Client) -> None:
    url = wire.emu.root_url + "/emulator/config"
    answer = http.post(url, json={"units": "s", "user_location_key": "dc", "interval": 1.0})
    assert answer.status_code == 200
    assert answer.json()["units"] == "s"
    assert "clock" not in answer.json()
    body = wire.code()
    assert body["interval"] == 1
    wire.emu.approve(body["user_code"], "jane@example.com")
    assert wire.poll_json(body["device_code"]) == {"error": "other_dc", "dc": "eu"}


@pytest.mark.parametrize(
    "payload",
    [
        {"units": "minutes"},
        {"port": 80},
        {"nonsense": 1},
        {"accounts": [1, 2]},
        {"interval": "x"},
        [1],
    ],
)
def test_bad_config_is_refused_and_changes_nothing(
    wire: Wire, http: httpx.Client, payload: object
) -> None:
    answer = http.post(wire.emu.root_url + "/emulator/config", json=payload)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert wire.emu.config.units == "ms"


def test_revoke_user_over_http(wire: Wire, http: httpx.Client) -> None:
    tokens = wire.tokens()
    answer = http.post(
        wire.emu.root_url + "/emulator/revoke-user", data={"account": "ada@example.com"}
    )
    assert answer.json() == {"status": "success", "revoked": 1}
    assert wire.refresh(tokens["refresh_token"]).json() == {"error": "invalid_code"}


def test_unknown_control_endpoint(wire: Wire, http: httpx.Client) -> None:
    answer = http.get(wire.emu.root_url + "/emulator/explode")
    assert answer.status_code == 404
    assert answer.json()["error"] == "invalid_request"


def test_lifecycle_and_urls() -> None:
    accounts = {"ada@example.com": "us", "jane@example.com": "eu"}
    emu = Emulator(EmulatorConfig(interval=0.2), locations=("us", "eu"), accounts=accounts)
    with pytest.raises(RuntimeError):
        _ = emu.root_url
    with emu:
        assert emu.running
        assert emu.base_url("eu") == f"http://127.0.0.1:{emu.port}/eu"
        assert emu.urls == {"us": emu.base_url("us"), "eu": emu.base_url("eu")}
        assert emu.api_urls["eu"] == f"http://127.0.0.1:{emu.port}/zohoapis/eu"
        with pytest.raises(KeyError):
            emu.base_url("jp")
        assert emu.start() is emu
    assert not emu.running
    emu.stop()  # twice is fine


def test_config_validation_names_the_problem() -> None:
    with pytest.raises(ValueError, match="interval must be a positive"):
        EmulatorConfig(interval=0)
    with pytest.raises(ValueError, match="not emulated"):
        EmulatorConfig(accounts={"x@example.com": "mars"})
    with pytest.raises(ValueError, match="error_status"):
        EmulatorConfig(error_status=500)


def test_url_host_is_used_in_every_url(
    make_emulator: Callable[..., Emulator], http: httpx.Client
) -> None:
    emu = make_emulator(url_host="tv.local")
    assert emu.base_url("us") == f"http://tv.local:{emu.port}/us"
    body = http.post(
        f"http://127.0.0.1:{emu.port}/us/oauth/v3/device/code",
        data={
            "client_id": "1000.TVAUTHDEMOCLIENT0EMULATOR00001",
            "grant_type": "device_request",
            "scope": "AaaServer.profile.READ",
        },
    ).json()
    assert body["verification_url"].startswith(f"http://tv.local:{emu.port}/us/")
