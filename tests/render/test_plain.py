"""The plain-text sign-in, driven by a scripted session and a frozen clock."""

from __future__ import annotations

import asyncio
import io

import pytest

from tvauth import plain
from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    InvalidClientError,
    NetworkError,
    StoreError,
    TvauthError,
)
from tvauth.events import (
    Approved,
    DataCenterSwitched,
    Failed,
    NetworkTrouble,
    Pending,
    Requesting,
    SlowedDown,
)
from tvauth.redact import Secret
from tvauth.session import RenewalFailed, Renewed, SessionEvent
from tvauth.tokens import TokenSet

from .fakes import DEVICE_CODE, FakeClock, ScriptedSession, code_issued, signed_in
from .qrscan import assert_scannable, cells_to_image

TOKENS = TokenSet(
    access_token=Secret("1000.access-token-value-xyz"), refresh_token=None, expires_in=3600
)


def pending(at: float, polls: int = 1) -> Pending:
    return Pending(polls=polls, at=at, next_poll_at=at + 5)


def approved(at: float) -> Approved:
    return Approved(tokens=TOKENS, accounts_url="https://accounts.zoho.eu", location="eu", at=at)


async def run(
    events: list[SessionEvent], *, exit_on_success: bool = True, **kwargs: object
) -> tuple[int, str, ScriptedSession]:
    clock = FakeClock(999.0)
    session = ScriptedSession(events, clock=clock, **kwargs)  # type: ignore[arg-type]
    out = io.StringIO()
    code = await plain.run_plain(session, out, clock=clock, exit_on_success=exit_on_success)
    return code, out.getvalue(), session


def assert_no_secrets(text: str) -> None:
    assert DEVICE_CODE not in text
    assert DEVICE_CODE[-4:] not in text  # not even the masked tail
    assert "access-token-value" not in text


async def test_happy_path_prints_code_url_qr_and_result() -> None:
    events: list[SessionEvent] = [
        Requesting("https://accounts.zoho.com", at=999.0),
        code_issued(at=1000.0),
        *(pending(1000.0 + 5 * i, polls=i) for i in range(1, 21)),
        approved(1101.0),
        signed_in(),
    ]
    code, text, session = await run(events)
    assert code == plain.EXIT_OK
    lines = text.splitlines()
    assert "Asking accounts.zoho.com for a sign-in code..." in lines
    assert "Code: ABCD-1234" in lines
    assert "Go to accounts.zoho.com/oauth/v3/device and enter the code." in lines
    assert "Or scan this QR code with a phone (it fills in the code):" in lines
    assert "The code is valid for 5 min. Only approve a code you can see here." in lines
    # 20 polls over 100 s: a status line at most every 30 s, never one per poll.
    waiting = [line for line in lines if line.startswith("Waiting for approval")]
    assert waiting == [
        "Waiting for approval; the code is valid for another 4 min 55 s.",
        "Waiting for approval; the code is valid for another 4 min 25 s.",
        "Waiting for approval; the code is valid for another 3 min 55 s.",
        "Waiting for approval; the code is valid for another 3 min 25 s.",
    ]
    assert lines[-2] == "Signed in as jane@example.com, Zoho EU."
    assert lines[-1] == (
        "Access token valid until 2026-11-28 17:00 UTC; next renewal at 2026-11-28 16:50 UTC."
    )
    assert session.closed
    assert_no_secrets(text)


async def test_printed_qr_decodes_to_the_complete_url() -> None:
    code, text, _ = await run([code_issued(at=1000.0), signed_in()])
    assert code == 0
    lines = text.splitlines()
    start = lines.index("Or scan this QR code with a phone (it fills in the code):") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("The code is valid"))
    qr_rows = lines[start:end]
    url = "https://accounts.zoho.com/oauth/v3/device?user_code=ABCD-1234"
    from tvauth.qr import qr_matrix

    image = cells_to_image(qr_rows, drawn_dark=False, surround=3, surround_fill="dark")
    assert_scannable(image, url, modules=len(qr_matrix(url, border=0)))


async def test_without_complete_url_the_qr_holds_the_plain_url() -> None:
    _, text, _ = await run([code_issued(at=1000.0, complete=False), signed_in()])
    lines = text.splitlines()
    assert "Or scan this QR code with a phone:" in lines
    from tvauth.qr import text_qr

    assert text_qr("https://accounts.zoho.com/oauth/v3/device") in text


@pytest.mark.parametrize("user_code", ["abcd-1234", "ABCDEFGH", "Xy7-Qz0", "A1B2 C3"])
async def test_code_is_printed_exactly_as_sent(user_code: str) -> None:
    _, text, _ = await run([code_issued(at=1000.0, user_code=user_code), signed_in()])
    assert f"Code: {user_code}\n" in text


async def test_slow_down_and_dc_switch_are_reported_once_and_pending_resumes_at_once() -> None:
    events: list[SessionEvent] = [
        code_issued(at=1000.0),
        pending(1005.0),
        SlowedDown(interval=10.0, at=1010.0),
        SlowedDown(interval=10.0, at=1011.0),
        pending(1020.0),  # a change since the last waiting line: printed though < 30 s
        pending(1030.0),
        DataCenterSwitched(
            from_location="us", to_location="eu", accounts_url="https://accounts.zoho.eu", at=1031.0
        ),
        DataCenterSwitched(
            from_location="us", to_location="eu", accounts_url="https://accounts.zoho.eu", at=1032.0
        ),
        approved(1040.0),
        signed_in(),
    ]
    code, text, _ = await run(events)
    assert code == 0
    lines = text.splitlines()
    assert lines.count("The server asked to check less often; now every 10 s.") == 1
    assert lines.count("Approved by an account in Zoho EU; finishing the sign-in there.") == 1
    waiting = [line for line in lines if line.startswith("Waiting")]
    assert len(waiting) == 2
    assert "Approved; saving the sign-in..." in lines


async def test_network_trouble_is_throttled_and_recovery_announced() -> None:
    events: list[SessionEvent] = [code_issued(at=1000.0)]
    events += [
        NetworkTrouble(
            reason="connection refused", attempt=i, at=1000.0 + 2 * i, retry_at=1000.0 + 2 * i + 8
        )
        for i in range(1, 21)
    ]
    events += [pending(1050.0), signed_in()]
    code, text, _ = await run(events)
    assert code == 0
    trouble = [line for line in text.splitlines() if line.startswith("Network trouble")]
    # 20 retries over 40 s: the first line, and one more after 30 s.
    assert trouble == [
        "Network trouble (connection refused); retrying in 8 s.",
        "Network trouble (connection refused); retrying in 8 s.",
    ]
    lines = text.splitlines()
    back = lines.index("The network is back.")
    assert lines[back + 1].startswith("Waiting for approval")


async def test_a_renewed_code_is_shown_again() -> None:
    events: list[SessionEvent] = [
        code_issued(at=1000.0, user_code="AAAA-1111"),
        pending(1100.0),
        Requesting("https://accounts.zoho.com", at=1300.0),
        code_issued(at=1301.0, attempt=2, user_code="BBBB-2222"),
        pending(1305.0),
        signed_in(),
    ]
    _, text, _ = await run(events)
    lines = text.splitlines()
    renew = lines.index("The code expired unused; asking for a new one...")
    assert lines.index("Code: AAAA-1111") < renew < lines.index("Code: BBBB-2222")
    assert [line for line in lines if line.startswith("Waiting")][-1] == (
        "Waiting for approval; the code is valid for another 4 min 56 s."
    )


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (AccessDeniedError("The sign-in was denied on the verification page."), plain.EXIT_DENIED),
        (CodeExpiredError("Nobody approved the code in time."), plain.EXIT_EXPIRED),
        (
            InvalidClientError("Zoho EU does not know this client id."),
            plain.EXIT_ERROR,
        ),
        (NetworkError("Cannot reach accounts.zoho.eu."), plain.EXIT_ERROR),
    ],
)
async def test_failures_print_problem_and_remedy_with_distinct_status(
    error: TvauthError, status: int
) -> None:
    code, text, _ = await run(
        [code_issued(at=1000.0), pending(1005.0), Failed(error=error, at=1010.0)]
    )
    assert code == status
    lines = text.splitlines()
    assert lines[-2] == f"Sign-in failed: {error.problem}"
    assert lines[-1] == error.remedy
    assert "Traceback" not in text
    assert_no_secrets(text)


def test_exit_statuses_are_distinct() -> None:
    statuses = {plain.EXIT_OK, plain.EXIT_ERROR, plain.EXIT_DENIED, plain.EXIT_EXPIRED}
    assert len(statuses) == 4
    assert not statuses & {2, 130}  # argparse and Ctrl-C keep theirs


async def test_already_signed_in_does_not_start_a_flow() -> None:
    code, text, session = await run([], existing=signed_in(email=None, data_center="emulator (eu)"))
    assert code == 0
    assert session.sign_in_calls == 0
    assert text.splitlines()[0] == "Already signed in as Jane Doe, emulator (eu)."


async def test_error_raised_by_the_session_is_reported() -> None:
    code, text, _ = await run(
        [code_issued(at=1000.0)],
        raise_after=StoreError("The token file could not be written.", "Free some disk space."),
    )
    assert code == plain.EXIT_ERROR
    assert text.splitlines()[-2:] == [
        "Sign-in failed: The token file could not be written.",
        "Free some disk space.",
    ]


async def test_a_session_that_ends_without_result_is_an_error() -> None:
    code, text, _ = await run([code_issued(at=1000.0), pending(1005.0)])
    assert code == plain.EXIT_ERROR
    assert "Sign-in failed: the sign-in ended without a result." in text


async def test_output_that_cannot_show_blocks_gets_no_qr_but_everything_else() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", newline="\n")
    clock = FakeClock()
    session = ScriptedSession([code_issued(at=1000.0), pending(1005.0), signed_in()], clock=clock)
    code = await plain.run_plain(session, out, clock=clock)
    out.flush()
    text = raw.getvalue().decode("ascii")
    assert code == 0
    assert "Code: ABCD-1234" in text
    assert "(No QR code: this output cannot show block characters; use the address.)" in text
    assert "Signed in as jane@example.com, Zoho EU." in text


async def test_cancelling_stops_the_session_at_once() -> None:
    clock = FakeClock()
    session = ScriptedSession([code_issued(at=1000.0)], clock=clock, hang_after=True)
    out = io.StringIO()
    task = asyncio.create_task(plain.run_plain(session, out, clock=clock))
    for _ in range(20):
        await asyncio.sleep(0)
        if "Code: ABCD-1234" in out.getvalue():
            break
    assert "Code: ABCD-1234" in out.getvalue()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.closed


async def test_staying_up_reports_renewals_until_one_fails_for_good() -> None:
    renewals: list[SessionEvent] = [
        Renewed(signed_in()),
        RenewalFailed(NetworkError("Cannot reach accounts.zoho.eu."), will_retry=True),
        RenewalFailed(
            StoreError("The token file could not be written.", "Free some disk space."),
            will_retry=False,
        ),
    ]
    code, text, _ = await run(
        [code_issued(at=1000.0), signed_in()], exit_on_success=False, renewals=renewals
    )
    assert code == plain.EXIT_ERROR
    lines = text.splitlines()
    assert lines[-3] == "Access token renewed; valid until 2026-11-28 17:00 UTC."
    assert lines[-2].startswith("Could not renew the access token: Cannot reach accounts.zoho.eu.")
    assert lines[-2].endswith("Trying again by itself.")
    assert lines[-1] == (
        "Could not renew the access token: The token file could not be written. Free some disk space."
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://accounts.zoho.com/oauth/v3/device", "accounts.zoho.com/oauth/v3/device"),
        ("HTTPS://accounts.zoho.eu/oauth/v3/device", "accounts.zoho.eu/oauth/v3/device"),
        ("http://192.168.1.5:8080/oauth/v3/device", "http://192.168.1.5:8080/oauth/v3/device"),
        ("https://accounts.zoho.com/", "accounts.zoho.com"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert plain.display_url(url) == shown


async def test_scopes_in_words_once_and_demo_hint_with_each_code() -> None:
    events: list[SessionEvent] = [
        code_issued(at=1000.0, user_code="AAAA-1111"),
        Requesting("https://accounts.zoho.com", at=1300.0),
        code_issued(at=1301.0, attempt=2, user_code="BBBB-2222"),
        signed_in(),
    ]
    _, text, _ = await run(events, hint="curl -d user_code={user_code} http://127.0.0.1:1/approve")
    lines = text.splitlines()
    from tvauth.scopes import scopes_sentence

    sentence = scopes_sentence(("ZohoCRM.modules.ALL",))  # wording owned by tvauth.scopes
    assert "Zoho CRM" in sentence
    assert lines.count(sentence) == 1
    assert (
        "To approve without a phone (demo): curl -d user_code=AAAA-1111 http://127.0.0.1:1/approve"
        in lines
    )
    assert (
        "To approve without a phone (demo): curl -d user_code=BBBB-2222 http://127.0.0.1:1/approve"
        in lines
    )


async def test_no_demo_hint_for_a_real_session() -> None:
    _, text, _ = await run([code_issued(at=1000.0), signed_in()])
    assert "without a phone" not in text


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "expect_color"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "linux"}, True),
        ({"TERM": "xterm", "NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
    ],
)
async def test_colour_qr_only_on_a_terminal_that_wants_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expect_color: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    clock = FakeClock()
    out = FakeTty()
    session = ScriptedSession([code_issued(at=1000.0), signed_in()], clock=clock)
    assert await plain.run_plain(session, out, clock=clock) == 0
    assert ("\x1b[30;47m" in out.getvalue()) is expect_color
    from tvauth.qr import ansi_qr, text_qr

    url = "https://accounts.zoho.com/oauth/v3/device?user_code=ABCD-1234"
    assert (ansi_qr(url) if expect_color else text_qr(url)) in out.getvalue()


async def test_no_escapes_in_a_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, text, _ = await run(
        [code_issued(at=1000.0), pending(1005.0), signed_in()]
    )  # StringIO: no tty
    assert "\x1b" not in text


async def test_switch_to_a_non_zoho_server_names_its_host() -> None:
    events: list[SessionEvent] = [
        code_issued(at=1000.0),
        DataCenterSwitched(
            from_location="us", to_location="eu", accounts_url="http://127.0.0.1:8123", at=1001.0
        ),
        signed_in(data_center="emulator (eu)"),
    ]
    _, text, _ = await run(events)
    assert (
        "Approved by an account in Zoho EU at 127.0.0.1:8123; finishing the sign-in there." in text
    )
    assert "Signed in as jane@example.com, emulator (eu)." in text


def test_durations_ignore_float_noise() -> None:
    """(a + 300.0) - a is not exactly 300 for every a; the lifetime must still read 5 min."""
    from tvauth.plain import _duration
    from tvauth.ui.texts import countdown_text

    a = 1915.048885082
    assert (a + 300.0) - a != 300.0
    assert _duration((a + 300.0) - a) == "5 min"
    assert countdown_text((a + 300.0) - a) == "Code expires in 5:00"
    assert countdown_text(299.2) == "Code expires in 5:00"
