"""A plain httpx client speaking Zoho's device flow to the emulator, for the conformance tests.

Deliberately not tvauth's client: the conformance tests check the emulator against the protocol
document, independently of the code under test elsewhere.
"""

from __future__ import annotations

from typing import Any

import httpx

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator

PROFILE = "AaaServer.profile.READ"


class Wire:
    """Zoho's device-flow requests as plain HTTP calls against one emulator."""

    def __init__(self, emu: Emulator, http: httpx.Client) -> None:
        self.emu = emu
        self.http = http

    def start(
        self,
        location: str = "us",
        scope: str = PROFILE,
        access_type: str | None = "offline",
        client_id: str = DEMO_CLIENT_ID,
        **extra: str,
    ) -> httpx.Response:
        data = {"client_id": client_id, "grant_type": "device_request", "scope": scope, **extra}
        if access_type:
            data["access_type"] = access_type
        return self.http.post(f"{self.emu.base_url(location)}/oauth/v3/device/code", data=data)

    def code(self, **kwargs: Any) -> dict[str, Any]:
        response = self.start(**kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def poll(
        self,
        device_code: str,
        location: str = "us",
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str = DEMO_CLIENT_SECRET,
    ) -> httpx.Response:
        data = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "device_token",
            "code": device_code,
        }
        return self.http.post(f"{self.emu.base_url(location)}/oauth/v3/device/token", data=data)

    def poll_json(self, device_code: str, location: str = "us", **kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.poll(device_code, location, **kw).json()
        return body

    def tokens(
        self, account: str = "ada@example.com", location: str | None = None, **start: Any
    ) -> dict[str, Any]:
        """A finished sign-in: start, approve as ``account``, poll its DC; the success body."""
        body = self.code(**start)
        self.emu.approve(body["user_code"], account)
        where = location or self.emu.config.accounts[account]
        answer = self.poll_json(body["device_code"], where)
        assert "access_token" in answer, answer
        return answer

    def refresh(
        self,
        refresh_token: str,
        location: str = "us",
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str = DEMO_CLIENT_SECRET,
    ) -> httpx.Response:
        data = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        return self.http.post(f"{self.emu.base_url(location)}/oauth/v2/token", data=data)

    def revoke(self, token: str, location: str = "us") -> httpx.Response:
        return self.http.post(
            f"{self.emu.base_url(location)}/oauth/v2/token/revoke", data={"token": token}
        )

    def user_info(
        self, access_token: str, location: str = "us", scheme: str = "Zoho-oauthtoken"
    ) -> httpx.Response:
        return self.http.get(
            f"{self.emu.base_url(location)}/oauth/user/info",
            headers={"Authorization": f"{scheme} {access_token}"},
        )
