"""A cross-process lock per profile: ``flock`` on a ``<name>.lock`` file beside the token file.

The lock lives in its own file because the token file is replaced by rename, and a lock on a
replaced inode protects nothing. Lock files are never deleted (deleting one while another process
waits on it would let two holders in). ``flock`` locks belong to an open file description, so two
threads or two asyncio tasks of one process, each opening the file, exclude each other too.

The async face polls with a non-blocking ``flock`` and short sleeps: a thread blocked in ``flock``
could not be cancelled, and would keep the lock after its task was gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from tvauth.atomic import describe_os_error
from tvauth.errors import StoreBusyError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "alocked", "locked"]

# Holders keep the lock for at most one HTTP exchange (bounded by its timeouts), so waiting this
# long means something is stuck; say so rather than hang forever.
DEFAULT_LOCK_TIMEOUT = 120.0


def _open_lock(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise describe_os_error(exc, path, "open the lock file") from exc


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _timeout_error(path: Path, timeout: float) -> StoreBusyError:
    return StoreBusyError(
        f"Another tvauth process has held {path} for more than {timeout:.0f} seconds.",
        "Check for a stuck tvauth process (ps aux | grep tvauth) and stop it.",
    )


@contextlib.contextmanager
def locked(path: Path, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock on ``path`` (blocking, up to ``timeout`` seconds)."""
    fd = _open_lock(path)
    try:
        if not _try_lock(fd):
            deadline = time.monotonic() + timeout
            delay = 0.001
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise _timeout_error(path, timeout)
                time.sleep(delay)
                delay = min(delay * 2, 0.02)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


@contextlib.asynccontextmanager
async def alocked(path: Path, *, wait_limit: float = DEFAULT_LOCK_TIMEOUT) -> AsyncIterator[None]:
    """Async twin of :func:`locked`; cancelling the waiting task gives up cleanly."""
    import asyncio  # not at module level: the cached ``tvauth token`` path never needs it

    fd = _open_lock(path)
    try:
        if not _try_lock(fd):
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait_limit
            delay = 0.001
            while not _try_lock(fd):
                if loop.time() >= deadline:
                    raise _timeout_error(path, wait_limit)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.02)
        yield
    finally:
        os.close(fd)
