"""The three widgets the sign-in screens need beyond Textual's own.

All three draw through the line API (``render_line``) with a fixed size, so nothing they show can be
wrapped, reflowed or re-measured by the layout engine: the QR stays square with its quiet zone, the
big code stays one block, and a ticking line repaints just itself.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tvauth.qr import half_block_rows, qr_matrix
from tvauth.ui import codeart

__all__ = ["QR_STYLE", "BigCode", "QrCode", "Ticker"]

QR_STYLE = Style(color=Color.from_rgb(0, 0, 0), bgcolor=Color.from_rgb(255, 255, 255))
"""Black modules on white, explicit RGB: never the theme's colours, which may be light-on-dark or
tinted. On a 16-colour terminal Rich maps these to ANSI black and bright white."""


class QrCode(Widget):
    """A QR code drawn from half-block rows, ``scale`` modules per half cell, quiet zone included.

    The widget sizes itself to the code exactly; the screen decides whether it is displayed at all
    (hiding it rather than letting a too-small container clip it).
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data: str | None = None
        self.scale = 1
        self._rows: list[str] = []

    def set_data(self, data: str | None, scale: int = 1) -> None:
        """Encode ``data`` (the URL) at ``scale``; None clears the widget."""
        if (data, scale) == (self.data, self.scale):
            return
        self.data = data
        self.scale = scale
        self._rows = half_block_rows(_scaled(qr_matrix(data), scale)) if data else []
        width = len(self._rows[0]) if self._rows else 0
        self.styles.width = width
        self.styles.height = len(self._rows)
        self.refresh(layout=True)

    @property
    def rows(self) -> list[str]:
        """What is drawn, row by row."""
        return list(self._rows)

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._rows):
            row = self._rows[y]
            return Strip([Segment(row, QR_STYLE)], len(row))
        return Strip.blank(self.size.width)


def _scaled(matrix: list[list[bool]], scale: int) -> list[list[bool]]:
    """Each module as a ``scale`` x ``scale`` block of half-cell pixels."""
    if scale == 1:
        return matrix
    return [[cell for cell in row for _ in range(scale)] for row in matrix for _ in range(scale)]


class BigCode(Widget):
    """The user code in block glyphs (one or two lines of groups), or plain bold text at height 0.

    Painted in the widget's own CSS colours (the theme's strongest foreground on its background), so
    the code follows light or dark themes and the 16-colour console alike.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.code = ""
        self.glyph_height = 0
        self.line_count = 1
        self._lines: list[str] = []

    def show(self, code: str, glyph_height: int, lines: int = 1) -> None:
        """Draw ``code`` exactly as given (never re-cased) at ``glyph_height`` (0: plain)."""
        if (code, glyph_height, lines) == (self.code, self.glyph_height, self.line_count):
            return
        self.code = code
        self.glyph_height = glyph_height
        self.line_count = lines
        self._lines = codeart.draw(code, glyph_height, lines) if code else []
        self.styles.width = max((len(line) for line in self._lines), default=0)
        self.styles.height = max(1, len(self._lines))
        self.refresh(layout=True)

    @property
    def lines(self) -> list[str]:
        """The drawn lines (block glyphs, or the code itself)."""
        return list(self._lines)

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        if 0 <= y < len(self._lines):
            line = self._lines[y]
            return Strip([Segment(line, style)], len(line)).adjust_cell_length(
                self.size.width, style
            )
        return Strip.blank(self.size.width, style)


class Ticker(Widget):
    """Text that changes often (a countdown, the status line), in a box of fixed size.

    Setting ``text`` to the same value does nothing; a new value repaints this one widget without a
    layout pass, which is what keeps the waiting screen idle between seconds. The screen gives it
    enough rows for its longest sentence at the current width, so it wraps inside its box.
    """

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> Text:
        return Text(self.text)
