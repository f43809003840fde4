"""The screens: signing in (requesting and waiting), signed in, a problem, and "really quit?".

Screens only show things and turn keys into requests to the app (``TvauthApp``), which owns the
session and decides what comes next. Every changing line is a :class:`~tvauth.ui.widgets.Ticker`
driven by one 1-second timer per screen, so a screen at rest costs one tiny repaint a second.
"""

from __future__ import annotations

import ipaddress
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    ServerResponseError,
    ThrottledError,
    TvauthError,
)
from tvauth.events import (
    Approved,
    ClockWrong,
    CodeIssued,
    DataCenterSwitched,
    FlowEvent,
    NetworkTrouble,
    Pending,
    Requesting,
    SlowedDown,
)
from tvauth.qr import QrTooLongError, qr_size
from tvauth.scopes import scopes_sentence
from tvauth.session import RenewalFailed, Renewed, SignedIn
from tvauth.ui import codeart
from tvauth.ui.layout import (
    CODE_PAD,
    GAP,
    CodeOption,
    Layout,
    Needs,
    choose_layout,
    overscan_margin,
    qr_cells,
)
from tvauth.ui.texts import (
    MAX_REASON,
    STATUS_SAMPLES,
    Status,
    countdown_text,
    data_center_name,
    display_url,
    duration_words,
    host_of,
    signed_in_as,
    status_text,
    wall_time,
    wrap_command,
)
from tvauth.ui.widgets import BigCode, QrCode, Ticker

if TYPE_CHECKING:
    from tvauth.ui.app import TvauthApp

__all__ = ["ConfirmQuitScreen", "ProblemScreen", "SignInScreen", "SignedInScreen"]

PHISHING = "Only approve a code you can see on this screen."
WAITING_KEYS = "Enter: new code    Esc: quit"
PROBLEM_KEYS = "Enter: try again with a new code    Esc or Q: quit"
SIGNED_IN_KEYS = "Esc or Q: quit (the sign-in stays saved)"

# Back on a TV remote arrives as Escape or Backspace, depending on the box.
BACK_KEYS = "escape,q,backspace"


def _wrapped_rows(text: str, width: int) -> int:
    if not text:
        return 0
    return sum(max(1, len(textwrap.wrap(p, width) or [""])) for p in text.split("\n"))


@lru_cache(maxsize=64)
def _status_rows(width: int) -> int:
    """Rows the status line's box needs so its longest sentence never gets cut."""
    return max(_wrapped_rows(sample, width) for sample in STATUS_SAMPLES)


class _Ticking(Screen[None]):
    """A screen with one 1-second timer that recomputes its changing lines."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self.clock = clock

    @property
    def tvauth(self) -> TvauthApp:
        """The app, typed (screens only ever run inside ``TvauthApp``)."""
        from tvauth.ui.app import TvauthApp

        app = self.app
        assert isinstance(app, TvauthApp)
        return app

    def on_mount(self) -> None:
        # Textual runs every class's on_mount along the MRO (subclasses first): no super() call.
        self.tick()
        self.set_interval(1.0, self.tick, name="tick")

    def tick(self) -> None:
        """Recompute the changing lines from the clock; unchanged text repaints nothing."""


class SignInScreen(_Ticking):
    """Requesting a code, then waiting for someone to approve it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "new_code", "New code"),
        Binding("r", "new_code", "New code", show=False),
        Binding(BACK_KEYS, "back", "Quit"),
    ]

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        accounts_url: str,
        scopes: tuple[str, ...],
        hint: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(clock)
        self.accounts_url = accounts_url
        self.scopes_text = scopes_sentence(scopes)
        self.hint_for = hint
        self.issued: CodeIssued | None = None
        self.status = Status("requesting", detail=host_of(accounts_url))
        self.arrangement: Layout | None = None
        self.hint_text = ""
        self.hidden: frozenset[str] = frozenset()
        self.qr_text: str | None = None
        self.clock_note = ""
        self._ready = False

    def compose(self) -> ComposeResult:
        with Container(id="frame"), Horizontal(id="columns"):
            with Vertical(id="text"):
                yield Static("Sign in to Zoho", id="title", classes="line")
                yield Static("Go to", id="goto", classes="line waiting")
                yield Static("", id="url", classes="line waiting")
                yield Static("and enter this code:", id="enter", classes="line waiting")
                yield BigCode(id="code", classes="waiting")
                yield Ticker(id="expires", classes="line waiting")
                yield Ticker(id="status", classes="line")
                yield Static("", id="clock", classes="line")
                yield QrCode(id="qr-stacked", classes="qr")
                yield Static("", id="qr-note", classes="line")
                yield Static(self.scopes_text, id="scopes", classes="line")
                yield Static(PHISHING, id="phishing", classes="line")
                yield Static("", id="hint", classes="line")
                yield Static(WAITING_KEYS, id="keys", classes="line")
            yield QrCode(id="qr-wide", classes="qr")

    def on_mount(self) -> None:
        # Events may arrive before the widgets exist (a fast session): they only update the state
        # until now, and this draws whatever the state is.
        self._ready = True
        self._show_phase()

    # -- events from the app ------------------------------------------------------------------

    def apply(self, event: FlowEvent) -> None:
        """Show what a flow event means for the person in the room."""
        interval = self.status.interval
        if isinstance(event, Requesting):
            self.accounts_url = event.accounts_url
            self.issued = None
            self.status = Status("requesting", detail=host_of(event.accounts_url))
            self._show_phase()
        elif isinstance(event, CodeIssued):
            self.issued = event
            self.status = Status("waiting")
            self._show_phase()
        elif isinstance(event, Pending):
            self.status = Status("waiting", at=event.at, interval=interval)
        elif isinstance(event, SlowedDown):
            checked = self.status.at if self.status.kind == "waiting" else None
            self.status = Status("waiting", at=checked, interval=event.interval)
        elif isinstance(event, NetworkTrouble):
            reason = event.reason
            if len(reason) > MAX_REASON:
                reason = reason[: MAX_REASON - 3].rstrip() + "..."
            server = isinstance(event.error, ServerResponseError | ThrottledError)
            kind = "server" if server and not event.waiting_for_network else "network"
            self.status = Status(kind, at=event.retry_at, detail=reason, interval=interval)
        elif isinstance(event, DataCenterSwitched):
            name = data_center_name(event.to_location, event.accounts_url)
            self.status = Status("switched", detail=name, interval=interval)
        elif isinstance(event, Approved):
            self.status = Status("approved")
        elif isinstance(event, ClockWrong):
            self.clock_note = event.message
            if self._ready:
                self.query_one("#clock", Static).update(event.message)
                self._relayout()
        if self._ready:
            self.tick()

    @property
    def waiting(self) -> bool:
        """True once a code is on screen (False while asking for one)."""
        return self.issued is not None

    # -- drawing ------------------------------------------------------------------------------

    def tick(self) -> None:
        now = self.clock()
        if self.issued is not None:
            self.query_one("#expires", Ticker).text = countdown_text(self.issued.expires_at - now)
        self.query_one("#status", Ticker).text = status_text(self.status, now)

    def _show_phase(self) -> None:
        if not self._ready:
            return
        self.query_one("#clock", Static).update(self.clock_note)
        waiting = self.issued is not None
        for widget in self.query(".waiting"):
            widget.display = waiting
        if self.issued is not None:
            auth = self.issued.authorization
            self.query_one("#url", Static).update(display_url(auth.verification_url))
            again = "new " if self.issued.attempt > 1 else ""
            self.query_one("#enter", Static).update(f"and enter this {again}code:")
            hint = self.hint_for(auth.user_code) if self.hint_for else None
            # A shell command: drawn by _relayout, broken only where it still pastes as one.
            self.hint_text = hint or ""
            self.query_one("#hint", Static).display = bool(hint)
        else:
            self.hint_text = ""
            self.query_one("#hint", Static).display = False
            for qr in self.query(QrCode):
                qr.set_data(None)
        self._relayout()

    def on_resize(self, event: Resize) -> None:
        self._relayout()

    def _qr_choices(self) -> list[str]:
        """What the QR may encode, best first: the address with the code filled in, then (when
        that makes a code too big for the window) the bare address, which is still worth a scan."""
        if self.issued is None:
            return []
        auth = self.issued.authorization
        return list(dict.fromkeys([auth.qr_url, auth.verification_url]))

    def _needs(self, qr_text: str | None, hidden: frozenset[str]) -> tuple[Needs, str | None]:
        issued = self.issued
        url = display_url(issued.authorization.verification_url) if issued else ""
        qr: int | None = None
        note: str | None = None
        code = issued.authorization.user_code if issued else ""
        if qr_text is not None:
            try:
                qr = qr_size(qr_text)[0]
            except QrTooLongError:
                note = "The address is too long for a QR code; type it instead."
        return Needs(qr, _code_options(code), len(url), self._text_rows(hidden)), note

    def _text_rows(self, hidden: frozenset[str] = frozenset()) -> Callable[[int], int]:
        issued = self.issued
        url = display_url(issued.authorization.verification_url) if issued else ""
        return _text_rows_for(
            waiting=issued is not None,
            scopes=self.scopes_text,
            hint=self.hint_text,
            url=url,
            clock=self.clock_note,
            hidden=hidden,
        )

    def _relayout(self) -> None:
        if not self._ready:
            return
        width, height = self.size
        if width == 0 or height == 0:
            return
        # The QR with the code filled in, else the bare address; and a clock warning gives way to
        # the QR (tvauth copes with a wrong clock by itself; the log has the details).
        hides = [frozenset[str]()] + ([frozenset({"clock"})] if self.clock_note else [])
        if self.hint_text and self.issued and _phone_can_open(self.issued.authorization.qr_url):
            # The demo with --lan: the QR is how a newcomer approves, the curl line the fallback.
            # (On 127.0.0.1 the QR is of no use to a phone, and the curl line stays.)
            hides += [h | {"hint"} for h in hides]
        attempts: list[tuple[str | None, frozenset[str]]] = [
            (q, h) for h in hides for q in self._qr_choices()
        ] or [(None, hides[0])]
        qr_text, hidden = attempts[0]
        needs, note = self._needs(qr_text, hidden)
        layout = choose_layout(needs, width, height)
        for other_qr, other_hidden in attempts[1:]:
            if layout.show_qr:
                break
            other_needs, other_note = self._needs(other_qr, other_hidden)
            other_layout = choose_layout(other_needs, width, height)
            if other_layout.show_qr:
                qr_text, hidden, needs, note, layout = (
                    other_qr,
                    other_hidden,
                    other_needs,
                    other_note,
                    other_layout,
                )
        if not layout.show_qr:
            qr_text, hidden = attempts[0]
            needs, note = self._needs(qr_text, hidden)
        self.qr_text = qr_text
        if not layout.show_qr:
            # A small window without a QR: give things up in a fixed order until the rest fits.
            # The title goes before the code shrinks to plain text; the scopes only go when even
            # plain text does not fit.
            first = layout
            Choice = tuple[frozenset[str], Needs, Layout]
            big: Choice | None = None  # the first that fits with block letters
            fitting: Choice | None = None  # the first that fits at all
            last: Choice | None = None  # the most compact, when nothing fits
            for level in COMPACT_LEVELS:
                level_needs = replace(needs, text_rows=self._text_rows(level))
                level_layout = first
                if level:
                    text_only = choose_layout(replace(level_needs, qr_modules=None), width, height)
                    level_layout = replace(text_only, qr_note=first.qr_note)
                last = (level, level_needs, level_layout)
                if _fits(level_needs, level_layout, height):
                    if level_layout.code.height > 0 and ("scopes" not in level or fitting is None):
                        big = last
                        break
                    fitting = fitting or last
                if "scopes" in level and fitting is not None:
                    break
            hidden, needs, layout = big or fitting or last or (hidden, needs, layout)
        self.hidden = hidden
        waiting = self.issued is not None
        for name in ("title", "scopes", "goto", "enter", "hint", "clock"):
            in_phase = {
                "goto": waiting,
                "enter": waiting,
                "hint": bool(self.hint_text),
                "clock": bool(self.clock_note),
            }
            self.query_one(f"#{name}").display = in_phase.get(name, True) and name not in hidden
        self.query_one("#phishing").styles.margin = (1 if "scopes" in hidden else 0, 0, 0, 0)
        self.arrangement = layout
        my, mx = layout.margin
        self.query_one("#frame").styles.padding = (my, mx)
        for kind in ("wide", "stacked", "text"):
            self.set_class(layout.kind == kind, f"-{kind}")
        self.query_one("#text").styles.width = layout.text_width
        for widget_id in ("#status",):
            self.query_one(widget_id).styles.height = _status_rows(layout.text_width)
        if self.hint_text:
            self.query_one("#hint", Static).update(_hint_lines(self.hint_text, layout.text_width))
        text_rows = needs.text_rows(layout.text_width)
        if self.issued is not None:
            option = layout.code
            code = self.query_one(BigCode)
            code.show(self.issued.authorization.user_code, option.height, option.lines)
            # Containers align their children as one block; centre the code on its own.
            pad = 0 if hidden else 1
            code.styles.margin = (pad, 0, pad, max(0, (layout.text_width - option.width) // 2))
            text_rows += option.rows + CODE_PAD
        url = qr_text
        for qr in self.query(QrCode):
            shown = layout.show_qr and qr.id == f"qr-{layout.kind}"
            qr.set_data(url if shown else None, layout.qr_scale)
            qr.display = shown
        qr_w, qr_h = qr_cells(needs.qr_modules or 0, layout.qr_scale)
        text = self.query_one("#text")
        wide_qr = self.query_one("#qr-wide", QrCode)
        if layout.kind == "wide":
            # Side by side: centre the shorter of the two vertically against the other.
            wide_qr.styles.margin = (max(0, (text_rows - qr_h) // 2), 0, 0, GAP)
            text.styles.margin = (max(0, (qr_h - text_rows) // 2), 0, 0, 0)
        else:
            text.styles.margin = (0, 0, 0, 0)
            left = max(0, (layout.text_width - qr_w) // 2)
            self.query_one("#qr-stacked", QrCode).styles.margin = (0, 0, 0, left)
        note_widget = self.query_one("#qr-note", Static)
        message = (note or layout.qr_note) if self.issued is not None else None
        note_widget.update(message or "")
        note_widget.display = bool(message)

    def shown_qr(self) -> QrCode | None:
        """The QR widget on screen, if any (for tests and the scannability check)."""
        for qr in self.query(QrCode):
            if qr.display and qr.data:
                return qr
        return None

    # -- keys ---------------------------------------------------------------------------------

    def action_new_code(self) -> None:
        self.tvauth.start_sign_in()

    def action_back(self) -> None:
        self.tvauth.request_quit()


HINT_HEADER = "Demo, no phone? Approve with:"


def _phone_can_open(url: str) -> bool:
    """False for an address only this machine can open (127.0.0.1, localhost, ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _hint_lines(command: str, width: int) -> str:
    """The demo's approve line under its header, the command broken so that it pastes as one."""
    header = "\n".join(textwrap.wrap(HINT_HEADER, width) or [HINT_HEADER])
    return header + "\n" + "\n".join(wrap_command(command, width))


def _code_options(code: str) -> list[CodeOption]:
    return _cached_options(code)


@lru_cache(maxsize=8)
def _cached_options(code: str) -> list[CodeOption]:
    return codeart.options(code)


def _fits(needs: Needs, layout: Layout, height: int) -> bool:
    rows = needs.text_rows(layout.text_width) + layout.code.rows + CODE_PAD
    if layout.qr_note:
        rows += _wrapped_rows(layout.qr_note, layout.text_width)
    return rows <= height - 2 * layout.margin[0]


# What a window too small for everything gives up first (text-only layout), in order. The code, the
# address, the status, the phishing warning and the keys are never given up.
COMPACT_LEVELS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"clock"}),
    frozenset({"clock", "title"}),
    frozenset({"clock", "title", "scopes"}),
    frozenset({"clock", "title", "scopes", "goto", "enter"}),
    frozenset({"clock", "title", "scopes", "goto", "enter", "hint"}),
)


def _text_rows_for(
    *,
    waiting: bool,
    scopes: str,
    hint: str,
    url: str,
    clock: str = "",
    hidden: frozenset[str] = frozenset(),
) -> Callable[[int], int]:
    """Rows the text column needs at a width, except the code, the QR and its note. Mirrors
    tvauth.tcss: lines are one row each; #scopes (or #phishing when the scopes are hidden) and
    #keys have a blank row above; the code loses its blank rows once anything is hidden."""

    @lru_cache(maxsize=64)
    def rows(width: int) -> int:
        total = 0 if "title" in hidden else 1
        if waiting:
            total += 0 if "goto" in hidden else 1
            total += _wrapped_rows(url, width)
            total += 0 if "enter" in hidden else 1
            total += 1  # expires
        total += _status_rows(width)
        total += 0 if "clock" in hidden else _wrapped_rows(clock, width)
        total += 1 + (0 if "scopes" in hidden else _wrapped_rows(scopes, width))
        total += _wrapped_rows(PHISHING, width)
        total += 0 if "hint" in hidden or not hint else _hint_lines(hint, width).count("\n") + 1
        total += 1 + _wrapped_rows(WAITING_KEYS, width)
        return total - CODE_PAD if hidden else total

    return rows


class ConfirmQuitScreen(ModalScreen[bool]):
    """ "Stop signing in?" Back again quits; OK keeps waiting (a remote has no 'y')."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(f"{BACK_KEYS},y", "answer(True)", "Quit"),
        Binding("enter,n,space", "answer(False)", "Keep waiting"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Stop signing in?", id="question", classes="line")
            yield Static(
                "Approving the code after that will not sign this device in.",
                id="consequence",
                classes="line",
            )
            yield Static(
                "Press Esc, Back or Q again to quit.\nPress Enter or OK to keep waiting.",
                id="choices",
                classes="line",
            )

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)


def _banner_fit(text: str, width: int, max_rows: int) -> tuple[int, int]:
    """The largest (height, lines) drawing of a banner word that fits; (0, 1) for plain text."""
    best = (0, 1)
    for option in codeart.options(text):
        if option.height and option.width <= width and option.rows <= max_rows:
            best = max(best, (option.height, option.lines), key=lambda o: (o[0], -o[1]))
    return best


class _BannerScreen(_Ticking):
    """A screen led by one big word ("SIGNED IN", "EXPIRED") the room can read."""

    banner_word = ""
    banner_rows_share = 0.4  # at most this share of the rows for the banner

    def on_resize(self, event: Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width, height = self.size
        if not width or not height or not self.query("#banner"):
            return  # not built yet (or being taken down)
        my, mx = overscan_margin(width, height)
        frame = self.query_one("#frame")
        frame.styles.padding = (my, mx)
        inner_w = max(1, width - 2 * mx)
        body = self.query_one("#body")
        body_w = inner_w
        body.styles.width = body_w
        glyph_height, lines = _banner_fit(
            self.banner_word, body_w, int((height - 2 * my) * self.banner_rows_share)
        )
        banner = self.query_one("#banner", BigCode)
        banner.show(self.banner_word, glyph_height, lines)
        drawn = max((len(line) for line in banner.lines), default=0)
        # Containers align their children as one block; centre the banner on its own.
        banner.styles.margin = (0, 0, 1, max(0, (body_w - drawn) // 2))

    def on_mount(self) -> None:
        self._relayout()


class ProblemScreen(_BannerScreen):
    """The sign-in ended without tokens: what is wrong, what to do, and Enter to start again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,r", "again", "New code"),
        Binding(BACK_KEYS, "back", "Quit"),
    ]

    def __init__(
        self, clock: Callable[[], float], error: TvauthError, *, data_center: str | None
    ) -> None:
        super().__init__(clock)
        self.error = error
        self.data_center = data_center
        if isinstance(error, CodeExpiredError):
            self.banner_word, self.headline = "EXPIRED", "The code expired."
        elif isinstance(error, AccessDeniedError):
            self.banner_word, self.headline = "DENIED", "Sign-in was denied."
        else:
            self.banner_word, self.headline = "PROBLEM", "Sign-in did not work."

    def compose(self) -> ComposeResult:
        with Container(id="frame"), Vertical(id="body"):
            yield BigCode(id="banner")
            yield Static(self.headline, id="headline", classes="line")
            yield Static(f"What is wrong: {self.error.problem}", id="problem", classes="line")
            if self.error.remedy:
                yield Static(f"What to do: {self.error.remedy}", id="remedy", classes="line")
            if self.data_center:
                yield Static(f"Data center: {self.data_center}", id="dc", classes="line")
            yield Static(PROBLEM_KEYS, id="keys", classes="line")

    def action_again(self) -> None:
        self.tvauth.start_sign_in()

    def action_back(self) -> None:
        self.tvauth.request_quit()


class SignedInScreen(_BannerScreen):
    """Who is signed in, until when, and the background renewal's latest news."""

    banner_word = "SIGNED IN"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(BACK_KEYS, "back", "Quit"),
        Binding("enter", "again", "Sign in again", show=False),
    ]

    def __init__(
        self,
        clock: Callable[[], float],
        signed_in: SignedIn,
        *,
        wall_clock: Callable[[], datetime],
    ) -> None:
        super().__init__(clock)
        self.signed_in = signed_in
        self.wall_clock = wall_clock
        self.renewal_note = "It renews by itself while this screen is up."
        self.clock_note = ""
        self.needs_sign_in = False

    def compose(self) -> ComposeResult:
        s = self.signed_in
        with Container(id="frame"), Vertical(id="body"):
            yield BigCode(id="banner")
            yield Static(signed_in_as(s.email, s.display_name, s.data_center), id="who")
            yield Ticker(id="token-life", classes="line")
            yield Ticker(id="renewal", classes="line")
            yield Static(self.renewal_note, id="renewal-note", classes="line")
            yield Static(self.clock_note, id="clock", classes="line")
            yield Static(SIGNED_IN_KEYS, id="keys", classes="line")

    def tick(self) -> None:
        if not self.query("#token-life"):
            return  # not composed yet
        s = self.signed_in
        now = self.wall_clock()
        left = (s.access_expires_at - now).total_seconds()
        if left > 0:
            life = f"Access token valid until {wall_time(s.access_expires_at)} ({duration_words(left)} left)."
        else:
            life = "Access token expired; renewing."
        self.query_one("#token-life", Ticker).text = life
        due = (s.next_renewal_at - now).total_seconds()
        when = f"in {duration_words(due)}" if due > 0 else "now"
        self.query_one(
            "#renewal", Ticker
        ).text = f"Next renewal at {wall_time(s.next_renewal_at)} ({when})."

    def on_mount(self) -> None:
        # Renewal news may have come while the widgets were being built.
        self._show_notes()

    def _show_notes(self) -> None:
        for note in self.query("#renewal-note").results(Static):
            note.update(self.renewal_note)
        for clock in self.query("#clock").results(Static):
            clock.update(self.clock_note)
            clock.display = bool(self.clock_note)

    def apply(self, event: Renewed | RenewalFailed | ClockWrong) -> None:
        """News from the background renewal (it may come before the widgets exist)."""
        if isinstance(event, ClockWrong):
            self.clock_note = event.message
        elif isinstance(event, Renewed):
            self.signed_in = event.signed_in
            self.renewal_note = (
                f"Renewed at {wall_time(self.wall_clock())}; it keeps renewing by itself."
            )
        else:
            err = event.error
            again = (
                "It will try again by itself."
                if event.will_retry
                else "Press Enter to sign in again."
            )
            self.needs_sign_in = not event.will_retry
            self.renewal_note = " ".join(
                part for part in ("Renewal failed:", err.problem, err.remedy, again) if part
            )
        self._show_notes()
        self.tick()

    def action_again(self) -> None:
        if self.needs_sign_in:
            self.tvauth.start_sign_in()

    def action_back(self) -> None:
        self.tvauth.request_quit()
