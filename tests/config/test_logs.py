"""Logging: every secret shape masked in the file and on stderr, private files, rotation, format."""

from __future__ import annotations

import errno
import io
import logging
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tvauth.logs import (
    LOG_FILE_NAME,
    forget_secrets,
    log_event,
    redact,
    register_secret,
    reset_logging,
    secrets_in,
    setup_logging,
)
from tvauth.paths import TvauthPaths
from tvauth.redact import Secret

ACCESS = "1000.5f1e0c0b3a9d4e8f7a6b5c4d3e2f1a0b.9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f"
REFRESH = "1000.aabbccddeeff00112233445566778899.00112233445566778899aabbccddeeff"
DEVICE_CODE = "1004.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
CLIENT_SECRET = "7d3c9e1f2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e"
OPAQUE = "emulator-issued-opaque-token-XYZ"  # no recognisable shape: only registration masks it
ALL_SECRETS = (ACCESS, REFRESH, DEVICE_CODE, CLIENT_SECRET, OPAQUE, "plain-bearer-value-42")


@pytest.fixture
def paths(tmp_path: Path) -> TvauthPaths:
    return TvauthPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    yield
    reset_logging()
    forget_secrets()


@pytest.fixture
def stream() -> io.StringIO:
    return io.StringIO()


def log_file(paths: TvauthPaths) -> Path:
    return paths.log_dir / LOG_FILE_NAME


def emit_every_shape(log: logging.Logger) -> None:
    log.info("token answer %s", ACCESS)
    log.info("headers Authorization: Zoho-oauthtoken %s", ACCESS)
    log.info("headers Authorization: Bearer plain-bearer-value-42")
    log.info(
        "form client_id=1000.CLIENTID&client_secret=%s&grant_type=device_token&code=%s",
        CLIENT_SECRET,
        DEVICE_CODE,
    )
    log.info("query ?grant_type=refresh_token&refresh_token=%s&x=1", REFRESH)
    log.info(
        'json {"access_token": "%s", "refresh_token": "%s", "expires_in": 3600}', ACCESS, REFRESH
    )
    log.info("repr %r", {"device_code": DEVICE_CODE, "client_secret": CLIENT_SECRET})
    log.info("access_token=%s token=%s", ACCESS, REFRESH)
    log.info("a Secret object %s / %r", Secret(CLIENT_SECRET), Secret(REFRESH))
    log.info("opaque %s", OPAQUE)
    log_event(log, "stored", refresh_token=REFRESH, client_secret=CLIENT_SECRET, dc="eu")


def test_every_secret_shape_is_masked_in_file_and_stderr(
    paths: TvauthPaths, stream: io.StringIO
) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    register_secret(OPAQUE)
    emit_every_shape(logging.getLogger("tvauth.flow"))
    file_text = log_file(paths).read_text()
    for text in (file_text, stream.getvalue()):
        assert secrets_in(text, ALL_SECRETS) == []
        assert text.count("\n") >= 11
        assert "client_id=1000.CLIENTID" in text  # a client id is not a secret: kept for diagnosis
        assert "grant_type=device_token" in text
        assert "dc=eu" in text
        assert '"expires_in": 3600' in text
        assert "***" in text


def test_traceback_with_a_token_is_masked(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    log = logging.getLogger("tvauth.store")
    try:
        try:
            raise KeyError(f"refresh_token={REFRESH}")
        except KeyError as inner:
            raise RuntimeError(f"could not store {ACCESS}") from inner
    except RuntimeError:
        log.exception("saving failed for %s", DEVICE_CODE)
    for text in (log_file(paths).read_text(), stream.getvalue()):
        assert "Traceback (most recent call last)" in text
        assert "RuntimeError: could not store ***" in text
        assert "KeyError" in text
        assert secrets_in(text, ALL_SECRETS) == []


def test_stack_info_is_masked(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    register_secret(OPAQUE)

    def deep(value: str) -> None:
        logging.getLogger("tvauth").info("here", stack_info=True)

    deep(OPAQUE)
    assert "Stack (most recent call last)" in stream.getvalue()
    assert OPAQUE not in stream.getvalue()


def test_httpx_lines_go_through_the_same_filter(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    logging.getLogger("httpx").info(
        'HTTP Request: POST https://accounts.zoho.eu/oauth/v2/token?refresh_token=%s "HTTP/1.1 200 OK"',
        REFRESH,
    )
    assert "HTTP Request: POST https://accounts.zoho.eu/oauth/v2/token" in stream.getvalue()
    assert REFRESH not in stream.getvalue()
    assert REFRESH not in log_file(paths).read_text()


def test_registered_secrets_short_ones_ignored() -> None:
    register_secret("abc")  # too short: masking it would garble ordinary words
    register_secret(Secret("kiosk-room-42-secret"))
    register_secret(None)
    assert redact("abc kiosk-room-42-secret") == "abc ***cret"


def test_redact_is_idempotent() -> None:
    once = redact(f"code={DEVICE_CODE} Bearer {ACCESS}")
    assert redact(once) == once
    assert DEVICE_CODE not in once


def test_user_code_and_ordinary_fields_are_kept() -> None:
    text = "user_code=ABCD-EFGH error_code=slow_down interval=30 status=200"
    assert redact(text) == text


def test_unformattable_arguments_do_not_leak(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    logging.getLogger("tvauth").info("two %s %s", OPAQUE)  # one argument missing
    assert "unformattable" in stream.getvalue()
    assert OPAQUE not in stream.getvalue()
    assert "Logging error" not in stream.getvalue()


# --------------------------------------------------------------------------- format and levels

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO tvauth\.flow poll outcome=pending dc=us elapsed_ms=12 "
    r'note="two words"$'
)


def test_structured_line(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    log_event(
        logging.getLogger("tvauth.flow"),
        "poll",
        outcome="pending",
        dc="us",
        elapsed_ms=12,
        note="two words",
    )
    assert LINE.match(stream.getvalue().strip())
    assert LINE.match(log_file(paths).read_text().strip())


def test_level_and_debug(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(level="INFO", paths=paths, stream=stream)
    log = logging.getLogger("tvauth.ui")
    log.debug("hidden detail")
    log.info("shown")
    assert stream.getvalue() == ""  # without --debug nothing goes to the terminal
    text = log_file(paths).read_text()
    assert "shown" in text
    assert "hidden detail" not in text

    setup_logging(level="WARNING", paths=paths, stream=stream)
    log.info("quiet now")
    assert "quiet now" not in log_file(paths).read_text()

    setup_logging(debug=True, paths=paths, stream=stream)
    log.debug("debug detail")
    assert "debug detail" in stream.getvalue()
    assert "debug detail" in log_file(paths).read_text()


def test_setting_up_twice_does_not_duplicate_lines(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(debug=True, paths=paths, stream=stream)
    setup_logging(debug=True, paths=paths, stream=stream)
    logging.getLogger("tvauth").info("once")
    assert stream.getvalue().count("once") == 1
    assert log_file(paths).read_text().count("once") == 1


# --------------------------------------------------------------------------- files


def test_private_directory_and_file(paths: TvauthPaths, stream: io.StringIO) -> None:
    assert setup_logging(paths=paths, stream=stream) == log_file(paths)
    logging.getLogger("tvauth").warning("hello")
    assert stat.S_IMODE(paths.log_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(log_file(paths).stat().st_mode) == 0o600


def test_an_existing_open_log_file_is_tightened(paths: TvauthPaths, stream: io.StringIO) -> None:
    paths.log_dir.mkdir(parents=True)
    log_file(paths).write_text("old line\n")
    log_file(paths).chmod(0o644)
    setup_logging(paths=paths, stream=stream)
    assert stat.S_IMODE(log_file(paths).stat().st_mode) == 0o600
    assert log_file(paths).read_text().startswith("old line\n")


def test_rotation_keeps_three_private_backups(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(paths=paths, stream=stream, max_bytes=2_000, backup_count=3)
    log = logging.getLogger("tvauth.renewal")
    for i in range(200):
        log.info("renewed cycle=%d refresh_token=%s", i, REFRESH)
    names = sorted(p.name for p in paths.log_dir.iterdir())
    assert names == [
        LOG_FILE_NAME,
        f"{LOG_FILE_NAME}.1",
        f"{LOG_FILE_NAME}.2",
        f"{LOG_FILE_NAME}.3",
    ]
    for p in paths.log_dir.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert p.stat().st_size <= 2_000
        assert REFRESH not in p.read_text()
    assert "cycle=199" in log_file(paths).read_text()


def test_uncreatable_log_dir_is_not_fatal(tmp_path: Path, stream: io.StringIO) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the log directory should be")
    paths = TvauthPaths(tmp_path / "c", tmp_path / "d", blocker / "logs")
    assert setup_logging(debug=True, paths=paths, stream=stream) is None
    logging.getLogger("tvauth").info("still logging to stderr")
    out = stream.getvalue()
    assert "cannot open a log file" in out
    assert "still logging to stderr" in out


def test_full_disk_gives_one_short_notice(paths: TvauthPaths, stream: io.StringIO) -> None:
    setup_logging(paths=paths, stream=stream)
    (handler,) = [h for h in logging.getLogger("tvauth").handlers if hasattr(h, "baseFilename")]

    class FullDisk(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    handler.stream = FullDisk()  # type: ignore[attr-defined]
    log = logging.getLogger("tvauth")
    log.warning("one %s", OPAQUE)
    log.warning("two")
    out = stream.getvalue()
    assert out.count("cannot write the log file") == 1
    assert "No space left on device" in out
    assert "Traceback" not in out
    assert OPAQUE not in out


def test_other_handlers_and_log_capture_only_see_masked_records(
    paths: TvauthPaths, stream: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    """Records are masked before any handler runs: pytest's capture (root) sees no secret either."""
    caplog.set_level(logging.DEBUG)
    setup_logging(debug=True, paths=paths, stream=stream)
    register_secret(OPAQUE)
    emit_every_shape(logging.getLogger("tvauth.flow"))
    assert len(caplog.records) >= 11
    assert secrets_in(caplog.text, ALL_SECRETS) == []


def test_install_redaction_alone_protects_an_embedders_handler() -> None:
    """An application that configures logging itself and only calls install_redaction()."""
    seen = io.StringIO()
    handler = logging.StreamHandler(seen)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        from tvauth.logs import install_redaction

        install_redaction()
        logging.getLogger("tvauth.renewal").warning("renewed with %s", REFRESH)
    finally:
        root.removeHandler(handler)
    assert "renewed with ***" in seen.getvalue()
    assert REFRESH not in seen.getvalue()
