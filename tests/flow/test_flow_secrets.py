"""Device codes, client secrets and tokens never show up in reprs, logs or error messages.

Runs flows that touch every path (faults, other_dc, renewal, every terminal error) with DEBUG logging
on for everything, then greps all the text they produced for every secret value.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from flowfakes import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    DEVICE_CODE,
    EU_SECRET,
    REFRESH_TOKEN,
    FakeClock,
    ScriptedServer,
    code_reply,
    error_reply,
    html_reply,
    run_flow,
    token_reply,
)

from tvauth.events import Approved, Failed
from tvauth.flow import DeviceFlow

SECRETS = (DEVICE_CODE, CLIENT_SECRET, EU_SECRET, ACCESS_TOKEN, REFRESH_TOKEN)
CODE = "/oauth/v3/device/code"
TOKEN = "/oauth/v3/device/token"

SCENARIOS: dict[str, list[tuple[str, Any]]] = {
    "approved after faults and a switch": [
        (CODE, httpx.ConnectError("down")),
        (CODE, code_reply()),
        (TOKEN, error_reply("authorization_pending")),
        (TOKEN, html_reply(502)),
        (TOKEN, httpx.Response(200, content=b'{"access_token": "' + ACCESS_TOKEN.encode())),
        (TOKEN, error_reply("slow_down")),
        (TOKEN, error_reply("other_dc", user_location="eu")),
        (TOKEN, httpx.ReadTimeout("slow")),
        (TOKEN, token_reply(scope="A.READ")),
    ],
    "renewed then denied": [
        (CODE, code_reply()),
        (TOKEN, error_reply("expired")),
        (TOKEN, error_reply("access_denied", error_description=f"no {DEVICE_CODE}")),
    ],
    "invalid client": [(CODE, code_reply()), (TOKEN, error_reply("invalid_client"))],
    "invalid code": [(CODE, code_reply()), (TOKEN, error_reply("invalid_code"))],
    "unknown error echoing the code": [
        (CODE, code_reply()),
        (TOKEN, error_reply("odd", error_description=f"bad code={DEVICE_CODE}")),
    ],
    "throttled": [
        (CODE, code_reply()),
        (TOKEN, error_reply("Access Denied", error_description="too many")),
        (TOKEN, token_reply()),
    ],
}


def _texts(value: Any) -> list[str]:
    out = [repr(value), str(value), f"{value}", f"{value!r}"]
    error = getattr(value, "error", None)
    if error is not None:
        out += [repr(error), str(error), error.problem, error.remedy, repr(error.args)]
    return out


@pytest.mark.parametrize("face", ["async", "blocking"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_secret_in_events_errors_or_logs(
    face: str,
    scenario: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = FakeClock()
    server = ScriptedServer(clock)
    for path, reply in SCENARIOS[scenario]:
        server.add(path, reply)
    flow = DeviceFlow(
        client_id="1000.CLIENT",
        client_secret={"us": CLIENT_SECRET, "eu": EU_SECRET},
        scopes=["A.READ"],
        renewals=1,
    )
    with caplog.at_level(logging.DEBUG):
        events = run_flow(face, flow, server, clock)
    assert isinstance(events[-1], Approved | Failed)
    produced = [*caplog.messages, caplog.text, *_texts(flow)]
    for event in events:
        produced += _texts(event)
    out, err = capsys.readouterr()
    produced += [out, err]
    text = "\n".join(produced)
    assert "tvauth.flow" in caplog.text  # logging did happen
    for secret in SECRETS:
        assert secret not in text, f"a secret leaked in {scenario}"
    # ...while the real values did go over the wire where they must
    sent = " ".join(str(s.form) for s in server.sent)
    assert DEVICE_CODE in sent
    assert CLIENT_SECRET in sent


def test_the_approved_tokens_are_still_usable_on_purpose() -> None:
    clock = FakeClock()
    server = ScriptedServer(clock).add(CODE, code_reply()).add(TOKEN, token_reply())
    flow = DeviceFlow(client_id="1000.CLIENT", client_secret=CLIENT_SECRET)
    approved = run_flow("async", flow, server, clock)[-1]
    assert isinstance(approved, Approved)
    assert approved.tokens.access_token.reveal() == ACCESS_TOKEN
    assert approved.tokens.refresh_token is not None
    assert approved.tokens.refresh_token.reveal() == REFRESH_TOKEN


def test_each_step_is_one_structured_log_line(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    server = ScriptedServer(clock)
    server.add(CODE, code_reply())
    server.add(
        TOKEN,
        error_reply("authorization_pending"),
        html_reply(502),
        error_reply("slow_down"),
        error_reply("other_dc", user_location="eu"),
        token_reply(),
    )
    flow = DeviceFlow(client_id="1000.CLIENT", client_secret=CLIENT_SECRET)
    with caplog.at_level(logging.INFO, logger="tvauth.flow"):
        run_flow("async", flow, server, clock)
    lines = [
        (r.getMessage(), getattr(r, "fields", {}))
        for r in caplog.records
        if r.name == "tvauth.flow" and r.levelno >= logging.INFO
    ]
    assert [m for m, _ in lines] == [
        "code request",
        "code issued",
        "poll",
        "retry",
        "poll",
        "poll",
        "approved",
    ]
    assert lines[2][1] == {"outcome": "pending", "dc": "us", "polls": 1, "next_in_s": 30.0}
    assert lines[3][1]["reason"] == "HTTP 502 with an HTML page"
    assert lines[4][1]["outcome"] == "slow_down"
    assert lines[5][1] == {"outcome": "other_dc", "dc": "us", "to": "eu"}
    assert lines[6][1] == {"dc": "eu", "refresh_token": True}
