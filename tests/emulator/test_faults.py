"""Faults: each kind, their order, which requests they hit, and the control API that queues them."""

from __future__ import annotations

import time

import httpx
import pytest
from zoho_wire import Wire


def _started(wire: Wire) -> str:
    body = wire.code()
    device_code: str = body["device_code"]
    return device_code


def test_drop_closes_without_answering(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["drop"])
    with pytest.raises(httpx.RemoteProtocolError):
        wire.poll(code)
    wire.emu.advance(1)
    assert wire.poll_json(code) == {"error": "authorization_pending"}


def test_reset_aborts_the_connection(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["reset"])
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        wire.poll(code)
    wire.emu.advance(1)
    assert wire.poll_json(code) == {"error": "authorization_pending"}


def test_hang_makes_the_client_time_out(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["hang"])
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        Wire(wire.emu, impatient).poll(code)
    wire.emu.advance(1)
    assert wire.poll_json(code) == {"error": "authorization_pending"}


def test_delay_answers_late_but_normally(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["delay:0.3"])
    started = time.monotonic()
    answer = wire.poll_json(code)
    assert time.monotonic() - started >= 0.25  # Event.wait may round a hair short
    assert answer == {"error": "authorization_pending"}
    assert wire.emu.requests_to("/oauth/v3/device/token")[-1]["fault"] == "delay:0.3"


def test_500_is_a_json_server_error(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["500"])
    answer = wire.poll(code)
    assert answer.status_code == 500
    assert "access_token" not in answer.json()


def test_502_html_is_an_html_error_page(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["502-html"])
    answer = wire.poll(code)
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text.lstrip().startswith("<html>")


def test_malformed_is_200_with_a_body_that_is_not_json(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["malformed"])
    answer = wire.poll(code)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError, match=r"."):
        answer.json()


def test_empty_is_200_with_no_body(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["empty"])
    answer = wire.poll(code)
    assert (answer.status_code, answer.content) == (200, b"")


def test_faults_apply_in_order_then_stop(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["503", "drop", "502-html"])
    assert wire.poll(code).status_code == 503
    with pytest.raises(httpx.RemoteProtocolError):
        wire.poll(code)
    assert wire.poll(code).status_code == 502
    assert wire.emu.pending_faults() == []
    wire.emu.advance(1)
    assert wire.poll_json(code) == {"error": "authorization_pending"}


def test_faults_hit_initiation_refresh_and_revoke_too(wire: Wire) -> None:
    tokens = wire.tokens()
    wire.emu.set_faults(["500", "500", "500"])
    assert wire.start().status_code == 500
    assert wire.refresh(tokens["refresh_token"]).status_code == 500
    assert wire.revoke(tokens["refresh_token"]).status_code == 500
    assert "access_token" in wire.refresh(tokens["refresh_token"]).json()  # nothing was spent


def test_faults_skip_pages_user_info_and_serverinfo(wire: Wire, http: httpx.Client) -> None:
    tokens = wire.tokens()
    wire.emu.set_faults(["500"])
    assert wire.user_info(tokens["access_token"]).status_code == 200
    assert http.get(wire.emu.base_url("us") + "/oauth/serverinfo").status_code == 200
    assert http.get(wire.emu.verification_url("us")).status_code == 200
    assert wire.emu.pending_faults() == ["500"]


def test_a_fault_can_wait_for_a_particular_path(wire: Wire) -> None:
    tokens = wire.tokens()
    wire.emu.set_faults([{"fault": "502-html", "path": "/oauth/user/info"}])
    assert wire.refresh(tokens["refresh_token"]).status_code == 200
    assert wire.user_info(tokens["access_token"]).status_code == 502


def test_faults_over_the_control_api(wire: Wire, http: httpx.Client) -> None:
    code = _started(wire)
    url = wire.emu.base_url("eu") + "/emulator/faults"
    answer = http.post(url, json=["500", "delay:0.01"])
    assert answer.json() == {"status": "success", "queued": 2}
    assert http.get(url).json() == {"faults": ["500", "delay:0.01"]}
    assert wire.poll(code).status_code == 500


@pytest.mark.parametrize(
    "payload", [["explode"], ["delay:soon"], ["delay:-1"], [5], {"fault": "500"}, "500"]
)
def test_bad_faults_are_refused_and_change_nothing(
    wire: Wire, http: httpx.Client, payload: object
) -> None:
    wire.emu.set_faults(["500"])
    answer = http.post(wire.emu.root_url + "/emulator/faults", json=payload)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"
    assert wire.emu.pending_faults() == ["500"]


def test_faults_body_that_is_not_json(wire: Wire, http: httpx.Client) -> None:
    answer = http.post(wire.emu.root_url + "/emulator/faults", content=b"drop, 500")
    assert answer.status_code == 400
    assert "not JSON" in answer.json()["error_description"]


def test_throttle_fault_is_zohos_access_denied(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.set_faults(["throttle"])
    answer = wire.poll(code)
    assert answer.status_code == 200
    assert answer.json()["error"] == "Access Denied"
    assert "too many requests" in answer.json()["error_description"]


def test_error_fault_answers_any_zoho_error(wire: Wire) -> None:
    code = _started(wire)
    wire.emu.configure(error_status=400)
    wire.emu.set_faults(["error:invalid_client", "error:Access Denied"])
    first = wire.poll(code)
    assert (first.status_code, first.json()) == (400, {"error": "invalid_client"})
    assert wire.poll(code).json() == {"error": "Access Denied"}
