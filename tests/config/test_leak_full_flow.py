"""A whole sign-in at debug level, through every emulator fault, leaks nothing into logs or output.

The real pieces: the Zoho emulator over loopback HTTP, the device flow on tvauth's own httpx client
(:func:`tvauth.http.make_async_client`), and :func:`tvauth.logs.setup_logging` writing the rotating
file and stderr at DEBUG (httpx's request lines included). Afterwards every secret the emulator issued
(device codes, access and refresh tokens) and the client secret is searched for in the log file, the
stderr stream, pytest's captured log records and the events' reprs.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tvauth.config import load_settings
from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.events import Approved, CodeIssued, FlowEvent, NetworkTrouble
from tvauth.flow import DeviceFlow
from tvauth.http import make_async_client
from tvauth.logs import LOG_FILE_NAME, forget_secrets, reset_logging, secrets_in, setup_logging
from tvauth.paths import TvauthPaths

MakeEmulator = Callable[..., Emulator]
TOKEN = "/oauth/v3/device/token"
CODE = "/oauth/v3/device/code"
# Every fault kind the emulator can play that ends in a retry rather than a terminal answer.
FAULTS = [
    {"fault": "drop", "path": CODE},
    {"fault": "502-html", "path": CODE},
    {"fault": "reset", "path": TOKEN},
    {"fault": "500", "path": TOKEN},
    {"fault": "503-html", "path": TOKEN},
    {"fault": "malformed", "path": TOKEN},
    {"fault": "empty", "path": TOKEN},
    {"fault": "throttle", "path": TOKEN},
    {"fault": "delay:0.05", "path": TOKEN},
]

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    yield
    reset_logging()
    forget_secrets()


def test_full_flow_with_every_fault_leaks_no_secret(
    make_emulator: MakeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A long-lived code: the flow backs off after each fault, and all of them must fit in its life.
    emu = make_emulator(interval=5.0, code_lifetime=1800.0)
    paths = TvauthPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    stream = io.StringIO()
    caplog.set_level(logging.DEBUG)
    setup_logging(debug=True, paths=paths, stream=stream)
    settings = load_settings(
        None,
        environ={"TVAUTH_READ_TIMEOUT": "2", "TVAUTH_CONNECT_TIMEOUT": "2"},
        paths=paths,
    )
    flow = DeviceFlow(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        scopes=("AaaServer.profile.READ",),
        accounts_url=emu.base_url("us"),
    )
    emu.set_faults(FAULTS)
    issued: list[str] = [DEMO_CLIENT_SECRET]
    events: list[FlowEvent] = []

    async def sleep(seconds: float) -> None:
        emu.advance(seconds)
        await asyncio.sleep(0)

    async def main() -> None:
        async with make_async_client(settings) as http:
            async for event in flow.events(http, clock=emu.now, sleep=sleep):
                events.append(event)
                if isinstance(event, CodeIssued):
                    issued.append(event.authorization.device_code.reveal())
                    # A person in the EU data center approves at once; the faults still stand
                    # between the device and its tokens, and the flow must follow them to the EU.
                    emu.approve(event.authorization.user_code, account="jane@example.com")

        # What a careless embedder (or a future debugging session) might log: the raw values, in
        # every shape. The redaction must still keep them out of every log.
        careless = logging.getLogger("tvauth.embedder")
        done = events[-1]
        if isinstance(done, Approved):
            tokens = done.tokens
            refresh = tokens.refresh_token.reveal() if tokens.refresh_token else ""
            careless.debug("answer %s", json.dumps({"access_token": tokens.access_token.reveal()}))
            careless.debug("refresh_token=%s&client_secret=%s", refresh, DEMO_CLIENT_SECRET)
            careless.debug("header Authorization: Zoho-oauthtoken %s", tokens.access_token.reveal())
            careless.debug("device code %s", issued[1])
            try:
                raise RuntimeError(f"storing {refresh} failed")
            except RuntimeError:
                careless.exception("could not store")

    asyncio.run(main())

    approved = events[-1]
    assert isinstance(approved, Approved), events[-3:]
    assert approved.location == "eu"
    issued.append(approved.tokens.access_token.reveal())
    assert approved.tokens.refresh_token is not None
    issued.append(approved.tokens.refresh_token.reveal())
    assert emu.pending_faults() == []  # every fault was really played
    assert sum(isinstance(e, NetworkTrouble) for e in events) >= len(FAULTS) - 1

    log_text = (paths.log_dir / LOG_FILE_NAME).read_text()
    assert "tvauth.flow" in log_text  # the flow did log at debug level
    assert "httpx" in log_text
    assert re.search(r"RuntimeError: storing \*\*\*\w{0,4} failed", log_text)
    for where, text in {
        "log file": log_text,
        "stderr": stream.getvalue(),
        "captured records": caplog.text,
        "events": "\n".join(repr(e) + str(e) for e in events),
    }.items():
        assert secrets_in(text, issued) == [], where
