"""A phone must be able to read the QR code the app draws, in every layout that shows one.

Each case runs the real app at a terminal size, takes the QR widget's cells from the composited
screen, rebuilds the picture and decodes it with zxing-cpp. The last tests break the drawing on
purpose (quiet zone, polarity, aspect) and check that the same check then fails.
"""

from __future__ import annotations

import pytest
from rich.color import Color
from rich.style import Style

import tvauth.ui.widgets as widgets
from tests.ui.fakes import URL, FrozenClock, ScriptedSession, issued
from tests.ui.helpers import make_app
from tests.ui.qrscan import assert_scannable, capture, decode
from tvauth.events import Requesting
from tvauth.ui.screens import SignInScreen
from tvauth.zoho import DATA_CENTERS

LAN_URL = "http://192.168.178.123:48123/oauth/v3/device"


async def _show_qr(size, *, ansi=False, url=URL, code="KQ7M-3WXP", complete=True):  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    session = ScriptedSession()
    app = make_app(session, clock, ansi=ansi)
    return app, session, clock, issued(clock, code, url=url, complete=complete)


@pytest.mark.parametrize(
    ("size", "kind", "scale"),
    [
        ((80, 24), "wide", 1),
        ((100, 30), "wide", 1),
        ((160, 45), "wide", 1),
        ((240, 67), "wide", 2),
        ((50, 60), "stacked", 1),
        ((110, 120), "stacked", 2),
    ],
)
async def test_the_drawn_qr_decodes_to_the_url(size, kind, scale) -> None:
    app, session, clock, event = await _show_qr(size)
    async with app.run_test(size=size) as pilot:
        session.push(Requesting("https://accounts.zoho.com", clock.now), event)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        assert screen.arrangement is not None
        assert (screen.arrangement.kind, screen.arrangement.qr_scale) == (kind, scale)
        qr = screen.shown_qr()
        assert qr is not None
        assert_scannable(app, qr.region, event.authorization.qr_url)


async def test_sixteen_colour_console_still_draws_black_on_white() -> None:
    app, session, _clock, event = await _show_qr((80, 24), ansi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        assert_scannable(app, qr.region, event.authorization.qr_url, sixteen=True)


@pytest.mark.parametrize("complete", [True, False])
async def test_lan_demo_address_and_plain_url_decode(complete) -> None:
    app, session, _clock, event = await _show_qr((100, 30), url=LAN_URL, complete=complete)
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        expected = f"{LAN_URL}?user_code=KQ7M-3WXP" if complete else LAN_URL
        assert_scannable(app, qr.region, expected)


# -- the check must catch a broken drawing ----------------------------------------------------


async def test_a_missing_quiet_zone_fails_the_check(monkeypatch) -> None:
    real = widgets.qr_matrix
    monkeypatch.setattr(widgets, "qr_matrix", lambda data: real(data, border=1))
    app, session, _clock, event = await _show_qr((100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        with pytest.raises(AssertionError, match="quiet zone"):
            assert_scannable(app, qr.region, event.authorization.qr_url)


async def test_inverted_colours_fail_the_check(monkeypatch) -> None:
    inverted = Style(color=Color.from_rgb(255, 255, 255), bgcolor=Color.from_rgb(0, 0, 0))
    monkeypatch.setattr(widgets, "QR_STYLE", inverted)
    app, session, _clock, event = await _show_qr((100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        with pytest.raises(AssertionError):
            assert_scannable(app, qr.region, event.authorization.qr_url)
        # And the decoder alone refuses a light-on-dark code.
        assert decode(capture(app, qr.region)) == []


async def test_stretched_modules_fail_the_check(monkeypatch) -> None:
    def wide_modules(matrix, scale):  # type: ignore[no-untyped-def]
        return [[cell for cell in row for _ in range(2)] for row in matrix]

    monkeypatch.setattr(widgets, "_scaled", wide_modules)
    app, session, _clock, event = await _show_qr((160, 45))
    async with app.run_test(size=(160, 45)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        with pytest.raises(AssertionError, match="not square"):
            assert_scannable(app, qr.region, event.authorization.qr_url)


async def test_a_clipped_code_fails_the_check() -> None:
    app, session, _clock, event = await _show_qr((100, 30))
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        clipped = qr.region.crop_size((qr.region.width - 6, qr.region.height))
        with pytest.raises(AssertionError):
            assert_scannable(app, clipped, event.authorization.qr_url)


@pytest.mark.parametrize("location", sorted(DATA_CENTERS))
async def test_every_data_center_gets_a_readable_qr_at_80x24(location) -> None:  # type: ignore[no-untyped-def]
    url = DATA_CENTERS[location].accounts_url + "/oauth/v3/device"
    app, session, _clock, event = await _show_qr((80, 24), url=url, code="KQ7MX3WP")
    async with app.run_test(size=(80, 24)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None, f"no QR for {url} at 80x24"
        # Where the pre-filled address makes too big a code, the bare address is drawn instead.
        assert qr.data in (event.authorization.qr_url, url)
        assert_scannable(app, qr.region, qr.data)


async def test_the_prefilled_address_is_preferred_when_both_fit() -> None:
    url = DATA_CENTERS["au"].accounts_url + "/oauth/v3/device"
    app, session, _clock, event = await _show_qr((100, 30), url=url, code="KQ7MX3WP")
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(event)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        assert qr.data == event.authorization.qr_url
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        qr = app.screen.shown_qr()
        assert qr is not None
        assert qr.data == url
        assert_scannable(app, qr.region, url)
