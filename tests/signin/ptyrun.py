"""A ``python -m tvauth`` process on a pseudo-terminal of a given size (os.openpty + subprocess).

Keeps every byte the program draws; text searches run on the output with escape sequences removed.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence

from tests.signin.proc import strip_ansi

__all__ = ["PtyRun"]


class PtyRun:
    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], *, cols: int = 100, rows: int = 30
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tvauth", *args],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env={**env, "COLUMNS": str(cols), "LINES": str(rows)},
                start_new_session=True,  # the pty becomes its controlling terminal
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.fd = master
        self.raw = b""

    def _pump(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); False once the terminal is closed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the program closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    @property
    def text(self) -> str:
        return strip_ansi(self.raw.decode("utf-8", "replace"))

    def wait_for(self, needle: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; screen so far:\n{self.tail()}")
            if not self._pump(0.05) and needle not in self.text:
                raise AssertionError(
                    f"tvauth closed the terminal before {needle!r} "
                    f"(exit {self.proc.poll()}):\n{self.tail()}"
                )

    def tail(self, size: int = 3000) -> str:
        return self.text[-size:]

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_exit(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout} s:\n{self.tail()}")
            self._pump(0.05)
        while self._pump(0.05) and select.select([self.fd], [], [], 0)[0]:
            pass
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        os.close(self.fd)
