"""Fakes for driver tests: a fake monotonic clock and a scripted Zoho behind httpx.MockTransport.

The scripted server answers each endpoint from a queue of replies and records what it was sent and
when (on the fake clock), so tests can assert intervals exactly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tvauth.events import FlowEvent
from tvauth.flow import CancelHandle, DeviceFlow

DEVICE_CODE = "1004." + "d" * 32 + "." + "e" * 32
ACCESS_TOKEN = "1000." + "a" * 32 + "." + "b" * 32
REFRESH_TOKEN = "1000." + "c" * 32 + "." + "f" * 32
CLIENT_SECRET = "5ec7e7" * 7
EU_SECRET = "e0e0e0" * 7

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Monotonic seconds that only move when the code under test sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[float], None] | None = None

    def __call__(self) -> float:
        return self.now

    def _advance(self, seconds: float) -> None:
        assert seconds >= 0, "the driver asked to sleep a negative time"
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    async def sleep(self, seconds: float) -> None:
        self._advance(seconds)

    def sleep_sync(self, seconds: float) -> None:
        self._advance(seconds)


@dataclass
class Sent:
    """One request as the server saw it."""

    at: float
    method: str
    url: str
    form: dict[str, str]


def code_reply(
    interval: Any = 30000,
    expires_in: Any = 300000,
    *,
    complete: bool = True,
    device_code: str = DEVICE_CODE,
    user_code: str = "ABCD1234",
    url_key: str = "verification_url",
) -> httpx.Response:
    body: dict[str, Any] = {
        "user_code": user_code,
        "device_code": device_code,
        url_key: "https://accounts.zoho.com/oauth/v3/device",
        "interval": interval,
        "expires_in": expires_in,
    }
    if complete:
        body["verification_uri_complete"] = (
            f"https://accounts.zoho.com/oauth/v3/device?user_code={user_code}"
        )
    return httpx.Response(200, json=body)


def error_reply(error: str, status: int = 200, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"error": error, **extra})


def token_reply(refresh: bool = True, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "access_token": ACCESS_TOKEN,
        "api_domain": "https://www.zohoapis.com",
        "token_type": "Bearer",
        "expires_in": 3600,
        **extra,
    }
    if refresh:
        body["refresh_token"] = REFRESH_TOKEN
    return httpx.Response(200, json=body)


def html_reply(status: int = 502) -> httpx.Response:
    return httpx.Response(
        status,
        content=b"<html><body><h1>Bad Gateway</h1></body></html>",
        headers={"content-type": "text/html"},
    )


@dataclass
class ScriptedServer:
    """Replies per URL path, in order; the last reply of a path repeats when its queue runs dry."""

    clock: FakeClock
    script: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    sent: list[Sent] = field(default_factory=list)
    hosts_seen: list[str] = field(default_factory=list)

    def add(self, path: str, *replies: Reply) -> ScriptedServer:
        self.script[path].extend(replies)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode())) if request.content else {}
        url = str(request.url)
        self.sent.append(Sent(self.clock.now, request.method, url, form))
        self.hosts_seen.append(request.url.host)
        path = urlsplit(url).path
        queue = self.script.get(path)
        if queue is None:  # "/us/oauth/..." on an emulator-style base answers like "/oauth/..."
            queue = next((q for k, q in self.script.items() if path.endswith(k)), None)
        if not queue:
            return httpx.Response(404, json={"error": "invalid_request"})
        reply = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        # A fresh response each time: a reply may repeat, and a used response's stream is spent.
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def polls(self, path: str = "/oauth/v3/device/token") -> list[Sent]:
        return [s for s in self.sent if urlsplit(s.url).path.endswith(path)]

    def poll_times(self, path: str = "/oauth/v3/device/token") -> list[float]:
        return [s.at for s in self.polls(path)]


def gaps(times: Iterable[float]) -> list[float]:
    values = list(times)
    return [round(b - a, 6) for a, b in itertools.pairwise(values)]


def body_of(response: httpx.Response) -> Any:
    return json.loads(response.content)


Runner = Callable[..., list[FlowEvent]]


def run_flow(
    face: str,
    flow: DeviceFlow,
    server: ScriptedServer,
    clock: FakeClock,
    *,
    on_event: Callable[[FlowEvent], None] | None = None,
    cancel: CancelHandle | None = None,
) -> list[FlowEvent]:
    """Every event of one flow, through the async or the blocking face, on fake time."""
    events: list[FlowEvent] = []

    def seen(event: FlowEvent) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)

    if face == "async":

        async def main() -> None:
            async with httpx.AsyncClient(transport=server.transport()) as client:
                async for event in flow.events(client, clock=clock, sleep=clock.sleep):
                    seen(event)

        asyncio.run(main())
    else:
        with httpx.Client(transport=server.transport()) as client:
            for event in flow.events_blocking(
                client, clock=clock, sleep=clock.sleep_sync, cancel=cancel
            ):
                seen(event)
    return events
