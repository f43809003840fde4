"""A program on a pseudo-terminal, for tests that need the real thing (a console, a kiosk's tty).

Not a terminal emulator: it keeps every byte the program wrote, and answers "has this text been
drawn yet" by searching the output with escape sequences removed (Textual writes each run of text
as one piece).
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import struct
import time
from collections.abc import Mapping, Sequence

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[\]P][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
SGR = re.compile(rb"\x1b\[([0-9;]*)m")


class PtyProgram:
    """``argv`` started on a new pty of ``size`` (columns, rows) with exactly ``env``."""

    def __init__(
        self, argv: Sequence[str], *, env: Mapping[str, str], size: tuple[int, int] = (100, 30)
    ) -> None:
        self.output = b""
        self.status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.execve(argv[0], list(argv), dict(env))  # noqa: S606 (a fixed argv, no shell)
        import fcntl
        import termios

        cols, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd

    def _read(self, timeout: float) -> bool:
        if not select.select([self.fd], [], [], timeout)[0]:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        self.output += chunk
        return bool(chunk)

    @property
    def text(self) -> str:
        """Everything drawn so far, escape sequences removed."""
        return ESCAPES.sub(b"", self.output).decode("utf-8", "replace")

    def wait_for(self, marker: str, timeout: float = 20.0) -> None:
        """Until ``marker`` has been drawn; fails with the screen's tail if it never is."""
        deadline = time.monotonic() + timeout
        while marker not in self.text:
            assert time.monotonic() < deadline, f"{marker!r} never drawn:\n{self.text[-3000:]}"
            if not self._read(0.1):
                assert marker in self.text, f"ended before {marker!r}:\n{self.text[-3000:]}"

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Exit status (waiting up to ``timeout`` s, reading the rest of the output)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                while self._read(0.05) and select.select([self.fd], [], [], 0)[0]:
                    pass
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            self._read(0.05)
        raise AssertionError(f"still running after {timeout} s:\n{self.text[-3000:]}")

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except ProcessLookupError:
                pass
        os.close(self.fd)

    def __enter__(self) -> PtyProgram:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
