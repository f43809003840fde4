"""The sans-IO state machine used directly: plain numbers in, steps out."""

from __future__ import annotations

import itertools

import pytest
from flowfakes import CLIENT_SECRET

from tvauth.events import CodeIssued, Requesting
from tvauth.flow_machine import Emit, FlowMachine, FlowSettings, Send, Wait
from tvauth.protocol import HttpResponse

CODE_BODY = (
    b'{"user_code": "ABCD", "device_code": "1004.x", "verification_url": "https://v",'
    b' "interval": 30000, "expires_in": 300000}'
)


def settings() -> FlowSettings:
    return FlowSettings(client_id="1000.C", client_secret=CLIENT_SECRET, scopes=("A.READ",))


def test_steps_emit_send_wait_with_time_as_an_argument() -> None:
    m = FlowMachine(settings(), now=0.0)
    first = m.next_step(0.0)
    assert isinstance(first, Emit)
    assert isinstance(first.event, Requesting)
    send = m.next_step(0.0)
    assert isinstance(send, Send)
    assert send.request.url == "https://accounts.zoho.com/oauth/v3/device/code"
    assert m.in_flight is send.request
    m.on_response(HttpResponse(200, CODE_BODY), now=1.0)
    issued = m.next_step(1.0)
    assert isinstance(issued, Emit)
    assert isinstance(issued.event, CodeIssued)
    assert issued.event.expires_at == 300.0  # counted from the send at 0.0, not receipt at 1.0
    assert m.next_step(1.0) == Wait(31.0)
    assert m.next_step(30.999) == Wait(31.0)
    poll = m.next_step(31.0)
    assert isinstance(poll, Send)
    assert poll.request.url.endswith("/oauth/v3/device/token")
    assert m.interval == 30.0
    assert m.location == "us"
    assert not m.finished


def test_misuse_is_a_programming_error_not_a_hang() -> None:
    m = FlowMachine(settings(), now=0.0)
    m.next_step(0.0)
    with pytest.raises(RuntimeError):
        m.on_response(HttpResponse(200, CODE_BODY), now=0.0)  # nothing was sent yet
    assert isinstance(m.next_step(0.0), Send)
    with pytest.raises(RuntimeError):
        m.next_step(0.0)  # the answer to the request in flight is still owed


def test_settings_repr_hides_secrets() -> None:
    text = repr(FlowSettings(client_id="1000.C", client_secret={"us": CLIENT_SECRET}))
    assert CLIENT_SECRET not in text
    assert "client_secret" not in text


def _code(m: FlowMachine, body: bytes = CODE_BODY, now: float = 0.0) -> None:
    """Run the machine up to its first poll's wait, with the code issued at ``now``."""
    assert isinstance(m.next_step(now), Emit)  # Requesting
    assert isinstance(m.next_step(now), Send)
    m.on_response(HttpResponse(200, body), now=now)
    assert isinstance(m.next_step(now), Emit)  # CodeIssued


def _poll(m: FlowMachine, now: float) -> Send:
    step = m.next_step(now)
    while isinstance(step, Emit):
        step = m.next_step(now)
    assert isinstance(step, Send), step
    return step


def test_slow_down_adds_five_seconds_even_when_the_zoho_floor_is_in_force() -> None:
    """A server interval below Zoho's 30 s floor must not swallow the +5 s of a slow_down.

    Zoho sends slow_down for two polls within its window; if the window is wider than 30 s (clock
    skew between its hosts, a busy day), a client that stays at 30 s is told slow down forever.
    """
    short = CODE_BODY.replace(b'"interval": 30000', b'"interval": 5000')
    m = FlowMachine(settings(), now=0.0)
    _code(m, short)
    assert m.interval == 30.0
    _poll(m, 30.0)
    m.on_response(HttpResponse(200, b'{"error": "slow_down"}'), now=30.0)
    assert m.interval == 35.0
    _poll(m, 65.0)
    m.on_response(HttpResponse(400, b'{"error": "slow_down"}'), now=65.0)
    assert m.interval == 40.0


def test_backoff_after_faults_still_polls_once_before_the_code_dies() -> None:
    """An approval made during an outage must be claimed while the code lives.

    Zoho (and the emulator) answer ``expired`` to any poll at or after the code's end, approved or
    not, so a backoff that jumps past the end loses an approval the person already gave. The retry
    is pulled in to a few seconds before the end (never closer than one interval after the last
    request).
    """
    m = FlowMachine(settings(), now=0.0)
    _code(m)
    for t in (30.0, 60.0, 90.0, 120.0, 150.0):
        _poll(m, t)
        m.on_response(HttpResponse(200, b'{"error": "authorization_pending"}'), now=t)
    sent_at = [150.0]
    for _ in range(6):
        step = m.next_step(sent_at[-1])
        while isinstance(step, Emit):
            step = m.next_step(sent_at[-1])
        if not isinstance(step, Wait) or step.until >= 300.0:
            break
        t = step.until
        _poll(m, t)
        sent_at.append(t)
        m.on_response(HttpResponse(502, b"<html>Bad gateway</html>", "text/html"), now=t)
    assert sent_at == [150.0, 180.0, 210.0, 295.0]
    assert all(b - a >= 30.0 for a, b in itertools.pairwise(sent_at)), sent_at


def test_the_last_poll_of_a_code_lands_just_before_its_end_not_on_it() -> None:
    """Polls at 30, 60, ... 270 and then 300 would leave the code's last 30 s unclaimable.

    An approval given at 280 s must be claimed: the poll after 240 s moves to 295 s (a gap longer
    than the interval, never shorter), and nothing else changes.
    """
    m = FlowMachine(settings(), now=0.0)
    _code(m)
    sent_at: list[float] = []
    t = 30.0
    while t < 300.0:
        _poll(m, t)
        sent_at.append(t)
        m.on_response(HttpResponse(200, b'{"error": "authorization_pending"}'), now=t)
        step = m.next_step(t)
        while isinstance(step, Emit):
            step = m.next_step(t)
        assert isinstance(step, Wait)
        t = step.until
    assert sent_at == [30.0 * k for k in range(1, 9)] + [295.0]


def test_slow_down_is_kept_across_a_renewed_code_and_a_data_center_switch() -> None:
    """'+5 s kept for the rest of the flow': a new code or another DC does not forget it."""
    m = FlowMachine(
        FlowSettings(
            client_id="1000.C", client_secret=CLIENT_SECRET, scopes=("A.READ",), renewals=1
        ),
        now=0.0,
    )
    _code(m)
    _poll(m, 30.0)
    m.on_response(HttpResponse(200, b'{"error": "slow_down"}'), now=30.0)
    _poll(m, 65.0)
    m.on_response(HttpResponse(200, b'{"error": "expired"}'), now=65.0)
    _code(m, now=65.0)  # the renewed code, issued with a 30 s interval again
    assert m.interval == 35.0
    _poll(m, 100.0)
    m.on_response(HttpResponse(200, b'{"error": "other_dc", "user_location": "eu"}'), now=100.0)
    assert m.location == "eu"
    assert m.interval == 35.0


def test_a_codes_life_counts_from_when_it_was_asked_for_not_when_the_answer_arrived() -> None:
    """The server starts the clock when it issues the code, somewhere between send and receipt.

    Counting from the send never promises the person more time than the code has, and keeps the
    last poll before the end on the right side of it even after a slow answer.
    """
    m = FlowMachine(settings(), now=0.0)
    assert isinstance(m.next_step(0.0), Emit)
    assert isinstance(m.next_step(0.0), Send)
    m.on_response(HttpResponse(200, CODE_BODY), now=8.0)  # a slow network: 8 s for the answer
    issued = m.next_step(8.0)
    assert isinstance(issued, Emit)
    assert isinstance(issued.event, CodeIssued)
    assert issued.event.expires_at == 300.0
    assert m.next_step(8.0) == Wait(38.0)  # polling still waits a full interval after receipt
