"""The driver, both faces, over httpx.MockTransport on a fake monotonic clock.

Every test runs twice (``face`` = async / blocking) through the same assertions: the faces share one
state machine, and these tests hold them to the same observable behaviour.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

import httpx
import pytest
from flowfakes import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    DEVICE_CODE,
    EU_SECRET,
    FakeClock,
    Runner,
    ScriptedServer,
    code_reply,
    error_reply,
    gaps,
    html_reply,
    run_flow,
    token_reply,
)

from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    ConfigError,
    FlowError,
    InvalidClientError,
    InvalidCodeError,
    NetworkError,
    ThrottledError,
    TLSVerificationError,
)
from tvauth.events import (
    Approved,
    CodeIssued,
    DataCenterSwitched,
    Failed,
    NetworkTrouble,
    Pending,
    SlowedDown,
)
from tvauth.flow import DeviceFlow

CODE = "/oauth/v3/device/code"
TOKEN = "/oauth/v3/device/token"
ZOHO_US = "https://accounts.zoho.com"
LOCAL = "http://127.0.0.1:9/us"  # not a Zoho host: no 30 s floor


def zoho_flow(**kw: Any) -> DeviceFlow:
    settings: dict[str, Any] = {
        "client_id": "1000.CLIENT",
        "client_secret": CLIENT_SECRET,
        "scopes": ["AaaServer.profile.READ", "ZohoCRM.users.READ"],
        "accounts_url": ZOHO_US,
    }
    settings.update(kw)
    return DeviceFlow(**settings)


def serverinfo_reply(*locations: str) -> httpx.Response:
    """The registration host's /oauth/serverinfo, listing emulator-style bases under LOCAL's host."""
    urls = {loc: f"http://127.0.0.1:9/{loc}" for loc in locations}
    return httpx.Response(200, json={"result": "success", "locations": urls})


def kinds(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


# ----------------------------------------------------------------------------------- happy path


def test_approved_flow_polls_at_the_interval_and_reports_every_step(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply(30000, 300000))
    server.add(TOKEN, error_reply("authorization_pending"), error_reply("authorization_pending"))
    server.add(TOKEN, token_reply())
    start = clock.now
    events = run(zoho_flow())
    assert kinds(events) == ["Requesting", "CodeIssued", "Pending", "Pending", "Approved"]
    issued = events[1]
    assert isinstance(issued, CodeIssued)
    assert issued.attempt == 1
    assert issued.location == "us"
    assert issued.expires_at == start + 300.0
    assert server.poll_times() == [start + 30, start + 60, start + 90]
    assert isinstance(events[2], Pending)
    assert events[2].polls == 1
    assert events[2].next_poll_at == start + 60
    approved = events[-1]
    assert isinstance(approved, Approved)
    assert approved.tokens.access_token.reveal() == ACCESS_TOKEN
    assert (approved.accounts_url, approved.location) == (ZOHO_US, "us")
    code_form = server.polls(CODE)[0].form
    assert code_form == {
        "client_id": "1000.CLIENT",
        "grant_type": "device_request",
        "scope": "AaaServer.profile.READ,ZohoCRM.users.READ",
        "access_type": "offline",
        "prompt": "consent",
    }
    assert server.polls()[0].form == {
        "client_id": "1000.CLIENT",
        "client_secret": CLIENT_SECRET,
        "grant_type": "device_token",
        "code": DEVICE_CODE,
    }


def test_run_returns_approved_and_run_blocking_too(
    server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply()).add(TOKEN, token_reply())
    flow = zoho_flow()
    seen: list[Any] = []

    async def main() -> Approved:
        async with httpx.AsyncClient(transport=server.transport()) as client:
            return await flow.run(client, on_event=seen.append, clock=clock, sleep=clock.sleep)

    approved = asyncio.run(main())
    assert isinstance(approved, Approved)
    assert seen[-1] is approved
    with httpx.Client(transport=server.transport()) as client:
        again = flow.run_blocking(client, clock=clock, sleep=clock.sleep_sync)
    assert again.tokens.access_token.reveal() == ACCESS_TOKEN


# ---------------------------------------------------------------------------- pacing rules


@pytest.mark.parametrize(
    ("accounts_url", "wire_interval", "poll_floor", "expected_gap"),
    [
        (ZOHO_US, 5000, None, 30.0),  # Zoho's hosts: never faster than 30 s
        (ZOHO_US, 5, None, 30.0),
        ("https://accounts.zoho.eu", 45000, None, 45.0),  # slower is fine
        (LOCAL, 5000, None, 5.0),  # the emulator: what it says
        (LOCAL, 5000, 12.0, 12.0),  # explicit floor
    ],
)
def test_interval_and_the_zoho_floor(
    run: Runner,
    server: ScriptedServer,
    clock: FakeClock,
    accounts_url: str,
    wire_interval: int,
    poll_floor: float | None,
    expected_gap: float,
) -> None:
    server.add(CODE, code_reply(wire_interval, 600000))
    server.add(TOKEN, *[error_reply("authorization_pending")] * 4, token_reply())
    start = clock.now
    run(zoho_flow(accounts_url=accounts_url, poll_floor=poll_floor, location="us"))
    times = server.poll_times()
    assert times[0] - start == expected_gap
    assert gaps(times) == [expected_gap] * 4


def test_slow_down_adds_five_seconds_each_time_for_the_rest_of_the_flow(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply(30000, 600000))
    server.add(
        TOKEN,
        error_reply("authorization_pending"),
        error_reply("slow_down"),
        error_reply("authorization_pending"),
        error_reply("slow_down", 400),
        error_reply("authorization_pending"),
        error_reply("authorization_pending"),
        token_reply(),
    )
    events = run(zoho_flow())
    assert gaps(server.poll_times()) == [30, 35, 35, 40, 40, 40]
    assert [e.interval for e in events if isinstance(e, SlowedDown)] == [35.0, 40.0]


def test_slow_down_on_top_of_a_short_interval(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply(2, 60))
    server.add(TOKEN, error_reply("slow_down"), error_reply("authorization_pending"), token_reply())
    run(zoho_flow(accounts_url=LOCAL))
    assert gaps(server.poll_times()) == [7, 7]


def test_wall_clock_jumps_change_nothing(
    run: Runner, server: ScriptedServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    jumps = iter([0.0, 86400.0 * 365, -86400.0 * 3650] * 1000)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + next(jumps))
    server.add(CODE, code_reply(30000, 300000))
    server.add(TOKEN, *[error_reply("authorization_pending")] * 3, token_reply())
    start = clock.now
    run(zoho_flow())
    assert server.poll_times() == [start + 30, start + 60, start + 90, start + 120]


def test_default_clock_is_monotonic() -> None:
    import inspect

    for method in (DeviceFlow.events, DeviceFlow.events_blocking, DeviceFlow.run):
        assert inspect.signature(method).parameters["clock"].default is time.monotonic


# ------------------------------------------------------------------------------ transient faults


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadError("reset"),
        html_reply(502),
        html_reply(200),
        httpx.Response(500, json={"error": "server_error"}),
        httpx.Response(200, content=b'{"error": "authorization_pen'),
        httpx.Response(200, content=b""),
        error_reply("Access Denied", error_description="Too many requests"),
    ],
    ids=[
        "refused",
        "timeout",
        "dropped",
        "reset",
        "502-html",
        "200-html",
        "500",
        "malformed",
        "empty",
        "throttle",
    ],
)
def test_transient_faults_are_retried_and_never_lose_the_approval(
    run: Runner, server: ScriptedServer, clock: FakeClock, fault: Any
) -> None:
    server.add(CODE, code_reply(30000, 300000))
    server.add(TOKEN, error_reply("authorization_pending"), fault, fault, token_reply())
    events = run(zoho_flow())
    trouble = [e for e in events if isinstance(e, NetworkTrouble)]
    assert [t.attempt for t in trouble] == [1, 2]
    assert all(t.reason for t in trouble)
    assert all(t.error is not None and t.error.problem and t.error.remedy for t in trouble)
    if isinstance(fault, httpx.Response) and b"Access Denied" in fault.content:
        assert isinstance(trouble[0].error, ThrottledError)
        assert "Too many requests" in str(trouble[0].error)
    assert isinstance(events[-1], Approved)
    # never faster than the interval, doubling, capped at max(60 s, interval)
    assert gaps(server.poll_times()) == [30, 30, 60]
    assert trouble[0].retry_at - trouble[0].at == 30


def test_backoff_doubles_from_the_interval_and_is_capped(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply(2, 600))
    server.add(TOKEN, *[httpx.ConnectError("down")] * 7, error_reply("authorization_pending"))
    server.add(TOKEN, token_reply())
    events = run(zoho_flow(accounts_url=LOCAL, max_backoff=10.0))
    assert gaps(server.poll_times()) == [2, 4, 8, 10, 10, 10, 10, 2]
    delays = [e.retry_at - e.at for e in events if isinstance(e, NetworkTrouble)]
    assert delays == [2, 4, 8, 10, 10, 10, 10]
    assert isinstance(events[-1], Approved)


def test_redirects_are_never_followed_even_by_a_client_that_would(
    face: str, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply())
    server.add(
        TOKEN,
        httpx.Response(307, headers={"location": "https://evil.example/steal"}),
        token_reply(),
    )
    events: list[Any] = []
    flow = zoho_flow()
    if face == "async":

        async def main() -> None:
            async with httpx.AsyncClient(
                transport=server.transport(), follow_redirects=True
            ) as client:
                async for event in flow.events(client, clock=clock, sleep=clock.sleep):
                    events.append(event)

        asyncio.run(main())
    else:
        with httpx.Client(transport=server.transport(), follow_redirects=True) as client:
            events.extend(flow.events_blocking(client, clock=clock, sleep=clock.sleep_sync))
    assert "evil.example" not in server.hosts_seen
    trouble = [e for e in events if isinstance(e, NetworkTrouble)]
    assert len(trouble) == 1
    assert "redirect" in trouble[0].reason
    assert isinstance(events[-1], Approved)


def test_code_request_faults_back_off_from_one_second(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, httpx.ConnectError("down"), html_reply(503), httpx.ReadTimeout("t"))
    server.add(CODE, code_reply()).add(TOKEN, token_reply())
    start = clock.now
    events = run(zoho_flow())
    assert [t - start for t in server.poll_times(CODE)] == [0, 1, 3, 7]
    assert isinstance(events[-1], Approved)
    assert kinds(events).count("Requesting") == 1


def test_code_request_gives_up_after_its_budget_with_a_network_error(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, httpx.ConnectError("down"))
    start = clock.now
    events = run(zoho_flow(give_up_after=100.0, max_backoff=16.0))
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, NetworkError)
    assert "accounts.zoho.com" in str(last.error)
    assert last.at - start <= 100.0
    assert len(server.polls(CODE)) == len([e for e in events if isinstance(e, NetworkTrouble)]) + 1


def certificate_failure() -> httpx.ConnectError:
    exc = httpx.ConnectError("certificate verify failed")
    cause = ssl.SSLCertVerificationError(1, "certificate has expired")
    cause.verify_message = "certificate has expired"
    exc.__cause__ = cause
    return exc


def test_certificate_failures_end_the_flow_at_once_with_a_clock_hint(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(CODE, certificate_failure())
    events = run(zoho_flow())
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, TLSVerificationError)
    assert len(server.polls(CODE)) == 1
    assert "NetworkTrouble" not in kinds(events)


def test_throttle_at_code_request_waits_thirty_seconds_not_one(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, error_reply("Access Denied", error_description="Too many"), code_reply())
    server.add(TOKEN, token_reply())
    start = clock.now
    events = run(zoho_flow())
    assert [t - start for t in server.poll_times(CODE)] == [0, 30]
    assert isinstance(events[-1], Approved)


def test_throttle_at_code_request_ends_with_a_throttled_error(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, error_reply("Access Denied", error_description="Slow down please"))
    events = run(zoho_flow(give_up_after=10.0))
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, ThrottledError)
    assert "Slow down please" in str(last.error)


# ------------------------------------------------------------------------------ terminal outcomes


@pytest.mark.parametrize(
    ("reply", "error_type", "words"),
    [
        (error_reply("access_denied"), AccessDeniedError, "denied"),
        (error_reply("expired", 400), CodeExpiredError, "ABCD1234"),
        (error_reply("invalid_client"), InvalidClientError, "Zoho US"),
        (error_reply("invalid_code"), InvalidCodeError, "Zoho US"),
        (error_reply("bogus_thing"), FlowError, "bogus_thing"),
    ],
)
def test_terminal_outcomes_end_with_failed_and_run_raises(
    face: str,
    server: ScriptedServer,
    clock: FakeClock,
    reply: httpx.Response,
    error_type: type[Exception],
    words: str,
) -> None:
    server.add(CODE, code_reply()).add(TOKEN, error_reply("authorization_pending"), reply)
    events = run_flow(face, zoho_flow(), server, clock)
    last = events[-1]
    assert isinstance(last, Failed)
    assert type(last.error) is error_type
    assert words in str(last.error)
    polls = len(server.polls())
    assert polls == 2  # nothing sent after the terminal answer
    if face == "async":

        async def main() -> None:
            async with httpx.AsyncClient(transport=server.transport()) as client:
                await zoho_flow().run(client, clock=clock, sleep=clock.sleep)

        with pytest.raises(error_type):
            asyncio.run(main())
    else:
        with httpx.Client(transport=server.transport()) as client, pytest.raises(error_type):
            zoho_flow().run_blocking(client, clock=clock, sleep=clock.sleep_sync)


def test_invalid_client_at_code_request_names_the_data_center(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(CODE, error_reply("invalid_client"))
    events = run(zoho_flow(accounts_url="https://accounts.zoho.in"))
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, InvalidClientError)
    assert "Zoho India" in str(last.error)
    assert "1000.CLIENT" in str(last.error)


def test_code_expires_locally_when_the_server_keeps_saying_pending(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply(30000, 95000)).add(TOKEN, error_reply("authorization_pending"))
    start = clock.now
    events = run(zoho_flow())
    # polls while valid, one last poll just after expiry (an approval in the last interval counts)
    assert [t - start for t in server.poll_times()] == [30, 60, 90, 120]
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, CodeExpiredError)
    assert last.at - start == 120


def test_faults_are_not_retried_past_the_code_life(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply(30000, 100000)).add(TOKEN, httpx.ConnectError("down"))
    start = clock.now
    events = run(zoho_flow())
    # The third retry lands 5 s before the 100 s code dies (it used to land at 120, after it).
    assert [t - start for t in server.poll_times()] == [30, 60, 95]
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, CodeExpiredError)
    assert last.at - start <= 180


def test_expired_codes_are_renewed_a_bounded_number_of_times(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(
        CODE,
        code_reply(user_code="FIRST111"),
        code_reply(user_code="SECOND22"),
        code_reply(user_code="THIRD333"),
    )
    server.add(TOKEN, error_reply("expired"))
    events = run(zoho_flow(renewals=2))
    issued = [e for e in events if isinstance(e, CodeIssued)]
    assert [(i.attempt, i.authorization.user_code) for i in issued] == [
        (1, "FIRST111"),
        (2, "SECOND22"),
        (3, "THIRD333"),
    ]
    assert kinds(events).count("Requesting") == 3
    assert len(server.polls(CODE)) == 3
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, CodeExpiredError)
    assert "THIRD333" in str(last.error)


def test_renewal_then_approval(run: Runner, server: ScriptedServer, clock: FakeClock) -> None:
    server.add(CODE, code_reply(user_code="FIRST111"), code_reply(user_code="SECOND22"))
    server.add(TOKEN, error_reply("expired"), token_reply())
    events = run(zoho_flow(renewals=1))
    assert kinds(events) == [
        "Requesting",
        "CodeIssued",
        "Requesting",
        "CodeIssued",
        "Approved",
    ]


def test_by_default_an_expired_code_is_not_renewed(run: Runner, server: ScriptedServer) -> None:
    server.add(CODE, code_reply()).add(TOKEN, error_reply("expired"))
    events = run(zoho_flow())
    assert len(server.polls(CODE)) == 1
    assert isinstance(events[-1], Failed)


# ------------------------------------------------------------------------------------ other_dc


def test_other_dc_on_zoho_hosts_uses_the_static_table_same_code_and_that_dcs_secret(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add(CODE, code_reply())
    server.add(
        TOKEN,
        error_reply("authorization_pending"),
        error_reply("other_dc", user_location="eu", accounts_server="https://evil.example/phish"),
        token_reply(),
    )
    events = run(zoho_flow(client_secret={"us": CLIENT_SECRET, "eu": EU_SECRET}))
    switched = [e for e in events if isinstance(e, DataCenterSwitched)]
    assert len(switched) == 1
    assert (switched[0].from_location, switched[0].to_location) == ("us", "eu")
    assert switched[0].accounts_url == "https://accounts.zoho.eu"
    polls = server.polls()
    assert [p.url for p in polls] == [
        "https://accounts.zoho.com/oauth/v3/device/token",
        "https://accounts.zoho.com/oauth/v3/device/token",
        "https://accounts.zoho.eu/oauth/v3/device/token",
    ]
    assert {p.form["code"] for p in polls} == {DEVICE_CODE}
    assert [p.form["client_secret"] for p in polls] == [CLIENT_SECRET, CLIENT_SECRET, EU_SECRET]
    assert gaps(server.poll_times()) == [30, 30]  # the switch does not hurry the next poll
    assert "evil.example" not in server.hosts_seen
    approved = events[-1]
    assert isinstance(approved, Approved)
    assert (approved.accounts_url, approved.location) == ("https://accounts.zoho.eu", "eu")


@pytest.mark.parametrize("key", ["user_location", "dc", "location"])
def test_other_dc_on_other_hosts_asks_the_registration_hosts_serverinfo(
    run: Runner, server: ScriptedServer, clock: FakeClock, key: str
) -> None:
    server.add("/us/oauth/v3/device/code", code_reply(2, 60))
    server.add("/us/oauth/v3/device/token", error_reply("other_dc", **{key: "eu"}))
    server.add(
        "/us/oauth/serverinfo",
        serverinfo_reply("us", "eu"),
    )
    server.add("/eu/oauth/v3/device/token", error_reply("authorization_pending"), token_reply())
    events = run(zoho_flow(accounts_url=LOCAL))
    paths = [s.url.replace("http://127.0.0.1:9", "") for s in server.sent]
    assert paths == [
        "/us/oauth/v3/device/code",
        "/us/oauth/v3/device/token",
        "/us/oauth/serverinfo",
        "/eu/oauth/v3/device/token",
        "/eu/oauth/v3/device/token",
    ]
    approved = events[-1]
    assert isinstance(approved, Approved)
    assert (approved.accounts_url, approved.location) == ("http://127.0.0.1:9/eu", "eu")


def test_serverinfo_faults_are_retried(run: Runner, server: ScriptedServer) -> None:
    server.add("/us/oauth/v3/device/code", code_reply(2, 60))
    server.add("/us/oauth/v3/device/token", error_reply("other_dc", user_location="eu"))
    server.add(
        "/us/oauth/serverinfo",
        html_reply(502),
        serverinfo_reply("eu"),
    )
    server.add("/eu/oauth/v3/device/token", token_reply())
    events = run(zoho_flow(accounts_url=LOCAL))
    assert isinstance(events[-1], Approved)
    assert kinds(events).count("NetworkTrouble") == 1


def test_other_dc_to_an_unknown_location_fails_naming_it(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(CODE, code_reply()).add(TOKEN, error_reply("other_dc", user_location="mars"))
    events = run(zoho_flow())
    last = events[-1]
    assert isinstance(last, Failed)
    assert "'mars'" in str(last.error)


def test_other_dc_without_a_secret_for_that_dc_fails_naming_it(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(CODE, code_reply()).add(TOKEN, error_reply("other_dc", user_location="eu"))
    events = run(zoho_flow(client_secret={"us": CLIENT_SECRET}))
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, ConfigError)
    assert "Zoho EU" in str(last.error)
    assert len(server.polls()) == 1


def test_invalid_client_after_a_switch_names_the_users_data_center(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(CODE, code_reply())
    server.add(TOKEN, error_reply("other_dc", user_location="eu"), error_reply("invalid_client"))
    events = run(zoho_flow())
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, InvalidClientError)
    assert "Zoho EU" in str(last.error)
    assert "multi-DC" in str(last.error)


def test_secret_per_location_on_a_non_zoho_host_learns_its_own_location(
    run: Runner, server: ScriptedServer
) -> None:
    server.add("/us/oauth/v3/device/code", code_reply(2, 60))
    server.add(
        "/us/oauth/serverinfo",
        serverinfo_reply("us"),
    )
    server.add("/us/oauth/v3/device/token", token_reply())
    events = run(zoho_flow(accounts_url=LOCAL, client_secret={"us": "U" * 40, "eu": "E" * 40}))
    assert isinstance(events[-1], Approved)
    assert events[-1].location == "us"
    assert server.polls("/us/oauth/v3/device/token")[0].form["client_secret"] == "U" * 40


def test_other_dc_naming_the_current_dc_is_not_followed_forever(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(CODE, code_reply()).add(TOKEN, error_reply("other_dc", user_location="us"))
    events = run(zoho_flow())
    assert isinstance(events[-1], Failed)
    assert len(server.polls()) == 1


# ------------------------------------------------------------------------------------ settings


@pytest.mark.parametrize(
    "kw",
    [
        {"client_id": ""},
        {"accounts_url": "accounts.zoho.com"},
        {"accounts_url": "ftp://accounts.zoho.com"},
        {"renewals": -1},
        {"dialect": "oauth1"},
        {"timing_units": "minutes"},
        {"dialect": "rfc8628", "client_secret": {"us": "a", "eu": "b"}},
    ],
)
def test_bad_settings_are_config_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        zoho_flow(**kw)


def test_scopes_may_be_one_comma_separated_string() -> None:
    assert zoho_flow(scopes="A.READ, B.ALL").scopes == ("A.READ", "B.ALL")


def test_a_runaway_answer_is_cut_off_and_retried_not_read_whole(
    run: Runner, server: ScriptedServer
) -> None:
    """Both faces stop reading past 1 MiB: a token answer is a few KiB, anything longer is junk."""
    huge = b'{"error": "authorization_pending", "pad": "' + b"x" * (2 << 20) + b'"}'
    server.add(CODE, code_reply(30000, 300000))
    server.add(TOKEN, httpx.Response(200, content=huge), token_reply())
    events = run(zoho_flow())
    trouble = [e for e in events if isinstance(e, NetworkTrouble)]
    assert [t.reason for t in trouble] == ["malformed JSON (HTTP 200)"]
    assert not [e for e in events if isinstance(e, Pending)]
    assert isinstance(events[-1], Approved)


def test_other_dc_naming_the_registration_dc_on_other_hosts_fails_without_a_fake_switch(
    run: Runner, server: ScriptedServer
) -> None:
    """On a non-Zoho host the own location is learnt from server info; the same rule holds then."""
    server.add("/us/oauth/v3/device/code", code_reply(2, 60))
    server.add("/us/oauth/v3/device/token", error_reply("other_dc", user_location="us"))
    server.add(
        "/us/oauth/serverinfo",
        serverinfo_reply("us", "eu"),
    )
    events = run(zoho_flow(accounts_url=LOCAL))
    assert isinstance(events[-1], Failed)
    assert "named this one" in str(events[-1].error)
    assert not [e for e in events if isinstance(e, DataCenterSwitched)]
    assert len(server.polls("/us/oauth/v3/device/token")) == 1
