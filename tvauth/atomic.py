"""Atomic, durable, private file writes.

A token file is replaced, never edited: the new body goes to a temporary file in the same
directory (created 0600, so it is never readable by others, not even for an instant), is fsynced,
renamed over the old one, and the directory is fsynced so the rename itself survives a power cut.
At every instant the path names either the complete old file or the complete new one.

The operating-system calls go through :class:`FileOps` so tests can inject a full disk or a
read-only file system at the exact call that would fail (the tests run as root, where chmod cannot
make a directory read-only).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from tvauth.errors import StoreError

__all__ = ["REAL_FILE_OPS", "TEMP_SUFFIX", "FileOps", "atomic_write_private", "describe_os_error"]

TEMP_SUFFIX = ".tmp"

# fsync on a directory is refused by some file systems (FUSE, network mounts): nothing to fix there.
_DIR_SYNC_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


class FileOps:
    """The system calls a write makes; subclass to inject faults."""

    def open_new(self, path: Path) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
        return os.open(path, flags, 0o600)

    def write(self, fd: int, data: bytes) -> int:
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def replace(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)

    def fsync_dir(self, directory: Path) -> None:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


REAL_FILE_OPS = FileOps()


def describe_os_error(exc: OSError, path: Path, doing: str) -> StoreError:
    """A StoreError a person can act on, for an OSError met while ``doing`` something to ``path``."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(
            f"The disk is full: could not {doing} {path}.",
            "Free some space on this device and try again; the previous token file is unchanged.",
        )
    if code == errno.EROFS:
        return StoreError(
            f"The file system holding {path} is read-only: could not {doing} it.",
            "Remount it read-write, or point TVAUTH_HOME at a writable directory.",
        )
    if code in (errno.EACCES, errno.EPERM):
        return StoreError(
            f"No permission to {doing} {path}.",
            "Run tvauth as the user that owns its files, or fix the owner of that directory.",
        )
    if code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return StoreError(
            f"Could not {doing} {path}: something that is not a directory is in the way.",
            "Remove or rename the file blocking that path, or point TVAUTH_HOME elsewhere.",
        )
    reason = exc.strerror or type(exc).__name__
    return StoreError(
        f"Could not {doing} {path}: {reason}.",
        "Check the disk and the directory's permissions; the previous token file is unchanged.",
    )


def _write_all(ops: FileOps, fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = ops.write(fd, view.tobytes())
        if written <= 0:
            raise OSError(errno.EIO, "short write")
        view = view[written:]


def atomic_write_private(path: Path, data: bytes, *, ops: FileOps = REAL_FILE_OPS) -> None:
    """Replace ``path`` with ``data`` atomically and durably, as a 0600 file.

    Raises StoreError (with the OS reason in words) and leaves the old file untouched on any failure.
    """
    directory = path.parent
    temp = directory / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
    try:
        fd = ops.open_new(temp)
    except OSError as exc:
        raise describe_os_error(exc, path, "write") from exc
    try:
        try:
            os.fchmod(fd, 0o600)  # a restrictive umask may have taken bits we need
            _write_all(ops, fd, data)
            ops.fsync(fd)
        finally:
            os.close(fd)
        ops.replace(temp, path)
    except OSError as exc:
        _unlink_quietly(temp)
        raise describe_os_error(exc, path, "write") from exc
    except BaseException:
        _unlink_quietly(temp)
        raise
    try:
        ops.fsync_dir(directory)
    except OSError as exc:
        if exc.errno in _DIR_SYNC_UNSUPPORTED:
            return  # this file system cannot do better; the rename is done
        # The new file is in place; only its durability across a power cut is in doubt.
        reason = exc.strerror or type(exc).__name__
        raise StoreError(
            f"Wrote {path}, but could not flush its directory {directory} to disk ({reason}); "
            "a power cut now could undo the change.",
            "Check the disk (dmesg shows its errors) and try again.",
        ) from exc


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
