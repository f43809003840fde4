"""A device whose clock is wrong: Zoho's ``Date`` sets the time tokens are judged by.

The emulator sends a ``Date`` header like Zoho does (real time plus every ``emu.advance``); the
device's wall clock is injected as 1970 (a Raspberry Pi before NTP), so everything else is real:
loopback HTTP, the token file, the skew file under the data dir.
"""

from __future__ import annotations

import argparse
import io
import json
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from tests.reliability.rel_helpers import REFRESH, store_for
from tests.signin.helpers import settings_for, whoami_sync
from tvauth.clock import CLOCK_FILE, SKEW_LIMIT, ServerTime, describe_skew, parse_http_date
from tvauth.commands import tokens as token_commands
from tvauth.emulator import Emulator
from tvauth.events import ClockWrong, CodeIssued
from tvauth.keepalive import keep_fresh
from tvauth.paths import resolve_paths
from tvauth.plain import run_plain
from tvauth.renewal import get_access_token
from tvauth.signin import LiveSession

pytestmark = pytest.mark.timeout(30)

MakeEmulator = Callable[..., Emulator]
JANE = "jane@example.com"
YEARS_56 = 56 * 365 * 86400


class Local:
    """The device's wall clock: starts at ``start`` and runs (plus what the test adds)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.t0 = time.monotonic()
        self.extra = 0.0

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0 + self.extra)


def boot_1970() -> Local:
    return Local(datetime(1970, 1, 1, 0, 5, tzinfo=UTC))


def http_date(moment: datetime) -> str:
    return formatdate(moment.timestamp(), usegmt=True)


def clock_file(home: Path) -> Path:
    return resolve_paths({"TVAUTH_HOME": str(home)}).data_dir / CLOCK_FILE


# ------------------------------------------------------------------------------ the pure part


def test_http_dates() -> None:
    assert parse_http_date("Sat, 28 Nov 2026 16:50:00 GMT") == datetime(
        2026, 11, 28, 16, 50, tzinfo=UTC
    )
    assert parse_http_date("yesterday") is None
    assert parse_http_date(None) is None
    assert (
        parse_http_date("Thu, 01 Jan 1970 00:00:10 GMT") is None
    )  # a server in 1970: no reference


def test_a_1970_clock_reads_zohos_time_once_zoho_answered() -> None:
    local = boot_1970()
    clock = ServerTime(local)
    assert clock.is_wrong  # never set: wrong even before Zoho says so
    assert clock.skew is None
    assert clock() == pytest.approx(local(), abs=timedelta(seconds=1))
    message = clock.message()
    assert message is not None
    assert "1970-01-01" in message

    server = datetime.now(UTC).replace(microsecond=0)
    skew = clock.record(http_date(server))
    assert skew is not None
    assert skew > YEARS_56
    assert clock.is_wrong
    assert abs((clock() - server).total_seconds()) < 2
    assert clock.message() == describe_skew(skew)
    assert "about 57 years behind Zoho's; tvauth uses Zoho's time" in describe_skew(skew)


@pytest.mark.parametrize(
    ("skew", "words"),
    [(-400.0, "7 minutes ahead of"), (3 * 3600, "3 hours behind"), (-9 * 86400, "9 days ahead of")],
)
def test_how_far_off_reads_for_people(skew: float, words: str) -> None:
    assert f"clock is {words} Zoho's" in describe_skew(skew)


def test_a_clock_a_minute_off_is_left_alone() -> None:
    local = Local(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    clock = ServerTime(local)
    clock.record(http_date(local() + timedelta(seconds=60)))
    assert not clock.is_wrong
    assert clock.message() is None
    assert abs((clock() - local()).total_seconds()) < 1


def test_the_skew_is_kept_for_the_next_process_until_the_clock_is_set(tmp_path: Path) -> None:
    path = tmp_path / "data" / CLOCK_FILE
    local = boot_1970()
    anchor = [1000.0]
    boot = ["boot-1"]

    def make() -> ServerTime:
        return ServerTime(local, path=path, anchor=lambda: anchor[0], boot_id=lambda: boot[0])

    first = make()
    first.record(http_date(datetime.now(UTC)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["boot_id"] == "boot-1"

    later = make()  # another process, same boot, clock untouched
    assert later.skew == pytest.approx(first.skew)
    assert later().year >= 2026

    anchor[0] += SKEW_LIMIT  # NTP stepped the clock: the skew described the old one
    assert make().skew is None
    assert later.skew is None  # a long-running process drops it too
    anchor[0] -= SKEW_LIMIT
    boot[0] = "boot-2"  # rebooted: the clock starts over from wherever it starts
    assert make().skew is None

    boot[0] = "boot-1"
    fixed = Local(datetime.now(UTC))
    right = ServerTime(fixed, path=path, anchor=lambda: anchor[0], boot_id=lambda: boot[0])
    right.record(http_date(datetime.now(UTC)))  # the clock is right now: the file goes
    assert not path.exists()


@pytest.mark.parametrize(
    "body", [b"", b"{", b"[]", b'{"skew": "x", "anchor": 1}', b'{"skew": 1e999}']
)
def test_a_damaged_skew_file_is_ignored(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / CLOCK_FILE
    path.write_bytes(body)
    assert ServerTime(boot_1970(), path=path).skew is None


# ------------------------------------------------------------------- against the emulator


def test_the_emulator_sends_a_date_that_follows_its_time(emulator: Emulator) -> None:
    with httpx.Client(trust_env=False) as client:
        first = parse_http_date(client.get(emulator.root_url + "/").headers.get("date"))
        emulator.advance(86400)
        second = parse_http_date(client.get(emulator.root_url + "/").headers.get("date"))
    assert first is not None
    assert second is not None
    assert abs((first - datetime.now(UTC)).total_seconds()) < 5
    assert 86395 < (second - first).total_seconds() < 86405


def _session(emu: Emulator, home: Path, local: Local) -> LiveSession:
    return LiveSession(
        settings=settings_for(emu, home),
        store=store_for(home),
        now=ServerTime.default(local),
    )


async def test_signed_in_from_1970_stores_zohos_expiry_and_says_the_clock_is_wrong(
    make_emulator: MakeEmulator, tvauth_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = make_emulator(interval=0.2, code_lifetime=60.0, auto_approve=JANE)
    local = boot_1970()
    session = _session(emu, tvauth_home, local)
    out = io.StringIO()

    assert await run_plain(session, out, color=False) == 0

    text = out.getvalue()
    assert text.count("years behind Zoho's; tvauth uses Zoho's time until it is fixed") == 1
    assert text.index("Code:") < text.index("years behind")
    profile = store_for(tvauth_home).load("default")
    assert profile is not None
    assert profile.access_expires_at is not None
    real = datetime.now(UTC)
    assert abs((profile.access_expires_at - (real + timedelta(hours=1))).total_seconds()) < 30
    assert abs((profile.signed_in_at - real).total_seconds()) < 30
    assert "Access token valid until 2026" in text or f"valid until {real.year}" in text
    assert clock_file(tvauth_home).exists()

    # tvauth status, on the same 1970 clock: the token has its hour, and the clock is named.
    monkeypatch.setattr(token_commands, "_now", local)
    info, _ = token_commands._status(store_for(tvauth_home), "default")
    assert 3500 < info["access_token_valid_for"] <= 3600
    assert info["clock"]["wrong"] is True
    assert info["clock"]["skew_seconds"] > YEARS_56
    assert "years behind Zoho's" in info["clock"]["message"]


async def test_the_clock_note_comes_once_per_sign_in(
    make_emulator: MakeEmulator, tvauth_home: Path
) -> None:
    emu = make_emulator(interval=0.2, code_lifetime=60.0, auto_approve=JANE)
    session = _session(emu, tvauth_home, boot_1970())
    events = [event async for event in session.sign_in()]
    notes = [e for e in events if isinstance(e, ClockWrong)]
    assert len(notes) == 1
    assert notes[0].skew > YEARS_56
    assert isinstance(events[events.index(notes[0]) - 1], CodeIssued)


def test_status_prints_the_clock_row(
    emulator: Emulator,
    tvauth_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.store.emu_helpers import sign_in

    store = store_for(tvauth_home)
    sign_in(emulator, store)
    local = boot_1970()
    ServerTime.default(local).record(http_date(datetime.now(UTC)))
    monkeypatch.setattr(token_commands, "_now", local)
    assert token_commands.run_status(argparse.Namespace(profile=None, json=False)) == 0
    lines = capsys.readouterr().out.splitlines()
    clock_rows = [line for line in lines if line.startswith("Clock")]
    assert len(clock_rows) == 1
    assert "about 57 years behind Zoho's" in clock_rows[0]
    access = next(line for line in lines if line.startswith("Access token"))
    assert "left" in access  # valid, judged by Zoho's time


def test_a_1970_clock_renews_by_zohos_time(
    emulator: Emulator, tvauth_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fresh by Zoho's time: served without a refresh; expired by Zoho's time: refreshed."""
    from tests.store.emu_helpers import sign_in

    store = store_for(tvauth_home)
    signed = sign_in(emulator, store)  # stored at the real time, as a correct device would
    local = boot_1970()
    # A 1970 clock with no skew known yet: the stored expiry is decades ahead, which no token
    # lives, so it is not trusted; one renewal measures Zoho's time (and says nothing is lost).
    token = get_access_token(store=store, now=ServerTime.default(local))
    assert len(emulator.requests_to(REFRESH)) == 1
    assert whoami_sync(signed.api_domain or "", token)["http_status"] == 200
    assert clock_file(tvauth_home).exists()

    # Now the skew is known: with the same 1970 clock the token is fresh and served as it is.
    for _ in range(3):
        assert get_access_token(store=store, now=ServerTime.default(local)) == token
    monkeypatch.setattr(token_commands, "_now", local)
    assert token_commands._valid_profile(store, "default").access_token is not None
    assert len(emulator.requests_to(REFRESH)) == 1

    # An hour passes for everyone: Zoho considers the token dead, and so does the device.
    local.extra += 3600
    emulator.advance(3600)
    assert whoami_sync(signed.api_domain or "", token)["http_status"] == 401
    fresh = get_access_token(store=store, now=ServerTime.default(local))
    assert fresh != token
    assert len(emulator.requests_to(REFRESH)) == 2
    assert whoami_sync(signed.api_domain or "", fresh)["http_status"] == 200
    profile = store.load("default")
    assert profile is not None
    assert profile.access_expires_at is not None
    server_now = datetime.now(UTC) + timedelta(seconds=3600)
    assert abs((profile.access_expires_at - server_now).total_seconds() - 3600) < 30


async def test_keep_fresh_on_a_1970_clock_sleeps_until_zohos_expiry(
    emulator: Emulator, tvauth_home: Path
) -> None:
    from tests.store.emu_helpers import sign_in

    store = store_for(tvauth_home)
    sign_in(emulator, store)
    local = boot_1970()
    ServerTime.default(local).record(http_date(datetime.now(UTC)))
    slept: list[float] = []

    class Stop(Exception):
        pass

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        raise Stop

    with pytest.raises(Stop):
        async for _ in keep_fresh(store, "default", now=ServerTime.default(local), sleep=sleep):
            pass
    assert 3600 - 300 - 30 < slept[0] < 3600 - 300 + 2  # Date has whole seconds
    assert emulator.requests_to(REFRESH) == []


# --------------------------------------------------------------- certificates and the clock


async def test_certificates_refused_by_the_clock_are_waited_out_not_fatal(
    tmp_path: Path, tvauth_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device years off cannot even finish TLS with Zoho: tvauth says why and keeps trying
    (NTP usually sets the clock within a minute of the network), instead of giving up at once."""
    from tests.config.cfg_netfakes import Server
    from tests.reliability.rel_helpers import FakeTime, fast_settings, make_future_cert
    from tvauth.errors import TLSVerificationError
    from tvauth.events import CLOCK_LOOKS_WRONG, Failed, NetworkTrouble

    cert, key = make_future_cert(tmp_path / "tls")
    server = Server(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    try:
        time_ = FakeTime()
        session = LiveSession(
            settings=fast_settings(f"https://127.0.0.1:{server.port}/us", tvauth_home),
            store=store_for(tvauth_home),
            sleep=time_.sleep,
            now=time_.now,
            clock=time_.clock,
        )
        events = []
        stream = session.sign_in()
        async for event in stream:
            events.append(event)
            if len(events) >= 6:
                break
        await stream.aclose()  # type: ignore[attr-defined]
    finally:
        server.stop()
    troubles = [e for e in events if isinstance(e, NetworkTrouble)]
    assert len(troubles) == 5
    assert not any(isinstance(e, Failed) for e in events)
    assert {t.reason for t in troubles} == {CLOCK_LOOKS_WRONG}
    error = troubles[0].error
    assert isinstance(error, TLSVerificationError)
    assert "not yet valid" in error.problem
    assert "clock" in error.remedy
    assert time_.slept == [1.0, 2.0, 4.0, 8.0]
    assert store_for(tvauth_home).load("default") is None


def test_plain_says_it_waits_for_the_clock() -> None:
    from tvauth.errors import TLSVerificationError
    from tvauth.events import CLOCK_LOOKS_WRONG, NetworkTrouble
    from tvauth.plain import _Printer

    class Session:
        scopes = ()

        def approve_hint(self, user_code: str) -> None:
            return None

    out = io.StringIO()
    printer = _Printer(out, lambda: 0.0, Session(), color=False)  # type: ignore[arg-type]
    error = TLSVerificationError(
        "The server's certificate could not be verified for accounts.zoho.com "
        "(certificate is not yet valid).",
        "This device's clock says 1970-01-01 00:05 UTC, which looks wrong.",
    )
    for attempt in (1, 2):
        printer.event(NetworkTrouble(CLOCK_LOOKS_WRONG, attempt, 0.0, 4.0, error))
    assert out.getvalue() == (
        "Waiting for this device's clock to be set: The server's certificate could not be "
        "verified for accounts.zoho.com (certificate is not yet valid); trying again in 4 s.\n"
    )
