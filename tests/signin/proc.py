"""Running ``python -m tvauth`` as a real process and reading what it prints while it runs."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["SECRET_SHAPE", "Running", "base_env", "no_secrets", "run_once", "start"]

# What the emulator's device codes, access and refresh tokens look like.
SECRET_SHAPE = re.compile(r"1004\.[0-9a-f]{8,}\.[0-9a-f]{8,}")
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>NOM78c]"
)

# Variables of the developer's shell that would change what tvauth does.
_DROP = (
    "TVAUTH_",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def base_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without tvauth settings or proxies, with ``TVAUTH_HOME=home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP)}
    env["TVAUTH_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.update(extra or {})
    return env


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def no_secrets(text: str, *secrets: str) -> bool:
    """True when ``text`` holds no token-shaped string and none of ``secrets``.

    A helper so that a failing assert does not print the secret it found.
    """
    return SECRET_SHAPE.search(text) is None and not any(s and s in text for s in secrets)


def run_once(
    args: Sequence[str], env: Mapping[str, str], timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """``python -m tvauth ARGS`` to completion, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "tvauth", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        check=False,
    )


class Running:
    """A tvauth process whose stdout is read line by line on a thread (no pipe can fill up)."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tvauth", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env),
        )
        self.lines: list[str] = []
        self.err_lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, True), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, False), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self, stream: object, is_out: bool) -> None:
        assert stream is not None
        for line in stream:  # type: ignore[attr-defined]
            if is_out:
                self.lines.append(line)
                self._new.put(line)
            else:
                self.err_lines.append(line)
        if is_out:
            self._new.put(None)

    @property
    def stdout(self) -> str:
        return "".join(self.lines)

    @property
    def stderr(self) -> str:
        return "".join(self.err_lines)

    def wait_for(self, pattern: str, timeout: float = 15.0) -> re.Match[str]:
        """The first stdout line (read so far or to come) matching ``pattern``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                match = regex.search(line)
                if match:
                    return match
            seen = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no line matching {pattern!r} within {timeout} s; stdout so far:\n"
                    f"{self.stdout}\nstderr:\n{self.stderr}"
                )
            try:
                item = self._new.get(timeout=left)
            except queue.Empty:
                continue
            if item is None and self.proc.poll() is not None:
                for line in self.lines[seen:]:
                    match = regex.search(line)
                    if match:
                        return match
                raise AssertionError(
                    f"tvauth exited ({self.proc.returncode}) before printing {pattern!r}:\n"
                    f"{self.stdout}\nstderr:\n{self.stderr}"
                )

    def finish(self, timeout: float = 15.0) -> int:
        """Wait for the exit status; all output is read once this returns."""
        code = self.proc.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)


def start(args: Sequence[str], env: Mapping[str, str]) -> Running:
    return Running(args, env)
