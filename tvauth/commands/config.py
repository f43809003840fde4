"""``tvauth config path|show|init``: find, explain and create the configuration file.

``init`` writes a commented template with every key explained, commented out at its default, so a
person on a Raspberry Pi can open it with ``nano`` and uncomment what they need. Values found in the
environment when ``init`` runs (``TVAUTH_CLIENT_ID=... tvauth config init``) are written in, so setup
can be scripted. The file may hold a client secret: it is created 0600 in a 0700 directory, and an
existing file is never overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from tvauth.config import (
    DEFAULT_ACCOUNTS_URL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PROFILE,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_SCOPES,
    DEFAULT_SECRET,
    ENV_VARS,
    SECRET_ENV_PREFIX,
    Settings,
    load_settings,
)
from tvauth.errors import ConfigError
from tvauth.paths import TvauthPaths, ensure_private_dir, resolve_paths
from tvauth.zoho import DATA_CENTERS

__all__ = ["render_template", "run", "write_config"]


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's string escapes are all valid TOML escapes."""
    return json.dumps(value, ensure_ascii=False)


def _line(key: str, value: str | None, default: str) -> str:
    if value is None:
        return f"# {key} = {default}"
    return f"{key} = {_toml_string(value)}"


def render_template(environ: Mapping[str, str] | None = None) -> str:
    """The file's text; keys set in ``environ`` are filled in, the rest stay commented."""
    env = environ or {}

    def get(key: str) -> str | None:
        value = env.get(ENV_VARS[key], "").strip()
        return value or None

    dcs = ", ".join(DATA_CENTERS)
    scope_value = get("scope")
    scope_line = (
        f"scope = {json.dumps([s for s in scope_value.replace(' ', ',').split(',') if s])}"
        if scope_value
        else f"# scope = {json.dumps(list(DEFAULT_SCOPES))}"
    )
    per_dc = []
    for name, value in sorted(env.items()):
        loc = name[len(SECRET_ENV_PREFIX) :].lower() if name.startswith(SECRET_ENV_PREFIX) else ""
        if loc in DATA_CENTERS and value.strip():
            per_dc.append(f"{loc} = {_toml_string(value.strip())}")
    per_dc_lines = "\n".join(per_dc) if per_dc else '# eu = "..."\n# in = "..."'
    url = get("accounts_url")
    dc_line = _line("data_center", get("data_center"), '"us"')
    url_line = _line("accounts_url", url, f'"{DEFAULT_ACCOUNTS_URL}"')
    profile_line = _line("profile", get("profile"), f'"{DEFAULT_PROFILE}"')
    level_line = _line("log_level", get("log_level"), '"INFO"')

    return f"""\
# tvauth configuration.
#
# Every setting can also come from the environment or a command-line flag; those win over this file
# (flags first, then environment). 'tvauth config show' prints what is in effect and where each value
# came from. Lines starting with '#' are comments; remove the '#' to set a value.
#
# This file may hold a client secret: keep it readable by its owner only (chmod 600).

# The Zoho client, from https://api-console.zoho.com: add a client of type
# "Non-browser application". Its client id and secret go here.
# Environment: TVAUTH_CLIENT_ID, TVAUTH_CLIENT_SECRET (or TVAUTH_CLIENT_SECRET_FILE, naming a file
# that holds only the secret).   Flags: --client-id, --client-secret.
{_line("client_id", get("client_id"), '"1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"')}
{_line("client_secret", get("client_secret"), '"..."')}

# Where the client is registered. Either a data center ({dcs})
# or the URL of its accounts server (the built-in emulator: http://127.0.0.1:PORT).
# People who live in another data center are still signed in: tvauth follows them there.
# Environment: TVAUTH_DATA_CENTER, TVAUTH_ACCOUNTS_URL (a URL or a data center).   Flag: --accounts-url.
{dc_line}
{url_line}

# What the device may do once signed in, as Zoho scope names (a list, or one comma-separated string).
# Environment: TVAUTH_SCOPE (comma-separated).   Flag: --scope (repeat or comma-separate).
{scope_line}

# Which stored sign-in to use; several profiles can sit side by side on one device.
# Environment: TVAUTH_PROFILE.   Flag: --profile.
{profile_line}

# How much goes into the log file: DEBUG, INFO, WARNING or ERROR. Secrets are always masked.
# Environment: TVAUTH_LOG_LEVEL.   Flag: --debug (DEBUG, and also to the terminal).
{level_line}

# With multi-DC enabled in Zoho's API console a client may have a different secret in each data
# center. Secrets here serve only that data center; client_secret above serves the others.
# Environment: TVAUTH_CLIENT_SECRET_EU, TVAUTH_CLIENT_SECRET_IN, ...
[client_secrets]
{per_dc_lines}

# Network timeouts in seconds. Proxies come from HTTPS_PROXY / NO_PROXY, extra certificate
# authorities (an inspecting proxy) from SSL_CERT_FILE or SSL_CERT_DIR.
# Environment: TVAUTH_CONNECT_TIMEOUT, TVAUTH_READ_TIMEOUT.
[http]
# connect_timeout = {DEFAULT_CONNECT_TIMEOUT:g}
# read_timeout = {DEFAULT_READ_TIMEOUT:g}
"""


def write_config(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` as 0600 in a 0700 directory; refuse to replace it unless ``force``.

    The file is written beside its final name and moved into place, so a full disk or a crash leaves
    either the old file or the new one, never half of either.
    """
    if path.exists() and not force:
        raise ConfigError(
            f"{path} already exists; it was left as it is.",
            "Edit it, or run 'tvauth config init --force' to replace it with a fresh template.",
        )
    for parent in (path.parent, *path.parent.parents):
        if parent.exists() and not parent.is_dir():
            raise ConfigError(
                f"Could not write {path}: {parent} is a file, but it should be a directory.",
                "Move that file aside (or set TVAUTH_HOME to another place) and try again.",
            )
    try:
        ensure_private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if force:
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)  # fails if someone created the file meanwhile
                except FileExistsError:
                    raise ConfigError(
                        f"{path} appeared while it was being written; it was left as it is.",
                        "Run 'tvauth config init --force' to replace it.",
                    ) from None
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"Could not write {path} ({exc.strerror or exc}).",
            "Check that the disk is not full and that the directory belongs to this user.",
        ) from None


def _proxy_for_display(value: str) -> str:
    """A proxy URL without its user name and password."""
    if "@" in value:
        scheme, sep, rest = value.partition("://")
        host = rest.rsplit("@", 1)[1]
        return f"{scheme}{sep}***@{host}" if sep else f"***@{value.rsplit('@', 1)[1]}"
    return value


def _show(settings: Settings, environ: Mapping[str, str], out: TextIO) -> None:
    path = settings.config_file
    found = path is not None and path.exists()
    state = "" if found else "  (not found: defaults, environment and flags only)"
    print(f"Config file: {path}{state}", file=out)
    print("", file=out)

    rows: list[tuple[str, str, str]] = []

    def row(key: str, value: str | None, source_key: str | None = None) -> None:
        src = settings.source.get(source_key or key, "")
        rows.append((key, "(not set)" if value is None else value, src))

    row("client_id", settings.client_id)
    default_secret = settings.client_secrets.get(DEFAULT_SECRET)
    row("client_secret", None if default_secret is None else str(default_secret))
    for loc, secret in sorted(settings.client_secrets.items()):
        if loc != DEFAULT_SECRET:
            row(f"client_secrets.{loc}", str(secret))
    row("scope", ", ".join(settings.scopes))
    dc = settings.data_center
    where = f"  ({dc.display_name})" if dc else "  (not a Zoho server: emulator or test server)"
    row("accounts_url", settings.accounts_url + where)
    row("profile", settings.profile)
    row("log_level", settings.log_level)
    row("http.connect_timeout", f"{settings.connect_timeout:g} s")
    row("http.read_timeout", f"{settings.read_timeout:g} s")

    width = max(len(r[0]) for r in rows) + 2
    vwidth = max(len(r[1]) for r in rows) + 2
    for key, value, src in rows:
        print(f"{key:<{width}}{value:<{vwidth}}{src}".rstrip(), file=out)

    network = []
    for name in (
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ):
        env_value = environ.get(name)
        if env_value:
            network.append(f"{name}={_proxy_for_display(env_value)}")
    if network:
        print("", file=out)
        print("Network environment:", file=out)
        for line in network:
            print(f"  {line}", file=out)
    for note in settings.notes:
        print("", file=out)
        print(f"Note: {note}", file=out)
    if (
        settings.client_id is None
        or settings.client_secret_for(dc.location if dc else None) is None
    ):
        try:
            settings.require_client()
        except ConfigError as err:
            print("", file=out)
            print(f"Not ready to sign in: {err}", file=out)


def run(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    paths: TvauthPaths | None = None,
    out: TextIO | None = None,
) -> int:
    """Handler of ``tvauth config``; returns the exit status."""
    env = os.environ if environ is None else environ
    stream = sys.stdout if out is None else out
    if paths is None:
        paths = resolve_paths(dict(env))
    action = getattr(args, "action", "path")
    if action == "path":
        print(paths.config_file, file=stream)
        return 0
    if action == "show":
        _show(load_settings(args, environ=env, paths=paths), env, stream)
        return 0
    if action == "init":
        text = render_template(env)
        write_config(paths.config_file, text, force=bool(getattr(args, "force", False)))
        print(f"Wrote {paths.config_file}", file=stream)
        try:
            load_settings(None, environ={}, paths=paths)
        except ConfigError as err:
            print(f"But it does not load: {err}", file=stream)
            return 1
        print(
            "Edit it to set your client id and secret; 'tvauth config show' checks it.", file=stream
        )
        return 0
    raise ConfigError(f"Unknown config action {action!r}.", "Use path, show or init.")
