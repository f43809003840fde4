"""Keeping a sign-in fresh in the background, for the signed-in screen and long-running embedders.

Sleeps until ``margin`` seconds before the access token expires, renews through the shared
single-flight renewal (so a screen and a dozen ``tvauth token`` callers still cause one refresh),
and reports each outcome as a session event. Failures that time can fix (network, Zoho's throttle)
are retried; those it cannot (revoked sign-in, wrong client) end the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tvauth.clock import ServerTime
from tvauth.errors import (
    InvalidClientError,
    NotSignedInError,
    ThrottledError,
    TvauthError,
)
from tvauth.profile import Profile
from tvauth.renewal import DEFAULT_MARGIN, arenew
from tvauth.session import RenewalFailed, Renewed, SignedIn
from tvauth.store import TokenStore
from tvauth.zoho import DATA_CENTERS, data_center_for_accounts_url

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_RETRY_AFTER", "data_center_label", "keep_fresh", "signed_in_summary"]

DEFAULT_RETRY_AFTER = 60.0
_MIN_WAIT = 1.0  # never spin, whatever the server's token lifetime


def data_center_label(profile: Profile) -> str:
    """ "Zoho EU" for Zoho's servers; "Zoho EU (emulator)" for the emulator; else host and location."""
    dc = data_center_for_accounts_url(profile.accounts_url)
    if dc is not None:
        return dc.display_name
    parts = urlsplit(profile.accounts_url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if profile.location and last == profile.location:
        known = DATA_CENTERS.get(profile.location)
        name = known.display_name if known else f"Zoho {profile.location.upper()}"
        return f"{name} (emulator)"
    where = f" ({profile.location})" if profile.location else ""
    return f"{parts.netloc or profile.accounts_url}{where}"


def signed_in_summary(profile: Profile, *, margin: float = DEFAULT_MARGIN) -> SignedIn:
    """What the signed-in screen shows for ``profile``."""
    expires = profile.access_expires_at or profile.signed_in_at
    return SignedIn(
        profile=profile.name,
        email=profile.email,
        display_name=profile.display_name,
        location=profile.location,
        data_center=data_center_label(profile),
        access_expires_at=expires,
        next_renewal_at=expires - timedelta(seconds=margin),
        signed_in_at=profile.signed_in_at,
        scopes=profile.scopes,
    )


async def keep_fresh(
    store: TokenStore,
    name: str,
    *,
    margin: float = DEFAULT_MARGIN,
    http: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    retry_after: float = DEFAULT_RETRY_AFTER,
) -> AsyncIterator[Renewed | RenewalFailed]:
    """Renew before expiry forever; yields Renewed or RenewalFailed. Ends on a terminal failure.

    ``now`` judges expiry (default: the device's clock corrected by Zoho's, see tvauth.clock);
    one clock object is used throughout, so the skew each renewal measures applies to the next.
    """
    if now is None:
        now = ServerTime.default()
    just_renewed = False
    while True:
        profile = store.load(name)
        if profile is None:
            yield RenewalFailed(NotSignedInError(f"Profile '{name}' is not signed in."), False)
            return
        valid = profile.access_valid_for(now())
        wait = valid - margin
        if just_renewed:
            # A server handing out tokens shorter than the margin must not make us spin.
            wait = max(wait, valid / 2, _MIN_WAIT)
        if wait > 0:
            await sleep(wait)
        try:
            fresh = await arenew(
                name, margin=margin, fallback=False, store=store, http=http, now=now
            )
        except (NotSignedInError, InvalidClientError) as err:  # incl. SignInRequiredError
            yield RenewalFailed(err, will_retry=False)
            return
        except ThrottledError as err:
            yield RenewalFailed(err, will_retry=True)
            await sleep(_throttle_wait(store, name, now(), retry_after))
            just_renewed = False
            continue
        except TvauthError as err:  # network, server, store: time may fix them
            yield RenewalFailed(err, will_retry=True)
            await sleep(retry_after)
            just_renewed = False
            continue
        yield Renewed(signed_in_summary(fresh, margin=margin))
        just_renewed = True


def _throttle_wait(store: TokenStore, name: str, at: datetime, default: float) -> float:
    try:
        profile = store.load(name)
    except TvauthError:
        return default
    if profile is None or profile.throttled_until is None:
        return default
    return max((profile.throttled_until - at).total_seconds(), _MIN_WAIT)
