"""Nothing is cut off, at any terminal size: layout arithmetic and the real app agree.

The pure layout is checked over a dense grid of sizes (cheap); the running app over a sample of
sizes, including awkward ones, where every displayed widget must lie inside the terminal.
"""

from __future__ import annotations

import pytest
from textual.geometry import Region

from tests.ui.fakes import CODE, URL, FrozenClock, ScriptedSession, issued
from tests.ui.helpers import make_app, screen_lines, shown
from tvauth.commands.demo import demo_hint
from tvauth.events import Requesting
from tvauth.ui import codeart
from tvauth.ui.layout import (
    GAP,
    TINY_COLUMNS,
    TINY_ROWS,
    CodeOption,
    Needs,
    choose_layout,
    qr_cells,
)
from tvauth.ui.screens import SignInScreen
from tvauth.ui.widgets import BigCode

HINT = "curl -d user_code={code} -d account=jane@example.com -d decision=allow http://127.0.0.1:41234/us/emulator/approve"


def _needs(text_rows: int = 14, qr: int | None = 41) -> Needs:
    return Needs(
        qr_modules=qr,
        code_options=codeart.options("KQ7M-3WXP"),
        line_width=33,
        text_rows=lambda width: text_rows + (2 if width < 50 else 0),
    )


@pytest.mark.parametrize("text_rows", [10, 14, 20])
def test_every_layout_decision_fits_its_terminal(text_rows: int) -> None:
    needs = _needs(text_rows)
    for width in range(20, 260, 3):
        for height in range(8, 90, 2):
            layout = choose_layout(needs, width, height)
            my, mx = layout.margin
            inner_w, inner_h = width - 2 * mx, height - 2 * my
            assert layout.text_width <= inner_w, (width, height, layout)
            if layout.show_qr:
                assert width >= TINY_COLUMNS
                assert height >= TINY_ROWS
                qr_w, qr_h = qr_cells(41, layout.qr_scale)
                rows = needs.text_rows(layout.text_width) + layout.code.rows + 2
                assert layout.code.height > 0  # never plain text to make room for a QR
                if layout.kind == "wide":
                    assert layout.text_width + GAP + qr_w <= inner_w
                    assert max(rows, qr_h) <= inner_h
                else:
                    assert max(layout.text_width, qr_w, layout.code.width) <= inner_w
                    assert rows + qr_h <= inner_h
                assert layout.qr_note is None
            else:
                assert layout.qr_note is not None
                assert "to see a QR code" in layout.qr_note


def test_tiny_terminals_never_get_a_qr() -> None:
    needs = _needs(0)
    for width, height in [(39, 200), (300, 14), (39, 14)]:
        assert not choose_layout(needs, width, height).show_qr


def test_the_enlarge_hint_names_a_size_that_works() -> None:
    needs = _needs()
    layout = choose_layout(needs, 60, 20)
    assert layout.qr_note is not None
    size = layout.qr_note.split("at least ")[1].split(" ")[0]
    width, height = (int(n) for n in size.split("x"))
    assert choose_layout(needs, width, height).show_qr
    assert (
        not choose_layout(needs, width, height - 1).show_qr
        or not choose_layout(needs, width - 1, height).show_qr
    )


def test_bigger_code_beats_bigger_qr_and_both_grow_with_the_screen() -> None:
    needs = _needs(13)  # what the waiting screen needs beside a QR at 80x24
    small = choose_layout(needs, 80, 24)
    large = choose_layout(needs, 240, 67)
    assert small.show_qr
    assert large.show_qr
    assert large.code.height > small.code.height
    assert large.qr_scale >= small.qr_scale


def test_a_code_without_block_glyphs_is_still_shown_plainly() -> None:
    needs = Needs(
        qr_modules=41,
        code_options=codeart.options("ÄÖ-12"),
        line_width=33,
        text_rows=lambda width: 14,
    )
    layout = choose_layout(needs, 100, 30)
    assert layout.code == CodeOption(0, -1, 5, 1)
    assert layout.show_qr


SIZES = [
    (80, 24), (100, 30), (160, 45), (240, 67), (40, 15), (39, 14), (45, 60), (60, 20), (79, 24),
    (81, 25), (120, 30), (200, 40), (300, 90), (90, 50), (70, 70), (50, 22),
]  # fmt: skip


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("hint", [None, HINT], ids=["login", "demo"])
async def test_every_widget_on_screen_is_inside_the_terminal(width, height, hint) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    session = ScriptedSession(hint=hint)
    app = make_app(session, clock)
    # The demo (without --lan) shows the emulator's address, which only this machine can open.
    url = "http://127.0.0.1:41234/us/oauth/v3/device" if hint else URL
    async with app.run_test(size=(width, height)) as pilot:
        session.push(Requesting("https://accounts.zoho.com", clock.now), issued(clock, url=url))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        terminal = Region(0, 0, width, height)
        must_show = ["#url", "#code", "#expires", "#status", "#phishing", "#keys"]
        # What the device may do goes only when the window is really small (or the demo's
        # approval line needs the room).
        if width >= TINY_COLUMNS and height >= (24 if hint else 20):
            must_show.append("#scopes")
        if hint and height >= 20:
            must_show.append("#hint")
        for selector in must_show:
            assert shown(app, selector), f"{selector} missing at {width}x{height}"
        for widget in screen.query("*"):
            if shown(app, f"#{widget.id}") if widget.id else False:
                assert terminal.contains_region(widget.region), (
                    f"{widget} at {widget.region} is cut off at {width}x{height}"
                )
        qr = screen.shown_qr()
        if qr is not None:
            assert qr.region.size == qr_cells(len(qr.rows[0]) // qr.scale, qr.scale)


@pytest.mark.parametrize(
    ("size", "title", "scopes", "big_code"),
    [
        ((100, 30), True, True, True),  # room for everything
        ((50, 22), False, True, True),  # the title goes so the code stays in block letters
        ((39, 20), True, True, False),  # block letters would cost the scopes: plain code instead
        ((40, 15), False, False, False),  # tiny: code, address, status, warning and keys remain
    ],
)
async def test_small_windows_give_things_up_in_order(size, title, scopes, big_code) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock()
    session = ScriptedSession()
    app = make_app(session, clock)
    async with app.run_test(size=size) as pilot:
        session.push(issued(clock))
        await pilot.pause()
        assert shown(app, "#title") is title
        assert shown(app, "#scopes") is scopes
        assert (app.screen.query_one(BigCode).glyph_height > 0) is big_code
        for selector in ("#url", "#code", "#status", "#phishing", "#keys"):
            assert shown(app, selector), selector


def test_the_enlarge_hint_asks_least_of_the_window_at_hand() -> None:
    needs = _needs(18)  # too much text for the QR beside it at 80x24
    note = choose_layout(needs, 80, 24).qr_note
    assert note is not None
    width, height = (int(n) for n in note.split("at least ")[1].split(" ")[0].split("x"))
    assert width <= 80  # grow the window down, not into a narrow tower
    assert choose_layout(needs, 80, height).show_qr
    tall = choose_layout(needs, 50, 80)
    assert tall.show_qr
    assert tall.kind == "stacked"


@pytest.mark.parametrize(
    ("width", "height"), [(80, 24), (100, 30), (120, 30), (160, 45), (240, 67)]
)
async def test_the_demo_approve_command_pastes_as_one_command_at_every_size(width, height) -> None:  # type: ignore[no-untyped-def]
    """A command wrapped by the screen at a space runs as two commands when copied; it must only
    break where a `` \\`` continues it, and no line of it may be wider than its box."""
    command = demo_hint("http://192.168.100.200:54321/emulator/approve", "{code}")
    clock = FrozenClock()
    session = ScriptedSession(hint=command)
    app = make_app(session, clock)
    async with app.run_test(size=(width, height)) as pilot:
        session.push(Requesting("https://accounts.zoho.com", clock.now), issued(clock))
        await pilot.pause()
        if not shown(app, "#hint"):
            return
        widget = app.screen.query_one("#hint")
        region = widget.content_region
        rows = screen_lines(app)[region.y : region.y + region.height]
        lines = [row[region.x : region.x + region.width].strip() for row in rows]
        assert lines[0] == "Demo, no phone? Approve with:"
        shell = lines[1:]
        assert all(line.endswith(" \\") for line in shell[:-1]), shell
        assert not shell[-1].endswith("\\")
        words = " ".join(line.removesuffix(" \\") for line in shell).split()
        assert words == command.format(code=CODE).replace("\\\n", " ").split()
