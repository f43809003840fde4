"""Logging for a device nobody watches: a rotating private file, stderr with ``--debug``, no secrets.

Lines are structured so a person (or ``grep``) can follow a sign-in from the log alone::

    2026-11-28T16:00:00Z INFO tvauth.flow poll outcome=pending dc=us elapsed_ms=12

Call :func:`log_event` (or pass ``extra={"fields": {...}}``) to get the ``key=value`` tail.

Every handler installed here carries a :class:`RedactingFilter`, which rewrites the finished message,
the formatted traceback and the stack before any handler formats the record. It masks what looks like
a Zoho token or device code, ``Zoho-oauthtoken``/``Bearer`` credentials, secret fields in query or
form strings and JSON, and every value given to :func:`register_secret`. The filter is a second line
of defence: code should log :class:`tvauth.redact.Secret` values, which print masked anyway.

Importing this module loads nothing beyond the standard library and tvauth's own light modules.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import logging.handlers
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from tvauth.paths import TvauthPaths, ensure_private_dir, resolve_paths
from tvauth.redact import Secret, mask

__all__ = [
    "LOG_FILE_NAME",
    "RedactingFilter",
    "StructuredFormatter",
    "forget_secrets",
    "install_redaction",
    "log_event",
    "redact",
    "register_secret",
    "reset_logging",
    "secrets_in",
    "setup_logging",
]

LOG_FILE_NAME = "tvauth.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
# Loggers whose records reach tvauth's handlers. httpx logs one INFO line per request (method, URL
# and status): useful with --debug, and our requests carry secrets in bodies, never in URLs.
_LOGGERS = ("tvauth", "httpx")
_MARK = "_tvauth_handler"
_MIN_SECRET_LENGTH = 4

# --------------------------------------------------------------------------- redaction

_SECRET_FIELDS = (
    "client_secret",
    "device_code",
    "code",
    "refresh_token",
    "access_token",
    "id_token",
    "token",
    "password",
)
_FIELDS = "|".join(_SECRET_FIELDS)

_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    # Zoho tokens and device codes: 1000.<hex>.<hex>, 1004.<hex>.<hex>. A client id (1000.<one
    # segment>) is not a secret and stays readable for diagnosis.
    (re.compile(r"\b10\d\d\.[0-9A-Za-z]{8,}(?:\.[0-9A-Za-z]{4,})+"), 0),
    # Authorization header values.
    (re.compile(r"(?i)\b(?:Zoho-oauthtoken|Bearer)\s+([^\s\"',;]+)"), 1),
    # Query and form strings: client_secret=...&code=...
    (re.compile(rf"(?i)(?<![\w-])(?:{_FIELDS})=([^&\s\"',;]+)"), 1),
    # JSON and Python reprs: "refresh_token": "...", 'code': '...'
    (re.compile(rf"(?i)([\"'])(?:{_FIELDS})\1\s*:\s*([\"'])(.*?)(?<!\\)\2"), 3),
    # key=value in our own structured tail, quoted: refresh_token="..."
    (re.compile(rf"(?i)(?<![\w-])(?:{_FIELDS})=\"([^\"]*)\""), 1),
)

_registered: set[str] = set()
_registered_re: re.Pattern[str] | None = None
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears in a log line from now on (e.g. a freshly issued token).

    Values shorter than four characters are ignored: masking them would garble ordinary words.
    """
    global _registered_re
    if value is None:
        return
    raw = value.reveal() if isinstance(value, Secret) else str(value)
    if len(raw) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if raw in _registered:
            return
        _registered.add(raw)
        ordered = sorted(_registered, key=len, reverse=True)
        _registered_re = re.compile("|".join(re.escape(v) for v in ordered))


def forget_secrets() -> None:
    """Drop every registered value (tests; a process that signs out)."""
    global _registered_re
    with _lock:
        _registered.clear()
        _registered_re = None


def _masked(value: str) -> str:
    if not value or value.startswith("***"):
        return value  # already masked: keep idempotent
    return mask(value)


def redact(text: str) -> str:
    """``text`` with every secret-shaped or registered value masked."""
    registered = _registered_re
    if registered is not None:
        text = registered.sub(lambda m: _masked(m.group(0)), text)
    for pattern, group in _PATTERNS:
        text = pattern.sub(functools.partial(_replace_group, group=group), text)
    return text


def _replace_group(match: re.Match[str], group: int) -> str:
    whole = match.group(0)
    value = match.group(group)
    if value is None:
        return whole
    start = match.start(group) - match.start(0)
    end = match.end(group) - match.start(0)
    return whole[:start] + _masked(value) + whole[end:]


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, traceback and stack before any handler formats it.

    The record is rewritten in place (message rendered, ``args`` dropped, the traceback text cached
    in ``exc_text``), so every handler that sees it afterwards sees the masked form.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_tvauth_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not stop the line, nor leak its args
            message = f"{record.msg!s} (unformattable log arguments)"
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            record.fields = {str(k): _redact_field(str(k), v) for k, v in fields.items()}
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._tvauth_redacted = True
        return True


# --------------------------------------------------------------------------- formatting


def _field_str(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") or "0"
    return str(value)  # a Secret prints masked here


def _redact_field(key: str, value: Any) -> str:
    text = _field_str(value)
    lowered = key.lower()
    if lowered in _SECRET_FIELDS or "secret" in lowered or lowered.endswith("token"):
        return _masked(text)
    return redact(text)


def _field_text(value: Any) -> str:
    text = _field_str(value)
    if not text or any(c in text for c in ' "=\t\n'):
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return text


class StructuredFormatter(logging.Formatter):
    """``<UTC time>Z LEVEL logger message key=value ...`` and the traceback, if any."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime(datefmt or "%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        line = super().format(record)
        if isinstance(fields, Mapping) and fields:
            tail = " ".join(f"{k}={_field_text(v)}" for k, v in fields.items())
            head, sep, rest = line.partition("\n")
            line = f"{head} {tail}{sep}{rest}"
        return line


def log_event(
    logger: logging.Logger, event: str, level: int = logging.INFO, /, **fields: Any
) -> None:
    """Log ``event`` with ``key=value`` fields: ``log_event(log, "poll", outcome="pending", dc="us")``."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": fields}, stacklevel=2)


# --------------------------------------------------------------------------- handlers


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file that is created (and re-created on rotation) 0600, and fails quietly once.

    A full disk or a read-only card must not stop a kiosk from signing in, nor paint Python's
    "--- Logging error ---" tracebacks over the full-screen UI: one short notice, then silence.
    """

    def __init__(
        self, filename: Path, *, max_bytes: int, backup_count: int, notice: TextIO
    ) -> None:
        self._notice = notice
        self._failed = False
        super().__init__(
            filename, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=False
        )

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)  # an existing file may have been more open
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        if self._failed:
            return
        self._failed = True
        err = sys.exc_info()[1]
        reason = getattr(err, "strerror", None) or type(err).__name__
        with contextlib.suppress(Exception):  # nowhere left to report to
            print(
                f"tvauth: cannot write the log file {self.baseFilename} ({reason}); "
                "logging to it stops until tvauth restarts.",
                file=self._notice,
            )


class _RedactionGuard(logging.Handler):
    """Writes nothing; exists so its filter masks each record before every other handler.

    (``logging.NullHandler`` cannot do this: its ``handle`` skips the filters.)
    """

    def emit(self, record: logging.LogRecord) -> None:
        pass


def _install(handler: logging.Handler, level: int) -> logging.Handler:
    handler.setLevel(level)
    handler.setFormatter(StructuredFormatter())
    handler.addFilter(RedactingFilter())
    setattr(handler, _MARK, True)
    return handler


def reset_logging() -> None:
    """Remove and close every handler :func:`setup_logging` installed."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if getattr(handler, _MARK, False):
                logger.removeHandler(handler)
                handler.close()


def setup_logging(
    *,
    debug: bool = False,
    level: str = "INFO",
    paths: TvauthPaths | None = None,
    stream: TextIO | None = None,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Path | None:
    """Send tvauth's logs to ``<log dir>/tvauth.log`` (0600 in a 0700 dir) and, with ``debug``, stderr.

    Calling it again replaces what an earlier call installed. Returns the log file's path, or None if
    the log directory could not be created (then, with ``debug``, stderr still gets everything).
    """
    reset_logging()
    out = sys.stderr if stream is None else stream
    file_level = logging.DEBUG if debug else logging.getLevelName(level.upper())
    if not isinstance(file_level, int):
        file_level = logging.INFO
    handlers: list[logging.Handler] = []
    log_file: Path | None = None
    try:
        resolved = paths or resolve_paths()
        log_dir = ensure_private_dir(resolved.log_dir)
        log_file = log_dir / LOG_FILE_NAME
        handlers.append(
            _install(
                _PrivateRotatingFileHandler(
                    log_file, max_bytes=max_bytes, backup_count=backup_count, notice=out
                ),
                file_level,
            )
        )
    except OSError as exc:
        log_file = None
        print(
            f"tvauth: cannot open a log file ({exc.strerror or exc}); logging to a file is off.",
            file=out,
        )
    if debug:
        handlers.append(_install(logging.StreamHandler(out), logging.DEBUG))
    install_redaction()
    lowest = min((h.level for h in handlers), default=logging.WARNING)
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for handler in handlers:
            logger.addHandler(handler)
        if name == "tvauth":
            logger.setLevel(lowest)
        else:
            logger.setLevel(logging.INFO if debug else logging.WARNING)
    return log_file


def install_redaction() -> None:
    """Make the first handler of tvauth's loggers a redacting no-op, so no handler sees a secret.

    Handlers run in order and ancestors' handlers run after, so records are masked before any other
    handler -- including an embedding application's root handlers and pytest's log capture -- sees
    them. The loggers keep propagating for that reason: a non-propagating logger gets capture
    handlers put *in front of* ours by some tools. :func:`setup_logging` calls this; an application
    that embeds tvauth and configures logging itself should call it too.
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if any(getattr(h, _MARK, False) == "redaction" for h in logger.handlers):
            continue
        guard = _install(_RedactionGuard(), logging.NOTSET)
        setattr(guard, _MARK, "redaction")
        logger.handlers.insert(0, guard)
        logger.propagate = True


def secrets_in(text: str, secrets: Iterable[str]) -> list[str]:
    """Which of ``secrets`` appear in ``text`` (for leak tests), each shown masked."""
    return [mask(s) for s in secrets if s and s in text]
