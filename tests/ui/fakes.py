"""A scripted :class:`~tvauth.session.SignInSession` and a clock the test moves by hand.

Tests push events into the session and the app shows them as it would show the real flow's: the fake
does nothing on its own, so what is on screen depends only on what the test sent and when.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tvauth.errors import TvauthError
from tvauth.events import CodeIssued, DeviceAuthorization, Failed
from tvauth.redact import Secret
from tvauth.session import SessionEvent, SignedIn

T0 = 1000.0
WALL0 = datetime(2026, 11, 28, 16, 0, 0, tzinfo=UTC)
URL = "https://accounts.zoho.com/oauth/v3/device"
CODE = "KQ7M-3WXP"
SCOPES = ("ZohoCRM.modules.ALL", "AaaServer.profile.Read")


class FrozenClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class WallClock:
    """Wall-clock time that moves with a :class:`FrozenClock`."""

    def __init__(self, clock: FrozenClock, start: datetime = WALL0) -> None:
        self.clock = clock
        self.start = start

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.clock.now - T0)


_END = object()


@dataclass
class ScriptedSession:
    """Yields whatever the test pushes; records what the app asked of it."""

    accounts_url: str = "https://accounts.zoho.com"
    scopes: tuple[str, ...] = SCOPES
    signed_in: SignedIn | None = None
    existing_error: TvauthError | None = None
    hint: str | None = None
    sign_in_calls: int = 0
    keep_fresh_calls: int = 0
    closed: int = 0
    _queues: dict[str, asyncio.Queue[object]] = field(default_factory=dict)

    def existing(self) -> SignedIn | None:
        if self.existing_error is not None:
            raise self.existing_error
        return self.signed_in

    def approve_hint(self, user_code: str) -> str | None:
        return None if self.hint is None else self.hint.format(code=user_code)

    def _queue(self, name: str) -> asyncio.Queue[object]:
        if name not in self._queues:
            self._queues[name] = asyncio.Queue()
        return self._queues[name]

    async def _iterate(self, name: str) -> AsyncIterator[SessionEvent]:
        queue = self._queue(name)
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                yield item  # type: ignore[misc]
        finally:
            self.closed += 1

    def sign_in(self) -> AsyncIterator[SessionEvent]:
        self.sign_in_calls += 1
        if self.sign_in_calls > 1:
            # A new sign-in starts from a clean script (events pushed before the first one count).
            self._queues["sign_in"] = asyncio.Queue()
        return self._iterate("sign_in")

    def keep_fresh(self) -> AsyncIterator[SessionEvent]:
        self.keep_fresh_calls += 1
        return self._iterate("keep_fresh")

    def push(self, *events: object) -> None:
        """Events for the running sign-in."""
        for event in events:
            self._queue("sign_in").put_nowait(event)

    def push_renewal(self, *events: object) -> None:
        for event in events:
            self._queue("keep_fresh").put_nowait(event)

    def end(self) -> None:
        """End the sign-in iteration without a result (a misbehaving session)."""
        self._queue("sign_in").put_nowait(_END)


def authorization(
    code: str = CODE, *, complete: bool = True, url: str = URL, expires_in: float = 300.0
) -> DeviceAuthorization:
    return DeviceAuthorization(
        user_code=code,
        device_code=Secret(
            "1004.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"
        ),
        verification_url=url,
        verification_uri_complete=f"{url}?user_code={code}" if complete else None,
        interval=30.0,
        expires_in=expires_in,
    )


def issued(
    clock: FrozenClock, code: str = CODE, *, attempt: int = 1, complete: bool = True, url: str = URL
) -> CodeIssued:
    auth = authorization(code, complete=complete, url=url)
    return CodeIssued(
        authorization=auth,
        accounts_url="https://accounts.zoho.com",
        location="us",
        at=clock.now,
        expires_at=clock.now + auth.expires_in,
        attempt=attempt,
    )


def signed_in(clock: FrozenClock, email: str | None = "jane@example.com") -> SignedIn:
    wall = WallClock(clock)()
    return SignedIn(
        profile="default",
        email=email,
        display_name="Jane Doe",
        location="eu",
        data_center="Zoho EU",
        access_expires_at=wall + timedelta(hours=1),
        next_renewal_at=wall + timedelta(minutes=55),
        signed_in_at=wall,
        scopes=SCOPES,
    )


def failed(clock: FrozenClock, error: TvauthError) -> Failed:
    return Failed(error=error, at=clock.now)
