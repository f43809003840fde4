"""The real :class:`tvauth.session.SignInSession`: the flow, the store and renewal, wired together.

The screens (full screen or plain text) only see session events. This module owns the order of
things that must not go wrong: refuse a needless new sign-in (each one can evict a refresh token on
another device), store the tokens the moment they arrive, then keep the access token fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from tvauth.clock import ServerTime
from tvauth.config import DEFAULT_SECRET, Settings
from tvauth.errors import AlreadySignedInError, TvauthError
from tvauth.events import Approved, ClockWrong, Failed
from tvauth.flow import DeviceFlow
from tvauth.http import make_async_client
from tvauth.keepalive import keep_fresh, signed_in_summary
from tvauth.profile import Profile
from tvauth.renewal import DEFAULT_MARGIN
from tvauth.session import Renewed, SessionEvent, SignedIn
from tvauth.signins import ensure_may_sign_in, record_sign_in, usable_sign_in
from tvauth.store import TokenStore
from tvauth.zoho import DATA_CENTERS

__all__ = ["CODE_RENEWALS", "NETWORK_WAIT_CAP", "LiveSession"]

log = logging.getLogger("tvauth.signin")

# An expired code is replaced this many times by itself; then the screen waits for a key, so an
# empty room does not churn codes (and Zoho requests) forever.
CODE_RENEWALS = 2

# A device that boots before its network asks for its first code forever (nothing exists yet that
# could be lost), at most this many seconds apart: the screen starts soon after the network does.
NETWORK_WAIT_CAP = 30.0

Sleep = Callable[[float], Awaitable[None]]
WallClock = Callable[[], datetime]
Clock = Callable[[], float]


@dataclass
class LiveSession:
    """A sign-in against a real (or emulated) Zoho Accounts server, stored in ``store``."""

    settings: Settings
    store: TokenStore
    force: bool = False
    location: str | None = None
    code_renewals: int = CODE_RENEWALS
    margin: float = DEFAULT_MARGIN
    hint: Callable[[str], str | None] | None = None
    sleep: Sleep = asyncio.sleep
    # Wall clock for stored expiry: by default the device's, corrected by the Date of Zoho's
    # answers when it is off (a Pi that booted in 1970); see tvauth.clock.
    now: WallClock = field(default_factory=ServerTime.default)
    # Monotonic clock of the flow (event times, polling, code expiry); the screens count down on it.
    clock: Clock = time.monotonic
    _profile: Profile | None = field(default=None, init=False, repr=False)

    @property
    def profile_name(self) -> str:
        """The store profile this session signs in."""
        return self.settings.profile

    @property
    def scopes(self) -> tuple[str, ...]:
        """Scopes asked for (before sign-in) or granted (after)."""
        if self._profile is not None and self._profile.scopes:
            return self._profile.scopes
        return self.settings.scopes

    @property
    def accounts_url(self) -> str:
        """Where the flow starts: the data center where the client is registered."""
        return self.settings.accounts_url

    def existing(self) -> SignedIn | None:
        """The stored sign-in when one is usable, has the scopes asked for, and none was forced.

        A sign-in lacking a scope the settings now ask for is not offered as "signed in":
        :meth:`sign_in` then says which scopes are missing and how to get them.
        """
        if self.force:
            return None
        profile = usable_sign_in(self.store, self.profile_name)
        if profile is None or self._missing_scopes(profile):
            return None
        self._profile = profile
        return signed_in_summary(profile, margin=self.margin)

    def _missing_scopes(self, profile: Profile) -> tuple[str, ...]:
        """Scopes explicitly configured (flag, environment, file) that ``profile`` was not granted.

        The default scope is no request of the person's, so a sign-in made with other scopes
        is not questioned by a bare ``tvauth login``. Zoho is case-insensitive about scope names.
        """
        if self.settings.source.get("scope", "default") == "default":
            return ()
        granted = {scope.casefold() for scope in profile.scopes}
        return tuple(s for s in self.settings.scopes if s.casefold() not in granted)

    def _refuse_without_scopes(self) -> None:
        """AlreadySignedInError naming the missing scopes, unless forced (no request is made)."""
        if self.force:
            return
        profile = usable_sign_in(self.store, self.profile_name)
        missing = self._missing_scopes(profile) if profile is not None else ()
        if profile is None or not missing:
            return
        who = f" as {profile.who}" if profile.who else ""
        option = "" if self.profile_name == "default" else f" --profile {self.profile_name}"
        where = self.settings.source.get("scope", "the settings")
        raise AlreadySignedInError(
            f"This device is signed in{who} (profile '{self.profile_name}'), but without "
            f"{', '.join(missing)} (asked for by {where}).",
            f"Run 'tvauth login{option} --force' to sign in again with the new scopes (each new "
            "sign-in may sign out your oldest other device), or remove them from the settings.",
        )

    def approve_hint(self, user_code: str) -> str | None:
        """The demo's way to approve without a phone; None against a real server."""
        return self.hint(user_code) if self.hint is not None else None

    def _flow(self) -> DeviceFlow:
        self.settings.require_client()
        secrets = {k: v.reveal() for k, v in self.settings.client_secrets.items()}
        default = secrets.pop(DEFAULT_SECRET, None)
        client_secret: str | dict[str, str] | None = default
        if secrets:
            # Secrets per data center; the default one fills in for the others.
            client_secret = {
                loc: value
                for loc in sorted(set(DATA_CENTERS) | set(secrets))
                if (value := secrets.get(loc) or default)
            }
        assert self.settings.client_id is not None
        return DeviceFlow(
            client_id=self.settings.client_id,
            client_secret=client_secret,
            scopes=self.settings.scopes,
            accounts_url=self.settings.accounts_url,
            location=self.location,
            renewals=self.code_renewals,
            give_up_after=None,
            max_backoff=NETWORK_WAIT_CAP,
        )

    async def sign_in(self) -> AsyncIterator[SessionEvent]:
        """Flow events, then :class:`SignedIn` once the tokens are safely stored."""
        with contextlib.ExitStack() as claim:
            try:
                # Claimed first, then checked: a sign-in that just finished elsewhere counts.
                claim.enter_context(self.store.signing_in(self.profile_name))
                self._refuse_without_scopes()
                ensure_may_sign_in(self.store, self.profile_name, self.force)
                flow = self._flow()
            except TvauthError as err:
                yield Failed(error=err, at=self.clock())
                return
            async with contextlib.aclosing(self._run(flow)) as events:
                async for event in events:
                    yield event

    async def _run(self, flow: DeviceFlow) -> AsyncGenerator[SessionEvent, None]:
        """One flow, from the first request to the stored sign-in (the claim is held)."""
        told = False
        async with make_async_client(self.settings) as http:
            if isinstance(self.now, ServerTime):
                self.now.watch(http)
            async for event in flow.events(http, clock=self.clock, sleep=self.sleep):
                yield event
                if not told and (note := self._clock_note()) is not None:
                    told = True
                    yield note
                if not isinstance(event, Approved):
                    continue
                secret = self.settings.client_secret_for(event.location)
                try:
                    profile = await record_sign_in(
                        self.store,
                        self.profile_name,
                        approved=event,
                        client_id=flow.client_id,
                        client_secret=secret.reveal() if secret is not None else None,
                        http=http,
                        scopes=tuple(flow.scopes),
                        now=self.now,
                    )
                except TvauthError as err:
                    # A full disk or a broken store: the screens show it like any other failure
                    # (the contract is "ends with SignedIn or Failed", not an exception).
                    log.warning("could not store the sign-in profile=%s", self.profile_name)
                    yield Failed(error=err, at=self.clock())
                    return
                self._profile = profile
                # The next sign-in on this profile would mint another refresh token: refuse it
                # unless forced again.
                self.force = False
                log.info("signed in profile=%s dc=%s", profile.name, profile.location)
                yield signed_in_summary(profile, margin=self.margin)
                return

    def _clock_note(self) -> ClockWrong | None:
        """Tell people once when Zoho showed this device's clock is off (expiry uses Zoho's)."""
        clock = self.now
        if not isinstance(clock, ServerTime) or clock.skew is None or not clock.is_wrong:
            return None
        message = clock.message()
        assert message is not None
        log.warning("clock wrong skew_s=%d", round(clock.skew))
        return ClockWrong(skew=clock.skew, message=message)

    async def keep_fresh(self) -> AsyncIterator[SessionEvent]:
        """Renew before expiry, forever; report each renewal and each failure (see keepalive)."""
        async with make_async_client(self.settings) as http:
            async for event in keep_fresh(
                self.store,
                self.profile_name,
                margin=self.margin,
                http=http,
                now=self.now,
                sleep=self.sleep,
            ):
                if isinstance(event, Renewed):
                    self._profile = self.store.load(self.profile_name) or self._profile
                yield event
