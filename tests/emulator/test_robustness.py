"""Misbehaving clients: garbage, half requests, early closes, absurd sizes. The server keeps answering."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from urllib.parse import urlencode

import httpx
import pytest
from zoho_wire import PROFILE, Wire

from tvauth.emulator import DEMO_CLIENT_ID, Emulator


def _raw(emu: Emulator, payload: bytes, read: bool = True) -> bytes:
    """Send bytes on a fresh connection; what came back before the server closed (or 2 s)."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=2) as sock:
        sock.sendall(payload)
        if not read:
            return b""
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except OSError:
            pass
        return b"".join(chunks)


def _still_answers(emu: Emulator) -> None:
    with httpx.Client(timeout=5) as http:
        body = Wire(emu, http).code()
        assert body["device_code"].startswith("1004.")


GARBAGE = [
    b"\x00\xff\xfe garbage \x16\x03\x01\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello on the plain port
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\n"
    + b"X-Long: "
    + b"a" * 70000
    + b"\r\n\r\n",
    b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
    b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"PATCH /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /%00/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.mark.parametrize("payload", GARBAGE)
def test_garbage_gets_an_error_or_a_close_never_a_crash(
    emulator: Emulator, payload: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    reply = _raw(emulator, payload)
    assert reply == b"" or reply.startswith(b"HTTP/1.")
    assert b"Traceback" not in reply
    _still_answers(emulator)
    assert emulator.internal_errors == 0
    assert capfd.readouterr().err == ""


def test_bad_lengths_get_json_errors(emulator: Emulator) -> None:
    for length, status in ((b"abc", b"400"), (b"99999999", b"413")):
        reply = _raw(
            emulator,
            b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + length
            + b"\r\n\r\n",
        )
        assert reply.startswith(b"HTTP/1.1 " + status)
        assert reply.endswith(b'{"error":"invalid_request"}')


def test_half_requests_and_early_closes(emulator: Emulator) -> None:
    _raw(emulator, b"", read=False)  # connect, close
    _raw(emulator, b"POST /us/oauth/v3/dev", read=False)  # half a request line
    _raw(
        emulator,
        b"POST /us/oauth/v3/device/code HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
    )  # body promised, never sent
    _still_answers(emulator)
    assert emulator.internal_errors == 0


def test_half_open_connections_do_not_block_others(emulator: Emulator) -> None:
    idle = [socket.create_connection(("127.0.0.1", emulator.port)) for _ in range(20)]
    try:
        for sock in idle[:10]:
            sock.sendall(b"POST /us/oauth/v3/device/token HTTP/1.1\r\nHost: x\r\n")
        _still_answers(emulator)
    finally:
        for sock in idle:
            sock.close()


def test_too_many_parameters_is_invalid_request(wire: Wire, http: httpx.Client) -> None:
    data = {f"p{i}": "x" for i in range(500)}
    answer = http.post(wire.emu.base_url("us") + "/oauth/v3/device/code", data=data)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_body_that_is_not_utf8(wire: Wire, http: httpx.Client) -> None:
    answer = http.post(
        wire.emu.base_url("us") + "/oauth/v3/device/code",
        content=b"client_id=\xff\xfe&grant_type=device_request",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.json() == {"error": "invalid_client"}


def test_json_body_is_not_zohos_format(wire: Wire, http: httpx.Client) -> None:
    answer = http.post(
        wire.emu.base_url("us") + "/oauth/v3/device/code",
        json={"client_id": DEMO_CLIENT_ID, "grant_type": "device_request", "scope": PROFILE},
    )
    assert answer.json() == {"error": "invalid_client"}  # parameters were not read


def test_unknown_paths_and_locations(wire: Wire, http: httpx.Client) -> None:
    for path in ("/mars/oauth/v3/device/code", "/us/oauth/v9/nothing", "/zohoapis/mars/x"):
        answer = http.get(wire.emu.root_url + path)
        assert answer.status_code == 404
        assert answer.json()


def test_pipelined_keep_alive_requests_are_answered_in_order(emulator: Emulator) -> None:
    one = b"GET /us/oauth/serverinfo HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /eu/oauth/serverinfo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reply = _raw(emulator, one + one + last)
    assert reply.count(b"HTTP/1.1 200 OK") == 3
    assert reply.count(b'"result": "success"') == 3


def test_many_concurrent_keep_alive_clients(emulator: Emulator) -> None:
    failures: list[BaseException] = []

    body = urlencode(
        {"client_id": DEMO_CLIENT_ID, "grant_type": "device_request", "scope": PROFILE}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def client() -> None:
        conn = HTTPConnection("127.0.0.1", emulator.port, timeout=10)
        try:
            for _ in range(5):  # one keep-alive connection, five requests
                conn.request("POST", "/us/oauth/v3/device/code", body, headers)
                answer = conn.getresponse()
                assert json.loads(answer.read())["device_code"]
        except BaseException as err:  # reported below
            failures.append(err)
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(emulator.requests_to("/oauth/v3/device/code")) == 250


def test_stop_closes_idle_and_hanging_connections_promptly(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator()
    http = httpx.Client(timeout=30)
    wire = Wire(emu, http)
    code = wire.code()["device_code"]  # leaves a keep-alive connection open
    emu.set_faults(["hang"])
    errors: list[BaseException] = []

    def poll() -> None:
        try:
            wire.poll(code)
        except httpx.HTTPError as err:
            errors.append(err)

    hanging = threading.Thread(target=poll)
    hanging.start()
    while not emu.requests_to("/oauth/v3/device/token"):
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    hanging.join(timeout=5)
    assert not hanging.is_alive()
    assert time.monotonic() - started < 5
    assert errors  # the hanging client saw the connection end
    http.close()
