"""Turn drawn text back into a picture and scan it, the way a phone sees a terminal.

A terminal cell is about twice as tall as wide, so each character becomes a ``scale`` x ``2*scale``
pixel box whose upper and lower halves are lit according to the half-block character. Which of
"drawn" and "not drawn" is dark depends on how the text is painted (``drawn_dark``).

:func:`scan` decodes with a real QR decoder (zxing-cpp) with inverted-code search OFF, so polarity
matters, and then checks, from the decoder's own corner points, what zxing forgives but a phone at
three metres may not: the symbol must be square on screen, and a quiet zone of ``min_quiet`` light
modules must surround it in the picture, whatever is drawn around the code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageDraw

UPPER = frozenset("▀█")
LOWER = frozenset("▄█")


def cells_to_image(
    rows: list[str],
    *,
    drawn_dark: bool = True,
    scale: int = 4,
    surround: int = 0,
    surround_fill: str = "light",
    seed: int = 0,
) -> Image.Image:
    """Picture of ``rows`` on a terminal, with ``surround`` cells of other screen content around it.

    ``surround_fill``: "light", "dark" or "noise" (random dark/light half cells, like text nearby).
    """
    n_cols = max((len(r) for r in rows), default=0)
    total_cols = n_cols + 2 * surround
    total_rows = len(rows) + 2 * surround
    image = Image.new("L", (total_cols * scale, total_rows * 2 * scale), 255)
    draw = ImageDraw.Draw(image)
    rnd = random.Random(seed)

    def half_cell(cx: int, cy: int, half: int, dark: bool) -> None:
        y0 = (cy * 2 + half) * scale
        draw.rectangle(
            (cx * scale, y0, (cx + 1) * scale - 1, y0 + scale - 1), fill=0 if dark else 255
        )

    for cy in range(total_rows):
        for cx in range(total_cols):
            x, y = cx - surround, cy - surround
            inside = 0 <= y < len(rows) and 0 <= x < n_cols
            for half in (0, 1):
                if inside:
                    ch = rows[y][x] if x < len(rows[y]) else " "
                    lit = ch in (UPPER if half == 0 else LOWER)
                    dark = lit if drawn_dark else not lit
                elif surround_fill == "noise":
                    dark = rnd.random() < 0.5
                else:
                    dark = surround_fill == "dark"
                half_cell(cx, cy, half, dark)
    return image


def decode(image: Image.Image, *, try_invert: bool = False) -> list[zxingcpp.Barcode]:
    """QR codes zxing finds; inverted (light-on-dark) codes only when asked."""
    return list(
        zxingcpp.read_barcodes(
            image,
            formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
            try_invert=try_invert,
        )
    )


@dataclass(frozen=True)
class Scan:
    text: str
    width_px: float
    height_px: float
    quiet_modules: float  # light modules between the symbol and the nearest dark pixel, worst side


def _quiet_zone(
    image: Image.Image, left: int, top: int, right: int, bottom: int, module: float
) -> float:
    """Light modules around the symbol box before any dark pixel (or the picture's edge)."""
    px = image.load()
    assert px is not None
    w, h = image.size
    limit = 10
    for k in range(1, limit + 1):
        # Sample along the middle of the k-th ring of modules (robust to a pixel of corner slop).
        off = (k - 0.5) * module
        x0, y0 = round(left - off), round(top - off)
        x1, y1 = round(right + off), round(bottom + off)
        if x0 < 0 or y0 < 0 or x1 >= w or y1 >= h:
            return k - 1
        for x in range(x0, x1 + 1):
            if px[x, y0] < 128 or px[x, y1] < 128:  # type: ignore[operator]
                return k - 1
        for y in range(y0, y1 + 1):
            if px[x0, y] < 128 or px[x1, y] < 128:  # type: ignore[operator]
                return k - 1
    return limit


def scan(image: Image.Image, *, modules: int, try_invert: bool = False) -> Scan | None:
    """Decode one QR code and measure it; None when the decoder finds nothing.

    ``modules`` is the symbol's width in modules (without quiet zone), to turn pixels into modules.
    """
    found = decode(image, try_invert=try_invert)
    if not found:
        return None
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    pos = found[0].position
    xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
    ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
    width = max(xs) - min(xs)
    height = max(ys) - min(ys)
    module = max(width, height) / modules
    quiet = _quiet_zone(image, min(xs), min(ys), max(xs), max(ys), module)
    return Scan(found[0].text, width, height, quiet)


def assert_scannable(
    image: Image.Image, expected: str, *, modules: int, min_quiet: int = 4, try_invert: bool = False
) -> Scan:
    """What a phone needs: decodes to ``expected``, square, with a quiet zone of ``min_quiet``."""
    result = scan(image, modules=modules, try_invert=try_invert)
    assert result is not None, "no QR code found in the picture"
    assert result.text == expected
    aspect = result.width_px / result.height_px
    assert 0.95 < aspect < 1.05, f"QR code is not square on screen (width/height {aspect:.2f})"
    assert result.quiet_modules >= min_quiet, (
        f"quiet zone is {result.quiet_modules} modules, needs {min_quiet}"
    )
    return result
