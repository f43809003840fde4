"""Zoho Accounts' bookkeeping: device grants, tokens, consents, throttles.

Every answer is computed here, under one lock, from the request parameters and the emulated clock;
the HTTP layer only moves bytes. Answers mimic Zoho's: errors are ``{"error": ...}`` with the status
chosen by ``error_status`` (Zoho sends both 200 and 400), durations in the configured wire units.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tvauth.emulator.codes import new_token, new_user_code, normalise_user_code
from tvauth.emulator.config import EmulatorConfig

__all__ = ["Answer", "ControlError", "DeviceGrant", "State"]

_SCOPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_*]+){1,3}$")
_OPENID_SCOPES = frozenset({"openid", "email", "profile", "phone", "address"})
_PROFILE_SCOPES = frozenset({"aaaserver.profile.read", "aaaserver.profile.all", "profile"})

THROTTLE_DESCRIPTION = (
    "You have made too many requests continuously. Please try again after some time."
)

GrantStatus = Literal["pending", "allowed", "denied", "spent"]


class ControlError(ValueError):
    """A control-API request that cannot be carried out; ``code`` is the JSON error."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True, slots=True)
class Answer:
    """A JSON answer: status and body."""

    status: int
    body: dict[str, Any]


@dataclass(slots=True)
class DeviceGrant:
    """One device/code request and what became of it."""

    device_code: str
    user_code: str
    client_id: str
    location: str
    scopes: tuple[str, ...]
    offline: bool
    prompt_consent: bool
    issued_at: float
    expires_at: float
    status: GrantStatus = "pending"
    account: str | None = None
    last_poll: dict[str, float] = field(default_factory=dict)
    polls: int = 0

    def public(self, now: float) -> dict[str, Any]:
        """What the control API may show (no device code)."""
        return {
            "user_code": self.user_code,
            "client_id": self.client_id,
            "location": self.location,
            "scopes": list(self.scopes),
            "status": "expired"
            if self.status in ("pending", "allowed") and now >= self.expires_at
            else self.status,
            "account": self.account,
            "expires_in": max(0.0, round(self.expires_at - now, 3)),
            "polls": self.polls,
        }


@dataclass(slots=True)
class RefreshGrant:
    token: str
    account: str
    client_id: str
    location: str
    scopes: tuple[str, ...]
    access_tokens: deque[str] = field(default_factory=deque)
    refreshes: deque[float] = field(default_factory=deque)


@dataclass(slots=True)
class AccessGrant:
    token: str
    account: str
    client_id: str
    location: str
    scopes: tuple[str, ...]
    expires_at: float
    refresh: str | None


def _valid_scopes(raw: str) -> tuple[str, ...] | None:
    """Zoho's comma-separated scopes, or None if any is malformed (e.g. space-separated)."""
    parts = tuple(p.strip() for p in raw.split(","))
    if not parts or any(not p for p in parts):
        return None
    for part in parts:
        if part.lower() not in _OPENID_SCOPES and not _SCOPE_RE.match(part):
            return None
    return parts


def account_names(email: str) -> tuple[str, str]:
    """A first and last name for a demo account, from its address."""
    local = email.split("@", 1)[0]
    bits = [b for b in re.split(r"[._+-]+", local) if b] or ["user"]
    first = bits[0].capitalize()
    last = " ".join(b.capitalize() for b in bits[1:]) or "Example"
    return first, last


def zuid(email: str) -> int:
    """A stable Zoho user id for a demo account."""
    return 10_000_000 + zlib.crc32(email.lower().encode()) % 90_000_000


class State:
    """All emulated accounts-server state; every public method takes the one lock."""

    def __init__(
        self,
        config: EmulatorConfig,
        now: Callable[[], float],
        api_domain: Callable[[str], str],
        verification_url: Callable[[str], str],
    ) -> None:
        self.config = config
        self.now = now
        self._api_domain = api_domain
        self._verification_url = verification_url
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self._reset_unlocked()

    def _reset_unlocked(self) -> None:
        self.by_device: dict[str, DeviceGrant] = {}
        self.by_user_code: dict[str, DeviceGrant] = {}
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        self.access_tokens: dict[str, AccessGrant] = {}
        self.consents: set[tuple[str, str]] = set()
        self.user_refresh: dict[tuple[str, str], deque[str]] = {}
        self.latest_user_code: str | None = None

    def reset(self) -> None:
        """Forget every code, token and consent."""
        with self.lock:
            self._reset_unlocked()
            self.changed.notify_all()

    # ---- helpers (lock held) -------------------------------------------------------------

    def _error(self, code: str, description: str | None = None, **extra: Any) -> Answer:
        body: dict[str, Any] = {"error": code}
        if description:
            body["error_description"] = description
        body.update(extra)
        return Answer(self.config.error_status, body)

    def _client_error(self, location: str, client_id: str, secret: str | None) -> Answer | None:
        """invalid_client unless the client exists, is enabled here, and (if asked) the secret fits."""
        expected = self.config.secret_for(client_id, location)
        if expected is None:
            return self._error("invalid_client")
        if secret is not None and secret != expected:
            return self._error("invalid_client")
        return None

    def _token_client(self, location: str, p: Mapping[str, str], grant_type: str) -> str | Answer:
        """The client id of a token-endpoint request, or Zoho's error for the grant or client."""
        if p.get("grant_type") != grant_type:
            return self._error("unsupported_grant_type")
        client_id = p.get("client_id", "")
        return self._client_error(location, client_id, p.get("client_secret", "")) or client_id

    def _issue_access(
        self,
        account: str,
        client_id: str,
        location: str,
        scopes: tuple[str, ...],
        refresh: str | None,
    ) -> AccessGrant:
        grant = AccessGrant(
            new_token(),
            account,
            client_id,
            location,
            scopes,
            self.now() + self.config.token_lifetime,
            refresh,
        )
        self.access_tokens[grant.token] = grant
        if refresh is not None:
            owner = self.refresh_tokens[refresh]
            owner.access_tokens.append(grant.token)
            while len(owner.access_tokens) > self.config.access_token_cap:
                self.access_tokens.pop(owner.access_tokens.popleft(), None)
        return grant

    def _issue_refresh(
        self, account: str, client_id: str, location: str, scopes: tuple[str, ...]
    ) -> RefreshGrant:
        grant = RefreshGrant(new_token(), account, client_id, location, scopes)
        self.refresh_tokens[grant.token] = grant
        owned = self.user_refresh.setdefault((account, client_id), deque())
        owned.append(grant.token)
        while len(owned) > self.config.refresh_token_cap:
            self._drop_refresh(owned.popleft())
        return grant

    def _drop_refresh(self, token: str) -> None:
        grant = self.refresh_tokens.pop(token, None)
        if grant is None:
            return
        for access in grant.access_tokens:
            self.access_tokens.pop(access, None)
        owned = self.user_refresh.get((grant.account, grant.client_id))
        if owned is not None and token in owned:
            owned.remove(token)

    def _token_body(self, access: AccessGrant, refresh: RefreshGrant | None) -> dict[str, Any]:
        cfg = self.config
        body: dict[str, Any] = {"access_token": access.token}
        if refresh is not None:
            body["refresh_token"] = refresh.token
        if cfg.token_scope:
            body["scope"] = " ".join(access.scopes)
        body["api_domain"] = self._api_domain(access.location)
        body["token_type"] = "Bearer"
        lifetime = round(cfg.token_lifetime)
        if cfg.legacy_expires:
            body["expires_in"] = lifetime * 1000
            body["expires_in_sec"] = lifetime
        else:
            body["expires_in"] = lifetime
        if cfg.send_id_token:
            body["id_token"] = f"eyJhbGciOiJub25lIn0.{new_token().replace('.', '')}."
        return body

    def _find_grant(self, user_code: str) -> DeviceGrant | None:
        return self.by_user_code.get(normalise_user_code(user_code))

    # ---- OAuth endpoints -----------------------------------------------------------------

    def device_code(self, location: str, p: Mapping[str, str]) -> Answer:
        """``POST /oauth/v3/device/code``: only at the client's data center, only for device clients."""
        with self.lock:
            cfg = self.config
            client_id = p.get("client_id", "")
            if (
                client_id in cfg.self_clients
                or location != cfg.client_location
                or cfg.secret_for(client_id, location) is None
            ):
                return self._error("invalid_client")
            if p.get("grant_type") != "device_request":
                return self._error("unsupported_grant_type")
            scopes = _valid_scopes(p.get("scope", ""))
            if scopes is None:
                return self._error("invalid_scope")
            now = self.now()
            user_code = new_user_code(cfg.user_code_format)
            while normalise_user_code(user_code) in self.by_user_code:
                user_code = new_user_code(cfg.user_code_format)
            grant = DeviceGrant(
                device_code=new_token(),
                user_code=user_code,
                client_id=client_id,
                location=location,
                scopes=scopes,
                offline=p.get("access_type", "online").lower() == "offline",
                prompt_consent=p.get("prompt", "").lower() == "consent",
                issued_at=now,
                expires_at=now + cfg.code_lifetime,
            )
            self.by_device[grant.device_code] = grant
            self.by_user_code[normalise_user_code(user_code)] = grant
            self.latest_user_code = user_code
            self.changed.notify_all()
            body: dict[str, Any] = {
                "user_code": user_code,
                "device_code": grant.device_code,
                "verification_url": self._verification_url(location),
            }
            if cfg.send_verification_uri_complete:
                body["verification_uri_complete"] = (
                    f"{self._verification_url(location)}?user_code={user_code}"
                )
            body["interval"] = cfg.seconds_on_wire(cfg.interval)
            body["expires_in"] = cfg.seconds_on_wire(cfg.code_lifetime)
            return Answer(200, body)

    def device_token(self, location: str, p: Mapping[str, str]) -> Answer:
        """``POST /oauth/v3/device/token``: one poll."""
        with self.lock:
            cfg = self.config
            client_id = self._token_client(location, p, "device_token")
            if isinstance(client_id, Answer):
                return client_id
            grant = self.by_device.get(p.get("code", ""))
            if grant is None or grant.client_id != client_id or grant.status == "spent":
                return self._error("invalid_code")
            user_location = cfg.accounts.get(grant.account) if grant.account else None
            if location not in (grant.location, user_location):
                return self._error("invalid_code")
            now = self.now()
            grant.polls += 1
            if now >= grant.expires_at:
                return self._error("expired")
            last = grant.last_poll.get(location)
            grant.last_poll[location] = now
            if last is not None and now - last < cfg.interval:
                return self._error("slow_down")
            if (
                grant.status == "pending"
                and cfg.auto_approve is not None
                and now - grant.issued_at >= cfg.auto_approve_after
            ):
                grant.status, grant.account = "allowed", cfg.auto_approve
                user_location = cfg.accounts[cfg.auto_approve]
            if grant.status == "pending":
                return self._error("authorization_pending")
            if grant.status == "denied":
                return self._error("access_denied")
            assert grant.account is not None
            assert user_location is not None
            if location != user_location:
                return self._error("other_dc", **{cfg.user_location_key: user_location})
            grant.status = "spent"
            self.changed.notify_all()
            refresh: RefreshGrant | None = None
            key = (grant.account, grant.client_id)
            if grant.offline and (grant.prompt_consent or key not in self.consents):
                refresh = self._issue_refresh(grant.account, client_id, location, grant.scopes)
            self.consents.add(key)
            access = self._issue_access(
                grant.account,
                client_id,
                location,
                grant.scopes,
                refresh.token if refresh else None,
            )
            return Answer(200, self._token_body(access, refresh))

    def refresh(self, location: str, p: Mapping[str, str]) -> Answer:
        """``POST /oauth/v2/token`` with ``grant_type=refresh_token``; throttled like Zoho."""
        with self.lock:
            cfg = self.config
            client_id = self._token_client(location, p, "refresh_token")
            if isinstance(client_id, Answer):
                return client_id
            grant = self.refresh_tokens.get(p.get("refresh_token", ""))
            if grant is None or grant.client_id != client_id or grant.location != location:
                return self._error("invalid_code")
            now = self.now()
            while grant.refreshes and now - grant.refreshes[0] >= cfg.refresh_window:
                grant.refreshes.popleft()
            if len(grant.refreshes) >= cfg.refresh_limit:
                return self._error("Access Denied", THROTTLE_DESCRIPTION, status="failure")
            grant.refreshes.append(now)
            access = self._issue_access(
                grant.account, client_id, location, grant.scopes, grant.token
            )
            return Answer(200, self._token_body(access, None))

    def revoke(self, location: str, p: Mapping[str, str]) -> Answer:
        """``POST /oauth/v2/token/revoke``: a refresh token takes its access tokens with it."""
        with self.lock:
            token = p.get("token", "")
            refresh = self.refresh_tokens.get(token)
            if refresh is not None and refresh.location == location:
                self._drop_refresh(token)
                return Answer(200, {"status": "success"})
            access = self.access_tokens.get(token)
            if access is not None and access.location == location:
                del self.access_tokens[token]
                if access.refresh in self.refresh_tokens:
                    owner = self.refresh_tokens[access.refresh]
                    if token in owner.access_tokens:
                        owner.access_tokens.remove(token)
                return Answer(200, {"status": "success"})
            return Answer(400, {"status": "failure", "error": "invalid_token"})

    def bearer(self, location: str, authorization: str | None) -> AccessGrant | Answer:
        """The live access token in an Authorization header, or Zoho's 401 answer."""
        scheme, _, value = (authorization or "").strip().partition(" ")
        token = value.strip()
        with self.lock:
            grant = self.access_tokens.get(token)
            if (
                scheme.lower() not in ("zoho-oauthtoken", "bearer")
                or grant is None
                or grant.location != location
                or self.now() >= grant.expires_at
            ):
                return Answer(
                    401,
                    {
                        "code": "INVALID_OAUTHTOKEN",
                        "details": {},
                        "message": "invalid oauth token",
                        "status": "error",
                    },
                )
            return grant

    def user_info(self, location: str, authorization: str | None) -> Answer:
        """``GET /oauth/user/info``: who owns the token (needs the profile scope)."""
        grant = self.bearer(location, authorization)
        if isinstance(grant, Answer):
            return grant
        if self.config.require_profile_scope and not (
            {s.lower() for s in grant.scopes} & _PROFILE_SCOPES
        ):
            return Answer(
                401,
                {
                    "code": "OAUTH_SCOPE_MISMATCH",
                    "details": {},
                    "message": "invalid oauth scope to access this URL",
                    "status": "error",
                },
            )
        first, last = account_names(grant.account)
        return Answer(
            200,
            {
                "First_Name": first,
                "Email": grant.account,
                "Last_Name": last,
                "Display_Name": f"{first} {last}",
                "ZUID": zuid(grant.account),
            },
        )

    def whoami(self, location: str, authorization: str | None) -> Answer:
        """The emulated API's one endpoint: any live token of this data center works."""
        grant = self.bearer(location, authorization)
        if isinstance(grant, Answer):
            return grant
        first, last = account_names(grant.account)
        return Answer(
            200,
            {
                "user": {
                    "email": grant.account,
                    "name": f"{first} {last}",
                    "zuid": zuid(grant.account),
                    "location": grant.location,
                },
                "scope": list(grant.scopes),
                "client_id": grant.client_id,
            },
        )

    # ---- the person at the verification page, and the control API -----------------------

    def lookup(self, user_code: str) -> DeviceGrant:
        """The pending grant a person typed the code of, or ControlError saying why not."""
        with self.lock:
            grant = self._find_grant(user_code)
            if grant is None:
                raise ControlError("invalid_user_code", "No sign-in is waiting for that code.")
            if self.now() >= grant.expires_at:
                raise ControlError("expired", "That code has expired; start again on the device.")
            if grant.status != "pending":
                raise ControlError("already_used", "That code has already been used.")
            return grant

    def decide(self, user_code: str, account: str | None, decision: str) -> DeviceGrant:
        """Allow or deny a pending grant as ``account`` (default: first account of the client's DC)."""
        if decision not in ("allow", "deny"):
            raise ControlError("invalid_decision", "decision must be 'allow' or 'deny'.")
        with self.lock:
            cfg = self.config
            if not account:
                home = [a for a, loc in cfg.accounts.items() if loc == cfg.client_location]
                account = (home or list(cfg.accounts) or [""])[0]
            if account not in cfg.accounts:
                raise ControlError("unknown_account", f"No account {account!r} here.")
            grant = self._find_grant(user_code)
            if grant is None:
                raise ControlError("invalid_user_code", "No sign-in is waiting for that code.")
            if self.now() >= grant.expires_at:
                raise ControlError("expired", "That code has expired; start again on the device.")
            if grant.status != "pending":
                raise ControlError("already_used", "That code has already been used.")
            grant.status = "allowed" if decision == "allow" else "denied"
            grant.account = account
            self.changed.notify_all()
            return grant

    def pending(self) -> list[dict[str, Any]]:
        """Every device grant, newest first, as the control API shows them."""
        with self.lock:
            now = self.now()
            return [g.public(now) for g in reversed(self.by_device.values())]

    def revoke_user(self, account: str) -> int:
        """The person removes every session of the client(s) in their Zoho settings."""
        with self.lock:
            tokens = [t for t, g in self.refresh_tokens.items() if g.account == account]
            for token in tokens:
                self._drop_refresh(token)
            for token in [t for t, g in self.access_tokens.items() if g.account == account]:
                del self.access_tokens[token]
            return len(tokens)

    def grant_tokens(
        self,
        account: str,
        scopes: tuple[str, ...],
        client_id: str,
        offline: bool,
    ) -> dict[str, Any]:
        """A token answer as a finished device flow would give it, without the flow (test setup)."""
        with self.lock:
            location = self.config.accounts.get(account)
            if location is None:
                raise ControlError("unknown_account", f"No account {account!r} here.")
            refresh = self._issue_refresh(account, client_id, location, scopes) if offline else None
            self.consents.add((account, client_id))
            access = self._issue_access(
                account, client_id, location, scopes, refresh.token if refresh else None
            )
            return self._token_body(access, refresh)
