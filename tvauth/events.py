"""What a device sign-in reports while it runs.

The polling driver (``tvauth.flow``) yields these; the UI, the plain-text login and embedders show
them. Normal happenings are events, not exceptions. Times are monotonic seconds (``time.monotonic()``
of the driver's injected clock) so a wall-clock jump cannot distort a countdown. Nothing here holds a
secret in a form that prints: device codes and tokens are :class:`tvauth.redact.Secret`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tvauth.errors import TvauthError
from tvauth.redact import Secret
from tvauth.tokens import TokenSet

__all__ = [
    "CLOCK_LOOKS_WRONG",
    "WAITING_FOR_NETWORK",
    "Approved",
    "ClockWrong",
    "CodeIssued",
    "DataCenterSwitched",
    "DeviceAuthorization",
    "Failed",
    "FlowEvent",
    "NetworkTrouble",
    "Pending",
    "Requesting",
    "SlowedDown",
]

WAITING_FOR_NETWORK: Final = "waiting for network"
""":attr:`NetworkTrouble.reason` when no connection could be made before any code was issued."""

CLOCK_LOOKS_WRONG: Final = "clock looks wrong"
""":attr:`NetworkTrouble.reason` when the server's certificate is not yet valid or expired by this
device's clock: usually a clock not set yet (NTP will fix it), so tvauth keeps trying."""


@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    """A device code as issued: what to show, and (secretly) what to poll with.

    ``interval`` and ``expires_in`` are seconds, already normalised from Zoho's milliseconds.
    """

    user_code: str
    device_code: Secret
    verification_url: str
    verification_uri_complete: str | None
    interval: float
    expires_in: float

    @property
    def qr_url(self) -> str:
        """What the QR code encodes: the pre-filled URL when the server sent one."""
        return self.verification_uri_complete or self.verification_url


@dataclass(frozen=True, slots=True)
class Requesting:
    """Asking the server for a device code (at start, and when a code is renewed)."""

    accounts_url: str
    at: float


@dataclass(frozen=True, slots=True)
class CodeIssued:
    """A fresh code to show. ``expires_at`` is monotonic; ``attempt`` counts codes in this flow (1, 2, ...)."""

    authorization: DeviceAuthorization
    accounts_url: str
    location: str | None
    at: float
    expires_at: float
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class Pending:
    """One poll answered ``authorization_pending``. ``next_poll_at`` is monotonic."""

    polls: int
    at: float
    next_poll_at: float


@dataclass(frozen=True, slots=True)
class SlowedDown:
    """The server said ``slow_down``; ``interval`` is the new (larger) interval in seconds."""

    interval: float
    at: float


@dataclass(frozen=True, slots=True)
class DataCenterSwitched:
    """Approved by a user of another data center; polling continues there with the same code."""

    from_location: str | None
    to_location: str
    accounts_url: str
    at: float


@dataclass(frozen=True, slots=True)
class NetworkTrouble:
    """A transient fault (timeout, refused, 5xx, HTML, malformed JSON); retrying at ``retry_at``.

    ``reason`` is a few words ("timed out"); ``error``, when known, says the same as a problem and a
    remedy sentence (a :class:`~tvauth.errors.ThrottledError` when the server said too many requests).
    """

    reason: str
    attempt: int
    at: float
    retry_at: float
    error: TvauthError | None = None

    @property
    def waiting_for_network(self) -> bool:
        """True when the device has not reached the server yet at all (network not up)."""
        return self.reason == WAITING_FOR_NETWORK


@dataclass(frozen=True, slots=True)
class ClockWrong:
    """This device's clock disagrees with Zoho's ``Date`` by more than a few minutes.

    Reported once per sign-in by the session (the flow itself runs on a monotonic clock and never
    needs the wall clock). ``skew`` is Zoho's time minus the device's, in seconds. Until the clock is
    fixed, tvauth judges token expiry by Zoho's time; ``message`` says so in one sentence.
    """

    skew: float
    message: str


@dataclass(frozen=True, slots=True)
class Approved:
    """Signed in. ``accounts_url``/``location`` are the user's data center: refreshes go there."""

    tokens: TokenSet
    accounts_url: str
    location: str | None
    at: float


@dataclass(frozen=True, slots=True)
class Failed:
    """The flow ended without tokens; ``error`` says why in words for people."""

    error: TvauthError
    at: float


FlowEvent = (
    Requesting
    | CodeIssued
    | Pending
    | SlowedDown
    | DataCenterSwitched
    | NetworkTrouble
    | ClockWrong
    | Approved
    | Failed
)
