"""``tvauth login`` on a terminal: the full-screen app in a real pseudo-terminal (100x30).

The person reads the code off the screen, scans the QR (the pre-filled verification address) with
a phone and presses Allow; the screen then says who signed in, the token is on disk, Q quits.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.signin.helpers import whoami_sync
from tests.signin.phone import approve_on_page
from tests.signin.proc import base_env, no_secrets
from tests.signin.ptyrun import PtyRun
from tvauth import bigtext
from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.paths import resolve_paths
from tvauth.store import TokenStore

pytestmark = pytest.mark.timeout(60)

JANE = "jane@example.com"
ALT_SCREEN = "\x1b[?1049h"


def shows_in_big_letters(screen: str, code: str) -> bool:
    """True when every group of ``code`` is drawn in block letters, at some size, on ``screen``."""
    for chunk in bigtext.group(code):
        if not any(
            all(row.rstrip() in screen for row in bigtext.render(chunk, height=h) if row.strip())
            for h in bigtext.SIZES
        ):
            return False
    return True


@pytest.fixture
def running() -> Iterator[list[PtyRun]]:
    started: list[PtyRun] = []
    yield started
    for program in started:
        program.close()


def test_full_screen_login_in_a_pty(
    live_emu: Emulator, tmp_path: Path, running: list[PtyRun]
) -> None:
    home = tmp_path / "home"
    env = base_env(
        home,
        {
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "TVAUTH_CLIENT_ID": DEMO_CLIENT_ID,
            "TVAUTH_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "TVAUTH_ACCOUNTS_URL": live_emu.base_url("us"),
        },
    )
    app = PtyRun(["login"], env, cols=100, rows=30)
    running.append(app)

    code = live_emu.wait_for_user_code(timeout=20)
    app.wait_for("Code expires in")
    assert ALT_SCREEN in app.raw.decode("utf-8", "replace"), "not a full-screen app"
    screen = app.text
    assert live_emu.verification_url("us").split("://", 1)[1] in screen
    assert shows_in_big_letters(screen, code), f"code {code} not drawn:\n{app.tail()}"
    # Another code is not on the screen (the check can tell codes apart).
    other = "".join(reversed(code)) if code != code[::-1] else "WXYZ2345"
    assert not shows_in_big_letters(screen, other)

    # The phone: the QR leads to the pre-filled page; pick Jane (EU) and press Allow.
    done = approve_on_page(f"{live_emu.verification_url('us')}?user_code={code}", account=JANE)
    assert "Device signed in" in done

    app.wait_for(f"Signed in as {JANE}")
    store = TokenStore(resolve_paths({"TVAUTH_HOME": str(home)}).tokens_dir)
    profile = store.load("default")
    assert profile is not None
    assert profile.email == JANE
    assert stat.S_IMODE(store.path_for("default").stat().st_mode) == 0o600
    assert profile.access_token is not None
    assert profile.api_domain is not None
    assert whoami_sync(profile.api_domain, profile.access_token.reveal())["user"]["email"] == JANE

    app.press(b"q")
    assert app.wait_exit(timeout=15) == 0
    everything = app.raw.decode("utf-8", "replace")
    assert "Traceback" not in app.text
    assert no_secrets(everything, DEMO_CLIENT_SECRET)
    # Still signed in after quitting (Q does not sign out), and no second code was asked for.
    assert store.load("default") is not None
    assert len(live_emu.requests_to("/oauth/v3/device/code")) == 1


# One line on a wide screen; broken with " \\" continuations where the column is narrower.
_CURL = re.compile(r"(curl(?:(?: \\)?\s+-d \S+=\S+)+)(?: \\)?\s+(http://\S+/emulator/approve)")


def test_full_screen_demo_approved_with_the_curl_line_on_screen(
    tmp_path: Path, running: list[PtyRun]
) -> None:
    home = tmp_path / "real-home"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = base_env(home, {"TERM": "xterm-256color", "LANG": "C.UTF-8", "TMPDIR": str(scratch)})
    app = PtyRun(["demo"], env, cols=160, rows=45)
    running.append(app)

    app.wait_for("/emulator/approve")
    found = _CURL.search(app.text)
    assert found is not None, app.tail()
    parts = found.group(1).split()[1:]
    fields = dict(part.split("=", 1) for part in parts if part not in {"-d", "\\"})
    assert set(fields) == {"user_code", "account"}
    with httpx.Client(timeout=10, trust_env=False) as client:
        answer = client.post(found.group(2), data=fields)
    assert answer.status_code == 200, answer.text

    app.wait_for("Signed in as jane@example.com", timeout=25)
    app.press(b"q")
    assert app.wait_exit(timeout=15) == 0
    assert "Traceback" not in app.text
    assert no_secrets(app.raw.decode("utf-8", "replace"))
    assert not home.exists()
    assert list(scratch.iterdir()) == []


def test_full_screen_problem_screen_for_a_wrong_client(
    live_emu: Emulator, tmp_path: Path, running: list[PtyRun]
) -> None:
    wrong = "1000.NOSUCHCLIENT0000000000000000000"
    env = base_env(
        tmp_path / "home",
        {
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "TVAUTH_CLIENT_ID": wrong,
            "TVAUTH_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "TVAUTH_ACCOUNTS_URL": live_emu.base_url("us"),
        },
    )
    app = PtyRun(["login"], env, cols=100, rows=30)
    running.append(app)
    app.wait_for("does not accept the client id")
    assert wrong in " ".join(app.text.split())  # the id, possibly wrapped
    app.press(b"q")
    assert app.wait_exit(timeout=15) == 1
    assert no_secrets(app.raw.decode("utf-8", "replace"), DEMO_CLIENT_SECRET)


def test_missing_client_id_on_a_terminal_is_said_before_the_screen(
    live_emu: Emulator, tmp_path: Path, running: list[PtyRun]
) -> None:
    env = base_env(
        tmp_path / "home",
        {"TERM": "xterm-256color", "TVAUTH_ACCOUNTS_URL": live_emu.base_url("us")},
    )
    app = PtyRun(["login"], env, cols=100, rows=30)
    running.append(app)
    assert app.wait_exit(timeout=15) == 1
    assert ALT_SCREEN not in app.raw.decode("utf-8", "replace")
    lines = [line for line in app.text.splitlines() if line.strip()]
    assert len(lines) == 1, app.text
    assert "TVAUTH_CLIENT_ID" in lines[0]
    assert "--client-id" in lines[0]
    assert live_emu.log() == []
