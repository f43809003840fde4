"""The full-screen sign-in app: drives a :class:`~tvauth.session.SignInSession` and picks the screen.

``run_app`` is what ``tvauth login`` and ``tvauth demo`` call. Exit status:

- ``0`` (:data:`EXIT_SIGNED_IN`): signed in, whether the app exited by itself (``exit_on_success``)
  or the person quit from the signed-in screen;
- ``1`` (:data:`EXIT_FAILED`): the sign-in ended without tokens (denied, expired, an error) or the
  background renewal said a new sign-in is needed, and the person quit;
- ``130`` (:data:`EXIT_CANCELLED`): the person quit (or pressed Ctrl+C) while a sign-in was under way.

Nothing here prints a traceback on the screen: anything unexpected from the session becomes a
problem screen with two sentences, and the details go to the ``tvauth.ui`` logger.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from tvauth.errors import TvauthError
from tvauth.events import ClockWrong, Failed
from tvauth.session import RenewalFailed, Renewed, SessionEvent, SignedIn, SignInSession
from tvauth.ui.screens import ConfirmQuitScreen, ProblemScreen, SignedInScreen, SignInScreen
from tvauth.ui.texts import data_center_name

__all__ = ["EXIT_CANCELLED", "EXIT_FAILED", "EXIT_SIGNED_IN", "TvauthApp", "run_app"]

EXIT_SIGNED_IN = 0
EXIT_FAILED = 1
EXIT_CANCELLED = 130

log = logging.getLogger("tvauth.ui")

_ANSI_THEME = "ansi-dark"


def _wants_ansi() -> bool:
    """16-colour terminals (the Linux console, TERM=xterm, TEXTUAL_COLOR_SYSTEM=standard) get the
    theme built from the terminal's own ANSI colours instead of true colours squeezed into 16.

    Not with NO_COLOR: Textual then strips ANSI colours entirely, which would leave the QR code in
    the terminal's default colours (light modules on a dark console: inverted). The true-colour
    path turns colours to grey instead, and black and white stay black and white.
    """
    if "NO_COLOR" in os.environ:
        return False
    forced = os.environ.get("TEXTUAL_COLOR_SYSTEM", "").lower()
    if forced in ("standard", "windows"):
        return True
    if forced in ("256", "truecolor"):
        return False
    if os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return False
    term = os.environ.get("TERM", "").lower()
    return term == "linux" or not term.endswith(("256color", "truecolor", "direct"))


class TvauthApp(App[int]):
    """One device sign-in, full screen, for a room that reads it from a sofa."""

    CSS_PATH = "tvauth.tcss"
    TITLE = "tvauth"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "cancel_now", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        session: SignInSession,
        *,
        exit_on_success: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
        ansi: bool | None = None,
    ) -> None:
        """``clock`` must be the session's monotonic clock (events carry its times).
        ``ansi`` None picks 16-colour mode from the environment (see :func:`_wants_ansi`)."""
        self.use_ansi = _wants_ansi() if ansi is None else ansi
        super().__init__(ansi_color=True if self.use_ansi else None)
        self.session = session
        self.exit_on_success = exit_on_success
        self.clock = clock
        self.wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self.signed_in: SignedIn | None = None
        self.data_center: str | None = None
        self._main: Screen[None] | None = None

    # -- start --------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.use_ansi:
            self.theme = _ANSI_THEME
        try:
            existing = self.session.existing()
        except TvauthError as err:
            self._show_problem(err)
            return
        except Exception:
            log.exception("reading the existing sign-in failed")
            self._show_problem(_unexpected())
            return
        if existing is not None:
            self._signed_in(existing)
        else:
            self.start_sign_in()

    # -- screen switching ---------------------------------------------------------------------

    def _show(self, screen: Screen[None]) -> None:
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        if self._main is None:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)
        self._main = screen

    @property
    def main_screen(self) -> Screen[None] | None:
        """The screen under any dialog: sign-in, signed-in or problem."""
        return self._main

    def start_sign_in(self) -> None:
        """A new code (Enter, R, or after a problem): any running flow is cancelled first."""
        self.workers.cancel_group(self, "renewal")
        self.signed_in = None
        screen = SignInScreen(
            self.clock,
            accounts_url=self.session.accounts_url,
            scopes=self.session.scopes,
            hint=self.session.approve_hint,
        )
        self._show(screen)
        # The flow being replaced holds the profile's sign-in claim until its cancellation has
        # run; a new one started at once would find it taken ("another tvauth is signing in").
        previous = [w for w in self.workers if w.group in {"flow", "renewal"} and not w.is_finished]
        self.run_worker(
            self._after(previous, self.session.sign_in(), screen),
            name="sign-in",
            group="flow",
            exclusive=True,
            exit_on_error=False,
        )

    async def _after(
        self,
        previous: list[Worker[None]],
        events: AsyncIterator[SessionEvent],
        screen: Screen[None],
    ) -> None:
        """Drive ``events`` once the cancelled ``previous`` workers have really stopped."""
        for worker in previous:
            worker.cancel()
            if worker.state is not WorkerState.PENDING:
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()
        await self._drive(events, screen)

    def _signed_in(self, signed_in: SignedIn) -> None:
        self.signed_in = signed_in
        if self.exit_on_success:
            self.exit(EXIT_SIGNED_IN)
            return
        screen = SignedInScreen(self.clock, signed_in, wall_clock=self.wall_clock)
        self._show(screen)
        self.run_worker(
            self._drive(self.session.keep_fresh(), screen),
            name="keep-fresh",
            group="renewal",
            exclusive=True,
            exit_on_error=False,
        )

    def _show_problem(self, error: TvauthError) -> None:
        self.signed_in = None
        dc = self.data_center or data_center_name(None, self.session.accounts_url)
        self._show(ProblemScreen(self.clock, error, data_center=dc))

    # -- the session's events -----------------------------------------------------------------

    async def _drive(self, events: AsyncIterator[SessionEvent], screen: Screen[None]) -> None:
        """Feed one iteration of the session to the screen; stop when it is no longer shown."""
        finished = False
        try:
            async for event in events:
                if screen is not self._main:
                    return
                finished = self._handle(event, screen)
                if finished:
                    return
        except TvauthError as err:
            finished = True
            self._show_problem(err)
        except Exception:
            finished = True
            log.exception("the sign-in session failed")
            self._show_problem(_unexpected())
        finally:
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()
        if not finished and isinstance(screen, SignInScreen) and screen is self._main:
            self._show_problem(
                TvauthError(
                    "The sign-in stopped without an answer from the server.",
                    "Press Enter to try again with a new code.",
                )
            )

    def _handle(self, event: SessionEvent, screen: Screen[None]) -> bool:
        """Show one event; True when the sign-in is over (signed in or failed)."""
        if isinstance(event, SignedIn):
            self.data_center = event.data_center
            self._signed_in(event)
            return True
        if isinstance(event, Failed):
            self._show_problem(event.error)
            return True
        if isinstance(event, ClockWrong) and isinstance(screen, SignedInScreen):
            screen.apply(event)
            return False
        if isinstance(event, Renewed | RenewalFailed):
            if isinstance(screen, SignedInScreen):
                if isinstance(event, RenewalFailed) and not event.will_retry:
                    self.signed_in = None
                elif isinstance(event, Renewed):
                    self.signed_in = event.signed_in
                screen.apply(event)
            return False
        if isinstance(screen, SignInScreen):
            screen.apply(event)
        return False

    # -- quitting -----------------------------------------------------------------------------

    @property
    def signing_in(self) -> bool:
        """True while a code is being requested or waited on."""
        return isinstance(self._main, SignInScreen)

    def request_quit(self) -> None:
        """Back/Esc/Q: quit, after asking when a sign-in is under way."""
        if not self.signing_in:
            self.exit(EXIT_SIGNED_IN if self.signed_in is not None else EXIT_FAILED)
            return
        if isinstance(self.screen, ConfirmQuitScreen):
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit(EXIT_CANCELLED)

        self.push_screen(ConfirmQuitScreen(), answered)

    def action_cancel_now(self) -> None:
        """Ctrl+C: quit at once, no questions."""
        if self.signing_in:
            self.exit(EXIT_CANCELLED)
        else:
            self.exit(EXIT_SIGNED_IN if self.signed_in is not None else EXIT_FAILED)


def _unexpected() -> TvauthError:
    return TvauthError(
        "Something unexpected went wrong while signing in.",
        "Press Enter to try again; the details are in the log.",
    )


def run_app(
    session: SignInSession,
    *,
    exit_on_success: bool = False,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], datetime] | None = None,
) -> int:
    """Run the full-screen sign-in until it ends; returns the exit status (see module docs).

    ``wall_clock`` should be the clock the session stores expiry by (Zoho's time when the device
    clock is wrong), so "renews in N min" agrees with the stored token.
    """
    app = TvauthApp(session, exit_on_success=exit_on_success, clock=clock, wall_clock=wall_clock)
    result = app.run()
    if result is None:
        return EXIT_FAILED if app.signed_in is None else EXIT_SIGNED_IN
    return result
