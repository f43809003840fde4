"""The words on the screens, as pure functions of state and time (no Textual, no clock of their own).

Kept apart from the widgets so every sentence can be tested without running an app, and so the wording
stays consistent between states. Times in are monotonic seconds (countdowns) or aware datetimes
(wall-clock facts about tokens, shown in local time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from tvauth.events import CLOCK_LOOKS_WRONG, WAITING_FOR_NETWORK
from tvauth.zoho import DATA_CENTERS, data_center_for_accounts_url

__all__ = [
    "MAX_REASON",
    "STATUS_SAMPLES",
    "Status",
    "countdown_text",
    "data_center_name",
    "display_url",
    "duration_words",
    "host_of",
    "signed_in_as",
    "status_text",
    "wall_time",
    "wrap_command",
]


def display_url(url: str) -> str:
    """A URL as people type it: no scheme, no trailing slash (the QR keeps the full URL)."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    text = parts.netloc + parts.path.rstrip("/")
    if parts.query:
        text += "?" + parts.query
    return text


def wrap_command(command: str, width: int) -> list[str]:
    """A shell command as lines of at most ``width`` columns, broken only between words, each line
    but the last ending in `` \\`` and the next indented.

    A screen that wraps a command on its own breaks it into two commands for whoever copies it;
    broken this way it pastes and runs as one at any width. Continuations already in ``command``
    are joined first, so a wide screen shows it on one line. (A single word wider than ``width``
    still overflows.)
    """
    words: list[str] = []
    for word in command.replace("\\\n", " ").split():
        # An option stays with its value ("-d user_code=..."): easier to read, same command.
        if (
            words
            and words[-1].startswith("-")
            and " " not in words[-1]
            and not word.startswith("-")
        ):
            words[-1] += " " + word
        else:
            words.append(word)
    lines: list[str] = []
    current = ""
    for word in words:
        joined = f"{current} {word}" if current else word
        if current and len(joined) + len(" \\") > width:
            lines.append(current + " \\")
            current = "  " + word
        else:
            current = joined
    lines.append(current)
    return lines


def host_of(url: str) -> str:
    """The host (and port) of an accounts URL, for "Asking accounts.zoho.com for a code"."""
    return urlsplit(url).netloc or url


def data_center_name(location: str | None, accounts_url: str | None = None) -> str:
    """ "Zoho EU" for a known location or accounts URL; the host otherwise (e.g. the emulator)."""
    if location and location.lower() in DATA_CENTERS:
        return DATA_CENTERS[location.lower()].display_name
    if accounts_url:
        dc = data_center_for_accounts_url(accounts_url)
        if dc is not None:
            return dc.display_name
        return host_of(accounts_url)
    return location.upper() if location else "Zoho"


def countdown_text(remaining: float) -> str:
    """ "Code expires in 4:32": whole seconds rounded up, so 0:00 means it really has expired."""
    if remaining <= 0:
        return "Code expired"
    # Rounded to the millisecond first: (t + 300.0) - t is 300.00000000002 for some t, and a
    # fresh code must read 5:00, not 5:01.
    seconds = math.ceil(round(remaining, 3))
    return f"Code expires in {seconds // 60}:{seconds % 60:02d}"


def duration_words(seconds: float) -> str:
    """ "59 min", "1 h 5 min", "40 s": short, for a status line read from across a room."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" if minutes == 0 else f"{hours} h {minutes} min"


def wall_time(moment: datetime) -> str:
    """Local clock time, 24-hour: what a person compares with the clock on the wall."""
    return moment.astimezone().strftime("%H:%M")


def signed_in_as(email: str | None, display_name: str | None, data_center: str) -> str:
    """ "Signed in as jane@example.com, Zoho EU"."""
    who = email or display_name or "your Zoho account"
    return f"Signed in as {who}, {data_center}"


@dataclass(frozen=True, slots=True)
class Status:
    """What the status line knows; each flow event replaces it (see ``SignInScreen``).

    ``kind`` is one of: requesting, waiting, network, server, switched, approved. ``at`` is when the
    last check happened (waiting) or when to retry (network, server), monotonic.
    """

    kind: str
    at: float | None = None
    interval: float | None = None  # set once the server asked to slow down
    detail: str = ""  # host, data-center name or reason, depending on kind


def status_text(status: Status, now: float) -> str:
    """The one-line status. Words, not colours, carry the meaning.

    Every sentence fits two rows of the narrowest text column (34 columns, beside the QR at 80x24);
    ``STATUS_SAMPLES`` holds the longest ones for the layout to measure.
    """
    if status.kind == "requesting":
        return f"Asking {status.detail} for a code..."
    if status.kind == "waiting":
        ago = "" if status.at is None else f", checked {max(0, math.floor(now - status.at))} s ago"
        if status.interval:
            return f"Waiting{ago}; slowed to every {duration_words(status.interval)} as asked."
        return f"Waiting for approval{ago}."
    if status.kind in {"network", "server"}:
        left = math.ceil((status.at or now) - now)
        when = f"retrying in {left} s" if left > 0 else "retrying now"
        if status.detail == WAITING_FOR_NETWORK:
            return f"Waiting for the network: {when}."
        if status.detail == CLOCK_LOOKS_WRONG:
            return f"Waiting for this device's clock to be set: {when}."
        reason = f" ({status.detail})" if status.detail else ""
        # "server": the network works, the server answered with an error page or a 5xx.
        trouble = "Server trouble" if status.kind == "server" else "Network lost"
        return f"{trouble}{reason}: {when}."
    if status.kind == "switched":
        return f"Approved by an account in {status.detail}: switching there..."
    if status.kind == "approved":
        return "Approved. Saving the sign-in..."
    return status.detail


MAX_REASON = 20
"""Characters of a network fault's reason shown on the status line."""

STATUS_SAMPLES = (
    status_text(Status("waiting", at=0, interval=155), 99),
    status_text(Status("network", at=199, detail="connection refused"[:MAX_REASON]), 100),
    status_text(Status("server", at=199, detail="an HTML page inst..."), 100),
    status_text(Status("switched", detail="Zoho Saudi Arabia"), 0),
    status_text(Status("requesting", detail="accounts.zohocloud.ca"), 0),
    status_text(Status("network", at=199, detail=CLOCK_LOOKS_WRONG), 100),
)
"""The longest status sentences, for sizing the status line's box."""
