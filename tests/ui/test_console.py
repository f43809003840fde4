"""The app on a 16-colour console (TERM=linux), as a real process in a pseudo-terminal.

A Raspberry Pi kiosk often has no X: the Linux virtual console knows 16 colours and nothing else.
The app must then write only the 16 ANSI colours (no 256-colour or true-colour escapes), and the QR
code must still be black modules on a bright white field.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from tests.ui.ptyterm import SGR, PtyProgram
from tvauth.ui.app import _wants_ansi

ROOT = Path(__file__).resolve().parents[2]

SCRIPTED_APP = textwrap.dedent(
    """
    import asyncio, sys, time
    sys.path.insert(0, {root!r})
    from tests.ui.fakes import ScriptedSession, issued, FrozenClock
    from tvauth.events import Requesting
    from tvauth.ui.app import run_app

    class Session(ScriptedSession):
        def sign_in(self):
            async def events():
                clock = FrozenClock(time.monotonic())
                yield Requesting(self.accounts_url, clock.now)
                yield issued(clock)
                await asyncio.Event().wait()
            return events()

    sys.exit(run_app(Session()))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
def test_linux_console_gets_sixteen_colours_and_a_black_on_white_qr(no_color: bool) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "linux",
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/tmp"),
        "TVAUTH_HOME": os.environ["TVAUTH_HOME"],
    }
    if no_color:
        env["NO_COLOR"] = "1"
    argv = [sys.executable, "-c", SCRIPTED_APP.format(root=str(ROOT))]
    with PtyProgram(argv, env=env, size=(80, 24)) as app:
        app.wait_for("Code expires in")
        app.press(b"\x03")  # Ctrl+C
        assert app.wait_exit() == 130  # quit while signing in
        out = app.output
    codes = [params.split(b";") for params in SGR.findall(out)]
    extended = [p for p in codes if b"38" in p or b"48" in p]
    assert extended == [], f"256/true-colour escapes on a 16-colour console: {extended[:5]}"
    # The QR: black foreground (30) on bright white background (107), explicitly.
    assert [b"30", b"107"] in codes
    assert b"Traceback" not in out


@pytest.mark.parametrize(
    ("env", "ansi"),
    [
        ({"TERM": "linux"}, True),
        ({"TERM": "xterm"}, True),
        ({"TERM": "vt100"}, True),
        ({"TERM": "xterm-256color"}, False),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, False),
        ({"TERM": "linux", "TEXTUAL_COLOR_SYSTEM": "truecolor"}, False),
        ({"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "standard"}, True),
        ({"TERM": "linux", "NO_COLOR": "1"}, False),
    ],
)
def test_sixteen_colour_mode_is_picked_from_the_environment(monkeypatch, env, ansi) -> None:  # type: ignore[no-untyped-def]
    for name in ("TERM", "COLORTERM", "TEXTUAL_COLOR_SYSTEM", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _wants_ansi() is ansi
