"""``tvauth login`` full screen, as a person runs it: a real process on a terminal, the emulator as
Zoho, and the code approved by typing it into the verification page the way one would on a phone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from tests.conftest import MakeEmulator
from tests.emulator.htmlforms import parse_forms
from tests.ui.ptyterm import PtyProgram
from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path, term: str = "xterm-256color") -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": term,
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "TVAUTH_HOME": str(home / "tvauth"),
        "PYTHONPATH": str(ROOT),
    }


def _login(base: str, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "tvauth", "login",
        "--client-id", DEMO_CLIENT_ID, "--client-secret", DEMO_CLIENT_SECRET,
        "--scope", "ZohoCRM.modules.ALL,AaaServer.profile.Read", "--accounts-url", base, *extra,
    ]  # fmt: skip


def _type_code_on_the_phone(page_url: str, user_code: str, account: str) -> str:
    with httpx.Client(timeout=5.0) as http:
        [form] = parse_forms(http.get(page_url).text)
        consent = http.post(
            urljoin(page_url, form.action), data=form.submission(user_code=user_code)
        )
        [form] = parse_forms(consent.text)
        allow = next(b for b in form.buttons() if b.value == "allow")
        done = http.post(
            urljoin(str(consent.url), form.action), data=form.submission(allow, account=account)
        )
        return done.text


@pytest.mark.slow
def test_login_full_screen_signs_in_and_stores_the_token(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    emulator = make_emulator(interval=0.2, code_lifetime=60.0)
    with PtyProgram(_login(emulator.base_url("us")), env=_env(tmp_path), size=(100, 30)) as app:
        app.wait_for("Code expires in")
        assert "Go to" in app.text
        code = emulator.wait_for_user_code()
        done = _type_code_on_the_phone(emulator.verification_url("us"), code, "jane@example.com")
        assert "Signed in as jane@example.com" in done
        app.wait_for("Signed in as jane@example.com")
        app.wait_for("Next renewal at")
        app.press(b"q")
        assert app.wait_exit() == 0
        assert "Traceback" not in app.text

    # The token is stored: the same command now goes straight to the signed-in screen.
    with PtyProgram(
        _login(emulator.base_url("us"), "--exit-on-success"), env=_env(tmp_path), size=(80, 24)
    ) as again:
        assert again.wait_exit(timeout=20) == 0
        assert "Code expires in" not in again.text


@pytest.mark.slow
def test_login_exit_on_success_for_kiosk_scripts(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    emulator = make_emulator(interval=0.2, code_lifetime=60.0, auto_approve="jane@example.com")
    argv = _login(emulator.base_url("us"), "--exit-on-success")
    with PtyProgram(argv, env=_env(tmp_path, term="linux"), size=(80, 24)) as app:
        assert app.wait_exit(timeout=20) == 0
        assert "Code expires in" in app.text
