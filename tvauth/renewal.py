"""Access tokens that are always valid, renewed by exactly one process at a time.

The fast path reads the token file without a lock and returns the cached token when it is good
for more than ``margin`` seconds: no lock, no network, no httpx import. Otherwise the caller takes
the profile's cross-process lock, re-reads (another process may have renewed while we waited; then
we use its token and Zoho sees nothing), and only then asks Zoho. Twenty processes asking at once
for an expired token therefore cause one refresh, and all twenty get its result.

Zoho allows ten refreshes per refresh token per ten minutes and answers ``Access Denied`` beyond.
A throttle is remembered in the profile (``throttled_until``, growing backoff) so no process asks
again before then, and the current token is served while it is still valid at all. A revoked
refresh token (``invalid_code``) marks the profile ``needs_sign_in`` and keeps everything else.
A transient network fault leaves the file untouched.

Expiry is judged by Zoho's time: without an explicit ``now``, the clock is a
:class:`tvauth.clock.ServerTime` (the local clock, corrected by the skew measured from the ``Date``
of Zoho's answers when it is off by minutes or years), and every refresh answer measures it again.

httpx is imported only when a refresh is actually attempted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tvauth.clock import corrected_clock, observe_date
from tvauth.errors import (
    NetworkError,
    NotSignedInError,
    SignInRequiredError,
    StoreBusyError,
    ThrottledError,
)
from tvauth.profile import DEFAULT_PROFILE, Profile
from tvauth.redact import Secret
from tvauth.store import TokenStore
from tvauth.token_api import (
    ApiRequest,
    describe_accounts,
    parse_refresh_response,
    refresh_request,
)
from tvauth.tokens import TokenSet

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CLIENT_SECRET_ENV",
    "DEFAULT_MARGIN",
    "aget_access_token",
    "arenew",
    "get_access_token",
    "renew",
]

DEFAULT_MARGIN = 300.0
CLIENT_SECRET_ENV = "TVAUTH_CLIENT_SECRET"
THROTTLE_BACKOFF_FIRST = 60.0
THROTTLE_BACKOFF_MAX = 600.0
LENIENT_LOCK_WAIT = 5.0  # Zoho's window is ten minutes: never wait longer than that

Clock = Callable[[], datetime]


# -- decisions (pure) --------------------------------------------------------------------------


def _not_signed_in(name: str) -> NotSignedInError:
    return NotSignedInError(f"Profile '{name}' is not signed in.")


def _sign_in_required(profile: Profile) -> SignInRequiredError:
    who = f" ({profile.who})" if profile.who else ""
    return SignInRequiredError(
        f"The sign-in of profile '{profile.name}'{who} is no longer accepted by "
        f"{describe_accounts(profile.accounts_url)}: it was revoked or replaced."
    )


def _throttled(profile: Profile, until: datetime) -> ThrottledError:
    return ThrottledError(
        f"{describe_accounts(profile.accounts_url)} is refusing to renew the access token for "
        f"profile '{profile.name}' (too many renewals) and the current one has run out.",
        f"tvauth will not ask again before {until:%H:%M:%S} UTC; wait until then.",
    )


def _decide(
    current: Profile | None,
    name: str,
    now: datetime,
    margin: float,
    force: bool,
    seen_token: str | None,
    lenient: bool,
) -> Profile | None:
    """The profile to serve as it is, None to refresh now, or raise why neither is possible."""
    if current is None:
        raise _not_signed_in(name)
    if not force and current.has_access_for(now, margin):
        return current
    if (
        force
        and seen_token is not None
        and current.access_token is not None
        and current.access_token.reveal() != seen_token
        and current.access_valid_for(now) > 0
    ):
        return current  # someone renewed since the token we saw was rejected
    if current.needs_sign_in:
        raise _sign_in_required(current)
    if current.refresh_token is None:
        if lenient and current.access_valid_for(now) > 0:
            return current
        raise SignInRequiredError(
            f"Profile '{current.name}' has no refresh token, so its access token cannot be renewed."
        )
    until = current.throttled_until
    # A back-off further ahead than the longest one means the clock went backwards: ignore it.
    if until is not None and now < until <= now + timedelta(seconds=THROTTLE_BACKOFF_MAX):
        if lenient and current.access_valid_for(now) > 0:
            return current
        raise _throttled(current, until)
    return None


def _after_success(current: Profile, tokens: TokenSet, now: datetime) -> Profile:
    return dataclasses.replace(
        current,
        access_token=tokens.access_token,
        access_expires_at=now + timedelta(seconds=tokens.expires_in),
        # Zoho does not rotate refresh tokens; adopt one only if a server ever sends it.
        refresh_token=tokens.refresh_token or current.refresh_token,
        api_domain=tokens.api_domain or current.api_domain,
        scopes=tokens.scope or current.scopes,
        needs_sign_in=False,
        refreshed_at=now,
        throttled_until=None,
        throttle_strikes=0,
    )


def _after_throttle(current: Profile, now: datetime) -> Profile:
    strikes = current.throttle_strikes + 1
    wait = min(THROTTLE_BACKOFF_FIRST * 2 ** (strikes - 1), THROTTLE_BACKOFF_MAX)
    return dataclasses.replace(
        current, throttled_until=now + timedelta(seconds=wait), throttle_strikes=strikes
    )


def _after_revoked(current: Profile) -> Profile:
    return dataclasses.replace(current, needs_sign_in=True)


def _client_secret(profile: Profile) -> str | None:
    """The stored secret, unless the environment names a new one for this profile's client.

    ``TVAUTH_CLIENT_SECRET`` belongs to ``TVAUTH_CLIENT_ID`` (or, without it, to every profile); it
    must not be sent with another client's refresh token, e.g. the demo's.
    """
    override = os.environ.get(CLIENT_SECRET_ENV, "").strip()
    env_client = os.environ.get("TVAUTH_CLIENT_ID", "").strip()
    if override and env_client in ("", profile.client_id):
        return override
    return None if profile.client_secret is None else profile.client_secret.reveal()


def _request_for(profile: Profile) -> ApiRequest:
    assert profile.refresh_token is not None
    return refresh_request(
        profile.accounts_url,
        client_id=profile.client_id,
        client_secret=_client_secret(profile),
        refresh_token=profile.refresh_token.reveal(),
    )


def _unreachable(request: ApiRequest, exc: httpx.HTTPError) -> NetworkError:
    from tvauth.http import describe_transport_error

    return describe_transport_error(exc, url=request.url)


def _patience(current: Profile, now: datetime, lenient: bool) -> float | None:
    """How long to wait for another process's renewal before serving the still-valid token.

    Normally a renewal takes well under a second and waiting for it is right (the caller asked for
    ``margin`` seconds). When Zoho is slow or unreachable each renewal can take a whole connect
    timeout, and callers queued behind the lock would each wait for every attempt ahead of them;
    a caller whose token is still valid stops waiting after LENIENT_LOCK_WAIT and uses it.
    None means the store's own (long) lock timeout.
    """
    if lenient and current.access_valid_for(now) > 0:
        return LENIENT_LOCK_WAIT
    return None


def _failure_since(store: TokenStore, name: str, started: datetime) -> NetworkError | None:
    """A failure another process met while we waited for the lock: reuse it, do not queue a retry.

    Only failures noted after this caller began count, so a fresh call always tries again; callers
    that queued behind a slow, failing attempt (a connect timeout) share its answer instead of
    each waiting for their own.
    """
    note = store.recent_failure(name)
    if note is None or note[0] <= started:
        return None
    return NetworkError(f"{note[1].rstrip('.')} (another tvauth process tried just now).")


def _note(
    store: TokenStore, name: str, outcome: tuple[int, str, bytes] | NetworkError, at: datetime
) -> None:
    if isinstance(outcome, NetworkError):
        store.note_failure(name, at, outcome.problem)
    else:
        store.clear_failure(name)


def _seen(profile: Profile | None, rejected_token: str | None) -> str | None:
    if rejected_token is not None:
        return rejected_token
    if profile is None or profile.access_token is None:
        return None
    return profile.access_token.reveal()


def _settle(
    store: TokenStore,
    name: str,
    current: Profile,
    outcome: tuple[int, str, bytes] | NetworkError,
    now: Clock,
    lenient: bool,
) -> Profile:
    """Apply Zoho's answer (lock held): write what changed, return what to serve or raise."""
    if isinstance(outcome, NetworkError):
        if lenient and current.access_valid_for(now()) > 0:
            return current
        raise outcome
    status, content_type, body = outcome
    try:
        tokens = parse_refresh_response(
            status, content_type, body, accounts_url=current.accounts_url
        )
    except SignInRequiredError:
        store.update_locked(name, lambda p: None if p is None else _after_revoked(p))
        raise _sign_in_required(current) from None
    except ThrottledError:
        updated = store.update_locked(
            name, lambda p: None if p is None else _after_throttle(p, now())
        )
        served = updated or current
        if lenient and served.access_valid_for(now()) > 0:
            return served
        assert served.throttled_until is not None
        raise _throttled(served, served.throttled_until) from None
    except NetworkError:
        if lenient and current.access_valid_for(now()) > 0:
            return current
        raise
    fresh = store.update_locked(
        name, lambda p: None if p is None else _after_success(p, tokens, now())
    )
    if fresh is None:  # deleted (logout) while we were renewing
        raise _not_signed_in(name)
    return fresh


# -- one renewal, shared by the blocking and async faces ---------------------------------------


@dataclasses.dataclass(slots=True)
class _Attempt:
    """One call's renewal, every step but the lock and the HTTP exchange (which differ by face)."""

    store: TokenStore
    name: str
    now: Clock
    margin: float
    force: bool
    seen: str | None = dataclasses.field(repr=False)  # a raw access token
    lenient: bool
    started: datetime
    patience: float | None
    current: Profile

    def when_busy(self) -> Profile | None:
        """The lock stayed taken past our patience: the still-valid token to serve, or None."""
        if self.patience is not None and self.current.access_valid_for(self.now()) > 0:
            return self.current  # a renewal is stuck elsewhere (Zoho slow); this still works
        return None

    def plan(self) -> Profile | ApiRequest:
        """Lock held: re-read, then the profile to serve, or the refresh request to send."""
        current = self.store.load_locked(self.name)
        served = _decide(
            current, self.name, self.now(), self.margin, self.force, self.seen, self.lenient
        )
        if served is not None:
            return served
        assert current is not None
        self.current = current
        shared = None if self.force else _failure_since(self.store, self.name, self.started)
        if shared is not None:
            return _settle(self.store, self.name, current, shared, self.now, self.lenient)
        return _request_for(current)

    def finish(
        self, request: ApiRequest, outcome: tuple[int, str, bytes] | httpx.HTTPError
    ) -> Profile:
        """Lock held: note and apply Zoho's answer (or the transport error met asking)."""
        result = outcome if isinstance(outcome, tuple) else _unreachable(request, outcome)
        _note(self.store, self.name, result, self.now())
        return _settle(self.store, self.name, self.current, result, self.now, self.lenient)


def _begin(
    profile: str,
    *,
    margin: float,
    force: bool,
    rejected_token: str | None,
    fallback: bool,
    store: TokenStore | None,
    now: Clock | None,
) -> Profile | _Attempt:
    """The fast path (no lock, no network): the cached profile, or the attempt to make."""
    store = store or TokenStore()
    clock = corrected_clock(now)
    current = store.load(profile)
    if current is None:
        raise _not_signed_in(profile)
    if not force and current.has_access_for(clock(), margin):
        return current
    lenient = fallback and not force
    started = clock()
    return _Attempt(
        store=store,
        name=profile,
        now=clock,
        margin=margin,
        force=force,
        seen=_seen(current, rejected_token),
        lenient=lenient,
        started=started,
        patience=_patience(current, started, lenient),
        current=current,
    )


def _answer(response: httpx.Response, now: Clock) -> tuple[int, str, bytes]:
    observe_date(now, response.headers.get("date"))
    return response.status_code, response.headers.get("content-type", ""), response.content


def _parts(request: ApiRequest) -> dict[str, Any]:
    """The keyword arguments of ``client.request`` for ``request`` (form body and headers)."""
    return {"data": dict(request.form or {}), "headers": dict(request.headers)}


# -- blocking ----------------------------------------------------------------------------------


def _send(http: httpx.Client | None, request: ApiRequest, now: Clock) -> tuple[int, str, bytes]:
    def go(client: httpx.Client) -> tuple[int, str, bytes]:
        return _answer(client.request(request.method, request.url, **_parts(request)), now)

    if http is not None:
        return go(http)
    from tvauth.http import configured_settings, make_client

    with make_client(configured_settings()) as client:
        return go(client)


def renew(
    profile: str = DEFAULT_PROFILE,
    *,
    margin: float = DEFAULT_MARGIN,
    force: bool = False,
    rejected_token: str | None = None,
    fallback: bool = True,
    store: TokenStore | None = None,
    http: httpx.Client | None = None,
    now: Clock | None = None,
) -> Profile:
    """The profile with an access token valid for more than ``margin`` seconds (see module doc).

    ``force`` renews even if the clock says the token is fresh (an API said it is dead), unless
    another process already replaced ``rejected_token`` (default: the token read on entry).
    ``now`` is the wall clock expiry is judged by (default: the device's, corrected by Zoho's
    ``Date`` when it is off; see :mod:`tvauth.clock`). ``fallback`` (default) serves a token that
    is still valid, though inside the margin, when Zoho throttles or cannot be reached;
    ``fallback=False`` raises instead (background renewers that want to report the failure and
    retry).
    """
    attempt = _begin(
        profile,
        margin=margin,
        force=force,
        rejected_token=rejected_token,
        fallback=fallback,
        store=store,
        now=now,
    )
    if isinstance(attempt, Profile):
        return attempt
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(attempt.store.lock(profile, timeout=attempt.patience))
        except StoreBusyError:
            served = attempt.when_busy()
            if served is None:
                raise
            return served
        step = attempt.plan()
        if isinstance(step, Profile):
            return step
        import httpx

        try:
            outcome: tuple[int, str, bytes] | httpx.HTTPError = _send(http, step, attempt.now)
        except httpx.HTTPError as exc:
            outcome = exc
        return attempt.finish(step, outcome)


def get_access_token(
    profile: str = DEFAULT_PROFILE,
    *,
    margin: float = DEFAULT_MARGIN,
    force: bool = False,
    rejected_token: str | None = None,
    fallback: bool = True,
    store: TokenStore | None = None,
    http: httpx.Client | None = None,
    now: Clock | None = None,
) -> str:
    """An access token valid for at least ``margin`` seconds, renewing it if needed (blocking).

    Raises NotSignedInError, SignInRequiredError (revoked: run ``tvauth login --force``),
    ThrottledError (Zoho's limit and no valid token left), NetworkError (Zoho unreachable and no
    valid token left), InvalidClientError, StoreError.
    """
    fresh = renew(
        profile,
        margin=margin,
        force=force,
        rejected_token=rejected_token,
        fallback=fallback,
        store=store,
        http=http,
        now=now,
    )
    return _token_of(fresh)


def _token_of(profile: Profile) -> str:
    token: Secret | None = profile.access_token
    if token is None:  # pragma: no cover - _decide never serves a profile without one
        raise _not_signed_in(profile.name)
    return token.reveal()


# -- async -------------------------------------------------------------------------------------


async def _asend(
    http: httpx.AsyncClient | None, request: ApiRequest, now: Clock
) -> tuple[int, str, bytes]:
    async def go(client: httpx.AsyncClient) -> tuple[int, str, bytes]:
        return _answer(await client.request(request.method, request.url, **_parts(request)), now)

    if http is not None:
        return await go(http)
    from tvauth.http import configured_settings, make_async_client

    async with make_async_client(configured_settings()) as client:
        return await go(client)


async def arenew(
    profile: str = DEFAULT_PROFILE,
    *,
    margin: float = DEFAULT_MARGIN,
    force: bool = False,
    rejected_token: str | None = None,
    fallback: bool = True,
    store: TokenStore | None = None,
    http: httpx.AsyncClient | None = None,
    now: Clock | None = None,
) -> Profile:
    """Async twin of :func:`renew` (same lock, so tasks, threads and processes share one refresh)."""
    attempt = _begin(
        profile,
        margin=margin,
        force=force,
        rejected_token=rejected_token,
        fallback=fallback,
        store=store,
        now=now,
    )
    if isinstance(attempt, Profile):
        return attempt
    async with contextlib.AsyncExitStack() as held:
        try:
            await held.enter_async_context(
                attempt.store.alock(profile, wait_limit=attempt.patience)
            )
        except StoreBusyError:
            served = attempt.when_busy()
            if served is None:
                raise
            return served
        step = attempt.plan()
        if isinstance(step, Profile):
            return step
        import httpx

        try:
            outcome: tuple[int, str, bytes] | httpx.HTTPError = await _asend(
                http, step, attempt.now
            )
        except httpx.HTTPError as exc:
            outcome = exc
        return attempt.finish(step, outcome)


async def aget_access_token(
    profile: str = DEFAULT_PROFILE,
    *,
    margin: float = DEFAULT_MARGIN,
    force: bool = False,
    rejected_token: str | None = None,
    fallback: bool = True,
    store: TokenStore | None = None,
    http: httpx.AsyncClient | None = None,
    now: Clock | None = None,
) -> str:
    """Async twin of :func:`get_access_token`."""
    fresh = await arenew(
        profile,
        margin=margin,
        force=force,
        rejected_token=rejected_token,
        fallback=fallback,
        store=store,
        http=http,
        now=now,
    )
    return _token_of(fresh)
