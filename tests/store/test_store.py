"""The token store: round trips, the version-1 format, permissions, corrupt files, disk faults."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_data import ACCESS, REFRESH, SECRET

from tvauth.atomic import FileOps
from tvauth.errors import (
    ConfigError,
    InsecurePermissionsError,
    StoreError,
    TokenFileCorruptError,
)
from tvauth.profile import Profile, decode_profile, encode_profile
from tvauth.redact import Secret
from tvauth.store import TokenStore

DATA = Path(__file__).parent / "data"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- round trips ---------------------------------------------------------------------------------


def test_save_then_load_gives_the_same_profile(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    profile = make_profile()
    store.save(profile)
    assert store.load("default") == profile


def test_every_optional_field_survives_a_round_trip(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    profile = make_profile(
        name="kiosk-2",
        client_secret=None,
        location=None,
        api_domain=None,
        scopes=(),
        refresh_token=None,
        access_token=None,
        access_expires_at=None,
        email=None,
        display_name=None,
        needs_sign_in=True,
        refreshed_at=stamp,
        throttled_until=stamp,
        throttle_strikes=3,
    )
    store.save(profile)
    assert store.load("kiosk-2") == profile


def test_loading_a_profile_that_was_never_saved_gives_none(store: TokenStore) -> None:
    assert store.load("default") is None
    assert not store.tokens_dir.exists(), "a read must not create directories"


def test_names_lists_profiles_only(store: TokenStore, make_profile: Callable[..., Profile]) -> None:
    assert store.names() == []
    store.save(make_profile(name="work"))
    store.save(make_profile(name="default"))
    (store.tokens_dir / ".default.json.123.abcd.tmp").write_text("{}")
    (store.tokens_dir / "old.json.corrupt-20260101T000000.000000Z").write_text("x")
    (store.tokens_dir / "notes.txt").write_text("x")
    assert store.names() == ["default", "work"]


def test_delete_forgets_the_profile(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    store.save(make_profile())
    assert store.delete("default") is True
    assert store.load("default") is None
    assert store.delete("default") is False


def test_update_rereads_and_writes_what_the_function_returns(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    store.save(make_profile(email="a@example.com"))
    seen: list[Profile | None] = []

    def change(current: Profile | None) -> Profile | None:
        seen.append(current)
        assert current is not None
        return dataclasses.replace(current, email="b@example.com")

    result = store.update("default", change)
    assert seen[0] is not None
    assert seen[0].email == "a@example.com"
    assert result is not None
    assert result.email == "b@example.com"
    assert store.load("default") == result
    # Returning None writes nothing.
    assert store.update("default", lambda p: None) == result


@pytest.mark.parametrize(
    "bad", ["", "../evil", "a/b", ".hidden", "x.lock", "x.json", "x.signin", "x\n", "a" * 65]
)
def test_profile_names_that_could_escape_or_collide_are_refused(
    store: TokenStore, bad: str
) -> None:
    with pytest.raises(ConfigError, match="cannot be a profile name"):
        store.path_for(bad)


def test_repr_of_a_profile_never_shows_secrets(make_profile: Callable[..., Profile]) -> None:
    text = repr(make_profile()) + str(make_profile())
    for secret in (REFRESH, ACCESS, SECRET):
        assert secret not in text
    assert "jane@example.com" in text


# -- the versioned format ------------------------------------------------------------------------


def test_version_1_files_are_readable_forever() -> None:
    """This file was written by format version 1. Never edit it; keep this test passing."""
    profile = decode_profile((DATA / "profile-v1.json").read_bytes(), expected_name="default")
    assert profile.client_id == "1000.CLIENTID"
    assert profile.client_secret is not None
    assert profile.client_secret.reveal() == SECRET
    assert profile.accounts_url == "https://accounts.zoho.eu"
    assert profile.location == "eu"
    assert profile.api_domain == "https://www.zohoapis.eu"
    assert profile.scopes == ("ZohoCRM.modules.ALL", "AaaServer.profile.Read")
    assert profile.refresh_token is not None
    assert profile.refresh_token.reveal() == REFRESH
    assert profile.access_token is not None
    assert profile.access_token.reveal() == ACCESS
    assert profile.access_expires_at == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert profile.signed_in_at == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    assert (profile.email, profile.display_name) == ("jane@example.com", "Jane Doe")
    assert profile.needs_sign_in is False


def test_a_minimal_version_1_file_is_readable() -> None:
    data = (DATA / "profile-v1-minimal.json").read_bytes()
    profile = decode_profile(data, expected_name="default")
    assert profile.refresh_token is None
    assert profile.signed_in_at == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def test_the_writer_still_writes_version_1(make_profile: Callable[..., Profile]) -> None:
    body = json.loads(encode_profile(make_profile()))
    assert body["version"] == 1
    expected = json.loads((DATA / "profile-v1.json").read_text())
    assert body == expected


def test_unknown_fields_are_kept_when_the_file_is_rewritten(store: TokenStore) -> None:
    store.tokens_dir.mkdir(parents=True, mode=0o700)
    body = json.loads((DATA / "profile-v1.json").read_text())
    body["written_by_a_later_minor_version"] = {"x": 1}
    path = store.path_for("default")
    path.write_text(json.dumps(body))
    path.chmod(0o600)
    store.update("default", lambda p: None if p is None else dataclasses.replace(p, email="z@x.y"))
    again = json.loads(path.read_text())
    assert again["written_by_a_later_minor_version"] == {"x": 1}
    assert again["email"] == "z@x.y"


def test_a_file_from_a_newer_format_is_refused_but_not_moved(store: TokenStore) -> None:
    store.tokens_dir.mkdir(parents=True, mode=0o700)
    path = store.path_for("default")
    path.write_text(json.dumps({"version": 2, "whatever": True}))
    path.chmod(0o600)
    with pytest.raises(StoreError, match="newer tvauth") as info:
        store.load("default")
    assert not isinstance(info.value, TokenFileCorruptError)
    assert path.exists()


# -- permissions ---------------------------------------------------------------------------------


def test_files_are_created_0600_in_a_0700_directory_even_with_an_open_umask(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    old = os.umask(0)
    try:
        store.save(make_profile())
    finally:
        os.umask(old)
    assert _mode(store.tokens_dir) == 0o700
    assert _mode(store.tokens_dir.parent) == 0o700, "parents tvauth creates are private too"
    assert _mode(store.path_for("default")) == 0o600
    assert _mode(store.lock_path_for("default")) == 0o600


def test_the_temporary_file_is_private_from_its_first_instant(
    tokens_dir: Path, make_profile: Callable[..., Profile]
) -> None:
    modes: list[int] = []

    class Spy(FileOps):
        def open_new(self, path: Path) -> int:
            fd = super().open_new(path)
            modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
            return fd

    old = os.umask(0)
    try:
        TokenStore(tokens_dir, file_ops=Spy()).save(make_profile())
    finally:
        os.umask(old)
    assert modes == [0o600]


def test_a_token_file_readable_by_others_is_refused_with_the_fix(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    store.save(make_profile())
    path = store.path_for("default")
    path.chmod(0o644)
    with pytest.raises(InsecurePermissionsError) as info:
        store.load("default")
    assert f"chmod 600 {path}" in str(info.value)
    assert "0644" in str(info.value)


def test_a_token_directory_open_to_others_is_refused_with_the_fix(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    store.save(make_profile())
    store.tokens_dir.chmod(0o755)
    with pytest.raises(InsecurePermissionsError) as info:
        store.load("default")
    assert f"chmod 700 {store.tokens_dir}" in str(info.value)
    with pytest.raises(InsecurePermissionsError):
        store.save(make_profile())


# -- corrupt files -------------------------------------------------------------------------------


def _plant(store: TokenStore, name: str, data: bytes) -> Path:
    store.tokens_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store.path_for(name)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"version": 1, "client_id": "x", "acc', "not valid JSON"),
        (b"\x00\x00\x00\x00", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"client_id": "x"}', "no format version"),
        (b'{"version": 1, "client_id": "x"}', "accounts_url"),
        (
            b'{"version": 1, "client_id": "x", "accounts_url": "u", "signed_in_at": "yesterday"}',
            "signed_in_at",
        ),
    ],
)
def test_a_corrupt_file_is_moved_aside_with_a_timestamp_and_reported(
    store: TokenStore, data: bytes, reason: str
) -> None:
    path = _plant(store, "default", data)
    with pytest.raises(TokenFileCorruptError) as info:
        store.load("default")
    message = str(info.value)
    assert reason in message
    assert "moved to" in message
    assert "tvauth login" in message
    aside = list(store.tokens_dir.glob("default.json.corrupt-*"))
    assert len(aside) == 1
    assert str(aside[0]) in message
    assert aside[0].read_bytes() == data, "the corrupt file is kept as it was"
    assert not path.exists()
    assert store.load("default") is None


def test_saving_over_a_corrupt_file_moves_it_aside_first_and_warns(
    store: TokenStore, make_profile: Callable[..., Profile], warnings_seen: list[str]
) -> None:
    _plant(store, "default", b"garbage")
    store.save(make_profile())
    assert len(warnings_seen) == 1
    assert "moved to" in warnings_seen[0]
    assert [p.read_bytes() for p in store.tokens_dir.glob("default.json.corrupt-*")] == [b"garbage"]
    assert store.load("default") == make_profile()


# -- disk faults ---------------------------------------------------------------------------------


class FailingOps(FileOps):
    """Fails one system call with an errno, the way a full or read-only disk would."""

    def __init__(self, call: str, code: int) -> None:
        self.call = call
        self.code = code
        self.torn = False

    def _maybe_fail(self, call: str) -> None:
        if call == self.call:
            raise OSError(self.code, os.strerror(self.code))

    def open_new(self, path: Path) -> int:
        self._maybe_fail("open_new")
        return super().open_new(path)

    def write(self, fd: int, data: bytes) -> int:
        # Write half first, as a filling disk does, so a torn temp file exists when it fails.
        if self.call == "write" and not self.torn and len(data) > 1:
            self.torn = True
            return super().write(fd, data[: len(data) // 2])
        self._maybe_fail("write")
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        self._maybe_fail("fsync")
        super().fsync(fd)

    def replace(self, src: Path, dst: Path) -> None:
        self._maybe_fail("replace")
        super().replace(src, dst)

    def fsync_dir(self, directory: Path) -> None:
        self._maybe_fail("fsync_dir")
        super().fsync_dir(directory)


@pytest.mark.parametrize(
    ("call", "code", "words"),
    [
        ("write", errno.ENOSPC, "disk is full"),
        ("fsync", errno.ENOSPC, "disk is full"),
        ("write", errno.EDQUOT, "disk is full"),
        ("open_new", errno.EROFS, "read-only"),
        ("replace", errno.EROFS, "read-only"),
        ("open_new", errno.EACCES, "No permission"),
        ("write", errno.EIO, "Input/output error"),
    ],
)
def test_a_failing_disk_gives_a_clear_error_and_leaves_the_old_file_intact(
    tokens_dir: Path,
    make_profile: Callable[..., Profile],
    call: str,
    code: int,
    words: str,
) -> None:
    good = TokenStore(tokens_dir)
    good.save(make_profile(email="old@example.com"))
    before = good.path_for("default").read_bytes()
    failing = TokenStore(tokens_dir, file_ops=FailingOps(call, code))
    with pytest.raises(StoreError) as info:
        failing.save(make_profile(email="new@example.com"))
    assert words in str(info.value)
    assert str(good.path_for("default")) in str(info.value)
    assert good.path_for("default").read_bytes() == before
    leftovers = [p.name for p in tokens_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [], "a failed write cleans up its temporary file"
    for secret in (REFRESH, ACCESS, SECRET):
        assert secret not in str(info.value)


def test_a_write_is_synced_renamed_then_its_directory_synced(
    tokens_dir: Path, make_profile: Callable[..., Profile]
) -> None:
    """The order that makes a write survive a power cut: data on disk before the rename, and the
    rename itself on disk (the directory's fsync) before save returns."""
    calls: list[str] = []

    class Recorder(FileOps):
        def open_new(self, path: Path) -> int:
            calls.append("open_new")
            return super().open_new(path)

        def write(self, fd: int, data: bytes) -> int:
            calls.append("write")
            return super().write(fd, data)

        def fsync(self, fd: int) -> None:
            calls.append("fsync")
            super().fsync(fd)

        def replace(self, src: Path, dst: Path) -> None:
            calls.append("replace")
            super().replace(src, dst)

        def fsync_dir(self, directory: Path) -> None:
            calls.append(f"fsync_dir {directory.name}")
            super().fsync_dir(directory)

    TokenStore(tokens_dir, file_ops=Recorder()).save(make_profile())
    assert calls == ["open_new", "write", "fsync", "replace", "fsync_dir tokens"]


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOTSUP])
def test_a_file_system_that_cannot_sync_directories_still_stores_tokens(
    tokens_dir: Path, make_profile: Callable[..., Profile], code: int
) -> None:
    """Some file systems (FUSE, network mounts) answer fsync on a directory with EINVAL: the
    rename is done and nothing better is possible, so that is no reason to fail every write."""
    store = TokenStore(tokens_dir, file_ops=FailingOps("fsync_dir", code))
    store.save(make_profile(email="new@example.com"))
    loaded = store.load("default")
    assert loaded is not None
    assert loaded.email == "new@example.com"


def test_a_failing_directory_sync_says_the_new_file_is_in_place(
    tokens_dir: Path, make_profile: Callable[..., Profile]
) -> None:
    """After the rename the old file is gone: the error must not claim it is unchanged."""
    TokenStore(tokens_dir).save(make_profile(email="old@example.com"))
    failing = TokenStore(tokens_dir, file_ops=FailingOps("fsync_dir", errno.EIO))
    with pytest.raises(StoreError) as info:
        failing.save(make_profile(email="new@example.com"))
    text = str(info.value)
    assert "unchanged" not in text
    assert "power cut" in text
    assert str(tokens_dir) in text
    loaded = TokenStore(tokens_dir).load("default")
    assert loaded is not None
    assert loaded.email == "new@example.com"


def test_a_file_where_the_token_directory_should_be_gives_a_clear_error(
    tmp_path: Path, make_profile: Callable[..., Profile]
) -> None:
    (tmp_path / "data").write_text("I am a file")
    store = TokenStore(tmp_path / "data" / "tokens")
    with pytest.raises(StoreError, match="not a directory is in the way"):
        store.save(make_profile())
    with pytest.raises(StoreError, match="not a directory is in the way"):
        store.load("default")


def test_a_token_file_replaced_by_a_directory_gives_a_clear_error(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    store.save(make_profile())
    path = store.path_for("default")
    path.unlink()
    path.mkdir()
    with pytest.raises(StoreError, match=r"not a directory|Is a directory"):
        store.load("default")
    shutil.rmtree(path)


@pytest.mark.parametrize("umask", [0o022, 0o277])
def test_private_directories_leave_the_process_umask_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    """The umask belongs to the whole process: narrowing it for a moment races with an
    embedder's threads (they create files meanwhile, or one thread restores another's value).
    Directories come out 0700 anyway, even under a umask that takes the owner's own bits."""
    from tvauth.paths import ensure_private_dir

    calls: list[int] = []
    real_umask = os.umask
    old = real_umask(umask)
    try:
        monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or real_umask(mask))
        ensure_private_dir(tmp_path / "a" / "b" / "c")
        ensure_private_dir(tmp_path / "a" / "b" / "c")  # existing: nothing to do
    finally:
        monkeypatch.undo()
        real_umask(old)
    assert calls == []
    for made in ("a", "a/b", "a/b/c"):
        assert _mode(tmp_path / made) == 0o700, made


def test_a_store_in_a_read_only_place_says_so(
    tmp_path: Path, make_profile: Callable[..., Profile], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creating the directory on a read-only file system (EROFS injected: tests run as root)."""
    import tvauth.paths

    def read_only(path: Path) -> Path:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(tvauth.paths, "ensure_private_dir", read_only)
    store = TokenStore(tmp_path / "ro" / "tokens")
    with pytest.raises(StoreError, match="read-only"):
        store.save(make_profile())


def test_secrets_are_stored_revealed_but_printed_masked(
    store: TokenStore, make_profile: Callable[..., Profile]
) -> None:
    store.save(make_profile())
    raw = store.path_for("default").read_text()
    assert REFRESH in raw
    assert ACCESS in raw
    assert SECRET in raw
    loaded = store.load("default")
    assert loaded is not None
    assert isinstance(loaded.refresh_token, Secret)
    assert REFRESH not in repr(loaded)
