"""Deciding whether a new sign-in may start, and recording one that finished.

Zoho keeps at most 20 refresh tokens per user and client and silently deletes the oldest when a
21st is minted: every needless sign-in can sign another device out. So a new device flow is refused
while a usable sign-in exists, unless the person forces it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tvauth.clock import corrected_clock, observe_date
from tvauth.errors import AlreadySignedInError, TokenFileCorruptError
from tvauth.events import Approved
from tvauth.profile import Profile
from tvauth.redact import Secret
from tvauth.store import TokenStore
from tvauth.token_api import (
    ApiRequest,
    UserInfo,
    parse_user_info,
    scopes_allow_user_info,
    user_info_request,
)
from tvauth.zoho import DATA_CENTERS

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ensure_may_sign_in",
    "profile_from_approval",
    "record_sign_in",
    "record_sign_in_sync",
    "usable_sign_in",
]

Clock = Callable[[], datetime]


def usable_sign_in(store: TokenStore, name: str) -> Profile | None:
    """The stored profile if it can still get access tokens by itself, else None.

    A corrupt file is moved aside (the store warns) and counts as no sign-in.
    """
    try:
        profile = store.load(name)
    except TokenFileCorruptError as err:
        store.warn(err.message)
        return None
    if profile is None or not profile.can_refresh:
        return None
    return profile


def ensure_may_sign_in(store: TokenStore, name: str, force: bool) -> None:
    """Raise AlreadySignedInError when a usable sign-in exists and the person did not force it."""
    if force:
        return
    existing = usable_sign_in(store, name)
    if existing is None:
        return
    who = f" as {existing.who}" if existing.who else ""
    option = "" if name == "default" else f" --profile {name}"
    raise AlreadySignedInError(
        f"This device is already signed in{who} (profile '{name}').",
        f"Use 'tvauth token{option}' to get an access token, or run 'tvauth login{option} "
        "--force' to sign in again (each new sign-in may sign out your oldest other device).",
    )


def _api_domain(approved: Approved) -> str | None:
    if approved.tokens.api_domain:
        return approved.tokens.api_domain
    dc = DATA_CENTERS.get(approved.location or "")
    return dc.api_domain if dc else None


def profile_from_approval(
    name: str,
    *,
    approved: Approved,
    client_id: str,
    client_secret: str | None,
    scopes: tuple[str, ...],
    now: datetime,
    previous: Profile | None = None,
    user: UserInfo | None = None,
) -> Profile:
    """The profile a finished sign-in produces (pure).

    Zoho omits the refresh token when the person had already consented (no ``prompt=consent``);
    the previous one is then kept if it belongs to the same client and data center.
    """
    tokens = approved.tokens
    refresh = tokens.refresh_token
    if (
        refresh is None
        and previous is not None
        and previous.client_id == client_id
        and previous.accounts_url == approved.accounts_url
    ):
        refresh = previous.refresh_token
    return Profile(
        name=name,
        client_id=client_id,
        client_secret=Secret(client_secret) if client_secret else None,
        accounts_url=approved.accounts_url,
        location=approved.location,
        api_domain=_api_domain(approved),
        scopes=tokens.scope or scopes,
        refresh_token=refresh,
        access_token=tokens.access_token,
        access_expires_at=now + timedelta(seconds=tokens.expires_in),
        email=user.email if user else None,
        display_name=user.display_name if user else None,
        signed_in_at=now,
    )


def _who_request(approved: Approved, scopes: tuple[str, ...]) -> ApiRequest | None:
    """The ``/oauth/user/info`` request, when the granted scopes allow it."""
    if not scopes_allow_user_info(approved.tokens.scope or scopes):
        return None
    return user_info_request(
        approved.accounts_url, access_token=approved.tokens.access_token.reveal()
    )


def _who_from(response: httpx.Response, now: Clock, approved: Approved) -> UserInfo:
    observe_date(now, response.headers.get("date"))
    return parse_user_info(
        response.status_code,
        response.headers.get("content-type", ""),
        response.content,
        accounts_url=approved.accounts_url,
    )


def _save(
    store: TokenStore,
    name: str,
    *,
    approved: Approved,
    client_id: str,
    client_secret: str | None,
    scopes: tuple[str, ...],
    at: datetime,
    user: UserInfo | None,
) -> Profile:
    saved = store.update(
        name,
        lambda previous: profile_from_approval(
            name,
            approved=approved,
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes,
            now=at,
            previous=previous,
            user=user,
        ),
    )
    assert saved is not None
    return saved


async def record_sign_in(
    store: TokenStore,
    name: str,
    *,
    approved: Approved,
    client_id: str,
    client_secret: str | None,
    http: httpx.AsyncClient,
    scopes: tuple[str, ...],
    now: Clock | None = None,
) -> Profile:
    """Ask who signed in (when the scope allows; failure only loses the name), then save.

    The expiry is stored by ``now`` (default: the device's clock corrected by Zoho's ``Date``,
    see tvauth.clock), so a device that believes it is 1970 still stores Zoho's expiry.
    """
    now = corrected_clock(now)
    user: UserInfo | None = None
    request = _who_request(approved, scopes)
    if request is not None:
        try:
            response = await http.request(
                request.method, request.url, headers=dict(request.headers)
            )
            user = _who_from(response, now, approved)
        except Exception:  # the sign-in is what matters; the name is a nicety
            user = None
    return _save(
        store,
        name,
        approved=approved,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        at=now(),
        user=user,
    )


def record_sign_in_sync(
    store: TokenStore,
    name: str,
    *,
    approved: Approved,
    client_id: str,
    client_secret: str | None,
    http: httpx.Client,
    scopes: tuple[str, ...],
    now: Clock | None = None,
) -> Profile:
    """Blocking twin of :func:`record_sign_in`."""
    now = corrected_clock(now)
    user: UserInfo | None = None
    request = _who_request(approved, scopes)
    if request is not None:
        try:
            response = http.request(request.method, request.url, headers=dict(request.headers))
            user = _who_from(response, now, approved)
        except Exception:  # see record_sign_in
            user = None
    return _save(
        store,
        name,
        approved=approved,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        at=now(),
        user=user,
    )
