"""A device that boots before its network: it waits for the network forever, calmly, and starts alone.

``tvauth login`` and the kiosk run :class:`tvauth.signin.LiveSession`, whose flow never gives up
asking for the first code (no code exists yet, so nothing can be lost by waiting) and backs off up
to :data:`tvauth.signin.NETWORK_WAIT_CAP` seconds between attempts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.config.cfg_netfakes import closed_port
from tests.reliability.rel_helpers import FakeTime, session_at
from tvauth.emulator import Emulator
from tvauth.errors import NetworkError
from tvauth.events import (
    WAITING_FOR_NETWORK,
    CodeIssued,
    Failed,
    NetworkTrouble,
)
from tvauth.flow_machine import Emit, Finish, FlowMachine, FlowSettings, Send, Wait
from tvauth.session import SessionEvent
from tvauth.signin import NETWORK_WAIT_CAP

pytestmark = pytest.mark.timeout(30)

MakeEmulator = Callable[..., Emulator]
HOUR = 3600.0


def _hour_of_no_network(settings: FlowSettings) -> tuple[list[float], list[NetworkTrouble], bool]:
    """Drive the machine for an emulated hour in which no connection can be made."""
    now = 0.0
    machine = FlowMachine(settings, now)
    sends: list[float] = []
    troubles: list[NetworkTrouble] = []
    while now < HOUR:
        step = machine.next_step(now)
        if isinstance(step, Emit):
            if isinstance(step.event, NetworkTrouble):
                troubles.append(step.event)
        elif isinstance(step, Wait):
            assert step.until > now, "a wait that does not wait is a busy loop"
            now = step.until
        elif isinstance(step, Send):
            sends.append(now)
            machine.on_fault("could not connect", now, NetworkError("No route."), unreached=True)
        elif isinstance(step, Finish):
            return sends, troubles, True
    return sends, troubles, False


def test_waits_for_the_network_forever_with_a_capped_backoff() -> None:
    settings = FlowSettings(client_id="1000.X", give_up_after=None, max_backoff=NETWORK_WAIT_CAP)
    sends, troubles, finished = _hour_of_no_network(settings)

    assert not finished
    gaps = [b - a for a, b in itertools.pairwise(sends)]
    assert min(gaps) >= 1.0  # never a busy loop
    assert max(gaps) == NETWORK_WAIT_CAP  # and never so slow that the screen lags the network
    # 1 + 2 + 4 + 8 + 16 s, then every 30 s: about 125 attempts in an hour, not thousands.
    assert len(sends) <= HOUR / NETWORK_WAIT_CAP + 6
    assert {t.reason for t in troubles} == {WAITING_FOR_NETWORK}
    assert all(t.waiting_for_network for t in troubles)


def test_the_default_still_gives_up_for_embedders() -> None:
    _sends, troubles, finished = _hour_of_no_network(FlowSettings(client_id="1000.X"))
    assert finished
    assert troubles[-1].at <= 300


def test_after_a_code_a_lost_connection_is_network_trouble_not_waiting() -> None:
    """Only before the first code does a failed connection mean 'the network is not up yet'."""
    from tvauth.protocol import HttpResponse

    machine = FlowMachine(FlowSettings(client_id="1000.X", accounts_url="http://h/us"), 0.0)
    assert isinstance(machine.next_step(0.0), Emit)  # Requesting
    assert isinstance(machine.next_step(0.0), Send)
    body = b'{"user_code":"ABCD","device_code":"1004.x.y","verification_url":"http://h/v",'
    body += b'"interval":5000,"expires_in":300000}'
    machine.on_response(HttpResponse(200, body, "application/json"), 0.0)
    assert isinstance(machine.next_step(0.0), Emit)  # CodeIssued
    step = machine.next_step(5.0)
    assert isinstance(step, Send)
    machine.on_fault("could not connect", 5.0, NetworkError("No route."), unreached=True)
    event = machine.next_step(5.0)
    assert isinstance(event, Emit)
    assert isinstance(event.event, NetworkTrouble)
    assert event.event.reason == "could not connect"


async def test_session_starts_by_itself_when_the_network_comes(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    """Closed port at boot; the emulator comes up on it after 7 attempts; a code appears, no key."""
    port = closed_port()
    time = FakeTime()
    emu: list[Emulator] = []
    attempts = 7

    async def sleep(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.slept) == attempts and not emu:
            emu.append(make_emulator(port=port, interval=30.0, code_lifetime=300.0))

    session = session_at(f"http://127.0.0.1:{port}/us", tvauth_home, time)
    session.sleep = sleep
    events: list[SessionEvent] = []
    stream = session.sign_in()
    try:
        async for event in stream:
            events.append(event)
            if isinstance(event, CodeIssued | Failed):
                break
            assert len(events) < 50
    finally:
        await stream.aclose()  # type: ignore[attr-defined]

    troubles = [e for e in events if isinstance(e, NetworkTrouble)]
    assert len(troubles) == attempts
    assert all(t.waiting_for_network for t in troubles)
    assert troubles[0].error is not None
    assert "refused" in troubles[0].error.problem
    assert time.slept == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert isinstance(events[-1], CodeIssued)
    assert len(emu[0].requests_to("/oauth/v3/device/code")) == 1


async def test_dns_failure_at_boot_is_waiting_for_network(tvauth_home: Path) -> None:
    time = FakeTime()
    session = session_at("http://accounts.tvauth-test.invalid/us", tvauth_home, time)
    events: list[SessionEvent] = []
    stream = session.sign_in()
    try:
        async for event in stream:
            events.append(event)
            if len(events) >= 4:
                break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    troubles = [e for e in events if isinstance(e, NetworkTrouble)]
    assert troubles
    assert all(t.waiting_for_network for t in troubles)
    assert troubles[0].error is not None
    assert "DNS" in troubles[0].error.problem
    assert not any(isinstance(e, Failed) for e in events)


async def test_plain_login_says_waiting_for_the_network_then_signs_in(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    """``tvauth login --plain`` at boot: one 'waiting' line (not one per attempt), then the code."""
    import io

    from tvauth.plain import run_plain

    port = closed_port()
    time = FakeTime()

    async def sleep(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.slept) == 4:
            make_emulator(
                port=port, interval=0.2, code_lifetime=60.0, auto_approve="ada@example.com"
            )

    session = session_at(f"http://127.0.0.1:{port}/us", tvauth_home, time)
    session.sleep = sleep
    out = io.StringIO()
    assert await run_plain(session, out, clock=time.clock, color=False) == 0
    lines = out.getvalue().splitlines()
    waiting = [line for line in lines if line.startswith("Waiting for the network")]
    assert waiting == [
        f"Waiting for the network: 127.0.0.1:{port} refused the connection; trying again in 1 s."
    ]
    assert lines.index(waiting[0]) < next(i for i, s in enumerate(lines) if s.startswith("Code: "))
    assert any(line.startswith("Signed in as ada@example.com") for line in lines)
