"""The polling module people embed: a device sign-in over an injected httpx client.

Two faces run the same pure state machine (:mod:`tvauth.flow_machine`), so they behave alike:

* async: ``async for event in flow.events(client)`` or ``approved = await flow.run(client)``, over an
  ``httpx.AsyncClient``; cancel by cancelling the task.
* blocking: ``flow.events_blocking(client)`` / ``flow.run_blocking(client)`` over an ``httpx.Client``;
  cancel from any thread with a :class:`CancelHandle`.

Clock and sleep are parameters (monotonic by default) so tests run on fake time and a wall-clock jump
cannot hurry or stall polling. The HTTP client is the caller's: tvauth never builds one here, so the
caller's TLS, proxy and timeout settings hold. Importing this module loads httpx but never Textual or
qrcode.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from contextlib import aclosing
from typing import Final, TypedDict

import httpx

from tvauth.errors import NetworkError, SignInCancelledError
from tvauth.events import (
    Approved,
    CodeIssued,
    DataCenterSwitched,
    Failed,
    FlowEvent,
    NetworkTrouble,
    Pending,
    Requesting,
    SlowedDown,
)
from tvauth.flow_machine import Emit, Finish, FlowMachine, FlowSettings, Send, Wait
from tvauth.http import describe_transport_error
from tvauth.protocol import HttpRequest, HttpResponse

__all__ = ["CancelHandle", "DeviceFlow"]

log = logging.getLogger("tvauth.flow")

_MAX_BODY: Final = 1 << 20  # a token answer is < 4 KiB; a runaway page must not fill memory

Clock = Callable[[], float]
AsyncSleep = Callable[[float], Awaitable[object]]
Sleep = Callable[[float], object]
EventCallback = Callable[[FlowEvent], object]


def _transport_fault_reason(exc: BaseException) -> str:
    """A few words for people about why a request failed in transit (no URLs, no secrets)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection dropped"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.CloseError):
        return "connection broken"
    if isinstance(exc, httpx.DecodingError):
        return "undecodable answer"
    if isinstance(exc, httpx.ProxyError):
        return "proxy error"
    return "network error"


class CancelHandle:
    """Stops a blocking sign-in from another thread, within moments, sending nothing more.

    ``cancel()`` wakes the flow whether it is sleeping or waiting for an answer (an answer that arrives
    after cancel is thrown away). A cancelled handle stays cancelled; use a new one per flow.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._wakers: set[threading.Event] = set()

    def cancel(self) -> None:
        """Ask the flow to stop."""
        with self._lock:
            self._event.set()
            wakers = list(self._wakers)
        for waker in wakers:
            waker.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancel. Returns ``cancelled``."""
        return self._event.wait(max(0.0, timeout))

    def _add(self, waker: threading.Event) -> None:
        with self._lock:
            self._wakers.add(waker)
            if self._event.is_set():
                waker.set()

    def _remove(self, waker: threading.Event) -> None:
        with self._lock:
            self._wakers.discard(waker)


def _log_send(request: HttpRequest) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug("-> %s %s (%s)", request.method, request.url, ", ".join(request.param_names))


def _fields(**fields: object) -> dict[str, object]:
    # tvauth.logs renders ``extra["fields"]`` as a ``key=value`` tail; plain logging ignores it.
    return {"fields": fields}


def _log_event(event: FlowEvent, machine: FlowMachine) -> None:
    """One structured line per step, so a sign-in can be followed from the log alone."""
    if not log.isEnabledFor(logging.INFO):
        return
    dc = machine.location or machine.accounts_url
    if isinstance(event, Requesting):
        log.info("code request", extra=_fields(url=event.accounts_url))
    elif isinstance(event, CodeIssued):
        auth = event.authorization
        log.info(
            "code issued",
            extra=_fields(
                dc=dc,
                attempt=event.attempt,
                user_code=auth.user_code,
                interval_s=auth.interval,
                expires_in_s=auth.expires_in,
            ),
        )
    elif isinstance(event, Pending):
        log.info(
            "poll",
            extra=_fields(
                outcome="pending",
                dc=dc,
                polls=event.polls,
                next_in_s=round(event.next_poll_at - event.at, 3),
            ),
        )
    elif isinstance(event, SlowedDown):
        log.info("poll", extra=_fields(outcome="slow_down", dc=dc, interval_s=event.interval))
    elif isinstance(event, DataCenterSwitched):
        log.info(
            "poll",
            extra=_fields(outcome="other_dc", dc=event.from_location, to=event.to_location),
        )
    elif isinstance(event, NetworkTrouble):
        log.warning(
            "retry",
            extra=_fields(
                reason=event.reason,
                dc=dc,
                attempt=event.attempt,
                retry_in_s=round(event.retry_at - event.at, 3),
            ),
        )
    elif isinstance(event, Approved):
        log.info(
            "approved",
            extra=_fields(dc=dc, refresh_token=event.tokens.refresh_token is not None),
        )
    elif isinstance(event, Failed):
        log.warning(
            "failed", extra=_fields(error=type(event.error).__name__, problem=event.error.problem)
        )
    log.debug("event %r", event)


def _fault(machine: FlowMachine, exc: httpx.HTTPError, request: HttpRequest, now: float) -> None:
    error: NetworkError | None
    try:
        error = describe_transport_error(exc, url=request.url)
    except Exception:  # describing a failure must never end a sign-in
        log.debug("could not describe %s", type(exc).__name__, exc_info=True)
        error = None
    log.debug("request failed: %s (%s)", type(exc).__name__, error.problem if error else "")
    clock_suspect = _certificate_time_failure(exc)
    # A TLS handshake failure is a ConnectError too, but the server was reached.
    unreached = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) and not clock_suspect
    machine.on_fault(
        _transport_fault_reason(exc), now, error, unreached=unreached, clock_suspect=clock_suspect
    )


# OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED.
_CERT_TIME_CODES: Final = frozenset({9, 10})


def _certificate_time_failure(exc: BaseException) -> bool:
    """True when a certificate was refused only for its dates, i.e. by this device's clock."""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, ssl.SSLCertVerificationError):
            # Hand-made errors (tests, wrappers) may lack the verify_* attributes.
            code = getattr(current, "verify_code", None)
            message = str(getattr(current, "verify_message", None) or current).lower()
            return code in _CERT_TIME_CODES or "not yet valid" in message or "expired" in message
        current = current.__cause__ or current.__context__
    return False


class _StreamArgs(TypedDict):
    method: str
    url: str
    data: dict[str, str] | None
    headers: dict[str, str]
    follow_redirects: bool


def _stream_args(request: HttpRequest) -> _StreamArgs:
    """``client.stream`` arguments, the same for both faces: never follow a redirect with a secret."""
    return {
        "method": request.method,
        "url": request.url,
        "data": request.revealed_form() or None,
        "headers": dict(request.headers),
        "follow_redirects": False,
    }


class _Body:
    """An answer's bytes, capped at ``_MAX_BODY`` (a runaway page must not fill memory)."""

    def __init__(self, request: HttpRequest) -> None:
        self._url = request.url
        self._started = time.perf_counter()
        self._chunks: list[bytes] = []
        self._size = 0

    def full_after(self, chunk: bytes) -> bool:
        """Keep ``chunk``; True once the cap is passed (stop reading: it will not parse anyway)."""
        self._chunks.append(chunk)
        self._size += len(chunk)
        return self._size > _MAX_BODY

    def response(self, response: httpx.Response) -> HttpResponse:
        if log.isEnabledFor(logging.DEBUG):
            elapsed_ms = round(1000 * (time.perf_counter() - self._started))
            log.debug(
                "<- %s %s",
                response.status_code,
                self._url,
                extra=_fields(bytes=self._size, elapsed_ms=elapsed_ms),
            )
        return HttpResponse(
            status=response.status_code,
            # Cut at the cap whatever the chunk sizes were, so an oversized answer is always junk
            # (malformed, retried) and never parsed on the chance that it came in one chunk.
            body=b"".join(self._chunks)[: _MAX_BODY + 1],
            content_type=response.headers.get("content-type", ""),
        )


async def _send_async(client: httpx.AsyncClient, request: HttpRequest) -> HttpResponse:
    body = _Body(request)
    async with client.stream(**_stream_args(request)) as response:
        async for chunk in response.aiter_bytes():
            if body.full_after(chunk):
                break
        return body.response(response)


def _send_sync(client: httpx.Client, request: HttpRequest) -> HttpResponse:
    body = _Body(request)
    with client.stream(**_stream_args(request)) as response:
        for chunk in response.iter_bytes():
            if body.full_after(chunk):
                break
        return body.response(response)


def _send_cancellable(
    client: httpx.Client, request: HttpRequest, cancel: CancelHandle
) -> HttpResponse | BaseException | None:
    """Send on a helper thread so ``cancel`` can abandon a slow answer. None means cancelled."""
    done = threading.Event()
    box: list[HttpResponse | BaseException] = []

    def work() -> None:
        try:
            box.append(_send_sync(client, request))
        except BaseException as exc:  # handed to the caller's thread
            box.append(exc)
        finally:
            done.set()

    cancel._add(done)
    try:
        if cancel.cancelled:
            return None
        threading.Thread(target=work, name="tvauth-request", daemon=True).start()
        done.wait()
    finally:
        cancel._remove(done)
    if cancel.cancelled or not box:
        return None
    return box[0]


class DeviceFlow(FlowSettings):
    """A device sign-in: settings (see :class:`tvauth.flow_machine.FlowSettings`) plus the drivers.

    Example::

        flow = DeviceFlow(client_id="1000.X", client_secret="...", scopes=["AaaServer.profile.Read"])
        async with httpx.AsyncClient(timeout=15) as client:
            approved = await flow.run(client, on_event=print)
    """

    # ------------------------------------------------------------------------------------- async

    async def events(
        self,
        client: httpx.AsyncClient,
        *,
        clock: Clock = time.monotonic,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> AsyncGenerator[FlowEvent, None]:
        """Every event of one sign-in; the last is :class:`Approved` or :class:`Failed`."""
        machine = FlowMachine(self, clock())
        while True:
            step = machine.next_step(clock())
            if isinstance(step, Emit):
                _log_event(step.event, machine)
                yield step.event
            elif isinstance(step, Wait):
                await sleep(max(0.0, step.until - clock()))
            elif isinstance(step, Send):
                _log_send(step.request)
                try:
                    response = await _send_async(client, step.request)
                except httpx.HTTPError as exc:
                    _fault(machine, exc, step.request, clock())
                else:
                    machine.on_response(response, clock())
            elif isinstance(step, Finish):
                return

    async def run(
        self,
        client: httpx.AsyncClient,
        *,
        on_event: EventCallback | None = None,
        clock: Clock = time.monotonic,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> Approved:
        """Sign in and return the result; terminal outcomes raise their :mod:`tvauth.errors` error."""
        async with aclosing(self.events(client, clock=clock, sleep=sleep)) as stream:
            async for event in stream:
                if on_event is not None:
                    on_event(event)
                if isinstance(event, Approved):
                    return event
                if isinstance(event, Failed):
                    raise event.error
        raise AssertionError("the flow ended without a result")  # pragma: no cover

    # ---------------------------------------------------------------------------------- blocking

    def events_blocking(
        self,
        client: httpx.Client,
        *,
        cancel: CancelHandle | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep | None = None,
    ) -> Generator[FlowEvent, None, None]:
        """Like :meth:`events`, blocking. After ``cancel.cancel()`` it stops without another event."""
        handle = cancel if cancel is not None else CancelHandle()
        nap: Sleep = sleep if sleep is not None else handle.wait
        machine = FlowMachine(self, clock())
        while not handle.cancelled:
            step = machine.next_step(clock())
            if isinstance(step, Emit):
                _log_event(step.event, machine)
                yield step.event
            elif isinstance(step, Wait):
                nap(max(0.0, step.until - clock()))
            elif isinstance(step, Send):
                _log_send(step.request)
                outcome: HttpResponse | BaseException | None
                if cancel is None:
                    try:
                        outcome = _send_sync(client, step.request)
                    except httpx.HTTPError as exc:
                        outcome = exc
                else:
                    outcome = _send_cancellable(client, step.request, handle)
                if outcome is None:
                    return
                if isinstance(outcome, httpx.HTTPError):
                    _fault(machine, outcome, step.request, clock())
                elif isinstance(outcome, BaseException):
                    raise outcome
                else:
                    machine.on_response(outcome, clock())
            elif isinstance(step, Finish):
                return

    def run_blocking(
        self,
        client: httpx.Client,
        *,
        on_event: EventCallback | None = None,
        cancel: CancelHandle | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep | None = None,
    ) -> Approved:
        """Sign in, blocking; raises the terminal error, or :class:`SignInCancelledError`."""
        stream = self.events_blocking(client, cancel=cancel, clock=clock, sleep=sleep)
        try:
            for event in stream:
                if on_event is not None:
                    on_event(event)
                if isinstance(event, Approved):
                    return event
                if isinstance(event, Failed):
                    raise event.error
        finally:
            stream.close()
        raise SignInCancelledError("The sign-in was cancelled before it finished.")
