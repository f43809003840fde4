"""Settings from flags, then environment, then the TOML config file, then defaults.

A kiosk is configured once (a file written by ``tvauth config init``), a container through the
environment, and a person at a shell with flags; each layer overrides the ones below it, and
:attr:`Settings.source` remembers which layer every value came from so ``tvauth config show`` can say
why a value is what it is.

Environment variables (each overrides the matching file key):

``TVAUTH_CLIENT_ID``
    Zoho client id of a "Non-browser application" client (``client_id``).
``TVAUTH_CLIENT_SECRET``
    its client secret, used for every data center (``client_secret``); it also overrides the file's
    per-data-center ``[client_secrets]`` entries.
``TVAUTH_CLIENT_SECRET_FILE``
    a file holding the client secret instead (systemd ``LoadCredential=``, container secrets).
``TVAUTH_CLIENT_SECRET_<DC>``
    the secret for one data center, e.g. ``TVAUTH_CLIENT_SECRET_EU`` (``[client_secrets] eu``).
``TVAUTH_SCOPE``
    scopes, comma-separated (``scope``).
``TVAUTH_ACCOUNTS_URL``
    accounts server where the client is registered, a URL or a data-center code such as ``eu``
    (``accounts_url`` / ``data_center``).
``TVAUTH_DATA_CENTER``
    the same as a data-center code only (``data_center``).
``TVAUTH_PROFILE``
    token profile (``profile``).
``TVAUTH_LOG_LEVEL``
    ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR`` (``log_level``).
``TVAUTH_CONNECT_TIMEOUT`` / ``TVAUTH_READ_TIMEOUT``
    seconds (``[http] connect_timeout`` / ``read_timeout``).

Importing this module is cheap: no httpx, Textual or qrcode.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tvauth.errors import ConfigError
from tvauth.paths import TvauthPaths, resolve_paths
from tvauth.redact import Secret
from tvauth.tomlkeys import key_lines
from tvauth.zoho import DATA_CENTERS, DataCenter, data_center_for_accounts_url

__all__ = [
    "DEFAULT_ACCOUNTS_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_PROFILE",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_SCOPES",
    "DEFAULT_SECRET",
    "ENV_VARS",
    "LOG_LEVELS",
    "SECRET_ENV_PREFIX",
    "SECRET_FILE_ENV",
    "Settings",
    "load_settings",
    "parse_accounts_url",
    "parse_scopes",
    "validate_profile",
]

log = logging.getLogger(__name__)

DEFAULT_SCOPES: tuple[str, ...] = ("AaaServer.profile.Read",)
DEFAULT_ACCOUNTS_URL = "https://accounts.zoho.com"
DEFAULT_PROFILE = "default"
DEFAULT_LOG_LEVEL = "INFO"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
MAX_TIMEOUT = 600.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_SECRET = "*"
"""Key of :attr:`Settings.client_secrets` for the secret that serves every data center."""

ENV_VARS: dict[str, str] = {
    "client_id": "TVAUTH_CLIENT_ID",
    "client_secret": "TVAUTH_CLIENT_SECRET",
    "scope": "TVAUTH_SCOPE",
    "accounts_url": "TVAUTH_ACCOUNTS_URL",
    "data_center": "TVAUTH_DATA_CENTER",
    "profile": "TVAUTH_PROFILE",
    "log_level": "TVAUTH_LOG_LEVEL",
    "http.connect_timeout": "TVAUTH_CONNECT_TIMEOUT",
    "http.read_timeout": "TVAUTH_READ_TIMEOUT",
}
SECRET_ENV_PREFIX = "TVAUTH_CLIENT_SECRET_"
SECRET_FILE_ENV = "TVAUTH_CLIENT_SECRET_FILE"

_SCOPE_SPLIT = re.compile(r"[,\s]+")

# Layer ranks: a value from a higher rank wins.
_DEFAULT, _FILE, _ENV, _FLAG = 0, 1, 2, 3


# --------------------------------------------------------------------------- the settings


@dataclass(frozen=True)
class Settings:
    """Everything tvauth needs to know before it talks to Zoho. Secrets print masked."""

    client_id: str | None
    client_secrets: dict[str, Secret]
    scopes: tuple[str, ...]
    accounts_url: str
    profile: str
    log_level: str
    connect_timeout: float
    read_timeout: float
    source: dict[str, str]
    config_file: Path | None = None
    notes: tuple[str, ...] = field(default=())
    """Warnings worth showing a person (e.g. a readable config file holding a secret)."""

    @property
    def data_center(self) -> DataCenter | None:
        """The Zoho data center of :attr:`accounts_url`, or None for another server (the emulator)."""
        return data_center_for_accounts_url(self.accounts_url)

    def client_secret_for(self, location: str | None) -> Secret | None:
        """The secret to send to ``location``'s accounts server (Zoho multi-DC may differ per DC)."""
        if location is not None:
            specific = self.client_secrets.get(location.lower())
            if specific is not None:
                return specific
        return self.client_secrets.get(DEFAULT_SECRET)

    def require_client(self) -> None:
        """Raise :class:`ConfigError` saying exactly what to set, where, if the client is incomplete."""
        where = self.config_file or resolve_paths().config_file
        if not self.client_id:
            raise ConfigError(
                "No client id.",
                f'Pass --client-id, set TVAUTH_CLIENT_ID, or put client_id = "..." in {where}.',
            )
        dc = self.data_center
        location = dc.location if dc is not None else None
        if self.client_secret_for(location) is None:
            if location is None:
                per_dc = ""
            else:
                per_dc = (
                    f" (or only for this data center: TVAUTH_CLIENT_SECRET_{location.upper()}, "
                    f'or {location} = "..." under [client_secrets])'
                )
            raise ConfigError(
                "No client secret.",
                "Pass --client-secret, set TVAUTH_CLIENT_SECRET, or put "
                f'client_secret = "..." in {where}{per_dc}.',
            )


# --------------------------------------------------------------------------- value parsers


def parse_scopes(values: list[str] | tuple[str, ...] | str, *, where: str) -> tuple[str, ...]:
    """Scopes from a list and/or comma (or space) separated strings, deduplicated, order kept."""
    items = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        for scope in _SCOPE_SPLIT.split(item.strip()):
            if not scope:
                continue
            if not scope.isprintable():
                raise ConfigError(
                    f"{where}: a scope contains a control character.",
                    "Give scopes as names such as ZohoCRM.modules.READ, separated by commas.",
                )
            if scope not in out:
                out.append(scope)
    if not out:
        raise ConfigError(
            f"{where}: no scope given.",
            f"Give at least one scope, e.g. {DEFAULT_SCOPES[0]}, or leave it unset for the default.",
        )
    return tuple(out)


def _valid_dcs() -> str:
    return ", ".join(DATA_CENTERS)


def _data_center_url(code: str, *, where: str) -> str:
    dc = DATA_CENTERS.get(code.strip().lower())
    if dc is None:
        raise ConfigError(
            f"{where}: unknown data center {code.strip()!r}.",
            f"Use one of: {_valid_dcs()} (or an accounts_url such as https://accounts.zoho.eu).",
        )
    return dc.accounts_url


def parse_accounts_url(value: str, *, where: str) -> str:
    """An accounts server URL (http or https, no query) or a data-center code, as a clean URL."""
    text = value.strip()
    if not text:
        raise ConfigError(
            f"{where}: the accounts URL is empty.",
            f"Give a URL such as https://accounts.zoho.eu or a data center: {_valid_dcs()}.",
        )
    if "://" not in text and text.lower() in DATA_CENTERS:
        return DATA_CENTERS[text.lower()].accounts_url
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where}: {_url_for_message(text)!r} is not an http(s) URL or a data center.",
            f"Give a URL such as https://accounts.zoho.eu or a data center: {_valid_dcs()}.",
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"{where}: the accounts URL must not contain a user name or password.",
            "Give only the server, e.g. https://accounts.zoho.eu.",
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"{where}: the accounts URL must not have a query or fragment.",
            "Give only the server, e.g. https://accounts.zoho.eu.",
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ConfigError(
            f"{where}: the accounts URL has an invalid port.",
            "Give a URL such as http://127.0.0.1:8080 or https://accounts.zoho.eu.",
        ) from None
    url = f"{parts.scheme.lower()}://{parts.netloc}{parts.path}".rstrip("/")
    if parts.scheme.lower() == "http" and data_center_for_accounts_url(url) is not None:
        raise ConfigError(
            f"{where}: Zoho's accounts servers only speak https.",
            f"Use https://{parts.netloc}.",
        )
    return url


def _url_for_message(text: str) -> str:
    """A URL cut short and without anything after '?' so a pasted secret does not echo back."""
    return text.split("?", 1)[0].split("#", 1)[0][:80]


def validate_profile(name: str, *, where: str) -> str:
    """A profile name becomes a file name: the store's rule, reported with where it was given."""
    from tvauth.profile import validate_profile_name

    value = name.strip()
    try:
        return validate_profile_name(value)
    except ConfigError as err:
        raise ConfigError(f"{where}: invalid profile name {value[:70]!r}.", err.remedy) from None


def _log_level(value: str, *, where: str) -> str:
    level = value.strip().upper()
    if level == "WARN":
        level = "WARNING"
    if level not in LOG_LEVELS:
        raise ConfigError(
            f"{where}: unknown log level {value.strip()[:20]!r}.",
            f"Use one of: {', '.join(LOG_LEVELS)}.",
        )
    return level


def _timeout(value: float | str, *, where: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(
            f"{where}: {str(value).strip()[:20]!r} is not a number of seconds.",
            "Give a number such as 10 or 2.5.",
        ) from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_TIMEOUT:
        raise ConfigError(
            f"{where}: a timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds.",
            "Give a number such as 10 or 2.5.",
        )
    return seconds


# --------------------------------------------------------------------------- the file


@dataclass
class _FileValues:
    values: dict[str, Any]
    lines: dict[tuple[str, ...], int]
    path: Path

    def where(self, key: str) -> str:
        line = self.lines.get(tuple(key.split(".")))
        return f"{self.path}, line {line}" if line else str(self.path)


_TOP_KEYS: dict[str, str] = {
    "client_id": "string",
    "client_secret": "string",
    "client_secrets": "table",
    "scope": "list or string",
    "accounts_url": "string",
    "data_center": "string",
    "profile": "string",
    "log_level": "string",
}
_MISPLACED = (
    "It looks like a top-level key written below a [table] header: "
    "move it above the first [table] line."
)
_HTTP_KEYS: dict[str, str] = {"connect_timeout": "number", "read_timeout": "number"}
_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "a table",
}


def _type_name(value: Any) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return "a date or time"


def _unknown(key: str, valid: list[str], fv: _FileValues, *, table: str = "") -> ConfigError:
    full = f"{table}.{key}" if table else key
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    place = f"in [{table}]" if table else "at the top level"
    if table and key in _TOP_KEYS:
        hint = f" {_MISPLACED}"
    return ConfigError(
        f"{fv.where(full)}: unknown key {full!r} {place}.{hint}",
        f"Valid keys {place}: {', '.join(valid)}. Remove or rename it.",
    )


def _wrong_type(key: str, expected: str, value: Any, fv: _FileValues) -> ConfigError:
    return ConfigError(
        f"{fv.where(key)}: {key!r} must be a {expected}, but it is {_type_name(value)}.",
        f"Fix the value of {key!r} in {fv.path}.",
    )


def _check_file(fv: _FileValues) -> None:
    """Reject unknown keys and wrong types, naming file, line and key."""
    valid_top = [*_TOP_KEYS, "http"]
    for key, value in fv.values.items():
        if key == "http":
            if not isinstance(value, dict):
                raise _wrong_type("http", "table", value, fv)
            for sub, subvalue in value.items():
                if sub not in _HTTP_KEYS:
                    raise _unknown(sub, list(_HTTP_KEYS), fv, table="http")
                if isinstance(subvalue, bool) or not isinstance(subvalue, int | float):
                    raise _wrong_type(f"http.{sub}", "number of seconds", subvalue, fv)
            continue
        expected = _TOP_KEYS.get(key)
        if expected is None:
            raise _unknown(key, valid_top, fv)
        if expected == "string" and not isinstance(value, str):
            raise _wrong_type(key, "string", value, fv)
        if expected == "table":
            if not isinstance(value, dict):
                raise _wrong_type(key, 'table like [client_secrets] with eu = "..."', value, fv)
            for loc, secret in value.items():
                if loc.lower() not in DATA_CENTERS:
                    misplaced = f" {_MISPLACED}" if loc in _TOP_KEYS else ""
                    raise ConfigError(
                        f"{fv.where(f'{key}.{loc}')}: unknown data center {loc!r} in [{key}].{misplaced}",
                        f"Use one of: {_valid_dcs()}.",
                    )
                if not isinstance(secret, str):
                    raise _wrong_type(f"{key}.{loc}", "string", secret, fv)
        if expected == "list or string":
            if isinstance(value, list):
                for item in value:
                    if not isinstance(item, str):
                        raise _wrong_type(key, "list of strings", item, fv)
            elif not isinstance(value, str):
                raise _wrong_type(key, "list of strings or a comma-separated string", value, fv)


def _read_file(path: Path) -> _FileValues | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(
            f"The config file {path} is a directory.", "Move it aside and run 'tvauth config init'."
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"The config file {path} cannot be read ({exc.strerror or exc}).",
            "Check its owner and permissions (it should belong to the user running tvauth).",
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}, line {line}: the config file is not UTF-8 text.",
            "Save it as UTF-8, or move it aside and run 'tvauth config init'.",
        ) from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}.",
            "Fix that line, or move the file aside and run 'tvauth config init'.",
        ) from None
    fv = _FileValues(values, key_lines(text), path)
    _check_file(fv)
    return fv


def _loose_permissions_note(path: Path, fv: _FileValues) -> str | None:
    holds_secret = "client_secret" in fv.values or bool(fv.values.get("client_secrets"))
    if not holds_secret:
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"{path} holds a client secret but other users may read it (mode {mode:o}); "
            f"run 'chmod 600 {path}'."
        )
    return None


# --------------------------------------------------------------------------- layering


class _Builder:
    """Collects each setting's value from the highest layer that has one."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.ranks: dict[str, int] = {}
        self.source: dict[str, str] = {}

    def put(self, key: str, value: Any, rank: int, source: str) -> None:
        if rank >= self.ranks.get(key, -1):
            self.values[key] = value
            self.ranks[key] = rank
            self.source[key] = source


def _flag(args: argparse.Namespace | None, name: str) -> Any:
    return None if args is None else getattr(args, name, None)


def load_settings(
    args: argparse.Namespace | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    paths: TvauthPaths | None = None,
) -> Settings:
    """Settings for this run: flags over environment over the config file over defaults.

    Raises :class:`ConfigError` for a bad value in any layer, naming the flag, variable or file line.
    """
    env = os.environ if environ is None else environ
    if paths is None:
        paths = resolve_paths(dict(env))
    config_file = paths.config_file
    b = _Builder()

    b.put("scope", DEFAULT_SCOPES, _DEFAULT, "default")
    b.put("accounts_url", DEFAULT_ACCOUNTS_URL, _DEFAULT, "default")
    b.put("profile", DEFAULT_PROFILE, _DEFAULT, "default")
    b.put("log_level", DEFAULT_LOG_LEVEL, _DEFAULT, "default")
    b.put("http.connect_timeout", DEFAULT_CONNECT_TIMEOUT, _DEFAULT, "default")
    b.put("http.read_timeout", DEFAULT_READ_TIMEOUT, _DEFAULT, "default")

    notes: list[str] = []
    fv = _read_file(config_file)
    if fv is not None:
        _layer_file(b, fv)
        note = _loose_permissions_note(config_file, fv)
        if note:
            notes.append(note)
            log.warning("%s", note)
    _layer_env(b, env)
    _layer_flags(b, args)

    secrets: dict[str, Secret] = {}
    default_rank = b.ranks.get("client_secret", -1)
    if "client_secret" in b.values:
        secrets[DEFAULT_SECRET] = b.values["client_secret"]
    source = {k: v for k, v in b.source.items() if not k.startswith("client_secrets.")}
    for key, value in b.values.items():
        if key.startswith("client_secrets.") and b.ranks[key] >= default_rank:
            secrets[key.split(".", 1)[1]] = value
            source[key] = b.source[key]

    return Settings(
        client_id=b.values.get("client_id"),
        client_secrets=secrets,
        scopes=b.values["scope"],
        accounts_url=b.values["accounts_url"],
        profile=b.values["profile"],
        log_level=b.values["log_level"],
        connect_timeout=b.values["http.connect_timeout"],
        read_timeout=b.values["http.read_timeout"],
        source=source,
        config_file=config_file,
        notes=tuple(notes),
    )


def _non_empty(value: str, where: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ConfigError(f"{where}: the {what} is empty.", f"Give a {what}, or leave it unset.")
    return text


def _layer_file(b: _Builder, fv: _FileValues) -> None:
    v = fv.values

    def src(key: str) -> str:
        return f"file {fv.where(key)}"

    if "client_id" in v:
        b.put(
            "client_id",
            _non_empty(v["client_id"], fv.where("client_id"), "client id"),
            _FILE,
            src("client_id"),
        )
    if "client_secret" in v:
        text = _non_empty(v["client_secret"], fv.where("client_secret"), "client secret")
        b.put("client_secret", Secret(text), _FILE, src("client_secret"))
    for loc, secret in v.get("client_secrets", {}).items():
        key = f"client_secrets.{loc}"
        text = _non_empty(secret, fv.where(key), "client secret")
        b.put(f"client_secrets.{loc.lower()}", Secret(text), _FILE, src(key))
    if "scope" in v:
        b.put("scope", parse_scopes(v["scope"], where=fv.where("scope")), _FILE, src("scope"))
    url_key = None
    if "accounts_url" in v:
        url_key = "accounts_url"
        url = parse_accounts_url(v["accounts_url"], where=fv.where("accounts_url"))
    if "data_center" in v:
        dc_url = _data_center_url(v["data_center"], where=fv.where("data_center"))
        if url_key is not None and dc_url != url:
            raise ConfigError(
                f"{fv.where('data_center')}: data_center and accounts_url disagree "
                f"({v['data_center']!r} is {dc_url}).",
                "Keep only one of them.",
            )
        url_key, url = "data_center", dc_url
    if url_key is not None:
        b.put("accounts_url", url, _FILE, src(url_key))
    if "profile" in v:
        b.put(
            "profile",
            validate_profile(v["profile"], where=fv.where("profile")),
            _FILE,
            src("profile"),
        )
    if "log_level" in v:
        b.put(
            "log_level",
            _log_level(v["log_level"], where=fv.where("log_level")),
            _FILE,
            src("log_level"),
        )
    for sub, value in v.get("http", {}).items():
        key = f"http.{sub}"
        b.put(key, _timeout(value, where=fv.where(key)), _FILE, src(key))


def _layer_env(b: _Builder, env: Mapping[str, str]) -> None:
    def get(key: str) -> tuple[str, str] | None:
        name = ENV_VARS[key]
        value = env.get(name)
        if value is None or not value.strip():
            return None  # an empty variable means "not set", as shells make that easy
        return name, value

    if found := get("client_id"):
        b.put("client_id", found[1].strip(), _ENV, f"env {found[0]}")
    if found := get("client_secret"):
        b.put("client_secret", Secret(found[1].strip()), _ENV, f"env {found[0]}")
    secret_file = env.get(SECRET_FILE_ENV, "").strip()
    if secret_file:
        if found:
            raise ConfigError(
                f"Both {ENV_VARS['client_secret']} and {SECRET_FILE_ENV} are set.",
                "Set only one of them.",
            )
        secret = _read_secret_file(Path(secret_file).expanduser())
        b.put("client_secret", secret, _ENV, f"env {SECRET_FILE_ENV} ({secret_file})")
    for name, value in env.items():
        if not name.startswith(SECRET_ENV_PREFIX) or not value.strip() or name == SECRET_FILE_ENV:
            continue
        loc = name[len(SECRET_ENV_PREFIX) :].lower()
        if loc not in DATA_CENTERS:
            raise ConfigError(
                f"Environment variable {name}: unknown data center {loc!r}.",
                f"Use TVAUTH_CLIENT_SECRET_<DC> with one of: {', '.join(d.upper() for d in DATA_CENTERS)}.",
            )
        b.put(f"client_secrets.{loc}", Secret(value.strip()), _ENV, f"env {name}")
    if found := get("scope"):
        b.put("scope", parse_scopes(found[1], where=found[0]), _ENV, f"env {found[0]}")
    if found := get("data_center"):
        url = _data_center_url(found[1], where=found[0])
        b.put("accounts_url", url, _ENV, f"env {found[0]}")
    if found := get("accounts_url"):
        url = parse_accounts_url(found[1], where=found[0])
        b.put("accounts_url", url, _ENV, f"env {found[0]}")
    if found := get("profile"):
        b.put("profile", validate_profile(found[1], where=found[0]), _ENV, f"env {found[0]}")
    if found := get("log_level"):
        b.put("log_level", _log_level(found[1], where=found[0]), _ENV, f"env {found[0]}")
    for key in ("http.connect_timeout", "http.read_timeout"):
        if found := get(key):
            b.put(key, _timeout(found[1], where=found[0]), _ENV, f"env {found[0]}")


def _read_secret_file(path: Path) -> Secret:
    """A client secret kept in its own file (systemd credentials, container secrets)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(
            f"{SECRET_FILE_ENV} names {path}, which cannot be read ({reason}).",
            "Point it at a file holding only the client secret, readable by this user.",
        ) from None
    if not text or "\n" in text:
        raise ConfigError(
            f"{SECRET_FILE_ENV} names {path}, which does not hold exactly one line.",
            "Put only the client secret in that file.",
        )
    return Secret(text)


def _layer_flags(b: _Builder, args: argparse.Namespace | None) -> None:
    if (value := _flag(args, "client_id")) is not None:
        b.put("client_id", _non_empty(value, "--client-id", "client id"), _FLAG, "flag --client-id")
    if (value := _flag(args, "client_secret")) is not None:
        text = _non_empty(value, "--client-secret", "client secret")
        b.put("client_secret", Secret(text), _FLAG, "flag --client-secret")
    if (value := _flag(args, "scope")) is not None:
        b.put("scope", parse_scopes(value, where="--scope"), _FLAG, "flag --scope")
    if (value := _flag(args, "accounts_url")) is not None:
        url = parse_accounts_url(value, where="--accounts-url")
        b.put("accounts_url", url, _FLAG, "flag --accounts-url")
    if (value := _flag(args, "profile")) is not None:
        b.put("profile", validate_profile(value, where="--profile"), _FLAG, "flag --profile")
    if _flag(args, "debug"):
        b.put("log_level", "DEBUG", _FLAG, "flag --debug")
