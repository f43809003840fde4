"""Which arrangement of the waiting screen fits a terminal: pure arithmetic, no Textual.

The screen measures what it has to show (QR size, big-code widths per height, text lines at a width)
and asks :func:`choose_layout` what to do with a terminal of a given size. Keeping the decision pure
makes every size testable in microseconds, and lets the screen re-decide on each resize without
trial renders.

Rules, in order of importance (from the TV-screen specification):

1. the user code is always shown, as big as fits (block glyphs when any size fits);
2. a QR code is drawn at one module per half cell (or a whole multiple of that on big screens), never
   wrapped or clipped, with its quiet zone; when that cannot be done it is hidden and the screen says
   so (and how big the window must be);
3. tiny terminals (under 40 columns or 15 rows) get text only;
4. a margin is left around everything for TV overscan, shrunk before anything else is given up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GAP",
    "MIN_TEXT_WIDTH",
    "TINY_COLUMNS",
    "TINY_ROWS",
    "CodeOption",
    "Layout",
    "Needs",
    "choose_layout",
    "overscan_margin",
    "qr_cells",
]

TINY_COLUMNS = 40
TINY_ROWS = 15
GAP = 2
"""Columns between the text column and the QR code in the wide layout."""
MIN_TEXT_WIDTH = 30
"""Narrower than this, sentences wrap every few words and stop being readable from a sofa."""
READABLE_WIDTH = 60
"""A text column spanning the screen is kept to this width when the code and QR allow: shorter
lines are easier to read from afar than lines running across a TV."""
MAX_QR_SCALE = 3
"""Largest whole-number magnification of the QR code (modules per half cell, each way)."""
CODE_PAD = 2
"""Blank rows around the big code (one above, one below)."""

Kind = Literal["wide", "stacked", "text"]


@dataclass(frozen=True, slots=True, order=True)
class CodeOption:
    """One way to draw the code: glyph ``height`` rows (0 = plain text) on ``lines`` lines.

    Ordered by preference: taller glyphs first, then fewer lines (``neg_lines`` sorts that way).
    """

    height: int
    neg_lines: int
    width: int
    rows: int

    @property
    def lines(self) -> int:
        """How many lines the code is split over (at group boundaries)."""
        return -self.neg_lines


def qr_cells(modules: int, scale: int = 1) -> tuple[int, int]:
    """(columns, rows) of a QR ``modules`` wide (quiet zone included) at ``scale``: a module is
    ``scale`` columns wide and ``scale`` half rows tall, so it stays square."""
    side = modules * scale
    return side, (side + 1) // 2


@dataclass(frozen=True, slots=True)
class Needs:
    """What the screen has to fit.

    ``qr_modules`` is the QR's side in modules including its quiet zone, or None when there is no QR
    to show. ``code_options`` are the ways the code can be drawn (always including plain text).
    ``line_width`` is the widest line that must not wrap (the URL). ``text_rows(width)`` is how many
    rows everything except the code and the QR takes when wrapped at ``width``.
    """

    qr_modules: int | None
    code_options: Sequence[CodeOption]
    line_width: int
    text_rows: Callable[[int], int]

    @property
    def big_options(self) -> list[CodeOption]:
        """Block-glyph options, best first."""
        return sorted((o for o in self.code_options if o.height > 0), reverse=True)

    @property
    def plain(self) -> CodeOption:
        """The plain-text fallback (always present)."""
        plains = [o for o in self.code_options if o.height == 0]
        return plains[0] if plains else CodeOption(0, -1, 0, 1)

    def usable_options(self) -> list[CodeOption]:
        """Block glyphs when the code has them, else plain text: a layout never shrinks a drawable
        code to plain text to make room for a QR (the code matters more)."""
        return self.big_options or [self.plain]


@dataclass(frozen=True, slots=True)
class Layout:
    """The decision. ``code.height`` 0 means the code is plain (bold) text, not block glyphs."""

    kind: Kind
    code: CodeOption
    qr_scale: int  # 0: no QR on screen
    margin: tuple[int, int]  # (rows, columns) left empty on each side
    text_width: int  # width of the text column
    qr_note: str | None  # why the QR is hidden, for people; None when shown or there is none

    @property
    def show_qr(self) -> bool:
        """True when the QR code is on screen."""
        return self.qr_scale > 0


def overscan_margin(width: int, height: int) -> tuple[int, int]:
    """Rows and columns to keep clear on each side: about 3 % (TVs crop up to 5 % in total)."""
    rows = round(height * 0.03)
    cols = max(1, round(width * 0.025))
    return rows, cols


def _code_rows(option: CodeOption) -> int:
    return option.rows + CODE_PAD


def _column_width(needs: Needs, inner_w: int, option: CodeOption, qr_w: int = 0) -> int:
    """Text column width when it spans the screen (stacked, text only): wide enough for the code,
    the URL and the QR, no wider than the screen."""
    return min(inner_w, max(qr_w, READABLE_WIDTH, needs.line_width, option.width))


# A candidate: (code option, qr scale, layout preference, text width). Ranked by the code first,
# then the QR's size, then the wide arrangement.
_Candidate = tuple[CodeOption, int, int, int, Kind]


def _candidates(needs: Needs, inner_w: int, inner_h: int) -> list[_Candidate]:
    found: list[_Candidate] = []
    if needs.qr_modules is None:
        return found
    for scale in range(1, MAX_QR_SCALE + 1):
        qr_w, qr_h = qr_cells(needs.qr_modules, scale)
        if qr_h > inner_h or qr_w > inner_w:
            break
        # QR beside the text.
        text_w = inner_w - qr_w - GAP
        if text_w >= max(MIN_TEXT_WIDTH, needs.line_width):
            rows = needs.text_rows(text_w)
            for option in needs.usable_options():
                if option.width <= text_w and rows + _code_rows(option) <= inner_h:
                    found.append((option, scale, 1, text_w, "wide"))
                    break
        # QR between the text blocks.
        if needs.line_width <= inner_w:
            for option in needs.usable_options():
                if option.width > inner_w:
                    continue
                text_w = _column_width(needs, inner_w, option, qr_w)
                if needs.text_rows(text_w) + _code_rows(option) + qr_h <= inner_h:
                    found.append((option, scale, 0, text_w, "stacked"))
                    break
    return found


def _rank(candidate: _Candidate) -> tuple[int, int, int, int]:
    option, scale, wide, _, _ = candidate
    return option.height, scale, option.neg_lines, wide


def _text_only(needs: Needs, inner_w: int, inner_h: int) -> tuple[CodeOption, int]:
    for option in needs.big_options:
        if option.width > inner_w:
            continue
        text_w = _column_width(needs, inner_w, option)
        if needs.text_rows(text_w) + _code_rows(option) <= inner_h:
            return option, text_w
    plain = needs.plain
    return plain, max(1, _column_width(needs, inner_w, plain))


def _choose(needs: Needs, width: int, height: int, *, allow_hidden: bool) -> Layout | None:
    tiny = width < TINY_COLUMNS or height < TINY_ROWS
    wanted = overscan_margin(width, height)
    if not tiny:
        for my, mx in (wanted, (0, min(1, wanted[1])), (0, 0)):
            found = _candidates(needs, width - 2 * mx, height - 2 * my)
            if found:
                option, scale, _, text_w, kind = max(found, key=_rank)
                return Layout(kind, option, scale, (my, mx), text_w, None)
    if not allow_hidden:
        return None
    my, mx = wanted if not tiny else (0, min(1, wanted[1]))
    option, text_w = _text_only(needs, width - 2 * mx, height - 2 * my)
    return Layout("text", option, 0, (my, mx), text_w, None)


def _minimum_for_qr(needs: Needs, width: int, height: int) -> tuple[int, int] | None:
    """The size to grow a ``width`` x ``height`` window to for a QR, for the 'enlarge to' hint.

    Worked out for both QR arrangements with the smallest code drawing, checked (and grown) against
    :func:`_choose` itself so the hint never names a size that would still hide the QR; of the two,
    the one that asks the least of this window (smallest resulting area) is named.
    """
    if needs.qr_modules is None:
        return None
    qr_w, qr_h = qr_cells(needs.qr_modules)
    options = needs.usable_options()
    narrowest = min(options, key=lambda o: (o.width, o.rows))
    lowest = min(options, key=lambda o: (o.rows, o.width))
    wide_text = max(MIN_TEXT_WIDTH, needs.line_width, narrowest.width)
    wide = (
        qr_w + GAP + wide_text + 2,
        max(qr_h, needs.text_rows(wide_text) + _code_rows(narrowest)),
    )
    stacked_w = max(qr_w, MIN_TEXT_WIDTH, needs.line_width, lowest.width)
    stacked = (stacked_w + 2, needs.text_rows(stacked_w) + _code_rows(lowest) + qr_h)
    best: tuple[int, int] | None = None

    def cost(size: tuple[int, int]) -> int:
        return max(size[0], width) * max(size[1], height)

    for want_w, want_h in (wide, stacked):
        want_w, want_h = max(want_w, TINY_COLUMNS), max(want_h, TINY_ROWS)
        for _ in range(60):
            if _choose(needs, want_w, want_h, allow_hidden=False) is not None:
                if best is None or cost((want_w, want_h)) < cost(best):
                    best = (want_w, want_h)
                break
            want_h += 1
    return best


def choose_layout(needs: Needs, width: int, height: int) -> Layout:
    """The arrangement for a terminal of ``width`` x ``height`` cells."""
    layout = _choose(needs, width, height, allow_hidden=True)
    assert layout is not None  # allow_hidden always finds one
    if layout.show_qr or needs.qr_modules is None:
        return layout
    minimum = _minimum_for_qr(needs, width, height)
    if minimum is None:
        note = "No room for a QR code here; type the address instead."
    else:
        note = f"Make the window at least {minimum[0]}x{minimum[1]} to see a QR code."
    return Layout(layout.kind, layout.code, 0, layout.margin, layout.text_width, note)
