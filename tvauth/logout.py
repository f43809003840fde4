"""Signing a profile out: revoke at Zoho first, then forget locally.

Forgetting a token without revoking it leaves a live refresh token at Zoho (and it counts toward
the user's 20). So when Zoho cannot be reached the tokens are kept, unless the person explicitly
asks to forget them on this device only (``local=True``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tvauth.errors import NetworkError, ThrottledError, TvauthError
from tvauth.profile import Profile
from tvauth.store import TokenStore
from tvauth.token_api import RevokeOutcome, parse_revoke_response, revoke_request

if TYPE_CHECKING:
    import httpx

__all__ = ["SignOut", "SignOutResult", "revoke_at_zoho", "sign_out"]


class SignOut(enum.Enum):
    """How a sign-out ended."""

    REVOKED = "revoked"  # Zoho revoked it; forgotten here
    ALREADY_DEAD = (
        "already_dead"  # Zoho no longer knew it (or tvauth knew it was revoked); forgotten
    )
    LOCAL_ONLY = "local_only"  # Zoho unreachable, forgotten here anyway (--local)
    KEPT = "kept"  # Zoho unreachable; nothing forgotten
    NOT_SIGNED_IN = "not_signed_in"


@dataclass(frozen=True, slots=True)
class SignOutResult:
    """What happened to one profile; ``error`` says why Zoho could not be reached, if it could not."""

    name: str
    outcome: SignOut
    profile: Profile | None = None
    error: TvauthError | None = None


def revoke_at_zoho(profile: Profile, *, http: httpx.Client | None = None) -> RevokeOutcome:
    """Revoke the profile's refresh token (or, lacking one, its access token) at its data center."""
    import httpx

    token = profile.refresh_token or profile.access_token
    if token is None:
        return RevokeOutcome.UNKNOWN_TOKEN
    request = revoke_request(profile.accounts_url, token=token.reveal())

    def go(client: httpx.Client) -> RevokeOutcome:
        response = client.request(request.method, request.url, data=dict(request.form or {}))
        return parse_revoke_response(
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
            accounts_url=profile.accounts_url,
        )

    from tvauth.http import configured_settings, describe_transport_error, make_client

    try:
        if http is not None:
            return go(http)
        with make_client(configured_settings()) as client:
            return go(client)
    except httpx.HTTPError as exc:
        raise describe_transport_error(exc, url=request.url) from None


def sign_out(
    store: TokenStore, name: str, *, local: bool = False, http: httpx.Client | None = None
) -> SignOutResult:
    """Revoke then forget profile ``name`` (under its lock, so no renewal races the revoke)."""
    with store.lock(name):
        profile = store.load_locked(name)
        if profile is None:
            return SignOutResult(name, SignOut.NOT_SIGNED_IN)
        if profile.needs_sign_in:  # Zoho already refused it: its tokens are dead
            store.delete_locked(name)
            return SignOutResult(name, SignOut.ALREADY_DEAD, profile)
        try:
            outcome = revoke_at_zoho(profile, http=http)
        except (NetworkError, ThrottledError) as err:
            if not local:
                return SignOutResult(name, SignOut.KEPT, profile, err)
            store.delete_locked(name)
            return SignOutResult(name, SignOut.LOCAL_ONLY, profile, err)
        store.delete_locked(name)
        if outcome is RevokeOutcome.REVOKED:
            return SignOutResult(name, SignOut.REVOKED, profile)
        return SignOutResult(name, SignOut.ALREADY_DEAD, profile)
