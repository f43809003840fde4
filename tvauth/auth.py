"""``httpx.Auth`` for programs that call Zoho's APIs with this device's sign-in.

``httpx.Client(auth=tvauth.ZohoAuth(profile="default"))`` sends ``Authorization: Zoho-oauthtoken
<token>``, renews the token before it expires (through the shared, single-flight renewal), and
when an API answers 401 ``INVALID_OAUTHTOKEN`` although the clock said the token was fresh (a
Raspberry Pi's clock can be wrong, or the token was revoked), renews once and retries once.
Other 401s (a missing scope) are passed through untouched: a refresh would not fix them and each
spends one of Zoho's ten refreshes per ten minutes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from datetime import datetime

import httpx

from tvauth.profile import DEFAULT_PROFILE
from tvauth.renewal import DEFAULT_MARGIN, aget_access_token, get_access_token
from tvauth.store import TokenStore
from tvauth.token_api import is_invalid_token_response

__all__ = ["AUTH_SCHEME", "ZohoAuth"]

AUTH_SCHEME = "Zoho-oauthtoken"


class ZohoAuth(httpx.Auth):
    """Zoho's authorization header from a tvauth profile, renewed as needed (sync and async).

    ``http`` / ``async_http`` are the clients used for *renewals* (never the client this auth is
    attached to); by default tvauth builds one per renewal, which is rare.
    """

    # The body is kept so the one retry after a 401 can send it again (streamed uploads included).
    requires_request_body = True

    def __init__(
        self,
        profile: str = DEFAULT_PROFILE,
        *,
        margin: float = DEFAULT_MARGIN,
        store: TokenStore | None = None,
        http: httpx.Client | None = None,
        async_http: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.profile = profile
        self.margin = margin
        self._store = store
        self._http = http
        self._async_http = async_http
        self._now = now

    def __repr__(self) -> str:
        return f"ZohoAuth(profile={self.profile!r})"

    @property
    def store(self) -> TokenStore:
        if self._store is None:
            self._store = TokenStore()
        return self._store

    @staticmethod
    def _authorize(request: httpx.Request, token: str) -> None:
        request.headers["Authorization"] = f"{AUTH_SCHEME} {token}"

    @staticmethod
    def _token_is_dead(response: httpx.Response) -> bool:
        return is_invalid_token_response(
            response.status_code, response.headers.get("content-type", ""), response.content
        )

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        token = get_access_token(
            self.profile, margin=self.margin, store=self.store, http=self._http, now=self._now
        )
        self._authorize(request, token)
        response = yield request
        if response.status_code != 401:
            return
        response.read()
        if not self._token_is_dead(response):
            return
        token = get_access_token(
            self.profile,
            margin=self.margin,
            force=True,
            rejected_token=token,
            store=self.store,
            http=self._http,
            now=self._now,
        )
        self._authorize(request, token)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await aget_access_token(
            self.profile,
            margin=self.margin,
            store=self.store,
            http=self._async_http,
            now=self._now,
        )
        self._authorize(request, token)
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        if not self._token_is_dead(response):
            return
        token = await aget_access_token(
            self.profile,
            margin=self.margin,
            force=True,
            rejected_token=token,
            store=self.store,
            http=self._async_http,
            now=self._now,
        )
        self._authorize(request, token)
        yield request
