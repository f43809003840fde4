"""Every state and key of the full-screen sign-in, driven by a scripted session and a frozen clock.

Assertions read what a person would see: the text on the terminal, which widgets are displayed,
whether a QR code is on screen, and the exit status a start-up script gets.
"""

from __future__ import annotations

import pytest

from tests.ui.fakes import (
    CODE,
    ScriptedSession,
    failed,
    issued,
    signed_in,
)
from tests.ui.helpers import flat, make_app, screen_text, shown, text_of
from tvauth.errors import (
    AccessDeniedError,
    CodeExpiredError,
    InvalidClientError,
    NetworkError,
    ServerResponseError,
    SignInRequiredError,
    ThrottledError,
    TokenFileCorruptError,
)
from tvauth.events import (
    WAITING_FOR_NETWORK,
    Approved,
    ClockWrong,
    DataCenterSwitched,
    NetworkTrouble,
    Pending,
    Requesting,
    SlowedDown,
)
from tvauth.redact import Secret
from tvauth.session import RenewalFailed, Renewed
from tvauth.tokens import TokenSet
from tvauth.ui.app import EXIT_CANCELLED, EXIT_FAILED, EXIT_SIGNED_IN
from tvauth.ui.screens import (
    ConfirmQuitScreen,
    ProblemScreen,
    SignedInScreen,
    SignInScreen,
)
from tvauth.ui.widgets import BigCode, QrCode

SIZE = (100, 30)
ACCOUNTS = "https://accounts.zoho.com"


async def _waiting(pilot, session, clock, **kwargs):  # type: ignore[no-untyped-def]
    session.push(Requesting(ACCOUNTS, clock.now), issued(clock, **kwargs))
    await pilot.pause()


def _tokens() -> TokenSet:
    return TokenSet(access_token=Secret("1000.secret-access"), refresh_token=None, expires_in=3600)


async def test_requesting_shows_where_it_asks_and_no_code_yet(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        session.push(Requesting(ACCOUNTS, clock.now))
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert session.sign_in_calls == 1
        assert text_of(app, "#status") == "Asking accounts.zoho.com for a code..."
        assert not shown(app, "#code")
        assert not shown(app, QrCode)
        assert "Only approve a code you can see on this screen." in flat(app)


async def test_waiting_shows_code_url_qr_countdown_scopes_and_warning(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        code = screen.query_one(BigCode)
        assert code.code == CODE
        assert code.glyph_height > 0  # block letters, not plain text
        assert text_of(app, "#url") == "accounts.zoho.com/oauth/v3/device"
        qr = screen.shown_qr()
        assert qr is not None
        assert qr.data == f"https://accounts.zoho.com/oauth/v3/device?user_code={CODE}"
        assert text_of(app, "#expires") == "Code expires in 5:00"
        assert text_of(app, "#status") == "Waiting for approval."
        assert text_of(app, "#scopes") == (
            "This device may read and change records in Zoho CRM and see your name and email "
            "address."
        )
        assert text_of(app, "#phishing") == "Only approve a code you can see on this screen."
        assert text_of(app, "#keys") == "Enter: new code Esc: quit"
        assert "https://" not in screen_text(app)


async def test_qr_falls_back_to_the_plain_verification_url(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock, complete=False)
        qr = app.screen.shown_qr()
        assert qr is not None
        assert qr.data == "https://accounts.zoho.com/oauth/v3/device"


async def test_countdown_and_checked_ago_follow_the_clock(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        clock.advance(30)
        session.push(Pending(polls=1, at=clock.now, next_poll_at=clock.now + 30))
        await pilot.pause()
        assert text_of(app, "#status") == "Waiting for approval, checked 0 s ago."
        clock.advance(31.5)
        app.screen.tick()
        await pilot.pause()
        assert text_of(app, "#expires") == "Code expires in 3:59"
        assert text_of(app, "#status") == "Waiting for approval, checked 31 s ago."
        clock.advance(300)
        app.screen.tick()
        await pilot.pause()
        assert text_of(app, "#expires") == "Code expired"


async def test_slow_down_is_said_in_words(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _waiting(pilot, session, clock)
        session.push(SlowedDown(interval=35, at=clock.now))
        session.push(Pending(polls=2, at=clock.now, next_poll_at=clock.now + 35))
        await pilot.pause()
        clock.advance(12)
        app.screen.tick()
        await pilot.pause()
        # Whole sentence on screen, in the narrow column beside the QR.
        assert (
            text_of(app, "#status") == "Waiting, checked 12 s ago; slowed to every 35 s as asked."
        )
        assert app.screen.shown_qr() is not None


async def test_network_trouble_counts_down_to_the_retry(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.push(
            NetworkTrouble(reason="timed out", attempt=1, at=clock.now, retry_at=clock.now + 10)
        )
        await pilot.pause()
        assert text_of(app, "#status") == "Network lost (timed out): retrying in 10 s."
        clock.advance(4)
        app.screen.tick()
        await pilot.pause()
        assert text_of(app, "#status") == "Network lost (timed out): retrying in 6 s."
        clock.advance(7)
        app.screen.tick()
        await pilot.pause()
        assert text_of(app, "#status") == "Network lost (timed out): retrying now."
        # The code stays up while the network is away.
        assert shown(app, "#code")


@pytest.mark.parametrize(
    ("error", "reason", "words"),
    [
        (ServerResponseError("accounts.zoho.com answered HTTP 500.", None), "HTTP 500", "Server trouble (HTTP 500)"),
        (ThrottledError("accounts.zoho.com asks to slow down.", None), "busy (slow)", "Server trouble (busy (slow))"),
        (NetworkError("accounts.zoho.com could not be reached.", None), "connection refused", "Network lost (connection refused)"),
    ],
)  # fmt: skip
async def test_a_server_error_is_not_called_a_lost_network(
    session, clock, error, reason, words
) -> None:  # type: ignore[no-untyped-def]
    """A 5xx or an error page means the network works: sending people to check their Wi-Fi
    would be wrong."""
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.push(
            NetworkTrouble(
                reason=reason, attempt=1, at=clock.now, retry_at=clock.now + 30, error=error
            )
        )
        await pilot.pause()
        assert text_of(app, "#status") == f"{words}: retrying in 30 s."


async def test_data_center_switch_and_approval_are_announced(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.push(
            DataCenterSwitched(
                from_location="us", to_location="eu", accounts_url="https://accounts.zoho.eu", at=0
            )
        )
        await pilot.pause()
        assert text_of(app, "#status") == "Approved by an account in Zoho EU: switching there..."
        session.push(Approved(_tokens(), "https://accounts.zoho.eu", "eu", clock.now))
        await pilot.pause()
        assert text_of(app, "#status") == "Approved. Saving the sign-in..."
        assert "secret-access" not in screen_text(app)


async def test_renewed_code_says_it_is_new(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        clock.advance(300)
        session.push(Requesting(ACCOUNTS, clock.now))
        await pilot.pause()
        assert not shown(app, "#code")  # the expired code is taken down at once
        session.push(issued(clock, "ZZZZ-2222", attempt=2))
        await pilot.pause()
        assert app.screen.query_one(BigCode).code == "ZZZZ-2222"
        assert text_of(app, "#enter") == "and enter this new code:"
        assert text_of(app, "#expires") == "Code expires in 5:00"


async def test_signed_in_screen_renews_in_the_background(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.push(signed_in(clock))
        await pilot.pause()
        assert isinstance(app.screen, SignedInScreen)
        words = flat(app)
        assert "Signed in as jane@example.com, Zoho EU" in words
        assert "Access token valid until 17:00 (1 h left)." in words
        assert "Next renewal at 16:55 (in 55 min)." in words
        assert "It renews by itself while this screen is up." in words
        assert session.keep_fresh_calls == 1
        assert session.closed == 1  # the sign-in iteration was closed once it ended

        clock.advance(55 * 60)
        session.push_renewal(Renewed(signed_in(clock)))
        await pilot.pause()
        words = flat(app)
        assert "Renewed at 16:55; it keeps renewing by itself." in words
        assert "Next renewal at 17:50 (in 55 min)." in words

        session.push_renewal(
            RenewalFailed(TokenFileCorruptError("x", "y"), will_retry=True),
        )
        await pilot.pause()
        assert "It will try again by itself." in flat(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value == EXIT_SIGNED_IN


async def test_renewal_that_needs_a_new_sign_in_offers_one(session, clock) -> None:
    session.signed_in = signed_in(clock)
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignedInScreen)
        assert session.sign_in_calls == 0
        err = SignInRequiredError("Zoho EU no longer accepts this device's sign-in.")
        session.push_renewal(RenewalFailed(err, will_retry=False))
        await pilot.pause()
        words = flat(app)
        assert "Renewal failed: Zoho EU no longer accepts this device's sign-in." in words
        assert "Press Enter to sign in again." in words
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert session.sign_in_calls == 1


async def test_quit_after_renewal_died_is_not_success(session, clock) -> None:
    session.signed_in = signed_in(clock)
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session.push_renewal(RenewalFailed(SignInRequiredError("Revoked."), will_retry=False))
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == EXIT_FAILED


async def test_exit_on_success_leaves_with_status_zero(session, clock) -> None:
    app = make_app(session, clock, exit_on_success=True)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.push(signed_in(clock))
        await pilot.pause()
    assert app.return_value == EXIT_SIGNED_IN
    assert session.keep_fresh_calls == 0


async def test_exit_on_success_when_already_signed_in(session, clock) -> None:
    session.signed_in = signed_in(clock)
    app = make_app(session, clock, exit_on_success=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_value == EXIT_SIGNED_IN
    assert session.sign_in_calls == 0


@pytest.mark.parametrize(
    ("error", "banner", "headline"),
    [
        (CodeExpiredError("Nobody approved the code in time."), "EXPIRED", "The code expired."),
        (
            AccessDeniedError("The sign-in was denied on Zoho's page."),
            "DENIED",
            "Sign-in was denied.",
        ),
    ],
)
async def test_expired_and_denied_wait_for_a_key_then_start_again(
    session, clock, error, banner, headline
) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.push(failed(clock, error))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemScreen)
        assert screen.query_one("#banner", BigCode).code == banner
        words = flat(app)
        assert headline in words
        assert f"What is wrong: {error.problem}" in words
        assert f"What to do: {error.remedy}" in words
        assert "Enter: try again with a new code" in words
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert session.sign_in_calls == 2


async def test_errors_show_both_sentences_and_the_data_center(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        err = InvalidClientError("Zoho US does not know this client id.")
        session.push(failed(clock, err))
        await pilot.pause()
        words = flat(app)
        assert "Sign-in did not work." in words
        assert "What is wrong: Zoho US does not know this client id." in words
        assert "What to do: Check the client id and secret in Zoho's API console" in words
        assert "Data center: Zoho US" in words
        assert "Traceback" not in words
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == EXIT_FAILED


async def test_a_crashing_session_becomes_a_problem_screen_not_a_traceback(clock) -> None:
    class Crashing(ScriptedSession):
        async def _boom(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("internal detail that must not reach the screen")
            yield  # pragma: no cover

        def sign_in(self):  # type: ignore[no-untyped-def]
            self.sign_in_calls += 1
            return self._boom()

    session = Crashing()
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        words = flat(app)
        assert "Something unexpected went wrong while signing in." in words
        assert "internal detail" not in words
        assert "Traceback" not in words
        assert app.is_running


async def test_a_session_that_stops_without_an_answer_is_a_problem(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        session.end()
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        assert "The sign-in stopped without an answer from the server." in flat(app)


async def test_a_broken_token_store_at_start_is_explained(session, clock) -> None:
    session.existing_error = TokenFileCorruptError(
        "The token file for profile 'default' could not be read.",
        "It was moved aside; sign in again.",
    )
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        words = flat(app)
        assert "What is wrong: The token file for profile 'default' could not be read." in words
        assert "What to do: It was moved aside; sign in again." in words
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)


@pytest.mark.parametrize("key", ["enter", "r"])
async def test_new_code_keys_restart_the_flow(session, clock, key) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        await pilot.press(key)
        await pilot.pause()
        assert session.sign_in_calls == 2
        assert session.closed == 1  # the old flow was cancelled and closed
        assert isinstance(app.screen, SignInScreen)
        assert not shown(app, "#code")  # no stale code while the new one is requested


@pytest.mark.parametrize("key", ["escape", "q", "backspace"])
async def test_back_asks_first_during_sign_in_then_quits_on_back_again(session, clock, key) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        words = flat(app)
        assert "Stop signing in?" in words
        assert "Press Esc, Back or Q again to quit." in words
        await pilot.press(key)
        await pilot.pause()
    assert app.return_value == EXIT_CANCELLED


@pytest.mark.parametrize("key", ["enter", "n", "space"])
async def test_ok_in_the_quit_question_keeps_waiting(session, clock, key) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.is_running
        assert session.sign_in_calls == 1  # Enter answered the question, it did not ask for a code
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_value == EXIT_CANCELLED


async def test_a_result_arriving_during_the_quit_question_wins(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        await pilot.press("escape")
        await pilot.pause()
        session.push(signed_in(clock))
        await pilot.pause()
        assert isinstance(app.screen, SignedInScreen)
        await pilot.press("escape")  # not signing in any more: quits at once
        await pilot.pause()
    assert app.return_value == EXIT_SIGNED_IN


async def test_ctrl_c_quits_at_once(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_value == EXIT_CANCELLED


async def test_demo_shows_how_to_approve_without_a_phone(clock) -> None:
    session = ScriptedSession(hint="curl -d user_code={code} http://127.0.0.1:9/approve")
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        assert text_of(app, "#hint").replace(" \\ ", " ") == (
            f"Demo, no phone? Approve with: curl -d user_code={CODE} http://127.0.0.1:9/approve"
        )


@pytest.mark.parametrize(
    ("host", "qr_first"), [("192.168.1.20:8765", True), ("127.0.0.1:8765", False)]
)
async def test_demo_on_the_lan_gives_the_curl_line_up_for_the_qr_at_80x24(
    clock, host: str, qr_first: bool
) -> None:
    """With --lan a phone can open the QR, which is the point of it; on 127.0.0.1 it cannot, and
    the curl line is the way to approve."""
    session = ScriptedSession(
        hint=f"curl -d user_code={{code}} -d account=jane@example.com \\\n  http://{host}/emulator/approve"
    )
    app = make_app(session, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _waiting(pilot, session, clock, url=f"http://{host}/us/oauth/v3/device")
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        assert (screen.shown_qr() is not None) is qr_first
        assert shown(app, "#hint") is not qr_first
        assert shown(app, "#code")


async def test_no_hint_outside_the_demo(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        assert "Demo" not in screen_text(app)
        assert not shown(app, "#hint")


async def test_layout_is_chosen_again_on_resize(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        assert screen.arrangement is not None
        assert screen.arrangement.kind == "wide"
        assert shown(app, "#qr-wide")

        await pilot.resize_terminal(50, 60)
        await pilot.pause()
        assert screen.arrangement.kind == "stacked"
        assert shown(app, "#qr-stacked")
        assert not shown(app, "#qr-wide")

        await pilot.resize_terminal(39, 20)
        await pilot.pause()
        assert screen.arrangement.kind == "text"
        assert not shown(app, QrCode)
        assert text_of(app, "#qr-note").startswith("Make the window at least")
        assert text_of(app, "#qr-note").endswith("to see a QR code.")
        assert shown(app, "#code")  # the code itself is still on screen
        assert screen.query_one(BigCode).code == CODE

        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert screen.arrangement.kind == "wide"
        assert shown(app, "#qr-wide")
        assert not shown(app, "#qr-note")


async def test_device_code_never_reaches_the_screen(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _waiting(pilot, session, clock)
        secret = issued(clock).authorization.device_code.reveal()
        assert secret not in screen_text(app)
        assert secret not in app.export_screenshot()


async def test_events_that_arrive_before_the_screen_is_built_are_shown(session, clock) -> None:
    # A fast session can answer before the first screen has mounted its widgets.
    session.push(Requesting(ACCOUNTS, clock.now), issued(clock))
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one(BigCode).code == CODE
        assert app.screen.shown_qr() is not None


async def test_renewal_news_before_the_signed_in_screen_is_built(session, clock) -> None:
    session.signed_in = signed_in(clock)
    session.push_renewal(RenewalFailed(SignInRequiredError("Revoked at Zoho."), will_retry=False))
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignedInScreen)
        assert "Renewal failed: Revoked at Zoho." in flat(app)


CLOCK = (
    "This device's clock is about 56 years behind Zoho's; tvauth uses Zoho's time until it is "
    "fixed (check 'timedatectl' and NTP)."
)


async def test_waiting_for_the_network_before_any_code(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        session.push(Requesting(ACCOUNTS, clock.now))
        session.push(
            NetworkTrouble(
                reason=WAITING_FOR_NETWORK, attempt=3, at=clock.now, retry_at=clock.now + 30
            )
        )
        await pilot.pause()
        assert text_of(app, "#status") == "Waiting for the network: retrying in 30 s."
        assert not shown(app, "#code")


async def test_a_wrong_clock_is_explained_where_there_is_room(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await _waiting(pilot, session, clock)
        session.push(ClockWrong(skew=56 * 365 * 86400, message=CLOCK))
        await pilot.pause()
        assert text_of(app, "#clock") == CLOCK
        assert app.screen.shown_qr() is not None


async def test_a_wrong_clock_note_gives_way_to_the_qr(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _waiting(pilot, session, clock)
        session.push(ClockWrong(skew=56 * 365 * 86400, message=CLOCK))
        await pilot.pause()
        assert app.screen.shown_qr() is not None
        assert not shown(app, "#clock")


async def test_a_wrong_clock_on_the_signed_in_screen(session, clock) -> None:
    session.signed_in = signed_in(clock)
    app = make_app(session, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not shown(app, "#clock")
        session.push_renewal(ClockWrong(skew=-7200, message=CLOCK))
        await pilot.pause()
        assert CLOCK in flat(app)
