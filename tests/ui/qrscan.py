"""Turn what the app actually draws back into a picture, and read it with a real QR decoder.

The picture is made from the composited screen (after layout, clipping and styles), not from the QR
renderer's output: each terminal cell is one pixel wide and two pixels tall (upper and lower half),
dark or light by the colour that paints that half. A ring of the surrounding screen is included, so
a missing quiet zone shows up as the theme's dark background touching the code, as a phone would see
it.
"""

from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from PIL import Image
from rich.color import Color, ColorSystem
from rich.style import Style
from textual.app import App
from textual.geometry import Region

# The Linux console's default palette for the 16 ANSI colours (what TERM=linux shows).
LINUX_CONSOLE = [
    (0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0), (0, 0, 170), (170, 0, 170), (0, 170, 170),
    (170, 170, 170), (85, 85, 85), (255, 85, 85), (85, 255, 85), (255, 255, 85), (85, 85, 255),
    (255, 85, 255), (85, 255, 255), (255, 255, 255),
]  # fmt: skip

# What a terminal shows for "default" colours in the dark themes the app uses.
DEFAULT_FG = (224, 224, 224)
DEFAULT_BG = (18, 18, 18)


def _rgb(
    color: Color | None, default: tuple[int, int, int], *, sixteen: bool
) -> tuple[int, int, int]:
    if color is None or color.is_default:
        return default
    if sixteen:
        color = color.downgrade(ColorSystem.STANDARD)
        if color.number is not None and color.number < 16:
            return LINUX_CONSOLE[color.number]
    triplet = color.get_truecolor()
    return triplet.red, triplet.green, triplet.blue


def _dark(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return 0.299 * r + 0.587 * g + 0.114 * b < 128


@dataclass
class Capture:
    """Pixels (True = dark) of a screen region; one cell = 1 x 2 pixels."""

    pixels: list[list[bool]]

    def image(self, zoom: int = 6) -> Image.Image:
        height, width = len(self.pixels), len(self.pixels[0])
        img = Image.new("L", (width, height), 255)
        img.putdata([0 if dark else 255 for row in self.pixels for dark in row])
        return img.resize((width * zoom, height * zoom), Image.Resampling.NEAREST)


def capture(app: App[object], region: Region, *, ring: int = 3, sixteen: bool = False) -> Capture:
    """The pixels of ``region`` plus ``ring`` cells of what surrounds it, as composited."""
    strips = app.screen._compositor.render_strips()
    screen_w, screen_h = app.size
    x0, y0 = max(0, region.x - ring), max(0, region.y - ring)
    x1 = min(screen_w, region.right + ring)
    y1 = min(screen_h, region.bottom + ring)
    pixels: list[list[bool]] = []
    for y in range(y0, y1):
        cells: list[tuple[str, Style]] = []
        for segment in strips[y]:
            style = segment.style or Style()
            cells.extend((ch, style) for ch in segment.text)
        top: list[bool] = []
        bottom: list[bool] = []
        for x in range(x0, x1):
            ch, style = cells[x] if x < len(cells) else (" ", Style())
            fg = _dark(_rgb(style.color, DEFAULT_FG, sixteen=sixteen))
            bg = _dark(_rgb(style.bgcolor, DEFAULT_BG, sixteen=sixteen))
            if style.reverse:
                fg, bg = bg, fg
            upper = {"▀": fg, "█": fg, "▄": bg}.get(ch, bg)
            lower = {"▄": fg, "█": fg, "▀": bg}.get(ch, bg)
            top.append(upper)
            bottom.append(lower)
        pixels.extend([top, bottom])
    return Capture(pixels)


def decode(picture: Capture) -> list[str]:
    """Texts of the QR codes zxing-cpp finds, refusing inverted (light-on-dark) codes."""
    results = zxingcpp.read_barcodes(
        picture.image(), formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
    )
    return [r.text for r in results]


def _finder_box(pixels: list[list[bool]]) -> tuple[int, int, int, int]:
    """(left, top, width, height) in pixels of the top-left finder pattern's dark outer ring."""
    for y, row in enumerate(pixels):
        if any(row):
            top = y
            left = row.index(True)
            break
    else:  # pragma: no cover - an empty capture
        raise AssertionError("nothing dark was drawn")
    width = 0
    while left + width < len(pixels[top]) and pixels[top][left + width]:
        width += 1
    height = 0
    while top + height < len(pixels) and pixels[top + height][left]:
        height += 1
    return left, top, width, height


def assert_scannable(
    app: App[object], region: Region, expected: str, *, sixteen: bool = False
) -> None:
    """Decode what is drawn in ``region``; check quiet zone and square modules explicitly too.

    Fails when the text differs, when the code is drawn inverted (light modules on dark), when
    modules are not square (wrong aspect), or when fewer than four light modules surround it.
    """
    inner = capture(app, region, ring=0, sixteen=sixteen)
    left, top, width, height = _finder_box(inner.pixels)
    # A finder pattern is 7 x 7 modules: its box must be square, in whole pixels.
    assert width == height, f"modules are not square: finder is {width} x {height} pixels"
    assert width % 7 == 0, f"finder is {width} pixels wide, not a whole number of modules"
    module = width // 7
    # Quiet zone: four light modules on every side, inside what the widget draws.
    quiet = 4 * module
    rows, cols = len(inner.pixels), len(inner.pixels[0])
    assert left >= quiet, f"quiet zone too small: {left // module} modules left"
    assert top >= quiet, f"quiet zone too small: {top // module} modules above"
    dark_cols = [x for x in range(cols) if any(inner.pixels[y][x] for y in range(rows))]
    dark_rows = [y for y in range(rows) if any(inner.pixels[y])]
    right_gap = cols - 1 - dark_cols[-1]
    bottom_gap = rows - 1 - dark_rows[-1]
    assert right_gap >= quiet, f"quiet zone too small: {right_gap // module} modules right"
    assert bottom_gap >= quiet, f"quiet zone too small: {bottom_gap // module} modules below"
    texts = decode(capture(app, region, sixteen=sixteen))
    assert texts == [expected], f"decoded {texts!r}, expected {expected!r}"
