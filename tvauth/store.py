"""The token store: one 0600 JSON file per profile in a 0700 directory.

Reads take no lock: writes replace files by atomic rename, so a reader sees a whole old file or a
whole new one. Every read-modify-write takes the profile's cross-process lock and re-reads after
locking, so two processes never overwrite each other's news (the MSAL-extensions pattern).

A file that cannot be parsed is never overwritten or deleted: it is renamed aside with a timestamp
and the person is told, either by the raised :class:`TokenFileCorruptError` (reads) or through the
store's ``on_warning`` callback (writes that go ahead after moving it).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from tvauth.atomic import (
    REAL_FILE_OPS,
    TEMP_SUFFIX,
    FileOps,
    atomic_write_private,
    describe_os_error,
)
from tvauth.errors import InsecurePermissionsError, StoreBusyError, TokenFileCorruptError
from tvauth.locking import DEFAULT_LOCK_TIMEOUT, alocked, locked
from tvauth.profile import (
    Profile,
    ProfileFormatError,
    decode_profile,
    encode_profile,
    validate_profile_name,
)

__all__ = ["PermissionReport", "TokenStore", "Updater", "check_permissions"]

Updater = Callable[[Profile | None], Profile | None]
"""Gets the current profile (re-read under the lock); returns what to write, or None to write nothing."""

_SUFFIX = ".json"
_LOCK_SUFFIX = ".lock"


def _warn_to_stderr(message: str) -> None:
    print(f"tvauth: warning: {message}", file=sys.stderr)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PermissionReport:
    """Whether a path's mode keeps other users out, and the command that fixes it if not."""

    __slots__ = ("fix", "mode", "ok", "path")

    def __init__(self, path: Path, mode: int, wanted: int) -> None:
        self.path = path
        self.mode = stat.S_IMODE(mode)
        self.ok = self.mode & 0o077 == 0
        self.fix = f"chmod {wanted:o} {path}"


def check_permissions(path: Path, *, directory: bool) -> PermissionReport:
    """Stat ``path`` (which must exist) and judge its mode."""
    st = os.stat(path)
    return PermissionReport(path, st.st_mode, 0o700 if directory else 0o600)


class TokenStore:
    """Profiles on disk. ``tokens_dir`` defaults to ``resolve_paths().tokens_dir`` (``TVAUTH_HOME``)."""

    def __init__(
        self,
        tokens_dir: Path | None = None,
        *,
        file_ops: FileOps = REAL_FILE_OPS,
        on_warning: Callable[[str], None] | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if tokens_dir is None:
            from tvauth.paths import resolve_paths

            tokens_dir = resolve_paths().tokens_dir
        self.tokens_dir = tokens_dir
        self._ops = file_ops
        self._warn = on_warning or _warn_to_stderr
        self._lock_timeout = lock_timeout
        self._clock = clock

    def __repr__(self) -> str:
        return f"TokenStore({str(self.tokens_dir)!r})"

    def warn(self, message: str) -> None:
        """Tell the person something they should know but that does not stop the work."""
        self._warn(message)

    # -- paths ---------------------------------------------------------------------------------

    def path_for(self, name: str) -> Path:
        """The token file of profile ``name`` (which need not exist)."""
        return self.tokens_dir / f"{validate_profile_name(name)}{_SUFFIX}"

    def lock_path_for(self, name: str) -> Path:
        """The lock file guarding profile ``name``."""
        return self.tokens_dir / f"{validate_profile_name(name)}{_LOCK_SUFFIX}"

    def names(self) -> list[str]:
        """Stored profile names, sorted (corrupt files moved aside and temporary files excluded)."""
        try:
            entries = list(os.scandir(self.tokens_dir))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise describe_os_error(exc, self.tokens_dir, "list") from exc
        found = []
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.endswith(_SUFFIX):
                continue
            stem = entry.name[: -len(_SUFFIX)]
            try:
                validate_profile_name(stem)
            except Exception:  # noqa: S112 - a stray file is not a profile
                continue
            found.append(stem)
        return sorted(found)

    # -- directory -----------------------------------------------------------------------------

    def _check_dir(self) -> bool:
        """True if the directory exists (and is private); raises if it is open to others."""
        try:
            st = os.stat(self.tokens_dir)
        except FileNotFoundError:
            return False
        except NotADirectoryError as exc:
            raise describe_os_error(exc, self.tokens_dir, "use the directory") from exc
        except OSError as exc:
            raise describe_os_error(exc, self.tokens_dir, "open") from exc
        if not stat.S_ISDIR(st.st_mode):
            raise describe_os_error(
                OSError(20, "Not a directory"), self.tokens_dir, "use the directory"
            )
        report = PermissionReport(self.tokens_dir, st.st_mode, 0o700)
        if not report.ok:
            raise InsecurePermissionsError(
                f"The token directory {self.tokens_dir} can be read by other users "
                f"(mode {report.mode:04o}); tvauth will not use it.",
                f"Run: {report.fix}",
            )
        return True

    def _ensure_dir(self) -> None:
        if self._check_dir():
            return
        from tvauth.paths import ensure_private_dir

        try:
            ensure_private_dir(self.tokens_dir)
        except OSError as exc:
            raise describe_os_error(exc, self.tokens_dir, "create") from exc
        self._check_dir()

    # -- locking -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, name: str, *, timeout: float | None = None) -> Iterator[None]:
        """Hold profile ``name``'s cross-process lock (creating the directory if needed).

        Raises StoreBusyError after ``timeout`` seconds (default: the store's ``lock_timeout``).
        """
        self._ensure_dir()
        limit = self._lock_timeout if timeout is None else timeout
        with locked(self.lock_path_for(name), timeout=limit):
            yield

    @contextlib.contextmanager
    def signing_in(self, name: str) -> Iterator[None]:
        """Claim the sign-in of profile ``name`` for this process, or fail at once.

        Two sign-ins of one profile at the same time would each mint a refresh token; the file keeps
        one and the other lives on at Zoho, counting towards the 20 per person that evict the
        oldest. Held for a whole sign-in (minutes), separately from the short per-write lock.
        """
        self._ensure_dir()
        path = self.tokens_dir / f"{validate_profile_name(name)}.signin{_LOCK_SUFFIX}"
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(locked(path, timeout=0))
            except StoreBusyError:
                option = "" if name == "default" else f" --profile {name}"
                raise StoreBusyError(
                    f"Another tvauth is already signing in profile '{name}' on this device.",
                    "Approve the code it shows, or stop it before running "
                    f"'tvauth login{option}' again.",
                ) from None
            yield

    @contextlib.asynccontextmanager
    async def alock(self, name: str, *, wait_limit: float | None = None) -> AsyncIterator[None]:
        """Async twin of :meth:`lock`."""
        self._ensure_dir()
        limit = self._lock_timeout if wait_limit is None else wait_limit
        async with alocked(self.lock_path_for(name), wait_limit=limit):
            yield

    # -- notes on the lock file ----------------------------------------------------------------

    def note_failure(self, name: str, at: datetime, problem: str) -> None:
        """Record (lock held) that a renewal could not reach the server, for processes queued behind.

        Kept in the lock file, not the token file: it is not part of the sign-in, and a transient
        fault must leave the token file untouched. ``problem`` must be secret-free (it is shown).
        """
        body = json.dumps({"failed_at": at.astimezone(UTC).isoformat(), "problem": problem})
        with contextlib.suppress(OSError):
            self.lock_path_for(name).write_text(body, encoding="utf-8")

    def recent_failure(self, name: str) -> tuple[datetime, str] | None:
        """The last noted failure (lock held), or None."""
        try:
            raw = json.loads(self.lock_path_for(name).read_text(encoding="utf-8") or "null")
            at = datetime.fromisoformat(raw["failed_at"])
            problem = str(raw["problem"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return at, problem

    def clear_failure(self, name: str) -> None:
        """Forget the noted failure (lock held)."""
        with contextlib.suppress(OSError):
            if self.lock_path_for(name).stat().st_size:
                self.lock_path_for(name).write_text("", encoding="utf-8")

    # -- reading -------------------------------------------------------------------------------

    def _read_bytes(self, name: str) -> bytes | None:
        path = self.path_for(name)
        if not self._check_dir():
            return None
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise describe_os_error(exc, path, "read") from exc
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise describe_os_error(OSError(21, "Is a directory"), path, "read")
            report = PermissionReport(path, st.st_mode, 0o600)
            if not report.ok:
                raise InsecurePermissionsError(
                    f"The token file {path} can be read by other users (mode {report.mode:04o}); "
                    "tvauth will not use it.",
                    f"Run: {report.fix}",
                )
            chunks = []
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError as exc:
            raise describe_os_error(exc, path, "read") from exc
        finally:
            os.close(fd)

    def load(self, name: str) -> Profile | None:
        """The stored profile, or None. A corrupt file is moved aside and TokenFileCorruptError raised."""
        data = self._read_bytes(name)
        if data is None:
            return None
        try:
            return decode_profile(data, expected_name=name)
        except ProfileFormatError:
            pass
        # Look again under the lock before moving anything: the file must be judged as it stands.
        with self.lock(name):
            data = self._read_bytes(name)
            if data is None:
                return None
            try:
                return decode_profile(data, expected_name=name)
            except ProfileFormatError as exc:
                raise self._move_aside(name, exc.reason) from None

    def load_locked(self, name: str) -> Profile | None:
        """Re-read for callers that hold the lock; a corrupt file is moved aside with a warning."""
        data = self._read_bytes(name)
        if data is None:
            return None
        try:
            return decode_profile(data, expected_name=name)
        except ProfileFormatError as exc:
            self._warn(self._move_aside(name, exc.reason).message)
            return None

    def _move_aside(self, name: str, reason: str) -> TokenFileCorruptError:
        """Rename the corrupt file aside (lock held) and describe what happened."""
        path = self.path_for(name)
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        try:
            os.replace(path, aside)
        except OSError as exc:
            raise describe_os_error(exc, path, "move aside") from exc
        return TokenFileCorruptError(
            f"The token file for profile '{name}' was corrupt ({reason}); it was moved to {aside}.",
            "Run 'tvauth login' to sign in again; the old file is kept for inspection.",
        )

    # -- writing -------------------------------------------------------------------------------

    def _write(self, profile: Profile) -> None:
        self._sweep_temp_files(profile.name)
        atomic_write_private(self.path_for(profile.name), encode_profile(profile), ops=self._ops)

    def _sweep_temp_files(self, name: str) -> None:
        """Remove temporary files a killed writer left behind (lock held: no live writer has one)."""
        prefix = f".{self.path_for(name).name}."
        try:
            entries = list(os.scandir(self.tokens_dir))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    def save(self, profile: Profile) -> None:
        """Write ``profile`` whole, under the lock (a corrupt file in the way is moved aside first)."""
        with self.lock(profile.name):
            self.load_locked(profile.name)
            self._write(profile)

    def update(self, name: str, fn: Updater) -> Profile | None:
        """Lock, re-read, apply ``fn``, write its result (if any); returns the profile now stored."""
        with self.lock(name):
            return self.update_locked(name, fn)

    def update_locked(self, name: str, fn: Updater) -> Profile | None:
        """:meth:`update` for callers that already hold the lock (renewal holds it across HTTP)."""
        current = self.load_locked(name)
        new = fn(current)
        if new is None:
            return current
        if new.name != name:
            raise ValueError("an updater must not rename the profile")
        self._write(new)
        return new

    def delete(self, name: str) -> bool:
        """Forget profile ``name``; True if there was a file. The lock file stays (see locking)."""
        with self.lock(name):
            return self.delete_locked(name)

    def delete_locked(self, name: str) -> bool:
        """:meth:`delete` for callers that already hold the lock."""
        path = self.path_for(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise describe_os_error(exc, path, "delete") from exc
        with contextlib.suppress(OSError):
            self._ops.fsync_dir(self.tokens_dir)
        return True
