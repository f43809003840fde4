"""A scripted :class:`tvauth.session.SignInSession` for presenter tests: no network, no store, no sleep.

``ScriptedSession`` yields prepared events; before each one it moves a :class:`FakeClock` to the
event's ``at`` so a presenter that reads the injected clock sees time pass exactly as scripted.
``hang_after`` makes ``sign_in`` block forever after the script (to test cancellation).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tvauth.events import CodeIssued, DeviceAuthorization
from tvauth.redact import Secret
from tvauth.session import SessionEvent, SignedIn

DEVICE_CODE = "1004.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
VERIFICATION_URL = "https://accounts.zoho.com/oauth/v3/device"


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def authorization(
    user_code: str = "ABCD-1234",
    *,
    complete: bool = True,
    verification_url: str = VERIFICATION_URL,
    expires_in: float = 300.0,
) -> DeviceAuthorization:
    return DeviceAuthorization(
        user_code=user_code,
        device_code=Secret(DEVICE_CODE),
        verification_url=verification_url,
        verification_uri_complete=f"{verification_url}?user_code={user_code}" if complete else None,
        interval=5.0,
        expires_in=expires_in,
    )


def code_issued(
    at: float = 1000.0,
    attempt: int = 1,
    *,
    user_code: str = "ABCD-1234",
    complete: bool = True,
    expires_in: float = 300.0,
) -> CodeIssued:
    auth = authorization(user_code, complete=complete, expires_in=expires_in)
    return CodeIssued(
        authorization=auth,
        accounts_url="https://accounts.zoho.com",
        location="us",
        at=at,
        expires_at=at + auth.expires_in,
        attempt=attempt,
    )


def signed_in(
    email: str | None = "jane@example.com", data_center: str = "Zoho EU", profile: str = "default"
) -> SignedIn:
    now = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    return SignedIn(
        profile=profile,
        email=email,
        display_name="Jane Doe",
        location="eu",
        data_center=data_center,
        access_expires_at=now + timedelta(hours=1),
        next_renewal_at=now + timedelta(minutes=50),
        signed_in_at=now,
        scopes=("ZohoCRM.modules.ALL",),
    )


class ScriptedSession:
    """Implements the SignInSession protocol by replaying events."""

    def __init__(
        self,
        events: Iterable[SessionEvent] = (),
        *,
        clock: FakeClock | None = None,
        existing: SignedIn | None = None,
        renewals: Sequence[SessionEvent] = (),
        hang_after: bool = False,
        raise_after: BaseException | None = None,
        hint: str | None = None,
    ) -> None:
        self._events = list(events)
        self._clock = clock
        self._existing = existing
        self._renewals = list(renewals)
        self._hang_after = hang_after
        self._raise_after = raise_after
        self._hint = hint
        self.sign_in_calls = 0
        self.closed = False

    @property
    def scopes(self) -> tuple[str, ...]:
        return ("ZohoCRM.modules.ALL",)

    @property
    def accounts_url(self) -> str:
        return "https://accounts.zoho.com"

    def existing(self) -> SignedIn | None:
        return self._existing

    def _tick(self, event: SessionEvent) -> None:
        at = getattr(event, "at", None)
        if self._clock is not None and isinstance(at, float | int):
            self._clock.now = max(self._clock.now, float(at))

    async def sign_in(self) -> AsyncIterator[SessionEvent]:
        self.sign_in_calls += 1
        try:
            for event in self._events:
                self._tick(event)
                yield event
            if self._raise_after is not None:
                raise self._raise_after
            if self._hang_after:
                await asyncio.Event().wait()
        finally:
            self.closed = True

    async def keep_fresh(self) -> AsyncIterator[SessionEvent]:
        for event in self._renewals:
            yield event

    def approve_hint(self, user_code: str) -> str | None:
        return self._hint.format(user_code=user_code) if self._hint else None
