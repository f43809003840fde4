"""The device flow as a state machine that never touches a socket or a clock (the h11 idea).

The caller asks :meth:`FlowMachine.next_step` what to do at monotonic time ``now`` and gets one of:
emit an event, send a request, wait until a time, or finish. It feeds back what the request produced
(:meth:`FlowMachine.on_response`) or that it failed in transit (:meth:`FlowMachine.on_fault`). Both
driver faces (async and blocking) run this same machine, so they cannot drift apart, and every timing
rule (interval, slow_down, Zoho's 30 s floor, backoff, expiry, renewal) is tested here with plain
numbers.
"""

from __future__ import annotations

import enum
import functools
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from tvauth import zoho
from tvauth.discovery import (
    DiscoveryNotFound,
    discovery_requests,
    no_discovery_document,
    parse_discovery,
)
from tvauth.errors import (
    CodeExpiredError,
    ConfigError,
    FlowError,
    NetworkError,
    ProxyRefusedError,
    ServerResponseError,
    ThrottledError,
    TLSVerificationError,
    TvauthError,
)
from tvauth.events import (
    CLOCK_LOOKS_WRONG,
    WAITING_FOR_NETWORK,
    Approved,
    CodeIssued,
    DataCenterSwitched,
    DeviceAuthorization,
    Failed,
    FlowEvent,
    NetworkTrouble,
    Pending,
    Requesting,
    SlowedDown,
)
from tvauth.protocol import (
    RFC8628,
    ZOHO,
    AuthorizationPending,
    CodeGranted,
    Dialect,
    Endpoints,
    HttpRequest,
    HttpResponse,
    OtherDataCenter,
    SlowDown,
    Terminal,
    TimingUnits,
    TokensGranted,
    Transient,
    describe_server,
    device_code_request,
    parse_device_code_response,
    parse_poll_response,
    parse_serverinfo,
    serverinfo_request,
    token_poll_request,
    zoho_endpoints,
)

__all__ = [
    "SLOW_DOWN_STEP",
    "ZOHO_POLL_FLOOR",
    "Emit",
    "Finish",
    "FlowMachine",
    "FlowSettings",
    "Send",
    "Step",
    "Wait",
]

SLOW_DOWN_STEP: Final = 5.0
"""Seconds added to the interval on every ``slow_down``, for the rest of the flow (RFC 8628 3.5)."""

ZOHO_POLL_FLOOR: Final = 30.0
"""Zoho answers ``slow_down`` to two polls within 30 s, so tvauth never polls its hosts faster."""

_FIRST_RETRY: Final = 1.0
_THROTTLE_RETRY: Final = 30.0
_LAST_CHANCE: Final = 5.0
"""Seconds before a code's end that the last poll lands (at most half an interval): room for the poll
to reach the server before the end, since the two clocks are not the same."""


@dataclass(frozen=True)
class FlowSettings:
    """Everything a device sign-in needs to know before it starts.

    ``client_secret`` is a string, or a mapping of data-center location to secret when the client's
    secret differs per data center. ``accounts_url`` is the accounts server of the data center where
    the client is registered (Zoho), or the issuer (RFC 8628, endpoints then come from discovery
    unless ``endpoints`` is given). ``location`` names the registration data center when the
    accounts server is not one of Zoho's hosts (the emulator). ``renewals`` is how many times an
    expired code is replaced by a fresh one before the flow gives up. ``poll_floor`` overrides the
    minimum seconds between polls (default: 30 on Zoho's hosts, none elsewhere). ``timing_units``
    forces how Zoho's ``interval``/``expires_in`` are read ("ms" or "s") instead of guessing ("auto").
    ``prompt_consent`` (default on) sends ``prompt=consent``: otherwise Zoho hands out a refresh
    token only on a person's first consent, and a device signed in again without one cannot stay
    signed in. ``give_up_after`` is how many seconds of faults asking for a code are tolerated
    before the flow fails; None waits forever (with backoff capped at ``max_backoff``): right for a
    device that boots before its network, where no code exists yet and so nothing can be lost.
    """

    client_id: str
    client_secret: str | Mapping[str, str] | None = field(default=None, repr=False)
    scopes: Sequence[str] = ()
    accounts_url: str = zoho.DATA_CENTERS["us"].accounts_url
    location: str | None = None
    dialect: Dialect = ZOHO
    endpoints: Endpoints | None = None
    offline: bool = True
    prompt_consent: bool = True
    renewals: int = 0
    poll_floor: float | None = None
    max_backoff: float = 60.0
    give_up_after: float | None = 300.0
    max_dc_switches: int = 3
    timing_units: TimingUnits = "auto"

    def __post_init__(self) -> None:
        scopes = self.scopes
        if isinstance(scopes, str):
            scopes = scopes.replace(",", " ").split()
        object.__setattr__(self, "scopes", tuple(scopes))
        if self.dialect not in (ZOHO, RFC8628):
            raise ConfigError(f"Unknown dialect {self.dialect!r}.", "Use 'zoho' or 'rfc8628'.")
        if not self.client_id:
            raise ConfigError("No client id was given.", "Pass the client id of your app.")
        if self.timing_units not in ("auto", "ms", "s"):
            raise ConfigError(
                f"Unknown timing units {self.timing_units!r}.", "Use 'auto', 'ms' or 's'."
            )
        if self.dialect == RFC8628 and self.secret_per_location:
            raise ConfigError(
                "A client secret per data center is a Zoho notion; RFC 8628 providers take one.",
                "Pass the client secret as a single string.",
            )
        if self.renewals < 0:
            raise ConfigError("renewals cannot be negative.", "Use 0 or more.")
        if self.give_up_after is not None and not self.give_up_after >= 0:
            raise ConfigError(
                "give_up_after must be zero or more seconds.", "Use None to wait forever."
            )
        if not self.max_backoff >= _FIRST_RETRY:
            raise ConfigError(
                f"max_backoff must be at least {_FIRST_RETRY:g} s.", "Use a larger backoff cap."
            )
        urls = [self.accounts_url]
        if self.endpoints is not None:
            urls += [self.endpoints.device_authorization_url, self.endpoints.token_url]
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(
                    f"{url!r} is not a usable server URL.",
                    "Give a full URL such as https://accounts.zoho.eu.",
                )

    def secret_for(self, location: str | None) -> str | None:
        """The client secret to use with the data center ``location``."""
        secret = self.client_secret
        if secret is None or isinstance(secret, str):
            return secret
        if location is not None and location in secret:
            return secret[location]
        return None

    @property
    def secret_per_location(self) -> bool:
        """True when secrets differ per data center (so the location must be known to poll)."""
        return self.client_secret is not None and not isinstance(self.client_secret, str)


@dataclass(frozen=True, slots=True)
class Emit:
    """Report this event."""

    event: FlowEvent


@dataclass(frozen=True, slots=True)
class Send:
    """Send this request, then call ``on_response`` or ``on_fault``."""

    request: HttpRequest


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep until this monotonic time, then ask again."""

    until: float


@dataclass(frozen=True, slots=True)
class Finish:
    """The flow is over."""

    result: Approved | Failed


Step = Emit | Send | Wait | Finish


@functools.lru_cache(maxsize=64)
def _default_floor(accounts_url: str) -> float:
    return ZOHO_POLL_FLOOR if zoho.is_zoho_accounts_url(accounts_url) else 0.0


class _Phase(enum.Enum):
    DISCOVER = "discover"
    REQUEST_CODE = "request code"
    LOCATE = "locate"
    POLL = "poll"
    DONE = "done"


class FlowMachine:
    """One device sign-in, from the first request to tokens or a terminal error."""

    def __init__(self, settings: FlowSettings, now: float) -> None:
        self._s = settings
        self._events: deque[FlowEvent] = deque()
        self._registration_url = settings.accounts_url.rstrip("/")
        dc = zoho.data_center_for_accounts_url(self._registration_url)
        self._zoho_host = dc is not None
        self._registration_location = settings.location or (dc.location if dc else None)
        self._url = self._registration_url
        self._location = self._registration_location
        self._endpoints: Endpoints | None = settings.endpoints
        self._discovery = (
            discovery_requests(self._registration_url)
            if settings.dialect == RFC8628 and settings.endpoints is None
            else ()
        )
        self._discovery_index = 0
        self._serverinfo: dict[str, str] | None = None
        self._target: str | None = None
        self._auth: DeviceAuthorization | None = None
        self._expires_at = 0.0
        self._bonus = 0.0
        self._next_at = now
        self._poll_due = now
        self._faults = 0
        self._cycle_started = now
        self._attempt = 0
        self._renewals_left = settings.renewals
        self._polls = 0
        self._switches = 0
        self._awaiting: HttpRequest | None = None
        self._sent_at = now
        self._result: Approved | Failed | None = None
        self._phase = _Phase.DISCOVER if self._discovery else _Phase.REQUEST_CODE
        self._begin_cycle(now)

    # ----------------------------------------------------------------------------- introspection

    @property
    def accounts_url(self) -> str:
        """The accounts server being talked to now (the user's, after ``other_dc``)."""
        return self._url

    @property
    def location(self) -> str | None:
        """The data center being talked to now, when known."""
        return self._location

    @property
    def interval(self) -> float:
        """Seconds between polls now: the server's interval raised to the floor, plus slow_down steps.

        The steps go on top of the floor: a slow_down says the interval in use is too short, so an
        interval the floor already lifted must grow too, or the server says slow_down forever.
        """
        base = self._auth.interval if self._auth else 0.0
        floor = self._s.poll_floor
        if floor is None:
            floor = _default_floor(self._url)
        return max(base, floor) + self._bonus

    @property
    def finished(self) -> bool:
        """True once Approved or Failed has been decided."""
        return self._phase is _Phase.DONE

    @property
    def in_flight(self) -> HttpRequest | None:
        """The request whose answer is awaited, if any."""
        return self._awaiting

    # ------------------------------------------------------------------------------------ driving

    def next_step(self, now: float) -> Step:
        """What to do at ``now``."""
        if self._events:
            return Emit(self._events.popleft())
        if self._phase is _Phase.DONE:
            assert self._result is not None
            return Finish(self._result)
        if self._awaiting is not None:
            raise RuntimeError("answer the request in flight before asking for the next step")
        if self._phase in (_Phase.POLL, _Phase.LOCATE):
            deadline = self._expires_at + self.interval
            if self._next_at > deadline:
                # The next chance to poll comes after the code is dead: say so when it dies.
                if now < self._expires_at:
                    return Wait(self._expires_at)
                self._expired(self._local_expiry(), now)
                return self.next_step(now)
        if now < self._next_at:
            return Wait(self._next_at)
        request = self._request()
        self._awaiting = request
        self._sent_at = now
        return Send(request)

    def on_response(self, response: HttpResponse, now: float) -> None:
        """Feed the answer to the request from the last :class:`Send`."""
        self._take_request()
        where = self._where()
        if self._phase is _Phase.DISCOVER:
            found = parse_discovery(response, where=where)
            if isinstance(found, Endpoints):
                self._endpoints = found
                self._faults = 0
                self._phase = _Phase.REQUEST_CODE
                self._next_at = now
            elif isinstance(found, DiscoveryNotFound):
                self._discovery_index += 1
                if self._discovery_index >= len(self._discovery):
                    self._fail(no_discovery_document(where).error, now)
            elif isinstance(found, Transient):
                self._fault(found.reason, found.error, now)
            else:
                self._fail(found.error, now)
        elif self._phase is _Phase.REQUEST_CODE:
            granted = parse_device_code_response(
                self._s.dialect,
                response,
                where=where,
                client_id=self._s.client_id,
                scopes=tuple(self._s.scopes),
                units=self._s.timing_units,
            )
            if isinstance(granted, CodeGranted):
                self._code_granted(granted.authorization, now)
            elif isinstance(granted, Transient):
                self._fault(granted.reason, granted.error, now)
            else:
                self._fail(granted.error, now)
        elif self._phase is _Phase.LOCATE:
            info = parse_serverinfo(response, where=describe_server(self._registration_url))
            if isinstance(info, Transient):
                self._fault(info.reason, info.error, now)
            else:
                self._serverinfo = info
                self._faults = 0
                self._located(now)
        elif self._phase is _Phase.POLL:
            self._poll_answer(response, now)

    def on_fault(
        self,
        reason: str,
        now: float,
        error: NetworkError | None = None,
        *,
        unreached: bool = False,
        clock_suspect: bool = False,
    ) -> None:
        """The request from the last :class:`Send` failed in transit (timeout, refused, dropped).

        ``error`` is the driver's description of the failure, if it has one. Certificate failures
        and proxy refusals end the flow at once: retrying unchanged cannot fix them, and the person
        should read why now rather than watch retries. ``unreached`` says no connection was made
        at all (DNS failure, no route, refused, connect timeout): before the first code that is a
        device whose network is not up yet, reported as :data:`WAITING_FOR_NETWORK`.
        ``clock_suspect`` says a certificate failed only because of time (not yet valid, or
        expired). A flow that waits forever (``give_up_after=None``: a device booting unattended,
        whose clock NTP has not set yet) retries it like a network fault, reported as
        :data:`CLOCK_LOOKS_WRONG`; other flows end at once with the clock hint.
        """
        self._take_request()
        waits_forever = self._s.give_up_after is None
        if isinstance(error, TLSVerificationError) and clock_suspect and waits_forever:
            self._fault(CLOCK_LOOKS_WRONG, error, now)
            return
        if isinstance(error, TLSVerificationError | ProxyRefusedError):
            self._fail(error, now)
            return
        if error is None:
            error = NetworkError(f"{self._where()} could not be reached ({reason}).", None)
        if (
            unreached
            and self._attempt == 0
            and self._phase in (_Phase.DISCOVER, _Phase.REQUEST_CODE)
        ):
            reason = WAITING_FOR_NETWORK
        self._fault(reason, error, now)

    # ------------------------------------------------------------------------------------ helpers

    def _take_request(self) -> None:
        if self._awaiting is None:
            raise RuntimeError("no request is in flight")
        self._awaiting = None

    def _where(self) -> str:
        return describe_server(self._url, self._location)

    def _request(self) -> HttpRequest:
        s = self._s
        if self._phase is _Phase.DISCOVER:
            return self._discovery[self._discovery_index]
        if self._phase is _Phase.LOCATE:
            return serverinfo_request(self._registration_url)
        endpoints = self._current_endpoints()
        if self._phase is _Phase.REQUEST_CODE:
            return device_code_request(
                s.dialect,
                endpoints,
                s.client_id,
                tuple(s.scopes),
                client_secret=s.secret_for(self._location),
                offline=s.offline,
                prompt_consent=s.prompt_consent,
            )
        assert self._auth is not None
        self._polls += 1
        return token_poll_request(
            s.dialect,
            endpoints,
            s.client_id,
            self._auth.device_code,
            s.secret_for(self._location),
        )

    def _current_endpoints(self) -> Endpoints:
        if self._s.dialect == ZOHO:
            return zoho_endpoints(self._url)
        assert self._endpoints is not None
        return self._endpoints

    def _begin_cycle(self, now: float) -> None:
        """Start asking for a (new) code at the registration data center."""
        self._url = self._registration_url
        self._location = self._registration_location
        self._auth = None
        self._faults = 0
        self._polls = 0
        self._switches = 0
        self._cycle_started = now
        self._next_at = now
        if self._phase is not _Phase.DISCOVER:
            self._phase = _Phase.REQUEST_CODE
        self._events.append(Requesting(accounts_url=self._url, at=now))

    def _code_granted(self, auth: DeviceAuthorization, now: float) -> None:
        self._auth = auth
        self._attempt += 1
        self._faults = 0
        # The server started the code's clock before its answer arrived: count from the send, so
        # the countdown never promises more time than the code has.
        self._expires_at = self._sent_at + auth.expires_in
        self._events.append(
            CodeIssued(
                authorization=auth,
                accounts_url=self._url,
                location=self._location,
                at=now,
                expires_at=self._expires_at,
                attempt=self._attempt,
            )
        )
        self._next_at = self._poll_due = now + self.interval
        if self._s.secret_per_location and self._s.secret_for(self._location) is None:
            if self._location is None and not self._zoho_host:
                self._phase = _Phase.LOCATE  # learn which location the registration host is
                self._target = None
                self._next_at = now
                return
            self._fail(self._missing_secret(self._location), now)
            return
        self._phase = _Phase.POLL

    def _poll_answer(self, response: HttpResponse, now: float) -> None:
        assert self._auth is not None
        outcome = parse_poll_response(
            self._s.dialect, response, where=self._where(), user_code=self._auth.user_code
        )
        if isinstance(outcome, AuthorizationPending):
            self._faults = 0
            self._next_at = self._poll_at(now, self.interval)
            self._events.append(Pending(polls=self._polls, at=now, next_poll_at=self._next_at))
        elif isinstance(outcome, SlowDown):
            self._faults = 0
            self._bonus += SLOW_DOWN_STEP
            self._next_at = self._poll_at(now, self.interval)
            self._events.append(SlowedDown(interval=self.interval, at=now))
        elif isinstance(outcome, OtherDataCenter):
            self._faults = 0
            self._next_at = self._poll_due = now + self.interval
            self._other_dc(outcome.location, now)
        elif isinstance(outcome, TokensGranted):
            result = Approved(
                tokens=outcome.tokens, accounts_url=self._url, location=self._location, at=now
            )
            self._events.append(result)
            self._result = result
            self._phase = _Phase.DONE
        elif isinstance(outcome, Transient):
            self._fault(outcome.reason, outcome.error, now)
        elif isinstance(outcome, Terminal):
            if isinstance(outcome.error, CodeExpiredError):
                self._expired(outcome.error, now)
            else:
                self._fail(outcome.error, now)

    def _other_dc(self, location: str, now: float) -> None:
        self._switches += 1
        if location == self._location:
            self._fail(self._named_this_one(), now)
            return
        if self._switches > self._s.max_dc_switches:
            self._fail(
                ServerResponseError(
                    "The accounts servers kept sending the sign-in to another data center.",
                    "Start again; if it repeats, this is a server problem.",
                ),
                now,
            )
            return
        self._target = location
        if self._zoho_host or self._serverinfo is not None:
            self._located(now)
        else:
            self._phase = _Phase.LOCATE
            self._next_at = now  # a different endpoint, not a poll: no need to wait for it

    def _located(self, now: float) -> None:
        """Server info is known (or not needed): finish what LOCATE was entered for."""
        if self._target is None:
            # Entered to learn the registration host's own location (secrets per location).
            found = self._own_location()
            if found is None:
                self._fail(
                    ConfigError(
                        f"{describe_server(self._registration_url)} does not list itself "
                        "among its data centers, so the client secret to use is unknown.",
                        "Pass the location of the registration data center, or one secret.",
                    ),
                    now,
                )
                return
            self._registration_location = self._location = found
            if self._s.secret_for(found) is None:
                self._fail(self._missing_secret(found), now)
                return
            self._phase = _Phase.POLL
            self._next_at = max(now, self._poll_due)
            return
        location = self._target
        self._target = None
        if self._location is None and self._serverinfo is not None:
            self._registration_location = self._location = self._own_location()
            if location == self._location:  # only now known to be this data center
                self._fail(self._named_this_one(), now)
                return
        url = self._url_for(location)
        if url is None:
            self._fail(
                FlowError(
                    f"The sign-in was approved by a user of the data center '{location}', "
                    f"which {self._where_registration()} does not list.",
                    "Approve with an account of a known data center, or check the accounts URL.",
                ),
                now,
            )
            return
        if self._s.secret_per_location and self._s.secret_for(location) is None:
            self._fail(self._missing_secret(location), now)
            return
        self._events.append(
            DataCenterSwitched(
                from_location=self._location, to_location=location, accounts_url=url, at=now
            )
        )
        self._url = url
        self._location = location
        self._phase = _Phase.POLL
        self._next_at = max(now, self._poll_due)

    def _named_this_one(self) -> ServerResponseError:
        return ServerResponseError(
            f"{self._where()} said the person approved in another data center, but named this one.",
            "Start again; if it repeats, this is a server problem.",
        )

    def _own_location(self) -> str | None:
        """The registration host's location, as its server info lists it."""
        assert self._serverinfo is not None
        return next((k for k, v in self._serverinfo.items() if v == self._registration_url), None)

    def _where_registration(self) -> str:
        return describe_server(self._registration_url, self._registration_location)

    def _url_for(self, location: str) -> str | None:
        if self._zoho_host:
            dc = zoho.DATA_CENTERS.get(location)
            return dc.accounts_url if dc else None
        if self._serverinfo is None:
            return None
        return self._serverinfo.get(location)

    def _missing_secret(self, location: str | None) -> ConfigError:
        name = location or "the registration data center"
        if location:
            dc = zoho.DATA_CENTERS.get(location)
            if dc is not None and self._zoho_host:
                name = f"{dc.display_name} ('{location}')"
            else:
                name = f"'{location}'"
        return ConfigError(
            f"No client secret was given for the data center {name}.",
            "Add that data center's secret from Zoho's API console (secrets differ per data center).",
        )

    def _local_expiry(self) -> CodeExpiredError:
        words = f"The code {self._auth.user_code}" if self._auth else "The code"
        return CodeExpiredError(f"{words} expired before anyone approved it.")

    def _expired(self, error: CodeExpiredError, now: float) -> None:
        if self._renewals_left > 0:
            self._renewals_left -= 1
            self._begin_cycle(now)
            return
        self._fail(error, now)

    def _fail(self, error: TvauthError, now: float) -> None:
        result = Failed(error=error, at=now)
        self._events.append(result)
        self._result = result
        self._phase = _Phase.DONE

    def _poll_at(self, now: float, delay: float) -> float:
        """When to poll next: ``now + delay``, unless that wastes the code's last seconds.

        Zoho answers ``expired`` to any poll at or after the code's end, approved or not. When the
        poll after the planned one could not come before the end, the planned one moves to a last
        chance just before it (never sooner than one interval after ``now``): an approval given in
        the code's final stretch, or during an outage, is then claimed instead of lost.
        """
        planned = now + delay
        interval = self.interval
        last_chance = self._expires_at - min(_LAST_CHANCE, interval / 2.0)
        if now + interval <= last_chance < planned + interval:
            return last_chance
        return planned

    def _fault(self, reason: str, error: NetworkError | ThrottledError, now: float) -> None:
        """A transient fault: back off (capped, exponential) and retry, and say so."""
        self._faults += 1
        if self._phase in (_Phase.POLL, _Phase.LOCATE) and self._auth is not None:
            interval = self.interval
            cap = max(self._s.max_backoff, interval)
            delay = min(cap, interval * 2.0 ** (self._faults - 1))
            self._next_at = self._poll_at(now, delay)
        else:
            delay = min(self._s.max_backoff, _FIRST_RETRY * 2.0 ** (self._faults - 1))
            if isinstance(error, ThrottledError):
                # "Too many requests" will not clear in a second: wait like a poll would.
                delay = max(delay, min(self._s.max_backoff, _THROTTLE_RETRY))
            limit = self._s.give_up_after
            if limit is not None and now + delay - self._cycle_started > limit:
                self._fail(error, now)
                return
            self._next_at = now + delay
        self._events.append(
            NetworkTrouble(
                reason=reason, attempt=self._faults, at=now, retry_at=self._next_at, error=error
            )
        )
