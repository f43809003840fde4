"""The ``tvauth`` command line.

Every sub-command's arguments are declared here (cheap), but its code is imported only when it runs:
``tvauth token`` must start fast and never load Textual, qrcode or (with a cached token) httpx.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from tvauth import __version__
from tvauth.errors import TvauthError

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


def _handler(spec: str) -> Handler:
    module_name, _, attr = spec.partition(":")
    handler: Handler = getattr(importlib.import_module(module_name), attr)
    return handler


def _add_profile(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--profile",
        default=None,
        help="token profile (default: TVAUTH_PROFILE, the config file's profile, or 'default')",
    )


def _add_client(p: argparse.ArgumentParser) -> None:
    p.add_argument("--client-id", default=None, help="Zoho client id (or TVAUTH_CLIENT_ID)")
    p.add_argument(
        "--client-secret", default=None, help="Zoho client secret (or TVAUTH_CLIENT_SECRET)"
    )
    p.add_argument(
        "--scope",
        action="append",
        default=None,
        help="scope to ask for; repeat or comma-separate (or TVAUTH_SCOPE)",
    )
    p.add_argument(
        "--accounts-url",
        default=None,
        help="accounts server of the client's data center (or TVAUTH_ACCOUNTS_URL)",
    )


def _add_login_options(p: argparse.ArgumentParser) -> None:
    _add_profile(p)
    _add_client(p)
    p.add_argument(
        "--exit-on-success", action="store_true", help="exit with status 0 once signed in (kiosks)"
    )
    p.add_argument("--plain", action="store_true", help="plain text lines instead of full screen")
    p.add_argument(
        "--force", action="store_true", help="sign in again even if a valid sign-in exists"
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; building it imports nothing heavy."""
    parser = argparse.ArgumentParser(
        prog="tvauth",
        description="Sign this device into Zoho with a code and a QR code shown full screen.",
    )
    parser.add_argument("--version", action="version", version=f"tvauth {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    login = sub.add_parser("login", help="sign this device in (the default command)")
    _add_login_options(login)
    login.set_defaults(handler="tvauth.commands.login:run")

    demo = sub.add_parser("demo", help="full-screen sign-in against the built-in emulator")
    demo.add_argument(
        "--lan",
        action="store_true",
        help="listen on this machine's LAN address so a phone on the network can approve",
    )
    demo.add_argument(
        "--plain", action="store_true", help="plain text lines instead of full screen"
    )
    demo.set_defaults(handler="tvauth.commands.demo:run")

    token = sub.add_parser("token", help="print a valid access token, renewing it if needed")
    _add_profile(token)
    token.set_defaults(handler="tvauth.commands.tokens:run_token")

    status = sub.add_parser("status", help="who is signed in, where, and until when")
    _add_profile(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler="tvauth.commands.tokens:run_status")

    refresh = sub.add_parser("refresh", help="renew the access token now")
    _add_profile(refresh)
    refresh.set_defaults(handler="tvauth.commands.tokens:run_refresh")

    logout = sub.add_parser("logout", help="revoke the sign-in at Zoho and forget it")
    group = logout.add_mutually_exclusive_group()
    group.add_argument(
        "--profile",
        default=None,
        help="profile to sign out (default: TVAUTH_PROFILE, the config file's, or 'default')",
    )
    group.add_argument("--all", action="store_true", help="sign out every profile")
    logout.add_argument(
        "--local", action="store_true", help="forget the tokens even if Zoho cannot be reached"
    )
    logout.set_defaults(handler="tvauth.commands.tokens:run_logout")

    profiles = sub.add_parser("profiles", help="list the stored profiles")
    profiles.set_defaults(handler="tvauth.commands.tokens:run_profiles")

    exec_ = sub.add_parser(
        "exec", help="run a command with ZOHO_ACCESS_TOKEN and ZOHO_API_DOMAIN set"
    )
    _add_profile(exec_)
    exec_.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD ...")
    exec_.set_defaults(handler="tvauth.commands.tokens:run_exec")

    config = sub.add_parser("config", help="show, locate or create the configuration file")
    config.add_argument(
        "action",
        choices=("path", "show", "init"),
        help="path: print its location; show: effective settings, secrets masked; init: write a template",
    )
    config.add_argument(
        "--force", action="store_true", help="with init: overwrite an existing file"
    )
    config.set_defaults(handler="tvauth.commands.config:run")

    emulator = sub.add_parser("emulator", help="run the Zoho Accounts emulator on loopback")
    emulator.set_defaults(handler="tvauth.emulator.cli:run")
    _emulator_arguments(emulator)

    return parser


def _emulator_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    p.add_argument(
        "--interval", type=float, default=30.0, help="polling interval in seconds (default 30)"
    )
    p.add_argument(
        "--code-lifetime",
        type=float,
        default=300.0,
        help="device code lifetime in seconds (default 300)",
    )
    p.add_argument(
        "--token-lifetime",
        type=float,
        default=3600.0,
        help="access token lifetime in seconds (default 3600)",
    )
    p.add_argument(
        "--refresh-window",
        type=float,
        default=600.0,
        help="window of the 10-refreshes throttle in seconds (default 600)",
    )
    p.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="EMAIL:LOCATION",
        help="add a demo account living in a data center, e.g. jane@example.com:eu",
    )
    p.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="ID:SECRET",
        help="add a 'Non-browser application' client",
    )
    p.add_argument(
        "--error-status",
        type=int,
        choices=(200, 400),
        default=200,
        help="HTTP status of error answers (Zoho uses both; default 200)",
    )
    p.add_argument(
        "--refresh-limit",
        type=int,
        default=None,
        help="refreshes allowed per refresh token per window (default 10)",
    )
    p.add_argument(
        "--location",
        action="append",
        default=None,
        metavar="LOC[,LOC...]",
        help="data centers to emulate (default: every one in Zoho's table)",
    )
    p.add_argument(
        "--client-location",
        default=None,
        metavar="LOC",
        help="data center where the clients are registered (default us)",
    )
    p.add_argument(
        "--url-host",
        default=None,
        help="host name put in URLs handed out (e.g. this machine's LAN address)",
    )
    p.add_argument(
        "--dc-ports",
        action="store_const",
        const=True,
        default=None,
        help="give each data center its own port (base URLs without a path)",
    )
    p.add_argument(
        "--auto-approve",
        default=None,
        metavar="EMAIL",
        help="approve every code as this account (no phone needed)",
    )
    p.add_argument(
        "--auto-approve-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="wait this long after a code is issued before --auto-approve (default 0)",
    )
    variants = p.add_argument_group("wire variants (Zoho's undocumented details)")
    variants.add_argument(
        "--units",
        choices=("ms", "s"),
        default=None,
        help="unit of interval and expires_in in device code answers (default ms, as Zoho)",
    )
    variants.add_argument(
        "--user-location-key",
        choices=("user_location", "dc", "location"),
        default=None,
        help="key naming the user's data center in other_dc answers (default user_location)",
    )
    variants.add_argument(
        "--legacy-expires",
        action="store_const",
        const=True,
        default=None,
        help="token answers give expires_in in ms plus expires_in_sec",
    )
    variants.add_argument(
        "--no-token-scope",
        dest="token_scope",
        action="store_const",
        const=False,
        default=None,
        help="token answers omit scope",
    )
    variants.add_argument(
        "--no-verification-uri-complete",
        dest="send_verification_uri_complete",
        action="store_const",
        const=False,
        default=None,
        help="device code answers omit verification_uri_complete",
    )
    variants.add_argument(
        "--id-token",
        dest="send_id_token",
        action="store_const",
        const=True,
        default=None,
        help="token answers include an id_token",
    )
    variants.add_argument(
        "--user-code-format",
        default=None,
        metavar="PATTERN",
        help="user code pattern, X = random character (default XXXXXXXX; e.g. XXXX-XXXX)",
    )


def _normalise_argv(argv: list[str]) -> list[str]:
    """``tvauth`` alone, or with only login options, means ``tvauth login``."""
    top_level = {"-h", "--help", "--version"}
    first = next((a for a in argv if a != "--debug"), None)
    if first is None or (first.startswith("-") and first not in top_level):
        debug = ["--debug"] if "--debug" in argv else []
        return [*debug, "login", *(a for a in argv if a != "--debug")]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tvauth`` script; returns the process exit status."""
    args_list = _normalise_argv(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        return _handler(args.handler)(args)
    except KeyboardInterrupt:
        return 130
    except TvauthError as err:
        print(f"tvauth: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
