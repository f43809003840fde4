"""``tvauth emulator``: serve the emulator until Ctrl-C or SIGTERM.

Prints ``LOCATION URL`` per data center first (a parent process reads these lines from the pipe),
then the demo client and accounts. It is a local fake: printing its demo secret is intended.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any

from tvauth.emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig
from tvauth.emulator.emulator import Emulator

__all__ = ["config_from_args", "run"]


class UsageError(ValueError):
    """A flag value the emulator cannot use; the message says which and why."""


def _pairs(values: list[str], flag: str, shape: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        left, sep, right = value.partition(":")
        if not sep or not left.strip() or not right.strip():
            raise UsageError(f"{flag} {value!r} must look like {shape}")
        out.append((left.strip(), right.strip()))
    return out


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The configuration the flags ask for (defaults for flags this parser does not have)."""
    base = EmulatorConfig()
    accounts = dict(base.accounts)
    for email, location in _pairs(
        list(getattr(args, "account", []) or []), "--account", "EMAIL:LOCATION"
    ):
        accounts[email] = location.lower()
    clients = dict(base.clients)
    for client_id, secret in _pairs(
        list(getattr(args, "client", []) or []), "--client", "ID:SECRET"
    ):
        clients[client_id] = secret
    values: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "interval": args.interval,
        "code_lifetime": args.code_lifetime,
        "token_lifetime": args.token_lifetime,
        "refresh_window": args.refresh_window,
        "error_status": args.error_status,
        "accounts": accounts,
        "clients": clients,
    }
    optional = {
        "refresh_limit": "refresh_limit",
        "units": "units",
        "user_location_key": "user_location_key",
        "legacy_expires": "legacy_expires",
        "token_scope": "token_scope",
        "send_verification_uri_complete": "send_verification_uri_complete",
        "send_id_token": "send_id_token",
        "user_code_format": "user_code_format",
        "url_host": "url_host",
        "client_location": "client_location",
        "auto_approve": "auto_approve",
        "auto_approve_after": "auto_approve_after",
        "dc_ports": "dc_ports",
    }
    for attr, name in optional.items():
        value = getattr(args, attr, None)
        if value is not None:
            values[name] = value
    locations = getattr(args, "location", None)
    if locations:
        values["locations"] = tuple(
            dict.fromkeys(loc.strip().lower() for item in locations for loc in item.split(","))
        )
    try:
        return EmulatorConfig(**values)
    except ValueError as err:
        raise UsageError(str(err)) from None


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 0 on a clean stop, 2 on bad flags."""
    try:
        config = config_from_args(args)
    except UsageError as err:
        print(f"tvauth emulator: {err}", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(config).start()
    except OSError as err:
        print(
            f"tvauth emulator: cannot listen on {config.host}:{config.port} ({err.strerror}). "
            "Pick another --port, or --port 0 for a free one.",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        out = sys.stdout
        for location, url in emulator.urls.items():
            print(f"{location} {url}", file=out)
        print(f"demo-client-id {DEMO_CLIENT_ID}", file=out)
        print(
            f"demo-client-secret {DEMO_CLIENT_SECRET}  (demo client of this local emulator)",
            file=out,
        )
        print(f"client-location {config.client_location}", file=out)
        for email, location in config.accounts.items():
            print(f"account {email} {location}", file=out)
        print("control " + emulator.root_url + "/emulator  (Ctrl-C stops)", file=out)
        out.flush()
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
