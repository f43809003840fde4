"""Cancellation stops a flow within a second and sends nothing more (both faces, real threads/tasks).

These use real time on purpose (the point is how fast a real stop is), with generous bounds: a stop is
expected in milliseconds and asserted under one second.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from flowfakes import (
    CLIENT_SECRET,
    FakeClock,
    ScriptedServer,
    code_reply,
    error_reply,
)

from tvauth.errors import SignInCancelledError
from tvauth.events import CodeIssued, FlowEvent, Pending
from tvauth.flow import CancelHandle, DeviceFlow

TOKEN = "/oauth/v3/device/token"


def flow() -> DeviceFlow:
    return DeviceFlow(
        client_id="1000.CLIENT",
        client_secret=CLIENT_SECRET,
        scopes=["AaaServer.profile.READ"],
        accounts_url="http://127.0.0.1:9/us",
    )


def slow_server() -> ScriptedServer:
    """Interval 30 s: a real flow would sleep long between polls."""
    server = ScriptedServer(FakeClock())
    server.add("/oauth/v3/device/code", code_reply(30, 300))
    server.add(TOKEN, error_reply("authorization_pending"))
    return server


async def test_cancelling_the_task_while_it_sleeps_stops_it_and_sends_nothing_more() -> None:
    server = slow_server()
    issued = asyncio.Event()

    async def consume() -> None:
        async with httpx.AsyncClient(transport=server.transport()) as client:
            async for event in flow().events(client):
                if isinstance(event, CodeIssued):
                    issued.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(issued.wait(), 5)
    sent = len(server.sent)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1.0
    await asyncio.sleep(0.05)
    assert len(server.sent) == sent == 1


async def test_cancelling_the_task_during_a_hanging_request_stops_it() -> None:
    server = ScriptedServer(FakeClock())
    server.add("/oauth/v3/device/code", code_reply(1, 300))
    in_flight = asyncio.Event()
    never = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        in_flight.set()
        await never.wait()
        raise AssertionError("unreachable")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return hang(request)  # type: ignore[return-value]  # MockTransport awaits it
        return server.handler(request)

    async def consume() -> None:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport) as client:
            await flow().run(client)

    task = asyncio.create_task(consume())
    await asyncio.wait_for(in_flight.wait(), 5)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1.0


def test_cancel_handle_wakes_a_sleeping_blocking_flow() -> None:
    server = slow_server()
    cancel = CancelHandle()
    issued = threading.Event()
    outcome: list[BaseException | None] = []

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            issued.set()

    def worker() -> None:
        with httpx.Client(transport=server.transport()) as client:
            try:
                flow().run_blocking(client, on_event=on_event, cancel=cancel)
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    assert issued.wait(5)
    sent = len(server.sent)
    started = time.monotonic()
    cancel.cancel()
    thread.join(5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 1.0
    assert len(outcome) == 1
    assert isinstance(outcome[0], SignInCancelledError)
    assert len(server.sent) == sent


def test_cancel_handle_abandons_a_hanging_request_and_sends_nothing_more() -> None:
    server = ScriptedServer(FakeClock())
    server.add("/oauth/v3/device/code", code_reply(1, 300))
    in_flight = threading.Event()
    release = threading.Event()
    polls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            polls.append(time.monotonic())
            in_flight.set()
            release.wait(10)
            return httpx.Response(200, json={"error": "authorization_pending"})
        return server.handler(request)

    cancel = CancelHandle()
    events: list[FlowEvent] = []

    def worker() -> None:
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            events.extend(flow().events_blocking(client, cancel=cancel))

    thread = threading.Thread(target=worker)
    thread.start()
    assert in_flight.wait(5)
    started = time.monotonic()
    cancel.cancel()
    thread.join(5)
    assert time.monotonic() - started < 1.0
    assert not thread.is_alive()
    release.set()
    time.sleep(0.1)
    assert len(polls) == 1
    assert not any(isinstance(e, Pending) for e in events)  # the late answer was thrown away


def test_a_handle_cancelled_before_start_sends_nothing() -> None:
    server = slow_server()
    cancel = CancelHandle()
    cancel.cancel()
    with httpx.Client(transport=server.transport()) as client:
        events = list(flow().events_blocking(client, cancel=cancel))
        with pytest.raises(SignInCancelledError):
            flow().run_blocking(client, cancel=cancel)
    assert events == []
    assert server.sent == []


def test_cancelling_from_an_event_callback_stops_before_the_next_request() -> None:
    server = ScriptedServer(FakeClock())
    clock = server.clock
    server.add("/oauth/v3/device/code", code_reply(30, 300))
    server.add(TOKEN, error_reply("authorization_pending"))
    cancel = CancelHandle()

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, Pending) and event.polls == 2:
            cancel.cancel()

    with httpx.Client(transport=server.transport()) as client, pytest.raises(SignInCancelledError):
        flow().run_blocking(
            client, on_event=on_event, cancel=cancel, clock=clock, sleep=clock.sleep_sync
        )
    assert len(server.polls(TOKEN)) == 2
