"""``tvauth login`` as a real process against the emulator, approved through its web pages.

The process only gets what a person would set (TVAUTH_HOME, TVAUTH_CLIENT_ID, TVAUTH_CLIENT_SECRET,
TVAUTH_ACCOUNTS_URL). The approval goes through the verification page with a real HTTP client,
form by form, exactly as a phone does; the emulator's control API is not used for it.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.signin.helpers import whoami_sync
from tests.signin.phone import approve_on_page
from tests.signin.proc import Running, base_env, no_secrets, run_once
from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.paths import resolve_paths
from tvauth.store import TokenStore

pytestmark = pytest.mark.timeout(60)

CODE_LINE = r"^Code: (\S+)$"
URL_LINE = r"^Go to (\S+) and enter the code\.$"
JANE = "jane@example.com"


def client_env(emu: Emulator, home: Path, **extra: str) -> dict[str, str]:
    return base_env(
        home,
        {
            "TVAUTH_CLIENT_ID": DEMO_CLIENT_ID,
            "TVAUTH_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "TVAUTH_ACCOUNTS_URL": emu.base_url("us"),
            **extra,
        },
    )


@pytest.fixture
def processes() -> Iterator[list[Running]]:
    """Every process a test starts; all killed at the end, whatever happened."""
    started: list[Running] = []
    yield started
    for proc in started:
        proc.kill()


def login(processes: list[Running], env: dict[str, str], *args: str) -> Running:
    proc = Running(args or ("login", "--plain"), env)
    processes.append(proc)
    return proc


def approve_from_screen(proc: Running, *, decision: str = "allow", account: str = JANE) -> str:
    """Read the code and address off the output and approve like a person with a phone."""
    code = proc.wait_for(CODE_LINE).group(1)
    shown = proc.wait_for(URL_LINE).group(1)
    url = shown if "://" in shown else f"https://{shown}"
    page = approve_on_page(url, user_code=code, account=account, decision=decision)
    return page


def store_of(home: Path) -> TokenStore:
    return TokenStore(resolve_paths({"TVAUTH_HOME": str(home)}).tokens_dir)


def test_login_plain_then_status_and_token(
    live_emu: Emulator, tmp_path: Path, processes: list[Running]
) -> None:
    home = tmp_path / "home"
    env = client_env(live_emu, home)
    proc = login(processes, env, "login", "--plain")

    done = approve_from_screen(proc)
    assert "Device signed in" in done

    proc.wait_for(rf"^Signed in as {re.escape(JANE)}, ")
    assert proc.finish() == 0
    out = proc.stdout
    # What a person needs, in order: the scopes, the code, the address, the switch, the result.
    assert out.index("Code: ") < out.index("Go to ") < out.index("Signed in as")
    assert re.search(
        r"^Approved by an account in .*EU.*; finishing the sign-in there\.$", out, re.M
    )
    assert "Access token valid until" in out
    assert proc.stderr == ""
    # Polled only until approved; one code.
    assert len(live_emu.requests_to("/oauth/v3/device/code")) == 1

    profile = store_of(home).load("default")
    assert profile is not None
    assert profile.email == JANE
    assert profile.location == "eu"

    status = run_once(["status"], env)
    assert status.returncode == 0, status.stderr
    assert JANE in status.stdout
    status_json = run_once(["status", "--json"], env)
    assert status_json.returncode == 0, status_json.stderr
    info = json.loads(status_json.stdout)
    assert JANE in json.dumps(info)

    token = run_once(["token"], env)
    assert token.returncode == 0, token.stderr
    printed = token.stdout.strip()
    assert profile.access_token is not None
    assert printed == profile.access_token.reveal()
    assert profile.api_domain is not None
    answer = whoami_sync(profile.api_domain, printed)
    assert answer["http_status"] == 200
    assert answer["user"]["email"] == JANE
    # The cached token was served: no refresh.
    assert live_emu.requests_to("/oauth/v2/token") == []

    for text in (out, proc.stderr, status.stdout, status.stderr, status_json.stdout, token.stderr):
        assert no_secrets(text, DEMO_CLIENT_SECRET)

    # Signed in already: says so, exits 0, and asks Zoho for nothing.
    requests = len(live_emu.log())
    again = run_once(["login", "--plain"], env)
    assert again.returncode == 0, again.stderr
    assert f"Already signed in as {JANE}" in again.stdout
    assert len(live_emu.log()) == requests
    assert no_secrets(again.stdout + again.stderr, DEMO_CLIENT_SECRET)

    # The settings now ask for more: not "already signed in", and still no request.
    wider = run_once(
        ["login", "--plain"], {**env, "TVAUTH_SCOPE": "AaaServer.profile.Read,ZohoCRM.modules.ALL"}
    )
    assert wider.returncode == 1
    assert "Already signed in" not in wider.stdout
    assert "without ZohoCRM.modules.ALL (asked for by env TVAUTH_SCOPE)" in wider.stdout
    assert "--force" in wider.stdout
    assert len(live_emu.log()) == requests


def test_no_terminal_means_plain_without_the_flag(
    live_emu: Emulator, tmp_path: Path, processes: list[Running]
) -> None:
    """Bare ``tvauth`` with stdout in a pipe: the plain text sign-in, not the full screen."""
    env = client_env(live_emu, tmp_path / "home", TERM="xterm-256color")
    proc = Running((), env)
    processes.append(proc)
    approve_from_screen(proc)
    proc.wait_for(rf"^Signed in as {re.escape(JANE)}, ")
    assert proc.finish() == 0
    assert "\x1b[" not in proc.stdout  # no escape sequences: it was not a screen
    assert no_secrets(proc.stdout + proc.stderr, DEMO_CLIENT_SECRET)


def test_missing_client_id_is_one_line_naming_what_to_set(
    live_emu: Emulator, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = base_env(home, {"TVAUTH_ACCOUNTS_URL": live_emu.base_url("us")})
    result = run_once(["login", "--plain"], env)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert "TVAUTH_CLIENT_ID" in line
    assert "--client-id" in line
    assert str(resolve_paths({"TVAUTH_HOME": str(home)}).config_file) in line
    assert "Traceback" not in result.stderr
    assert live_emu.log() == []


def test_wrong_client_id_names_the_data_center(
    live_emu: Emulator, tmp_path: Path, processes: list[Running]
) -> None:
    wrong = "1000.NOSUCHCLIENT0000000000000000000"
    env = client_env(live_emu, tmp_path / "home", TVAUTH_CLIENT_ID=wrong)
    result = run_once(["login", "--plain"], env)
    assert result.returncode == 1
    text = result.stdout + result.stderr
    assert "Sign-in failed:" in text
    failure = text[text.index("Sign-in failed:") :]
    assert wrong in failure
    host = live_emu.base_url("us").split("//", 1)[1].split("/", 1)[0]
    assert host in failure
    assert "data center" in failure
    assert "Traceback" not in text
    assert no_secrets(text, DEMO_CLIENT_SECRET)
    assert [e["error"] for e in live_emu.requests_to("/oauth/v3/device/code")] == ["invalid_client"]


def test_denied_on_the_page(live_emu: Emulator, tmp_path: Path, processes: list[Running]) -> None:
    home = tmp_path / "home"
    proc = login(processes, client_env(live_emu, home), "login", "--plain")
    done = approve_from_screen(proc, decision="deny")
    assert "Access denied" in done
    proc.wait_for(r"^Sign-in failed: ")
    assert proc.finish() == 3
    assert "Sign-in failed: The sign-in was denied on the verification page." in proc.stdout
    assert store_of(home).load("default") is None
    assert no_secrets(proc.stdout + proc.stderr, DEMO_CLIENT_SECRET)


def test_ctrl_c_while_waiting_exits_130_and_stops_polling(
    live_emu: Emulator, tmp_path: Path, processes: list[Running]
) -> None:
    proc = login(processes, client_env(live_emu, tmp_path / "home"), "login", "--plain")
    proc.wait_for(r"^Waiting for approval; ")
    proc.proc.send_signal(signal.SIGINT)
    assert proc.finish() == 130
    assert "Traceback" not in proc.stderr
    polls = len(live_emu.requests_to("/oauth/v3/device/token"))
    time.sleep(0.6)  # three intervals: a process still polling would show up
    assert len(live_emu.requests_to("/oauth/v3/device/token")) == polls


def test_server_unreachable_says_so_and_keeps_trying(
    tmp_path: Path, processes: list[Running]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = base_env(
        tmp_path / "home",
        {
            "TVAUTH_CLIENT_ID": DEMO_CLIENT_ID,
            "TVAUTH_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "TVAUTH_ACCOUNTS_URL": f"http://127.0.0.1:{port}/us",
        },
    )
    proc = login(processes, env, "login", "--plain")
    proc.wait_for(
        r"^Waiting for the network: 127\.0\.0\.1:\d+ refused the connection; trying again in "
    )
    time.sleep(0.5)
    assert proc.proc.poll() is None  # still trying, not crashed
    assert "Traceback" not in proc.stderr


def test_flags_debug_and_a_named_profile(
    live_emu: Emulator, tmp_path: Path, processes: list[Running]
) -> None:
    """Client and server from flags (nothing in the environment), stored as profile 'kiosk'."""
    home = tmp_path / "home"
    env = base_env(home)
    proc = login(
        processes,
        env,
        "--debug",
        "login",
        "--plain",
        "--profile",
        "kiosk",
        "--client-id",
        DEMO_CLIENT_ID,
        "--client-secret",
        DEMO_CLIENT_SECRET,
        "--accounts-url",
        live_emu.base_url("us"),
        "--scope",
        "AaaServer.profile.Read,ZohoCRM.modules.ALL",
    )
    approve_from_screen(proc, account="ada@example.com")
    proc.wait_for(r"^Signed in as ada@example\.com, ")
    assert proc.finish() == 0
    store = store_of(home)
    assert store.names() == ["kiosk"]
    profile = store.load("kiosk")
    assert profile is not None
    assert "ZohoCRM.modules.ALL" in profile.scopes
    token = run_once(["token", "--profile", "kiosk"], env)
    assert token.returncode == 0, token.stderr
    assert profile.access_token is not None
    assert token.stdout.strip() == profile.access_token.reveal()
    missing = run_once(["token"], env)  # the default profile was never signed in
    assert missing.returncode != 0
    # --debug logs every request to stderr, and still no secret (not even the one given by flag).
    assert "/oauth/v3/device/token" in proc.stderr
    assert no_secrets(proc.stdout + proc.stderr + missing.stderr, DEMO_CLIENT_SECRET)
    log_file = home / "logs" / "tvauth.log"
    assert log_file.exists()
    assert no_secrets(log_file.read_text(), DEMO_CLIENT_SECRET)


def test_corrupt_token_file_is_moved_aside_and_sign_in_goes_on(
    live_emu: Emulator, tmp_path: Path, processes: list[Running]
) -> None:
    home = tmp_path / "home"
    store = store_of(home)
    path = store.path_for("default")
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(b'{"version": 1, "name": "default", "access_tok')  # cut off mid-write
    path.chmod(0o600)
    proc = login(processes, client_env(live_emu, home), "login", "--plain")
    approve_from_screen(proc)
    proc.wait_for(rf"^Signed in as {re.escape(JANE)}, ")
    assert proc.finish() == 0
    # Said once, on stderr, naming the file; the new sign-in replaced it.
    assert str(path.name) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    profile = store.load("default")
    assert profile is not None
    assert profile.email == JANE
    assert [p for p in path.parent.iterdir() if p.name != path.name and "corrupt" in p.name]


def test_token_file_readable_by_others_stops_before_asking_for_a_code(
    live_emu: Emulator, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = client_env(live_emu, home)
    first = Running(("login", "--plain"), env)
    try:
        approve_from_screen(first)
        assert first.finish() == 0
    finally:
        first.kill()
    path = store_of(home).path_for("default")
    path.chmod(0o644)
    requests = len(live_emu.log())
    result = run_once(["login", "--plain"], env)
    assert result.returncode == 1
    assert "chmod 600" in result.stdout + result.stderr
    assert len(live_emu.log()) == requests
    assert no_secrets(result.stdout + result.stderr, DEMO_CLIENT_SECRET)
