"""While waiting, the screen does almost nothing: each second repaints the two changing lines only.

Counts what Textual renders: the QR code and the big code must not be drawn again by a tick, a
second with no visible change must draw nothing, and no tick may re-run the layout.
"""

from __future__ import annotations

from collections import Counter

import pytest
from textual._compositor import Compositor

from tests.ui.fakes import issued, signed_in
from tests.ui.helpers import make_app
from tvauth.events import Pending
from tvauth.ui.widgets import BigCode, QrCode, Ticker


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counts: Counter[str] = Counter()

    def spy(cls, method, key):  # type: ignore[no-untyped-def]
        real = getattr(cls, method)

        def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            counts[key(self)] += 1
            return real(self, *args, **kwargs)

        monkeypatch.setattr(cls, method, counted)

    spy(QrCode, "render_line", lambda w: "qr")
    spy(BigCode, "render_line", lambda w: "code")
    spy(Ticker, "render", lambda w: f"ticker#{w.id}")
    spy(Compositor, "reflow", lambda c: "layout")
    return counts


async def test_a_tick_repaints_only_the_lines_that_changed(session, clock, renders) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(issued(clock), Pending(polls=1, at=clock.now, next_poll_at=clock.now + 30))
        await pilot.pause()
        screen = app.screen
        await pilot.pause()
        assert renders["qr"] > 0
        assert renders["code"] > 0
        renders.clear()

        # Nothing changed on the clock: nothing is drawn.
        for _ in range(5):
            screen.tick()  # type: ignore[attr-defined]
            await pilot.pause()
        assert sum(renders.values()) == 0, renders

        # One second later: the countdown and "checked N s ago" change, and only they are drawn.
        for _ in range(3):
            clock.advance(1)
            screen.tick()  # type: ignore[attr-defined]
            await pilot.pause()
        assert set(renders) == {"ticker#expires", "ticker#status"}, renders
        assert renders["ticker#expires"] <= 3
        assert renders["ticker#status"] <= 3


async def test_the_screen_has_a_single_one_second_timer(session, clock) -> None:
    app = make_app(session, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        session.push(issued(clock))
        await pilot.pause()
        timers = [t for t in app.screen._timers if t.name == "tick"]
        assert len(timers) == 1
        assert timers[0]._interval == 1.0


async def test_the_signed_in_screen_repaints_once_a_minute_at_most(session, clock, renders) -> None:
    session.signed_in = signed_in(clock)
    app = make_app(session, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        renders.clear()
        for _ in range(30):  # half a minute, one tick a second
            clock.advance(1)
            app.screen.tick()  # type: ignore[attr-defined]
            await pilot.pause()
        changed = sum(v for k, v in renders.items() if k.startswith("ticker"))
        assert changed <= 2, renders  # "55 min left" -> "54 min left" at most once per line
        assert renders["layout"] == 0
