"""The contract between the sign-in screens and the machinery behind them.

The UI (``tvauth.ui``) and the plain-text login drive a :class:`SignInSession`; they never touch the
flow, the store or httpx directly. That keeps Textual out of the core, and lets UI tests drive the
screens with a scripted session that emits exactly the events a scenario needs. The real session lives
in ``tvauth.signin``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tvauth.errors import TvauthError
from tvauth.events import FlowEvent

__all__ = [
    "RenewalFailed",
    "Renewed",
    "SessionEvent",
    "SignInSession",
    "SignedIn",
]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What the signed-in screen shows. Times are wall-clock (UTC, aware): they are read by people."""

    profile: str
    email: str | None
    display_name: str | None
    location: str | None
    data_center: str  # for people, e.g. "Zoho EU" or "Zoho EU (emulator)"
    access_expires_at: datetime
    next_renewal_at: datetime
    signed_in_at: datetime
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Renewed:
    """The background renewal got a fresh access token."""

    signed_in: SignedIn


@dataclass(frozen=True, slots=True)
class RenewalFailed:
    """A background renewal failed; ``will_retry`` says whether it keeps trying by itself."""

    error: TvauthError
    will_retry: bool


SessionEvent = FlowEvent | SignedIn | Renewed | RenewalFailed


class SignInSession(Protocol):
    """One device sign-in as the screens see it."""

    @property
    def scopes(self) -> tuple[str, ...]:
        """Scopes that will be (or were) asked for."""
        ...

    @property
    def accounts_url(self) -> str:
        """Where the flow starts (the client's data center)."""
        ...

    def existing(self) -> SignedIn | None:
        """The current sign-in if this profile already has a usable one (then no flow is started)."""
        ...

    def sign_in(self) -> AsyncIterator[SessionEvent]:
        """Run one sign-in: flow events, then :class:`SignedIn` once tokens are stored.

        Ends after ``SignedIn`` or a ``Failed`` event. Cancelling the iteration stops polling at once.
        Expired codes are renewed by the session a bounded number of times (``CodeIssued.attempt``).
        """
        ...

    def keep_fresh(self) -> AsyncIterator[SessionEvent]:
        """Renew the access token in the background while the signed-in screen is up; never ends."""
        ...

    def approve_hint(self, user_code: str) -> str | None:
        """For the demo only: how to approve ``user_code`` without a phone (a curl line); else None."""
        ...
