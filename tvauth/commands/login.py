"""``tvauth login`` (and bare ``tvauth``): sign this device in, full screen or as plain text."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tvauth.config import load_settings
from tvauth.logs import setup_logging
from tvauth.signin import LiveSession
from tvauth.store import TokenStore

__all__ = ["run", "show"]


def show(session: LiveSession, *, plain: bool, exit_on_success: bool) -> int:
    """Run ``session`` on the full screen, or as text when asked or when stdout is no terminal."""
    if plain or not sys.stdout.isatty():
        from tvauth.plain import run_plain

        # Plain mode is for scripts and service logs: it always ends once signed in.
        return asyncio.run(run_plain(session, sys.stdout, exit_on_success=True))
    from tvauth.ui.app import run_app

    return run_app(session, exit_on_success=exit_on_success, wall_clock=session.now)


def run(args: argparse.Namespace) -> int:
    """Sign in with settings from flags, environment and the config file."""
    settings = load_settings(args)
    setup_logging(debug=args.debug, level=settings.log_level)
    session = LiveSession(settings=settings, store=TokenStore(), force=args.force)
    if session.existing() is None:
        # Say what is missing before taking over the screen: the person is at a prompt now.
        settings.require_client()
    return show(session, plain=args.plain, exit_on_success=args.exit_on_success)
