"""The emulator as a Python object: start it, point a client at it, play the person on the phone."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any

from tvauth.emulator.app import App
from tvauth.emulator.config import DEMO_CLIENT_ID, EmulatorConfig
from tvauth.emulator.httpserver import EmulatorServer
from tvauth.emulator.state import ControlError

__all__ = ["Emulator", "EmulatorError"]

# URLs handed to clients must name an address they can reach, not the wildcard we listen on.
_LOOPBACK_FOR = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


class EmulatorError(ValueError):
    """A Python-API call the emulator refuses (unknown code, unknown account...)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code


class Emulator:
    """A running Zoho Accounts emulator on a background thread.

    ``with Emulator(EmulatorConfig(interval=0.2)) as emu: ...`` serves on a free loopback port;
    :meth:`stop` closes every connection and returns promptly.
    """

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        cfg = config or EmulatorConfig()
        self._app = App(replace(cfg, **overrides) if overrides else cfg)
        self._servers: list[EmulatorServer] = []
        self._threads: list[threading.Thread] = []

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve; the port(s) are known when this returns."""
        if self._servers:
            return self
        cfg = self._app.config
        host = cfg.url_host or _LOOPBACK_FOR.get(cfg.host, cfg.host)
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        wanted: list[str | None] = list(cfg.locations) if cfg.dc_ports else [None]
        servers: list[EmulatorServer] = []
        try:
            for index, location in enumerate(wanted):
                port = cfg.port + index if cfg.port else 0
                servers.append(EmulatorServer(cfg.host, port, self._app, location))
        except OSError:
            for server in servers:
                server.server_close()
            raise
        roots = [f"http://{host}:{server.server_address[1]}" for server in servers]
        self._app.root = roots[0]
        if cfg.dc_ports:
            self._app.dc_roots = dict(zip(cfg.locations, roots, strict=True))
        self._servers = servers
        for server in servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name=f"zoho-emulator-{server.server_address[1]}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        servers, threads = self._servers, self._threads
        self._servers, self._threads = [], []
        for server in servers:
            server.shutdown()
        for server in servers:
            server.close_connections()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return bool(self._servers)

    @property
    def internal_errors(self) -> int:
        """Requests that raised inside the emulator (answered 500): any is a bug to fix."""
        return sum(server.bugs for server in self._servers)

    # ---- where it is ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The listening port (with ``dc_ports``, the first data center's)."""
        if not self._servers:
            raise RuntimeError("the emulator is not running")
        port: int = self._servers[0].server_address[1]
        return port

    @property
    def ports(self) -> dict[str, int]:
        """Each data center's port (all the same unless ``dc_ports``)."""
        if not self._servers:
            raise RuntimeError("the emulator is not running")
        if len(self._servers) == 1:
            return dict.fromkeys(self._app.config.locations, self.port)
        return {str(s.location): int(s.server_address[1]) for s in self._servers}

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if not self._app.root:
            raise RuntimeError("the emulator has not started")
        return self._app.root

    def base_url(self, location: str = "us") -> str:
        """The accounts server of one data center, e.g. ``http://127.0.0.1:PORT/us``."""
        if location not in self._app.config.locations:
            raise KeyError(f"location {location!r} is not emulated")
        if not self._app.root:
            raise RuntimeError("the emulator has not started")
        return self._app.base_url(location)

    @property
    def urls(self) -> dict[str, str]:
        """Every data center's accounts base URL (what ``/oauth/serverinfo`` lists)."""
        return {loc: self.base_url(loc) for loc in self._app.config.locations}

    def api_url(self, location: str = "us") -> str:
        """The emulated API domain of a data center (``api_domain`` in token answers)."""
        self.base_url(location)
        return self._app.api_domain(location)

    @property
    def api_urls(self) -> dict[str, str]:
        return {loc: self.api_url(loc) for loc in self._app.config.locations}

    def verification_url(self, location: str = "us") -> str:
        return self._app.verification_url(location)

    # ---- settings and time ---------------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        return self._app.config

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change switches while serving (e.g. ``error_status=400``, ``units="s"``)."""
        return self._app.configure(changes)

    def now(self) -> float:
        """Emulated monotonic time in seconds."""
        return self._app.now()

    def advance(self, seconds: float) -> None:
        """Jump emulated time forward: codes expire, slow_down windows and throttles pass."""
        self._app.advance(seconds)

    # ---- playing the person and the network ----------------------------------------------

    def approve(self, user_code: str, account: str | None = None, decision: str = "allow") -> None:
        """What the person does on the verification page (default account: the client's DC's)."""
        try:
            self._app.state.decide(user_code, account, decision)
        except ControlError as err:
            raise EmulatorError(err.code, err.description) from None

    def deny(self, user_code: str, account: str | None = None) -> None:
        self.approve(user_code, account, "deny")

    def set_faults(self, faults: Sequence[Any]) -> None:
        """Queue faults for the next OAuth requests (see :mod:`tvauth.emulator.faults`)."""
        self._app.set_faults(list(faults))

    def pending_faults(self) -> list[str]:
        return self._app.pending_faults()

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        """Requests received (no secret values): path, location, method, params, time, status..."""
        return self._app.log(since)

    def clear_log(self) -> None:
        self._app.clear_log()

    def requests_to(self, path: str, location: str | None = None) -> list[dict[str, Any]]:
        """Log entries for one path (e.g. ``/oauth/v3/device/token``), optionally one DC."""
        return [
            e
            for e in self._app.log()
            if e["path"] == path and (location is None or e["location"] == location)
        ]

    def reset(self) -> None:
        """Forget codes, tokens, consents, faults and log."""
        self._app.reset()

    def codes(self) -> list[dict[str, Any]]:
        """Device grants, newest first: user_code, status, account, polls... (no device codes)."""
        return self._app.state.pending()

    @property
    def latest_user_code(self) -> str | None:
        return self._app.state.latest_user_code

    def wait_for_user_code(self, timeout: float = 5.0, after: str | None = None) -> str:
        """Block until a device asked for a code (other than ``after``); its user code."""
        state = self._app.state
        with state.changed:
            ok = state.changed.wait_for(
                lambda: state.latest_user_code not in (None, after), timeout
            )
            if not ok or state.latest_user_code is None:
                raise TimeoutError("no device asked for a code in time")
            return state.latest_user_code

    def revoke_user(self, account: str) -> int:
        """The person removes the device's sessions in their Zoho settings."""
        return self._app.state.revoke_user(account)

    def grant_tokens(
        self,
        account: str = "ada@example.com",
        scopes: Sequence[str] = ("AaaServer.profile.READ",),
        client_id: str = DEMO_CLIENT_ID,
        offline: bool = True,
    ) -> dict[str, Any]:
        """A token answer (JSON dict) as after a finished sign-in, without running the flow."""
        try:
            return self._app.state.grant_tokens(account, tuple(scopes), client_id, offline)
        except ControlError as err:
            raise EmulatorError(err.code, err.description) from None
