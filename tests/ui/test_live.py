"""The full-screen app with the real session against the emulator, approved the way a phone does it.

The app runs headless (Textual's pilot) with ``tvauth.signin.LiveSession`` talking HTTP to the
emulator on loopback. The test then opens the URL the QR code on screen encodes, fills in the
verification forms like a phone's browser, and checks the signed-in screen and the stored token.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx

from tests.conftest import MakeEmulator
from tests.emulator.htmlforms import Form, parse_forms
from tests.ui.helpers import flat, text_of
from tvauth.config import load_settings
from tvauth.paths import HOME_ENV, resolve_paths
from tvauth.signin import LiveSession
from tvauth.store import TokenStore
from tvauth.ui.app import EXIT_SIGNED_IN, TvauthApp
from tvauth.ui.screens import ProblemScreen, SignedInScreen, SignInScreen
from tvauth.ui.widgets import BigCode


def _session(base: str, home: Path) -> LiveSession:
    from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

    paths = resolve_paths({HOME_ENV: str(home)})
    flags = argparse.Namespace(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        scope=["AaaServer.profile.Read", "ZohoCRM.modules.ALL"],
        accounts_url=base,
        profile="live",
    )
    settings = load_settings(flags, environ={HOME_ENV: str(home)}, paths=paths)
    return LiveSession(settings=settings, store=TokenStore(paths.tokens_dir), location="us")


def _only_form(html: str) -> Form:
    forms = parse_forms(html)
    assert len(forms) == 1, html
    return forms[0]


def _approve_like_a_phone(page_url: str, account: str, decision: str) -> str:
    with httpx.Client(timeout=5.0) as http:
        page = http.get(page_url)
        form = _only_form(page.text)
        consent = http.post(urljoin(page_url, form.action), data=form.submission())
        form = _only_form(consent.text)
        button = next(b for b in form.buttons() if b.value == decision)
        done = http.post(
            urljoin(str(consent.url), form.action), data=form.submission(button, account=account)
        )
        return done.text


async def _until(pilot, condition, within: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the screen did not get there in time"
        await pilot.pause(0.05)


async def test_sign_in_approved_on_the_phone_page(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    emulator = make_emulator(interval=0.2, code_lifetime=30.0)
    session = _session(emulator.base_url("us"), tmp_path / "home")
    app = TvauthApp(session, ansi=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(
            pilot, lambda: bool(app.screen.query(BigCode) and app.screen.query_one(BigCode).code)
        )
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        code = screen.query_one(BigCode).code
        qr = screen.shown_qr()
        assert qr is not None
        assert qr.data is not None
        assert code in qr.data  # the QR pre-fills the code on the phone
        assert text_of(app, "#url").endswith("/oauth/v3/device")

        # An EU account approves: the flow switches data center, then signs in.
        done = await asyncio.to_thread(_approve_like_a_phone, qr.data, "jane@example.com", "allow")
        assert "Signed in as jane@example.com" in done
        await _until(pilot, lambda: "Next renewal at" in flat(app))
        assert isinstance(app.screen, SignedInScreen)
        words = flat(app)
        assert "Signed in as jane@example.com" in words
        assert "Next renewal at" in words
        assert session.existing() is not None  # stored: a second run would not ask again
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == EXIT_SIGNED_IN


async def test_denied_on_the_phone_page_says_so(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    emulator = make_emulator(interval=0.2, code_lifetime=30.0)
    session = _session(emulator.base_url("us"), tmp_path / "home")
    app = TvauthApp(session, ansi=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(
            pilot, lambda: bool(app.screen.query(BigCode) and app.screen.query_one(BigCode).code)
        )
        qr = app.screen.shown_qr()
        assert qr is not None
        assert qr.data is not None
        await asyncio.to_thread(_approve_like_a_phone, qr.data, "jane@example.com", "deny")
        await _until(pilot, lambda: "Sign-in was denied." in flat(app))
        assert isinstance(app.screen, ProblemScreen)
        assert session.existing() is None


async def test_a_new_code_on_request_while_waiting_is_a_new_code_not_a_problem(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    """R and Enter ask for a new code while the first sign-in still holds the profile's claim:
    the new one must wait for the old one to let go, not report "another tvauth is signing in"."""
    emulator = make_emulator(interval=0.2, code_lifetime=30.0)
    session = _session(emulator.base_url("us"), tmp_path / "home")
    app = TvauthApp(session, ansi=False)

    def code_on_screen() -> str:
        screen = app.screen
        if not isinstance(screen, SignInScreen) or not screen.query(BigCode):
            return ""
        return screen.query_one(BigCode).code

    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: bool(code_on_screen()))
        for key in ("r", "enter"):
            first = code_on_screen()
            await pilot.press(key)

            def moved_on(first: str = first) -> bool:
                return code_on_screen() not in {"", first} or not isinstance(
                    app.screen, SignInScreen
                )

            await _until(pilot, moved_on)
            assert isinstance(app.screen, SignInScreen), flat(app)
        qr = app.screen.shown_qr()
        assert qr is not None
        assert qr.data is not None
        await asyncio.to_thread(_approve_like_a_phone, qr.data, "ada@example.com", "allow")
        await _until(pilot, lambda: "Next renewal at" in flat(app))
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == EXIT_SIGNED_IN
