"""The app on a 16-colour console (TERM=linux), as a real process in a pseudo-terminal.

A Raspberry Pi kiosk often has no X: the Linux virtual console knows 16 colours and nothing else.
The app must then write only the 16 ANSI colours (no 256-colour or true-colour escapes), and the QR
code must still be black modules on a bright white field.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import struct
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tvauth.ui.app import _wants_ansi

ROOT = Path(__file__).resolve().parents[2]
SGR = re.compile(rb"\x1b\[([0-9;]*)m")
CSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[\]P][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")

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


def _run_in_pty(term: str, size: tuple[int, int], marker: bytes) -> tuple[bytes, int]:
    """Run the scripted app until ``marker`` is on screen, press Ctrl+C; output and exit status."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": term,
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/tmp"),
        "TVAUTH_HOME": os.environ["TVAUTH_HOME"],
    }
    argv = [sys.executable, "-c", SCRIPTED_APP.format(root=str(ROOT))]
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(argv[0], argv, env)  # noqa: S606 (a fixed argv, no shell)
    import fcntl
    import termios

    cols, rows = size
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = b""
    deadline = time.monotonic() + 30
    try:
        while marker not in CSI.sub(b"", out):
            assert time.monotonic() < deadline, out[-2000:]
            if select.select([fd], [], [], 0.1)[0]:
                out += os.read(fd, 65536)
        os.write(fd, b"\x03")  # Ctrl+C
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        _, status = os.waitpid(pid, 0)
        return out, os.waitstatus_to_exitcode(status)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(fd)


@pytest.mark.slow
def test_linux_console_gets_sixteen_colours_and_a_black_on_white_qr() -> None:
    out, status = _run_in_pty("linux", (80, 24), b"Code expires in")
    assert status == 130  # Ctrl+C while signing in
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
    ],
)
def test_sixteen_colour_mode_is_picked_from_the_environment(monkeypatch, env, ansi) -> None:  # type: ignore[no-untyped-def]
    for name in ("TERM", "COLORTERM", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _wants_ansi() is ansi
