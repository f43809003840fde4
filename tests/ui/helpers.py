"""Reading a running app the way a person would: the text on screen, what is displayed."""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget

from tests.ui.fakes import FrozenClock, ScriptedSession, WallClock
from tvauth.ui.app import TvauthApp


def make_app(
    session: ScriptedSession, clock: FrozenClock, *, ansi: bool = False, **kwargs: object
) -> TvauthApp:
    return TvauthApp(session, clock=clock, wall_clock=WallClock(clock), ansi=ansi, **kwargs)  # type: ignore[arg-type]


def screen_lines(app: App[object]) -> list[str]:
    """Every row of the terminal as characters, exactly as composited."""
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def screen_text(app: App[object]) -> str:
    """The terminal's rows joined with newlines, trailing spaces dropped."""
    return "\n".join(line.rstrip() for line in screen_lines(app))


def flat(app: App[object]) -> str:
    """On-screen text with runs of whitespace collapsed, for sentences that wrap."""
    return " ".join(screen_text(app).split())


def text_of(app: App[object], selector: str) -> str:
    """The words a widget shows (wrapping collapsed)."""
    widget = app.screen.query_one(selector)
    region = widget.content_region
    lines = screen_lines(app)[region.y : region.y + region.height]
    return " ".join(
        " ".join(line[region.x : region.x + region.width].split()) for line in lines
    ).strip()


def shown(app: App[object], selector: str) -> bool:
    """Displayed and actually given room on screen."""
    nodes = app.screen.query(selector)
    return any(_visible(w) for w in nodes)


def _visible(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None and isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent if isinstance(node.parent, Widget) else None
    return widget.region.area > 0
