"""Routing: from a parsed HTTP request to a reply, with faults, the request log and the control API.

Knows nothing about sockets. Paths under ``/<location>`` are one data center's accounts server,
``/zohoapis/<location>`` its API domain, and ``/emulator`` (also under each base) the control API.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl

from tvauth.emulator import pages
from tvauth.emulator.config import EmulatorConfig
from tvauth.emulator.faults import Fault, parse_faults
from tvauth.emulator.state import THROTTLE_DESCRIPTION, Answer, ControlError, State
from tvauth.zoho import (
    DEVICE_CODE_PATH,
    DEVICE_TOKEN_PATH,
    REVOKE_PATH,
    SERVERINFO_PATH,
    TOKEN_PATH,
    USER_INFO_PATH,
    VERIFICATION_PATH,
)

__all__ = ["CONSENT_PATH", "App", "Reply", "Request"]

CONSENT_PATH = VERIFICATION_PATH + "/consent"
WHOAMI_PATH = "/api/v1/whoami"
JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
_MAX_FIELDS = 100
# Parameter values that are not secret and help tests tell requests apart.
_LOGGED_VALUES = ("grant_type", "access_type", "prompt", "scope")


@dataclass(frozen=True, slots=True)
class Request:
    """What the socket layer read."""

    method: str
    target: str
    headers: Message
    body: bytes

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass(slots=True)
class Reply:
    """What to do with the connection: send (after ``delay``), or drop/reset/hang as a fault."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    action: str = "send"
    delay: float = 0.0


def json_reply(answer: Answer) -> Reply:
    reply = Reply(answer.status, json.dumps(answer.body).encode())
    reply.headers.append(("Cache-Control", "no-store"))
    reply.headers.append(("Pragma", "no-cache"))
    return reply


def _json(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body).encode())


def _html(status: int, body: bytes) -> Reply:
    return Reply(status, body, HTML_TYPE, [("Cache-Control", "no-store")])


def _control_error(code: str, description: str, status: int = 400) -> Reply:
    return _json(status, {"error": code, "error_description": description})


class BadRequest(ValueError):
    """A request the emulator cannot even parse (too many fields, bad JSON...)."""


class App:
    """The emulator's behaviour behind one object; thread-safe (state lock guards everything)."""

    def __init__(self, config: EmulatorConfig, root: str = "") -> None:
        self.root = root
        # With ``dc_ports``, each data center has its own server root (no path prefix).
        self.dc_roots: dict[str, str] = {}
        self._offset = 0.0
        self._config = config
        self.state = State(config, self.now, self.api_domain, self.verification_url)
        self._faults: deque[Fault] = deque()
        self._log: deque[dict[str, Any]] = deque(maxlen=config.log_limit)
        self._seq = 0
        self._started = time.time()

    # ---- configuration, time, urls -------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        return self._config

    def configure(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """Change runtime switches atomically; ValueError (nothing changed) if any is bad."""
        with self.state.lock:
            new = self._config.with_changes(changes)
            self._config = new
            self.state.config = new
            return new

    def now(self) -> float:
        """Emulated monotonic time: the configured clock plus every :meth:`advance`."""
        return self._config.clock() + self._offset

    def wall_time(self) -> float:
        """Wall-clock seconds for the ``Date`` header: real time plus every :meth:`advance`."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move emulated time forward (expiry, slow_down, throttle) without sleeping."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("time only moves forward")
        with self.state.lock:
            self._offset += seconds
            self.state.changed.notify_all()

    def base_path(self, location: str) -> str:
        """The path prefix of a data center's accounts server ("" when it has its own port)."""
        return "" if location in self.dc_roots else f"/{location}"

    def base_url(self, location: str) -> str:
        return f"{self.dc_roots.get(location, self.root)}{self.base_path(location)}"

    def api_domain(self, location: str) -> str:
        return f"{self.dc_roots.get(location, self.root)}/zohoapis/{location}"

    def verification_url(self, location: str) -> str:
        return f"{self.base_url(location)}{VERIFICATION_PATH}"

    # ---- faults and log ------------------------------------------------------------------

    def set_faults(self, items: list[Any]) -> int:
        """Replace the fault queue; ValueError on a bad entry (queue unchanged)."""
        faults = parse_faults(items)
        with self.state.lock:
            self._faults = deque(faults)
            return len(self._faults)

    def pending_faults(self) -> list[str]:
        with self.state.lock:
            return [f.spec for f in self._faults]

    def _take_fault(self, path: str) -> Fault | None:
        with self.state.lock:
            for fault in self._faults:
                if fault.matches(path):
                    self._faults.remove(fault)
                    return fault
            return None

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(e) for e in self._log if e["seq"] > since]

    def clear_log(self) -> None:
        with self.state.lock:
            self._log.clear()

    def reset(self) -> None:
        """Forget codes, tokens, consents, faults and the log (settings stay)."""
        self.state.reset()
        with self.state.lock:
            self._faults.clear()
            self._log.clear()

    def _record(self, entry: dict[str, Any]) -> None:
        with self.state.lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._log.append(entry)

    # ---- dispatch ------------------------------------------------------------------------

    def handle(self, request: Request, location: str | None = None) -> Reply:
        """The reply to one request; never raises for bad input.

        ``location`` is set when the request came to a data center's own port.
        """
        parts = request.path.split("/")
        head = parts[1] if len(parts) > 1 else ""
        rest = "/" + "/".join(parts[2:])
        if len(rest) > 1:
            rest = rest.rstrip("/")
        try:
            if head == "":
                home = location or self._config.client_location
                return _html(200, pages.index_page(home, self.urls()))
            if head == "emulator":
                return self._control(request, rest)
            if head == "zohoapis":
                return self._api(request, parts)
            if location is not None:
                path = request.path.rstrip("/") or "/"
                return self._accounts(request, location, path)
            if head in self._config.locations:
                if rest == "/emulator" or rest.startswith("/emulator/"):
                    return self._control(request, rest[len("/emulator") :] or "/")
                return self._accounts(request, head, rest)
        except BadRequest as err:
            return _control_error("invalid_request", str(err))
        return _json(404, {"error": "invalid_request", "error_description": "Unknown URL"})

    def urls(self) -> dict[str, str]:
        return {loc: self.base_url(loc) for loc in self._config.locations}

    @staticmethod
    def _pairs(text: str) -> list[tuple[str, str]]:
        try:
            return parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
        except ValueError as err:
            raise BadRequest("Too many parameters") from err

    def _params(self, request: Request) -> tuple[dict[str, str], list[str], list[str]]:
        """Query and form parameters merged (form wins), and the names found in each."""
        query = self._pairs(request.query)
        form: list[tuple[str, str]] = []
        ctype = (request.headers.get("Content-Type") or "").lower()
        if request.body and ctype.startswith("application/x-www-form-urlencoded"):
            form = self._pairs(request.body.decode("utf-8", "replace"))
        merged: dict[str, str] = {}
        for name, value in [*query, *form]:
            merged[name] = value
        return merged, [n for n, _ in query], [n for n, _ in form]

    def _accounts(self, request: Request, location: str, rest: str) -> Reply:
        params, query_names, form_names = self._params(request)
        auth = request.headers.get("Authorization") or ""
        entry: dict[str, Any] = {
            "time": self.now(),
            "wall": time.time(),
            "method": request.method,
            "location": location,
            "path": rest,
            "params": sorted(set(query_names) | set(form_names)),
            "query": query_names,
            "form": form_names,
            "auth": auth.split(" ", 1)[0] if auth else None,
            "error": None,
        }
        entry.update({k: params[k] for k in _LOGGED_VALUES if k in params})
        fault = self._take_fault(rest)
        if fault is not None:
            entry["fault"] = fault.spec
        reply = (
            self._fault_reply(fault)
            if fault is not None and fault.kind != "delay"
            else self._route(request, location, rest, params, auth)
        )
        if fault is not None and fault.kind == "delay":
            reply.delay = fault.seconds
        entry["status"] = reply.status if reply.action == "send" else None
        if reply.content_type == JSON_TYPE and reply.body[:1] == b"{":
            try:
                body = json.loads(reply.body)
                entry["error"] = body.get("error") or body.get("code")
            except ValueError:
                pass
        self._record(entry)
        return reply

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.kind in ("drop", "reset", "hang"):
            return Reply(0, action=fault.kind)
        if fault.kind == "malformed":
            return Reply(200, b'{"error": "authorization_pending", <html>')
        if fault.kind == "empty":
            return Reply(200, b"")
        status = self._config.error_status
        if fault.kind == "throttle":
            body = {"error": "Access Denied", "error_description": THROTTLE_DESCRIPTION}
            return json_reply(Answer(status, {**body, "status": "failure"}))
        if fault.kind == "error":
            return json_reply(Answer(status, {"error": fault.error}))
        if fault.html:
            page = (
                f"<html><head><title>{fault.status} Error</title></head><body><center><h1>"
                f"{fault.status} Error</h1></center><hr><center>ZGS</center></body></html>\n"
            ).encode()
            return Reply(fault.status, page, "text/html")
        return _json(fault.status, {"error": "server_error", "status": "failure"})

    def _route(
        self, request: Request, location: str, rest: str, params: dict[str, str], auth: str
    ) -> Reply:
        state = self.state
        method = request.method
        posts: dict[str, Callable[[str, Mapping[str, str]], Answer]] = {
            DEVICE_CODE_PATH: state.device_code,
            DEVICE_TOKEN_PATH: state.device_token,
            TOKEN_PATH: state.refresh,
            REVOKE_PATH: state.revoke,
        }
        if rest in posts:
            if method != "POST":
                return self._not_allowed("POST")
            return json_reply(posts[rest](location, params))
        if rest == USER_INFO_PATH:
            if method != "GET":
                return self._not_allowed("GET")
            return json_reply(state.user_info(location, auth))
        if rest == SERVERINFO_PATH:
            if method != "GET":
                return self._not_allowed("GET")
            return _json(200, {"result": "success", "locations": self.urls()})
        if rest == VERIFICATION_PATH:
            if method == "GET":
                return self._code_page(location, params.get("user_code", ""), None)
            return self._code_submitted(location, params.get("user_code", ""))
        if rest == CONSENT_PATH:
            if method != "POST":
                return self._not_allowed("POST")
            return self._consent_submitted(location, params)
        return _json(404, {"error": "invalid_request", "error_description": "Unknown URL"})

    @staticmethod
    def _not_allowed(allowed: str) -> Reply:
        reply = _json(405, {"error": "invalid_request", "error_description": f"Use {allowed} here"})
        reply.headers.append(("Allow", allowed))
        return reply

    # ---- verification pages --------------------------------------------------------------

    def _code_page(self, location: str, user_code: str, error: str | None) -> Reply:
        action = f"{self.base_path(location)}{VERIFICATION_PATH}"
        status = 200 if error is None else 400
        return _html(status, pages.code_page(location, action, user_code[:64], error))

    def _code_submitted(self, location: str, user_code: str) -> Reply:
        try:
            grant = self.state.lookup(user_code)
        except ControlError as err:
            return self._code_page(location, user_code, err.description)
        cfg = self._config
        return _html(
            200,
            pages.consent_page(
                location,
                f"{self.base_path(location)}{CONSENT_PATH}",
                cfg.client_name(grant.client_id),
                grant.user_code,
                grant.scopes,
                cfg.accounts,
            ),
        )

    def _consent_submitted(self, location: str, params: Mapping[str, str]) -> Reply:
        user_code = params.get("user_code", "")
        account = params.get("account", "")
        try:
            grant = self.state.decide(user_code, account, params.get("decision", ""))
        except ControlError as err:
            return self._code_page(location, user_code, err.description)
        assert grant.account is not None
        allowed = grant.status == "allowed"
        account_location = self._config.accounts.get(grant.account, location)
        return _html(200, pages.done_page(location, allowed, grant.account, account_location))

    # ---- emulated API domain -------------------------------------------------------------

    def _api(self, request: Request, parts: list[str]) -> Reply:
        location = parts[2] if len(parts) > 2 else ""
        rest = "/" + "/".join(parts[3:])
        if location not in self._config.locations:
            return _json(404, {"code": "INVALID_URL_PATTERN", "status": "error"})
        auth = request.headers.get("Authorization")
        live = self.state.bearer(location, auth)
        if isinstance(live, Answer):
            reply = json_reply(live)
        elif rest.rstrip("/") == WHOAMI_PATH:
            reply = json_reply(self.state.whoami(location, auth))
        else:
            reply = _json(
                404,
                {
                    "code": "INVALID_URL_PATTERN",
                    "details": {},
                    "message": "Please check if the URL trying to access is a correct one",
                    "status": "error",
                },
            )
        self._record(
            {
                "time": self.now(),
                "wall": time.time(),
                "method": request.method,
                "location": location,
                "path": "/zohoapis" + rest,
                "params": [],
                "query": [],
                "form": [],
                "auth": auth.split(" ", 1)[0] if auth else None,
                "status": reply.status,
                "error": json.loads(reply.body).get("code"),
            }
        )
        return reply

    # ---- control API ---------------------------------------------------------------------

    def _control_params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(self._pairs(request.query))
        ctype = (request.headers.get("Content-Type") or "").lower()
        if request.body and "json" in ctype:
            data = self._json_body(request)
            if not isinstance(data, dict):
                raise BadRequest("Expected a JSON object")
            params.update(data)
        elif request.body:
            params.update(self._pairs(request.body.decode("utf-8", "replace")))
        return params

    @staticmethod
    def _json_body(request: Request) -> Any:
        try:
            return json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise BadRequest(f"Body is not JSON: {err}") from err

    def _control(self, request: Request, rest: str) -> Reply:
        method = request.method
        try:
            if rest == "/approve" and method == "POST":
                p = self._control_params(request)
                grant = self.state.decide(
                    str(p.get("user_code", "")),
                    str(p.get("account", "")) or None,
                    str(p.get("decision", "allow")),
                )
                return _json(
                    200,
                    {
                        "status": "success",
                        "user_code": grant.user_code,
                        "account": grant.account,
                        "decision": "allow" if grant.status == "allowed" else "deny",
                        "user_location": self._config.accounts.get(grant.account or ""),
                    },
                )
            if rest == "/faults":
                if method == "POST":
                    count = self.set_faults(self._json_body(request))
                    return _json(200, {"status": "success", "queued": count})
                return _json(200, {"faults": self.pending_faults()})
            if rest == "/log" and method == "GET":
                p = self._control_params(request)
                return _json(200, self.log(int(p.get("since", 0) or 0)))
            if rest == "/log/clear" and method == "POST":
                self.clear_log()
                return _json(200, {"status": "success"})
            if rest == "/reset" and method == "POST":
                self.reset()
                return _json(200, {"status": "success"})
            if rest == "/config":
                if method == "POST":
                    data = self._json_body(request)
                    if not isinstance(data, dict):
                        raise BadRequest("Expected a JSON object")
                    self.configure(data)
                return _json(200, self._config.public_view())
            if rest == "/advance" and method == "POST":
                p = self._control_params(request)
                self.advance(float(p.get("seconds", 0)))
                return _json(200, {"status": "success", "time": self.now()})
            if rest == "/codes" and method == "GET":
                return _json(200, self.state.pending())
            if rest == "/revoke-user" and method == "POST":
                p = self._control_params(request)
                count = self.state.revoke_user(str(p.get("account", "")))
                return _json(200, {"status": "success", "revoked": count})
        except ControlError as err:
            return _control_error(err.code, err.description)
        except (ValueError, TypeError) as err:
            return _control_error("invalid_request", str(err))
        return _control_error("invalid_request", f"No control endpoint {method} {rest}", 404)
