"""The sign-in as plain text lines: ``tvauth login --plain``, and any login whose stdout is not a tty.

The output may end up in a service log, a CI log or a pipe, so it is written for that: one fact per
line, flushed at once, no colours or cursor movement, a status line only when something changes
(never one per poll), and a QR code drawn with :func:`tvauth.qr.text_qr`, which survives unknown
terminal themes and whitespace-stripping log shippers. Nothing secret is ever printed: the device
code never leaves the session, and errors carry only their problem and remedy sentences.

Exit statuses (also what ``tvauth login --plain`` returns):

- 0 (:data:`EXIT_OK`): signed in, or already signed in.
- 1 (:data:`EXIT_ERROR`): any other failure (network, wrong client or data center, token store...).
- 3 (:data:`EXIT_DENIED`): the person pressed Deny.
- 4 (:data:`EXIT_EXPIRED`): nobody approved before the code (and its bounded renewals) expired.

2 is left to argparse (bad command line) and 130 to Ctrl-C, as the CLI does.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TextIO
from urllib.parse import urlsplit

from tvauth.errors import AccessDeniedError, CodeExpiredError, TvauthError
from tvauth.events import (
    CLOCK_LOOKS_WRONG,
    Approved,
    ClockWrong,
    CodeIssued,
    DataCenterSwitched,
    Failed,
    NetworkTrouble,
    Pending,
    Requesting,
    SlowedDown,
)
from tvauth.scopes import scopes_sentence
from tvauth.session import (
    RenewalFailed,
    Renewed,
    SessionEvent,
    SignedIn,
    SignInSession,
)
from tvauth.zoho import DATA_CENTERS, is_zoho_accounts_url

__all__ = [
    "EXIT_DENIED",
    "EXIT_ERROR",
    "EXIT_EXPIRED",
    "EXIT_OK",
    "STATUS_EVERY",
    "display_url",
    "exit_code_for",
    "run_plain",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_DENIED = 3
EXIT_EXPIRED = 4

STATUS_EVERY = 30.0
"""Seconds between repeated "still waiting" (or "still no network") lines: one a poll floods a log."""

Clock = Callable[[], float]


def display_url(url: str) -> str:
    """The URL as people type it: ``https://`` dropped, ``http://`` kept (a phone would guess https).

    A trailing slash is dropped too; the path is never shortened, so the text always leads to the
    same page as the QR code.
    """
    parts = urlsplit(url)
    shown = url[len("https://") :] if parts.scheme.lower() == "https" else url
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def exit_code_for(error: BaseException) -> int:
    """The documented exit status for an error that ended the sign-in."""
    if isinstance(error, AccessDeniedError):
        return EXIT_DENIED
    if isinstance(error, CodeExpiredError):
        return EXIT_EXPIRED
    return EXIT_ERROR


def _duration(seconds: float) -> str:
    # Rounded to the millisecond first: float noise must not turn 300 s into "5 min 1 s".
    seconds = max(0, math.ceil(round(seconds, 3)))
    minutes, secs = divmod(seconds, 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _location_name(location: str | None, accounts_url: str) -> str:
    """Names like "Zoho EU"; a server that is not Zoho's (the emulator) is named by its host too."""
    dc = DATA_CENTERS.get(location.lower()) if location else None
    name = dc.display_name if dc else f"data center '{location or '?'}'"
    return name if is_zoho_accounts_url(accounts_url) else f"{name} at {_host(accounts_url)}"


def _who(signed_in: SignedIn) -> str:
    return signed_in.email or signed_in.display_name or f"profile '{signed_in.profile}'"


def _wants_color(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        tty = bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):
        tty = False
    env = os.environ
    return tty and "NO_COLOR" not in env and env.get("TERM", "") != "dumb"


def _can_show(out: TextIO, sample: str) -> bool:
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class _Printer:
    """Turns events into lines, remembering just enough to stay quiet when nothing changed."""

    def __init__(self, out: TextIO, clock: Clock, session: SignInSession, color: bool) -> None:
        self.out = out
        self.color = color
        self.clock = clock
        self.session = session
        self.code: CodeIssued | None = None
        self.status_key: str | None = None
        self.status_at = -math.inf

    def line(self, text: str = "") -> None:
        self.out.write(f"{text}\n")
        self.out.flush()

    def status(self, key: str, text: str, *, repeat: bool = True) -> None:
        """A status line if it says something new, or if the last one is STATUS_EVERY old."""
        now = self.clock()
        if key == self.status_key and (not repeat or now - self.status_at < STATUS_EVERY):
            return
        self.status_key = key
        self.status_at = now
        self.line(text)

    def remaining(self) -> str:
        if self.code is None:
            return ""
        return f"the code is valid for another {_duration(self.code.expires_at - self.clock())}"

    def code_issued(self, event: CodeIssued) -> None:
        auth = event.authorization
        first = self.code is None
        self.code = event
        self.status_key = None
        self.line()
        if first:
            self.line(scopes_sentence(self.session.scopes))
        self.line(f"Code: {auth.user_code}")
        self.line(f"Go to {display_url(auth.verification_url)} and enter the code.")
        prefilled = auth.verification_uri_complete is not None
        qr_lines = self.qr(auth.qr_url)
        if qr_lines is not None:
            self.line(
                "Or scan this QR code with a phone"
                + (" (it fills in the code):" if prefilled else ":")
            )
            self.out.write(qr_lines)
            self.out.flush()
        self.line(
            f"The code is valid for {_duration(event.expires_at - event.at)}. "
            "Only approve a code you can see here."
        )
        hint = self.session.approve_hint(auth.user_code)
        if hint:
            self.line(f"To approve without a phone (demo): {hint}")

    def qr(self, url: str) -> str | None:
        from tvauth.qr import QrTooLongError, ansi_qr, text_qr

        if not _can_show(self.out, "█▀▄"):
            self.line("(No QR code: this output cannot show block characters; use the address.)")
            return None
        try:
            return ansi_qr(url) if self.color else text_qr(url)
        except QrTooLongError:
            self.line("(No QR code: the address is too long for one; use the address.)")
            return None

    def signed_in(self, signed_in: SignedIn, *, already: bool = False) -> None:
        head = "Already signed in" if already else "Signed in"
        self.line(f"{head} as {_who(signed_in)}, {signed_in.data_center}.")
        self.line(
            f"Access token valid until {_when(signed_in.access_expires_at)}; "
            f"next renewal at {_when(signed_in.next_renewal_at)}."
        )

    def failed(self, error: TvauthError) -> None:
        self.line(f"Sign-in failed: {error.problem}")
        if error.remedy:
            self.line(error.remedy)

    def event(self, event: SessionEvent) -> None:
        if isinstance(event, Requesting):
            if self.code is None:
                self.line(f"Asking {_host(event.accounts_url)} for a sign-in code...")
            else:
                self.line("The code expired unused; asking for a new one...")
        elif isinstance(event, CodeIssued):
            self.code_issued(event)
        elif isinstance(event, Pending):
            if self.status_key == "trouble":
                self.line("The network is back.")
            self.status("pending", f"Waiting for approval; {self.remaining()}.")
        elif isinstance(event, SlowedDown):
            self.status(
                f"slow:{event.interval}",
                f"The server asked to check less often; now every {_duration(event.interval)}.",
                repeat=False,
            )
        elif isinstance(event, NetworkTrouble) and event.waiting_for_network:
            cause = f": {event.error.problem}" if event.error is not None else ""
            self.status(
                "network-wait",
                f"Waiting for the network{cause.rstrip('.')}; trying again in "
                f"{_duration(event.retry_at - event.at)}.",
            )
        elif isinstance(event, NetworkTrouble) and event.reason == CLOCK_LOOKS_WRONG:
            cause = f": {event.error.problem}" if event.error is not None else ""
            self.status(
                "clock-wait",
                f"Waiting for this device's clock to be set{cause.rstrip('.')}; trying again "
                f"in {_duration(event.retry_at - event.at)}.",
            )
        elif isinstance(event, NetworkTrouble):
            self.status(
                "trouble",
                f"Network trouble ({event.reason}); retrying in "
                f"{_duration(event.retry_at - event.at)}.",
            )
        elif isinstance(event, DataCenterSwitched):
            self.status(
                f"dc:{event.to_location}",
                f"Approved by an account in {_location_name(event.to_location, event.accounts_url)}; "
                "finishing the sign-in there.",
                repeat=False,
            )
        elif isinstance(event, Approved):
            self.status("approved", "Approved; saving the sign-in...", repeat=False)
        elif isinstance(event, ClockWrong):
            self.status("clock", event.message, repeat=False)
        elif isinstance(event, Renewed):
            self.line(
                f"Access token renewed; valid until {_when(event.signed_in.access_expires_at)}."
            )
        elif isinstance(event, RenewalFailed):
            more = " Trying again by itself." if event.will_retry else ""
            self.line(f"Could not renew the access token: {event.error.message}{more}")


async def _close(iterator: AsyncIterator[SessionEvent]) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()


async def _keep_fresh(session: SignInSession, printer: _Printer) -> int:
    updates = session.keep_fresh()
    try:
        async for event in updates:
            printer.event(event)
            if isinstance(event, RenewalFailed) and not event.will_retry:
                return exit_code_for(event.error)
    finally:
        await _close(updates)
    return EXIT_OK


async def run_plain(
    session: SignInSession,
    out: TextIO,
    *,
    clock: Clock = time.monotonic,
    exit_on_success: bool = True,
    color: bool | None = None,
) -> int:
    """Run one sign-in as text on ``out``; return the exit status (see the module docstring).

    With ``exit_on_success`` False it stays after signing in and reports background renewals,
    like the full screen does, until cancelled or a renewal fails for good.

    ``color``: draw the QR code black on white with colour escapes (right on any terminal theme).
    None decides: only when ``out`` is a terminal, ``NO_COLOR`` is unset and ``TERM`` is not
    "dumb"; logs and pipes get :func:`tvauth.qr.text_qr`, which needs no colours.
    """
    if color is None:
        color = _wants_color(out)
    printer = _Printer(out, clock, session, color)
    try:
        existing = session.existing()
        if existing is not None:
            printer.signed_in(existing, already=True)
            return EXIT_OK if exit_on_success else await _keep_fresh(session, printer)
        events = session.sign_in()
        try:
            async for event in events:
                if isinstance(event, Failed):
                    printer.failed(event.error)
                    return exit_code_for(event.error)
                if isinstance(event, SignedIn):
                    printer.signed_in(event)
                    break
                printer.event(event)
            else:
                printer.line("Sign-in failed: the sign-in ended without a result.")
                printer.line("Run the command again; if it keeps happening, run it with --debug.")
                return EXIT_ERROR
        finally:
            await _close(events)
        return EXIT_OK if exit_on_success else await _keep_fresh(session, printer)
    except TvauthError as error:
        printer.failed(error)
        return exit_code_for(error)
