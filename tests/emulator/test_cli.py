"""``tvauth emulator`` as a process: the lines it prints, its flags, a clean exit on signals."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET


def _spawn(*flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tvauth", "emulator", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _banner(proc: subprocess.Popen[str]) -> dict[str, list[str]]:
    """The start-up lines, by first word, up to the ``control`` line."""
    assert proc.stdout is not None
    lines: dict[str, list[str]] = {}
    for line in proc.stdout:
        word, _, rest = line.rstrip("\n").partition(" ")
        lines.setdefault(word, []).append(rest)
        if word == "control":
            return lines
    raise AssertionError(
        f"emulator exited early: {proc.wait()} {proc.stderr.read() if proc.stderr else ''}"
    )


@pytest.fixture
def running() -> Iterator[subprocess.Popen[str]]:
    proc = _spawn(
        "--interval",
        "0.2",
        "--account",
        "bob@example.com:jp",
        "--client",
        "1000.EXTRACLIENT0000000000000000000:extrasecret",
        "--units",
        "s",
        "--user-location-key",
        "dc",
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_prints_each_dc_then_the_demo_client_and_accounts(
    running: subprocess.Popen[str],
) -> None:
    lines = _banner(running)
    assert lines["us"][0].startswith("http://127.0.0.1:")
    assert lines["us"][0].endswith("/us")
    assert lines["eu"][0].endswith("/eu")
    assert lines["demo-client-id"] == [DEMO_CLIENT_ID]
    assert lines["demo-client-secret"][0].startswith(DEMO_CLIENT_SECRET)
    assert "ada@example.com us" in lines["account"]
    assert "bob@example.com jp" in lines["account"]


def test_full_flow_over_the_wire_with_flags_applied(running: subprocess.Popen[str]) -> None:
    lines = _banner(running)
    us, jp = lines["us"][0], lines["jp"][0]
    client = {"client_id": "1000.EXTRACLIENT0000000000000000000"}
    with httpx.Client(timeout=5) as http:
        code = http.post(
            us + "/oauth/v3/device/code",
            data={
                **client,
                "grant_type": "device_request",
                "scope": "AaaServer.profile.READ",
                "access_type": "offline",
            },
        ).json()
        assert code["interval"] == 0  # --units s with a 0.2 s interval
        approved = http.post(
            us + "/emulator/approve",
            data={"user_code": code["user_code"], "account": "bob@example.com"},
        )
        assert approved.json()["user_location"] == "jp"
        poll = {
            **client,
            "client_secret": "extrasecret",
            "grant_type": "device_token",
            "code": code["device_code"],
        }
        assert http.post(us + "/oauth/v3/device/token", data=poll).json() == {
            "error": "other_dc",
            "dc": "jp",
        }
        tokens = http.post(jp + "/oauth/v3/device/token", data=poll).json()
        info = http.get(
            jp + "/oauth/user/info",
            headers={"Authorization": f"Zoho-oauthtoken {tokens['access_token']}"},
        )
        assert info.json()["Email"] == "bob@example.com"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_it_cleanly(running: subprocess.Popen[str], sig: signal.Signals) -> None:
    _banner(running)
    running.send_signal(sig)
    assert running.wait(timeout=10) == 0
    assert running.stderr is not None
    assert running.stderr.read() == ""


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--account", "nobody"], "must look like EMAIL:LOCATION"),
        (["--account", "x@example.com:mars"], "not emulated"),
        (["--client", "1000.X"], "must look like ID:SECRET"),
        (["--auto-approve", "nobody@example.com"], "auto_approve"),
        (["--location", "us", "--client-location", "eu"], "client_location"),
    ],
)
def test_bad_flags_exit_2_with_a_reason(flags: list[str], message: str) -> None:
    proc = _spawn(*flags)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert message in err
    assert "Traceback" not in err


def test_busy_port_exits_1_with_a_reason() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "tvauth", "emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    assert proc.returncode == 1
    assert "cannot listen" in proc.stderr
    assert "--port 0" in proc.stderr
