"""Fixtures for the flow tests: a fake clock, a scripted server, and a runner for both driver faces."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from flowfakes import FakeClock, Runner, ScriptedServer, run_flow

from tvauth.events import FlowEvent
from tvauth.flow import DeviceFlow

FACES = ("async", "blocking")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> ScriptedServer:
    return ScriptedServer(clock)


@pytest.fixture(params=FACES)
def face(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def run(face: str, server: ScriptedServer, clock: FakeClock) -> Runner:
    def runner(flow: DeviceFlow, **kwargs: Any) -> list[FlowEvent]:
        return run_flow(face, flow, server, clock, **kwargs)

    return runner
