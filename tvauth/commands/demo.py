"""``tvauth demo``: the whole sign-in against the built-in emulator, with no Zoho account.

The emulator runs in this process; tokens go to a throw-away TVAUTH_HOME so the demo never touches
(or is refused by) a real sign-in on this machine.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile

from tvauth.commands.login import show
from tvauth.config import load_settings
from tvauth.emulator import (
    DEMO_ACCOUNTS,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Emulator,
    EmulatorConfig,
)
from tvauth.logs import setup_logging
from tvauth.paths import HOME_ENV, resolve_paths
from tvauth.signin import LiveSession
from tvauth.store import TokenStore

__all__ = ["DEMO_INTERVAL", "DEMO_SCOPES", "demo_hint", "lan_address", "run"]

# Zoho asks for 30 s between polls; the demo is quicker so a newcomer is not kept waiting. The
# demo's approver lives in another data center, so an approval is seen after up to two intervals
# (the poll that learns of the switch, then the first poll there): 2 s keeps that under 5 s.
DEMO_INTERVAL = 2.0
DEMO_SCOPES = ("AaaServer.profile.Read", "ZohoCRM.modules.ALL")
# A person in another data center than the client's, so the demo shows the switch as well.
DEMO_APPROVER = next(
    (email for email, loc in DEMO_ACCOUNTS.items() if loc == "eu"), next(iter(DEMO_ACCOUNTS))
)


def lan_address() -> str:
    """This machine's address on its local network, for a phone to reach the emulator."""
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if not address.startswith("127."):
                return address
    except OSError:
        pass
    # Connecting a UDP socket sends nothing; it only asks the kernel which source address it
    # would use. 192.0.2.1 is TEST-NET-1, reserved for documentation.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def demo_hint(approve_url: str, user_code: str) -> str:
    """The command that approves ``user_code`` as the demo's EU user, as a phone would.

    Two lines joined by a shell continuation, each short enough for an 80-column screen, so a screen
    never wraps it at a place where copying and pasting would run half a command.
    """
    return f"curl -d user_code={user_code} -d account={DEMO_APPROVER} \\\n  {approve_url}"


def run(args: argparse.Namespace) -> int:
    """Start the emulator, sign in against it, stop it."""
    host, url_host = ("0.0.0.0", lan_address()) if args.lan else ("127.0.0.1", None)  # noqa: S104
    config = EmulatorConfig(interval=DEMO_INTERVAL, host=host, url_host=url_host)
    with tempfile.TemporaryDirectory(prefix="tvauth-demo-") as home, Emulator(config) as emulator:
        paths = resolve_paths({HOME_ENV: home})
        base = emulator.base_url("us")
        flags = argparse.Namespace(
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            scope=list(DEMO_SCOPES),
            accounts_url=base,
            profile="demo",
        )
        settings = load_settings(flags, environ={HOME_ENV: home}, paths=paths)
        setup_logging(debug=args.debug, level=settings.log_level, paths=paths)
        approve_url = f"{emulator.root_url}/emulator/approve"
        session = LiveSession(
            settings=settings,
            store=TokenStore(paths.tokens_dir),
            location="us",
            hint=lambda code: demo_hint(approve_url, code),
        )
        if args.plain or not sys.stdout.isatty():
            print(f"tvauth demo: emulated Zoho Accounts at {base}", flush=True)
        return show(session, plain=args.plain, exit_on_success=False)
