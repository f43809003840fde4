"""Big block letters for the user code, readable from across a room.

Textual's ``Digits`` draws only ``0-9 A-F``; a Zoho user code may hold any letter. This renderer has its
own two pixel fonts (5x5 and 5x7, upper and lower case, digits, dash) and draws them with the full
block and the upper/lower half blocks only, which the Linux console font has (no quadrants, no
sextants, no box drawing). A pixel is one column wide and half a row tall, so pixels are square.

Each height in :data:`SIZES` is one font at one whole-number scale, so strokes stay even and a glyph
never gets blurred by a fractional zoom. The fonts were drawn so the pairs people mix up differ in
more than a stray pixel: a slashed zero against a round O, a flagged 1 against a serifed I and a
plain L, a square-shouldered 5 against a round S, a flat-sided B against a round 8, a round-topped 2
against a flat Z. Case is never changed: a lower-case code is drawn in lower case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "GLYPH_CHARS",
    "SIZES",
    "can_render",
    "group",
    "render",
    "width",
]

# fmt: off
_FONT_5X7: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "#..#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "#.#..", "..#..", "..#..", "..#..", "#####"),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "-": (".....", ".....", ".....", ".###.", ".....", ".....", "....."),
    "a": (".....", ".....", ".###.", "....#", ".####", "#...#", ".####"),
    "b": ("#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."),
    "c": (".....", ".....", ".####", "#....", "#....", "#....", ".####"),
    "d": ("....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"),
    "e": (".....", ".....", ".###.", "#...#", "#####", "#....", ".###."),
    "f": ("..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."),
    "g": (".....", ".####", "#...#", "#...#", ".####", "....#", ".###."),
    "h": ("#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"),
    "i": ("..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."),
    "j": ("...#.", ".....", "..##.", "...#.", "...#.", "#..#.", ".##.."),
    "k": ("#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."),
    "l": ("##...", ".#...", ".#...", ".#...", ".#...", ".#...", "..##."),
    "m": (".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"),
    "n": (".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"),
    "o": (".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."),
    "p": (".....", "####.", "#...#", "#...#", "####.", "#....", "#...."),
    "q": (".....", ".####", "#...#", "#...#", ".####", "....#", "....#"),
    "r": (".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."),
    "s": (".....", ".....", ".####", "#....", ".###.", "....#", "####."),
    "t": (".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."),
    "u": (".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"),
    "v": (".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "w": (".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."),
    "x": (".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "y": (".....", "#...#", "#...#", "#...#", ".####", "....#", ".###."),
    "z": (".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"),
}

_FONT_5X5: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#####", "#...#", "#...#"),
    "B": ("####.", "#...#", "####.", "#...#", "####."),
    "C": (".####", "#....", "#....", "#....", ".####"),
    "D": ("###..", "#..#.", "#...#", "#..#.", "###.."),
    "E": ("#####", "#....", "####.", "#....", "#####"),
    "F": ("#####", "#....", "####.", "#....", "#...."),
    "G": (".####", "#....", "#..##", "#...#", ".####"),
    "H": ("#...#", "#...#", "#####", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "###..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "####.", "#....", "#...."),
    "Q": (".###.", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "####.", "#..#.", "#...#"),
    "S": (".####", "#....", ".###.", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "Y": ("#...#", ".#.#.", "..#..", "..#..", "..#.."),
    "Z": ("#####", "...#.", "..#..", ".#...", "#####"),
    "0": (".###.", "#..##", "#.#.#", "##..#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "#####"),
    "2": (".###.", "#...#", "..##.", ".#...", "#####"),
    "3": ("####.", "....#", ".###.", "....#", "####."),
    "4": ("#..#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "#####", "....#", "#####"),
    "6": ("..##.", ".#...", "####.", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", "..#.."),
    "8": (".###.", "#...#", ".###.", "#...#", ".###."),
    "9": (".###.", "#...#", ".####", "...#.", ".##.."),
    "-": (".....", ".....", ".###.", ".....", "....."),
    "a": (".....", ".##.#", "#..#.", "#..#.", ".##.#"),
    "b": ("#....", "####.", "#...#", "#...#", "####."),
    "c": (".....", ".####", "#....", "#....", ".####"),
    "d": ("....#", ".####", "#...#", "#...#", ".####"),
    "e": (".....", ".###.", "#####", "#....", ".####"),
    "f": ("..##.", ".#...", "###..", ".#...", ".#..."),
    "g": (".####", "#...#", ".####", "....#", "###.."),
    "h": ("#....", "####.", "#...#", "#...#", "#...#"),
    "i": ("..#..", ".....", ".##..", "..#..", ".###."),
    "j": ("...#.", ".....", "...#.", "#..#.", ".##.."),
    "k": ("#....", "#..#.", "#.#..", "###..", "#..#."),
    "l": ("##...", ".#...", ".#...", ".#...", "..##."),
    "m": (".....", "##.#.", "#.#.#", "#.#.#", "#...#"),
    "n": (".....", "#.##.", "##..#", "#...#", "#...#"),
    "o": (".....", ".###.", "#...#", "#...#", ".###."),
    "p": (".....", "####.", "#...#", "####.", "#...."),
    "q": (".....", ".####", "#...#", ".####", "....#"),
    "r": (".....", "#.##.", "##...", "#....", "#...."),
    "s": (".....", ".####", ".##..", "...##", "####."),
    "t": (".#...", "###..", ".#...", ".#..#", "..##."),
    "u": (".....", "#...#", "#...#", "#..##", ".##.#"),
    "v": (".....", "#...#", "#...#", ".#.#.", "..#.."),
    "w": (".....", "#...#", "#...#", "#.#.#", ".#.#."),
    "x": (".....", "#..#.", ".##..", ".##..", "#..#."),
    "y": (".....", "#...#", ".#.#.", "..#..", "##..."),
    "z": (".....", "#####", "..#..", ".#...", "#####"),
}
# fmt: on


@dataclass(frozen=True, slots=True)
class _Size:
    font: dict[str, tuple[str, ...]]
    scale: int  # pixels per font dot, both ways (a pixel is 1 column x half a row)


# Height in terminal rows -> font and scale. Only whole scales: every stroke the same thickness.
_SIZES: dict[int, _Size] = {
    3: _Size(_FONT_5X5, 1),  # 5 px tall + 1 px padding
    4: _Size(_FONT_5X7, 1),  # 7 px + 1
    5: _Size(_FONT_5X5, 2),  # 10 px, full blocks only
    7: _Size(_FONT_5X7, 2),  # 14 px, full blocks only
    11: _Size(_FONT_5X7, 3),  # 21 px + 1
    14: _Size(_FONT_5X7, 4),  # 28 px
}

SIZES: tuple[int, ...] = tuple(sorted(_SIZES))
"""Heights :func:`render` can draw, in terminal rows, smallest first."""

GLYPH_CHARS: frozenset[str] = frozenset(_FONT_5X7)
"""Every character with a glyph (the same set at every size)."""

_GLYPH_DOTS = 5  # glyph width in font dots, every glyph, both fonts
_GAP_DOTS = 1  # space between glyphs
_GROUP_GAP_DOTS = 3  # extra space between groups (see group())
_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def can_render(text: str) -> bool:
    """True when every character of ``text`` has a glyph (at every size)."""
    return all(ch in GLYPH_CHARS for ch in text)


def _size(height: int) -> _Size:
    try:
        return _SIZES[height]
    except KeyError:
        raise ValueError(f"no big-text size is {height} rows tall; sizes are {SIZES}") from None


def group(code: str) -> list[str]:
    """Chunks to show with a wider gap between them; ``"".join(group(code)) == code`` always.

    A code that already has separators (dash, space) is grouped by the server: left as one chunk.
    A bare code of 8 or more characters is cut into fours from the left, the way people read
    "ABCD EFGH". Nothing is ever added, removed or re-cased.
    """
    if len(code) < 8 or any(not ch.isalnum() for ch in code):
        return [code] if code else []
    return [code[i : i + 4] for i in range(0, len(code), 4)]


def _columns(chunks: Iterable[str], size: _Size) -> list[list[bool]]:
    """Dot rows of the whole text at scale 1: ``rows x dots``."""
    n_rows = len(size.font["A"])
    rows: list[list[bool]] = [[] for _ in range(n_rows)]
    first_glyph = True
    for chunk_no, chunk in enumerate(chunks):
        for ch_no, ch in enumerate(chunk):
            try:
                glyph = size.font[ch]
            except KeyError:
                raise ValueError(f"no big-text glyph for {ch!r}") from None
            if not first_glyph:
                gap = _GAP_DOTS + (_GROUP_GAP_DOTS if ch_no == 0 and chunk_no > 0 else 0)
                for row in rows:
                    row.extend([False] * gap)
            first_glyph = False
            for row, dots in zip(rows, glyph, strict=True):
                row.extend(dot == "#" for dot in dots)
    return rows


def _chunks(text: str, grouped: bool) -> list[str]:
    return group(text) if grouped else [text]


def width(text: str, *, height: int = 5, grouped: bool = False) -> int:
    """Columns :func:`render` would use for ``text`` at ``height``."""
    size = _size(height)
    chunks = _chunks(text, grouped)
    n = sum(len(c) for c in chunks)
    if n == 0:
        return 0
    dots = n * _GLYPH_DOTS + (n - 1) * _GAP_DOTS + (len(chunks) - 1) * _GROUP_GAP_DOTS
    return dots * size.scale


def render(text: str, *, height: int = 5, grouped: bool = False) -> list[str]:
    """``height`` equal-width lines drawing ``text`` in block letters (``' '``, ``█``, ``▀``, ``▄``).

    The drawn part is the letter: paint it in a strong foreground colour. With ``grouped``, a wider
    gap separates the chunks of :func:`group`; the characters drawn are the same either way.
    Raises ``ValueError`` for a character without a glyph (check with :func:`can_render`) or a
    height not in :data:`SIZES`.
    """
    size = _size(height)
    dots = _columns(_chunks(text, grouped), size)
    pixels: list[list[bool]] = []
    for row in dots:
        scaled = [dot for dot in row for _ in range(size.scale)]
        pixels.extend([scaled] * size.scale)
    n_cols = len(pixels[0])
    blank = [False] * n_cols
    target = 2 * height
    # Centre the glyphs vertically; an odd spare pixel row goes to the bottom.
    top_pad = (target - len(pixels)) // 2
    pixels = [blank] * top_pad + pixels
    pixels += [blank] * (target - len(pixels))
    return [
        "".join(_HALF[(u, lo)] for u, lo in zip(pixels[r], pixels[r + 1], strict=True))
        for r in range(0, target, 2)
    ]
