"""Zoho's time, for devices whose own clock cannot be trusted.

A Raspberry Pi has no real-time clock: until NTP answers it may think it is 1970, and a box that
never gets NTP may stay years off. Token expiry is stored as wall-clock time (it must survive
restarts), so a clock that is years off would call every token expired, or, worse, valid forever.
Every answer from Zoho carries a ``Date`` header; :class:`ServerTime` compares it with the local
clock and, when they disagree by more than :data:`SKEW_LIMIT`, reads time as Zoho's (local + skew).

The skew is kept in a small file beside the tokens so that ``tvauth token`` (which must not load
httpx) can apply it when it reads a cached token. The file only holds while the local clock runs
as it did when the skew was measured: it also records the boot and the offset between the wall
clock and the monotonic clock, and a reboot or a clock step (NTP finally setting the time) makes
it void. Pure apart from that one file; no httpx at import time.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tvauth.errors import StoreError

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms on `tvauth token`
if TYPE_CHECKING:
    import logging
    from typing import Final

    import httpx

__all__ = [
    "CLOCK_FILE",
    "EARLIEST_PLAUSIBLE",
    "SKEW_LIMIT",
    "ServerTime",
    "clock_unset",
    "corrected_clock",
    "describe_skew",
    "observe_date",
    "parse_http_date",
]


def _log() -> logging.Logger:
    """Imported on first use: ``tvauth token`` rarely logs, and importing logging costs ~4 ms."""
    import logging

    return logging.getLogger("tvauth.clock")


SKEW_LIMIT: Final = 300.0
"""Seconds of disagreement with Zoho's clock above which the local clock counts as wrong."""

EARLIEST_PLAUSIBLE: Final = datetime(2020, 1, 1, tzinfo=UTC)
"""A local clock before this has not been set (a Pi boots in 1970 until NTP answers)."""

CLOCK_FILE: Final = "clock.json"
STEP_TOLERANCE: Final = 120.0  # seconds the wall clock may drift from the monotonic one, unstepped
_RESAVE_AFTER: Final = 5.0  # a new measurement this far from the saved one is written down

WallClock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _anchor() -> float:
    """Wall minus monotonic: constant while nobody sets the clock, jumps when someone does."""
    return time.time() - time.monotonic()


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP ``Date`` header as an aware UTC datetime; None when absent or unreadable."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime  # only when an answer came (keeps token fast)

    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return parsed if parsed >= EARLIEST_PLAUSIBLE else None  # a server in 1970 is no reference


def clock_unset(local: datetime) -> bool:
    """True when the local clock has plainly never been set."""
    return local < EARLIEST_PLAUSIBLE


def describe_skew(skew: float) -> str:
    """One sentence for people: how far off this device's clock is, and what tvauth does about it."""
    size = abs(skew)
    if size >= 2 * 365 * 86400:
        amount = f"about {size / (365.25 * 86400):.0f} years"
    elif size >= 2 * 86400:
        amount = f"{size / 86400:.0f} days"
    elif size >= 2 * 3600:
        amount = f"{size / 3600:.0f} hours"
    else:
        amount = f"{max(1, round(size / 60))} minutes"
    side = "behind" if skew > 0 else "ahead of"
    return (
        f"This device's clock is {amount} {side} Zoho's; tvauth uses Zoho's time until it is "
        "fixed (check 'timedatectl' and NTP)."
    )


def corrected_clock(now: WallClock | None) -> WallClock:
    """The caller's clock, or the device's corrected by the skew last measured (ServerTime)."""
    return now if now is not None else ServerTime.default()


def observe_date(now: WallClock, date_header: str | None) -> None:
    """Let ``now`` measure the skew from an answer's ``Date``, when it is a ServerTime."""
    if isinstance(now, ServerTime):
        now.record(date_header)


class ServerTime:
    """A wall clock (call it) that reads Zoho's time once Zoho showed the local clock is off.

    ``local`` is the device's wall clock. :meth:`record` takes the ``Date`` header of each answer
    from Zoho. ``path`` (optional) is where the skew is kept between processes; ``anchor`` and
    ``boot_id`` detect a clock step or a reboot that voids it (injectable for tests).
    """

    def __init__(
        self,
        local: WallClock = _utcnow,
        *,
        path: Path | None = None,
        anchor: Callable[[], float] = _anchor,
        boot_id: Callable[[], str | None] = _boot_id,
    ) -> None:
        self.local = local
        self.path = path
        self._anchor = anchor
        self._boot = boot_id
        self._skew: float | None = None
        self._skew_anchor = 0.0
        self._saved: float | None = None
        self._warned: float | None = None
        if path is not None:
            self._load(path)

    @classmethod
    def default(cls, local: WallClock = _utcnow) -> ServerTime:
        """The device's clock, corrected by the skew last measured (kept under the data dir)."""
        from tvauth.paths import resolve_paths

        return cls(local, path=resolve_paths().data_dir / CLOCK_FILE)

    def __repr__(self) -> str:
        return f"ServerTime(skew={self.skew!r})"

    # -- reading ---------------------------------------------------------------------------------

    def __call__(self) -> datetime:
        """Now, by Zoho's clock when the local one is known to be off, else by the local one."""
        local = self.local()
        skew = self.skew
        if skew is not None and abs(skew) > SKEW_LIMIT:
            return local + timedelta(seconds=skew)
        return local

    @property
    def skew(self) -> float | None:
        """Zoho's time minus local time in seconds, when measured (and the clock was not set since)."""
        if self._skew is not None and abs(self._anchor() - self._skew_anchor) > STEP_TOLERANCE:
            # Someone set the clock since the skew was measured (NTP): it no longer applies.
            _log().info("clock was set since the skew was measured; trusting it again")
            self._skew = None
        return self._skew

    @property
    def is_wrong(self) -> bool:
        """True when Zoho disagrees by more than SKEW_LIMIT, or the clock was never set."""
        skew = self.skew
        if skew is not None:
            return abs(skew) > SKEW_LIMIT
        return clock_unset(self.local())

    def message(self) -> str | None:
        """What to tell people about the clock, or None when it is fine (or not known to be off)."""
        skew = self.skew
        if skew is not None and abs(skew) > SKEW_LIMIT:
            return describe_skew(skew)
        local = self.local()
        if clock_unset(local):
            return (
                f"This device's clock says {local:%Y-%m-%d}, so it has not been set; tvauth "
                "will use Zoho's time once it reaches Zoho (check 'timedatectl' and NTP)."
            )
        return None

    # -- measuring -------------------------------------------------------------------------------

    def record(self, date_header: str | None) -> float | None:
        """Compare one answer's ``Date`` with the local clock; the skew, or None if unreadable."""
        server = parse_http_date(date_header)
        if server is None:
            return None
        local = self.local()
        skew = (server - local).total_seconds()
        self._skew = skew
        self._skew_anchor = self._anchor()
        wrong = abs(skew) > SKEW_LIMIT
        if wrong and (self._warned is None or abs(skew - self._warned) > SKEW_LIMIT):
            self._warned = skew
            _log().warning(
                "clock wrong",
                extra={
                    "fields": {
                        "skew_s": round(skew),
                        "local": local.isoformat(timespec="seconds"),
                        "server": server.isoformat(timespec="seconds"),
                    }
                },
            )
        if self.path is not None:
            self._maybe_save(skew if wrong else None)
        return skew

    def watch(self, client: httpx.AsyncClient) -> None:
        """Record the ``Date`` of every answer ``client`` receives (an httpx response hook)."""

        async def hook(response: httpx.Response) -> None:
            self.record(response.headers.get("date"))

        client.event_hooks["response"].append(hook)

    def watch_sync(self, client: httpx.Client) -> None:
        """Blocking twin of :meth:`watch`."""

        def hook(response: httpx.Response) -> None:
            self.record(response.headers.get("date"))

        client.event_hooks["response"].append(hook)

    # -- the file --------------------------------------------------------------------------------

    def _load(self, path: Path) -> None:
        try:
            body = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return
        if not isinstance(body, dict):
            return
        skew, anchor, boot = body.get("skew"), body.get("anchor"), body.get("boot_id")
        if not isinstance(skew, int | float) or not isinstance(anchor, int | float):
            return
        if isinstance(skew, bool) or not math.isfinite(skew) or not math.isfinite(anchor):
            return
        current_boot = self._boot()
        if boot is not None and current_boot is not None and boot != current_boot:
            return  # rebooted: the clock starts from wherever it starts
        if abs(self._anchor() - anchor) > STEP_TOLERANCE:
            return  # set (or stepped) since: the skew was about the old clock
        self._skew = float(skew)
        self._skew_anchor = float(anchor)
        self._saved = float(skew)
        self._warned = float(skew)

    def _maybe_save(self, skew: float | None) -> None:
        """Write the skew when it matters and changed; remove the file when the clock is right."""
        assert self.path is not None
        if skew is None:
            if self._saved is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
                self._saved = None
            return
        if self._saved is not None and abs(skew - self._saved) <= _RESAVE_AFTER:
            return
        body = {
            "skew": skew,
            "anchor": self._skew_anchor,
            "boot_id": self._boot(),
            "measured_at": self().isoformat(timespec="seconds"),
        }
        from tvauth.atomic import atomic_write_private
        from tvauth.paths import ensure_private_dir

        try:
            ensure_private_dir(self.path.parent)
            atomic_write_private(self.path, (json.dumps(body, indent=2) + "\n").encode())
        except (OSError, StoreError) as exc:  # only an optimisation for the next process
            _log().warning("could not keep the clock skew", extra={"fields": {"error": str(exc)}})
            return
        self._saved = skew
