"""Fixtures for the flow tests: a fake clock, a scripted server, and a runner for both driver faces."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from flowfakes import FakeClock, ScriptedServer

from tvauth.events import FlowEvent
from tvauth.flow import CancelHandle, DeviceFlow

FACES = ("async", "blocking")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> ScriptedServer:
    return ScriptedServer(clock)


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


@pytest.fixture(params=FACES)
def face(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def run(face: str, server: ScriptedServer, clock: FakeClock) -> Runner:
    def runner(flow: DeviceFlow, **kwargs: Any) -> list[FlowEvent]:
        return run_flow(face, flow, server, clock, **kwargs)

    return runner
