"""The flow against the Zoho emulator over real loopback HTTP.

Most tests run on the emulator's clock: the driver's ``clock`` is ``emu.now`` and its ``sleep``
advances emulated time (``emu.advance``), so a realistic 30 s interval and 5-minute code take
milliseconds, while every request still crosses a real socket and the emulator enforces its own rules
(slow_down inside the interval, expiry). The emulator's request log then gives the exact number of
polls, which must be the minimum the interval allows (give or take one).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tvauth.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELF_CLIENT_ID,
    DEMO_SELF_CLIENT_SECRET,
    Emulator,
)
from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    ConfigError,
    InvalidClientError,
    InvalidCodeError,
)
from tvauth.events import (
    Approved,
    CodeIssued,
    DataCenterSwitched,
    Failed,
    FlowEvent,
    NetworkTrouble,
    Pending,
    SlowedDown,
)
from tvauth.flow import CancelHandle, DeviceFlow

MakeEmulator = Callable[..., Emulator]
INTERVAL = 30.0
LIFETIME = 300.0
TOKEN = "/oauth/v3/device/token"
CODE = "/oauth/v3/device/code"
SCOPES = ("AaaServer.profile.READ", "ZohoCRM.users.READ")

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def zoho_like(make_emulator: MakeEmulator) -> Emulator:
    """Zoho's documented timings (30 s / 5 min, milliseconds on the wire)."""
    return make_emulator(interval=INTERVAL, code_lifetime=LIFETIME)


def flow_for(emu: Emulator, **kw: Any) -> DeviceFlow:
    settings: dict[str, Any] = {
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "scopes": SCOPES,
        "accounts_url": emu.base_url("us"),
    }
    settings.update(kw)
    return DeviceFlow(**settings)


def drive(
    face: str,
    emu: Emulator,
    flow: DeviceFlow,
    on_event: Callable[[FlowEvent], None] | None = None,
    *,
    timeout: float = 5.0,
) -> list[FlowEvent]:
    """Run one flow on emulated time; ``on_event`` plays the person and the network."""
    events: list[FlowEvent] = []

    def seen(event: FlowEvent) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)

    if face == "async":

        async def sleep(seconds: float) -> None:
            emu.advance(seconds)
            await asyncio.sleep(0)

        async def main() -> None:
            async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
                async for event in flow.events(client, clock=emu.now, sleep=sleep):
                    seen(event)

        asyncio.run(main())
    else:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            for event in flow.events_blocking(client, clock=emu.now, sleep=emu.advance):
                seen(event)
    return events


def approve_after(
    emu: Emulator, pending: int, account: str = "ada@example.com", decision: str = "allow"
) -> Callable[[FlowEvent], None]:
    """The person approves (or denies) once the device has seen ``pending`` pending answers."""
    state: dict[str, str] = {}

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            state["code"] = event.authorization.user_code
            if pending == 0:
                emu.approve(state["code"], account=account, decision=decision)
        if isinstance(event, Pending) and event.polls == pending:
            emu.approve(state["code"], account=account, decision=decision)

    return on_event


def polls(emu: Emulator, location: str | None = None) -> list[dict[str, Any]]:
    return emu.requests_to(TOKEN, location)


def poll_gaps(emu: Emulator) -> list[float]:
    times = [e["time"] for e in polls(emu)]
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.fixture(params=["async", "blocking"])
def face(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


# ------------------------------------------------------------------------------------------ approve


def test_approve(face: str, zoho_like: Emulator) -> None:
    emu = zoho_like
    events = drive(face, emu, flow_for(emu), approve_after(emu, 2))
    approved = events[-1]
    assert isinstance(approved, Approved)
    assert approved.accounts_url == emu.base_url("us")
    assert approved.tokens.refresh_token is not None
    assert approved.tokens.api_domain == emu.api_url("us")
    # approved after the 2nd poll: the 3rd poll gets the tokens, no sooner and no extra polls
    assert len(polls(emu)) == 3
    assert all(INTERVAL <= gap < INTERVAL + 1 for gap in poll_gaps(emu))
    assert not [e for e in emu.log() if e.get("error") == "slow_down"]
    code_entry = emu.requests_to(CODE)[0]
    assert sorted(code_entry["form"]) == [
        "access_type",
        "client_id",
        "grant_type",
        "prompt",
        "scope",
    ]
    for entry in polls(emu):  # secrets in the form body, never in the URL
        assert sorted(entry["form"]) == ["client_id", "client_secret", "code", "grant_type"]
        assert entry["query"] == []


@pytest.mark.parametrize(
    "variant",
    [
        {"error_status": 400},
        {"units": "s"},
        {"legacy_expires": True},
        {"token_scope": False},
        {"send_verification_uri_complete": False},
        {"send_id_token": True},
        {"user_code_format": "XXXX-XXXX"},
    ],
    ids=lambda v: "-".join(f"{k}={v[k]}" for k in v),
)
def test_approve_in_every_wire_variant(
    make_emulator: MakeEmulator, variant: dict[str, Any]
) -> None:
    emu = make_emulator(interval=INTERVAL, code_lifetime=LIFETIME, **variant)
    events = drive("async", emu, flow_for(emu), approve_after(emu, 1))
    assert isinstance(events[-1], Approved)
    issued = next(e for e in events if isinstance(e, CodeIssued))
    assert (issued.authorization.interval, issued.authorization.expires_in) == (INTERVAL, LIFETIME)
    assert len(polls(emu)) == 2


def test_signing_in_again_still_gets_a_refresh_token_thanks_to_prompt_consent(
    zoho_like: Emulator,
) -> None:
    emu = zoho_like
    for _ in range(2):
        approved = drive("async", emu, flow_for(emu), approve_after(emu, 0))[-1]
        assert isinstance(approved, Approved)
        assert approved.tokens.refresh_token is not None
    again = drive("async", emu, flow_for(emu, prompt_consent=False), approve_after(emu, 0))[-1]
    assert isinstance(again, Approved)
    assert again.tokens.refresh_token is None  # Zoho's rule without prompt=consent


def test_location_given_for_the_emulator_is_reported(zoho_like: Emulator) -> None:
    emu = zoho_like
    events = drive("async", emu, flow_for(emu, location="us"), approve_after(emu, 0))
    approved = events[-1]
    assert isinstance(approved, Approved)
    assert approved.location == "us"
    assert len(polls(emu)) == 1


# ------------------------------------------------------------------------------- deny and expire


def test_deny(face: str, zoho_like: Emulator) -> None:
    emu = zoho_like
    events = drive(face, emu, flow_for(emu), approve_after(emu, 1, decision="deny"))
    failed = events[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, AccessDeniedError)
    assert len(polls(emu)) == 2


def test_expire(face: str, zoho_like: Emulator) -> None:
    emu = zoho_like
    events = drive(face, emu, flow_for(emu))
    failed = events[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, CodeExpiredError)
    issued = next(e for e in events if isinstance(e, CodeIssued))
    assert issued.authorization.user_code in str(failed.error)
    # 300 s at one poll per 30 s: 10 polls, the last one answered "expired"
    assert abs(len(polls(emu)) - LIFETIME / INTERVAL) <= 1
    assert polls(emu)[-1]["error"] == "expired"


def test_expire_then_renew_then_approve(face: str, zoho_like: Emulator) -> None:
    emu = zoho_like
    codes: list[str] = []

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            codes.append(event.authorization.user_code)
            if event.attempt == 2:
                emu.approve(event.authorization.user_code, account="ada@example.com")

    events = drive(face, emu, flow_for(emu, renewals=2), on_event)
    assert isinstance(events[-1], Approved)
    assert [e.attempt for e in events if isinstance(e, CodeIssued)] == [1, 2]
    assert len(set(codes)) == 2
    assert len(emu.requests_to(CODE)) == 2
    assert abs(len(polls(emu)) - (LIFETIME / INTERVAL + 1)) <= 1


# ----------------------------------------------------------------------------------- slow_down


def test_slow_down_from_the_server_is_obeyed_and_kept(face: str, zoho_like: Emulator) -> None:
    emu = zoho_like

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            # The server tightens its rule after issuing a 30 s interval: polls every 30 s are
            # now "too fast" and the device must slow down to 40 s by itself.
            emu.configure(interval=38.0)
        if isinstance(event, Pending) and event.polls == 4:
            emu.approve(code[0], account="ada@example.com")

    code: list[str] = []

    def record(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            code.append(event.authorization.user_code)
        on_event(event)

    events = drive(face, emu, flow_for(emu), record)
    assert isinstance(events[-1], Approved)
    assert [e.interval for e in events if isinstance(e, SlowedDown)] == [35.0, 40.0]
    assert [e["error"] for e in polls(emu)] == [
        "authorization_pending",
        "slow_down",
        "slow_down",
        "authorization_pending",
        None,
    ]
    assert [round(g) for g in poll_gaps(emu)] == [30, 35, 40, 40]


# ------------------------------------------------------------------------------------ other_dc


@pytest.mark.parametrize("key", ["user_location", "dc", "location"])
def test_other_dc_hop(face: str, make_emulator: MakeEmulator, key: str) -> None:
    emu = make_emulator(interval=INTERVAL, code_lifetime=LIFETIME, user_location_key=key)
    events = drive(face, emu, flow_for(emu), approve_after(emu, 1, account="jane@example.com"))
    approved = events[-1]
    assert isinstance(approved, Approved)
    assert (approved.accounts_url, approved.location) == (emu.base_url("eu"), "eu")
    assert approved.tokens.api_domain == emu.api_url("eu")
    switched = [e for e in events if isinstance(e, DataCenterSwitched)]
    assert len(switched) == 1
    assert (switched[0].from_location, switched[0].to_location) == ("us", "eu")
    trail = [(e["location"], e["path"], e.get("error")) for e in emu.log()]
    assert trail == [
        ("us", CODE, None),
        ("us", TOKEN, "authorization_pending"),
        ("us", TOKEN, "other_dc"),
        ("us", "/oauth/serverinfo", None),
        ("eu", TOKEN, None),
    ]


def test_other_dc_with_a_secret_per_data_center(make_emulator: MakeEmulator) -> None:
    secrets = {"us": "u" * 42, "eu": "e" * 42}
    emu = make_emulator(
        interval=INTERVAL, code_lifetime=LIFETIME, clients={DEMO_CLIENT_ID: secrets}
    )
    flow = flow_for(emu, client_secret=secrets)
    events = drive("async", emu, flow, approve_after(emu, 0, account="jane@example.com"))
    assert isinstance(events[-1], Approved)
    assert events[-1].location == "eu"
    eu_polls = polls(emu, "eu")
    assert len(eu_polls) == 1
    failed = drive("async", emu, flow, approve_after(emu, 0, account="arjun@example.com"))[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, ConfigError)
    assert "'in'" in str(failed.error)
    assert polls(emu, "in") == []


def test_other_dc_where_the_client_is_not_enabled_names_that_data_center(
    make_emulator: MakeEmulator,
) -> None:
    emu = make_emulator(
        interval=INTERVAL,
        code_lifetime=LIFETIME,
        clients={DEMO_CLIENT_ID: {"us": DEMO_CLIENT_SECRET}},
    )
    events = drive("async", emu, flow_for(emu), approve_after(emu, 0, account="jane@example.com"))
    failed = events[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, InvalidClientError)
    assert emu.base_url("eu") in str(failed.error)


# ----------------------------------------------------------------------------------- bad clients


def test_self_client_is_refused_at_the_code_request_with_a_clear_message(
    zoho_like: Emulator,
) -> None:
    emu = zoho_like
    flow = flow_for(emu, client_id=DEMO_SELF_CLIENT_ID, client_secret=DEMO_SELF_CLIENT_SECRET)
    failed = drive("blocking", emu, flow)[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, InvalidClientError)
    assert "Non-browser application" in str(failed.error)
    assert emu.base_url("us") in str(failed.error)


def test_wrong_secret_is_invalid_client_at_the_first_poll(zoho_like: Emulator) -> None:
    emu = zoho_like
    failed = drive("async", emu, flow_for(emu, client_secret="wrong" * 8))[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, InvalidClientError)
    assert len(polls(emu)) == 1


def test_unknown_client_id(zoho_like: Emulator) -> None:
    emu = zoho_like
    failed = drive("async", emu, flow_for(emu, client_id="1000.NOSUCHCLIENT"))[-1]
    assert isinstance(failed, Failed)
    assert isinstance(failed.error, InvalidClientError)
    assert "1000.NOSUCHCLIENT" in str(failed.error)


# -------------------------------------------------------------------------------------- faults

POLL_FAULTS = ["drop", "reset", "500", "502-html", "503", "malformed", "empty", "hang"]


@pytest.mark.parametrize("fault", POLL_FAULTS)
def test_each_fault_on_a_poll_is_retried_and_the_approval_is_kept(
    face: str, zoho_like: Emulator, fault: str
) -> None:
    emu = zoho_like

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            emu.approve(event.authorization.user_code, account="ada@example.com")
            emu.set_faults([{"fault": fault, "path": TOKEN}])

    events = drive(face, emu, flow_for(emu), on_event, timeout=0.5)
    assert isinstance(events[-1], Approved)
    trouble = [e for e in events if isinstance(e, NetworkTrouble)]
    assert len(trouble) == 1
    assert trouble[0].retry_at - trouble[0].at == pytest.approx(INTERVAL, abs=0.01)
    logged = polls(emu)
    assert [e.get("fault") for e in logged] == [fault, None]
    assert poll_gaps(emu)[0] >= INTERVAL


@pytest.mark.parametrize("fault", ["drop", "reset", "500", "502-html", "malformed", "hang"])
def test_each_fault_on_the_code_request_is_retried_after_a_second(
    zoho_like: Emulator, fault: str
) -> None:
    emu = zoho_like
    emu.set_faults([{"fault": fault, "path": CODE}])
    events = drive("async", emu, flow_for(emu), approve_after(emu, 0), timeout=0.5)
    assert isinstance(events[-1], Approved)
    codes = emu.requests_to(CODE)
    assert [e.get("fault") for e in codes] == [fault, None]
    assert 1.0 <= codes[1]["time"] - codes[0]["time"] < 2.0


def test_slow_answers_within_the_timeout_are_just_slow(zoho_like: Emulator) -> None:
    emu = zoho_like
    emu.set_faults([{"fault": "delay:0.2", "path": TOKEN}])
    events = drive("async", emu, flow_for(emu), approve_after(emu, 1), timeout=2.0)
    assert isinstance(events[-1], Approved)
    assert not [e for e in events if isinstance(e, NetworkTrouble)]


def test_several_faults_in_a_row_back_off_and_still_succeed(zoho_like: Emulator) -> None:
    emu = zoho_like

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            emu.set_faults(["drop", "500", "502-html", "malformed"])
        if isinstance(event, NetworkTrouble) and event.attempt == 4:
            emu.approve(emu.latest_user_code or "", account="ada@example.com")

    events = drive("async", emu, flow_for(emu), on_event)
    assert isinstance(events[-1], Approved)
    assert [round(g) for g in poll_gaps(emu)] == [30, 60, 60, 60]


@pytest.mark.xfail(
    strict=True,
    reason="a limit of the protocol, kept on purpose: Zoho spends the device code when it answers "
    "with tokens, so an answer lost in transit cannot be claimed again (invalid_code)",
)
def test_an_approval_whose_answer_was_lost_can_still_be_claimed(zoho_like: Emulator) -> None:
    """Decided (review): the emulator is faithful, and the client cannot do better than it does.

    The approving poll's answer is the only copy of the tokens: like any OAuth grant, Zoho spends
    the device code when it hands them out, and a second poll gets ``invalid_code``. The emulator
    does the same, so it must not be "fixed" to re-issue. What the client can do is not abandon a
    slow answer, and it does: tvauth's own client waits 30 s for a read (``tvauth.http``), and an
    embedder's client keeps the embedder's timeout (tvauth never overrides it). Polling again
    sooner or more often cannot help either. So this test stays a strict xfail: it documents the
    one way an approval can still be lost (the answer dies in transit after the server spent the
    code; the person then has to start again), and it fails loudly if that ever changes.
    """
    emu = zoho_like

    def on_event(event: FlowEvent) -> None:
        if isinstance(event, CodeIssued):
            emu.approve(event.authorization.user_code, account="ada@example.com")
            emu.set_faults([{"fault": "delay:1.0", "path": TOKEN}])

    events = drive("async", emu, flow_for(emu), on_event, timeout=0.3)
    last = events[-1]
    if isinstance(last, Failed):
        assert not isinstance(last.error, InvalidCodeError), str(last.error)
    assert isinstance(last, Approved)


# ------------------------------------------------------------------------------ real time, real stop


@pytest.mark.slow
def test_real_time_flow_and_cancel_handle(make_emulator: MakeEmulator) -> None:
    """No emulated time here: a 1 s interval on the real monotonic clock, then a prompt cancel."""
    emu = make_emulator(interval=1.0, code_lifetime=20.0, units="s")
    with httpx.Client(timeout=2, trust_env=False) as client:
        flow = flow_for(emu)
        started = time.monotonic()
        approved = flow.run_blocking(client, on_event=approve_after(emu, 1))
        elapsed = time.monotonic() - started
        assert isinstance(approved, Approved)
        assert 2.0 <= elapsed < 4.0
        assert len(polls(emu)) == 2
        emu.clear_log()

        cancel = CancelHandle()

        def on_event(event: FlowEvent) -> None:
            if isinstance(event, Pending):
                cancel.cancel()

        with pytest.raises(Exception, match="cancelled"):
            flow.run_blocking(client, on_event=on_event, cancel=cancel)
        sent = len(polls(emu))
        time.sleep(1.5)
        assert len(polls(emu)) == sent == 1
