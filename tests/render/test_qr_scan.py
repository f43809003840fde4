"""The half-block QR code and the plain-text QR decode with a real decoder, and only when drawn right."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from tvauth import qr

from .qrscan import assert_scannable, cells_to_image, decode, scan

URLS = [
    pytest.param("https://accounts.zoho.com/oauth/v3/device", id="short"),
    pytest.param("https://accounts.zoho.eu/oauth/v3/device?user_code=ABCD-1234", id="complete"),
    pytest.param(
        "http://192.168.178.23:49152/oauth/v3/device?user_code=WXYZ-9876"
        "&client_id=1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123&scope=ZohoCRM.modules.ALL,ZohoCRM.users.READ"
        "&hl=en-GB&state=" + "q7" * 60,
        id="long",
    ),
]
SURROUNDINGS = ["light", "dark", "noise"]


def _modules(data: str) -> int:
    """Symbol width in modules, without quiet zone (what the decoder measures)."""
    return len(qr.qr_matrix(data, border=0))


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("surround_fill", SURROUNDINGS)
def test_half_block_qr_scans_whatever_surrounds_it(url: str, surround_fill: str) -> None:
    rows = qr.half_block_rows(qr.qr_matrix(url))
    image = cells_to_image(rows, surround=6, surround_fill=surround_fill)
    assert_scannable(image, url, modules=_modules(url))


@pytest.mark.parametrize("url", URLS)
def test_exactly_the_drawn_rows_scan(url: str) -> None:
    """No help from a margin the widget might not have: the rows alone carry the quiet zone."""
    rows = qr.half_block_rows(qr.qr_matrix(url))
    assert_scannable(cells_to_image(rows, surround=0), url, modules=_modules(url))


# -- the same pipeline has teeth -------------------------------------------------------------------


@pytest.mark.parametrize("surround_fill", ["dark", "noise"])
def test_no_quiet_zone_next_to_dark_pixels_does_not_decode(surround_fill: str) -> None:
    url = "https://accounts.zoho.eu/oauth/v3/device?user_code=ABCD-1234"
    rows = qr.half_block_rows(qr.qr_matrix(url, border=0))
    assert (
        scan(cells_to_image(rows, surround=6, surround_fill=surround_fill), modules=_modules(url))
        is None
    )


@pytest.mark.parametrize("border", [1, 2, 3])
@pytest.mark.parametrize("surround_fill", ["dark", "noise"])
def test_thin_quiet_zone_is_caught(border: int, surround_fill: str) -> None:
    """zxing-cpp still reads a 1-3 module quiet zone; phones often do not. The pipeline measures it."""
    url = "https://accounts.zoho.eu/oauth/v3/device?user_code=ABCD-1234"
    rows = qr.half_block_rows(qr.qr_matrix(url, border=border))
    image = cells_to_image(rows, surround=6, surround_fill=surround_fill)
    result = scan(image, modules=_modules(url))
    assert result is not None
    assert result.text == url
    with pytest.raises(AssertionError, match="quiet zone"):
        assert_scannable(image, url, modules=_modules(url))  # ...the test does not


def test_inverted_polarity_does_not_decode() -> None:
    url = "https://accounts.zoho.eu/oauth/v3/device?user_code=ABCD-1234"
    rows = qr.half_block_rows(qr.qr_matrix(url))
    image = cells_to_image(rows, drawn_dark=False, surround=6, surround_fill="dark")
    assert decode(image, try_invert=False) == []
    with pytest.raises(AssertionError, match="no QR code"):
        assert_scannable(image, url, modules=_modules(url))
    # The decoder can read it when told to look for inverted codes: the failure above is polarity.
    assert [b.text for b in decode(image, try_invert=True)] == [url]


def test_one_module_per_cell_is_stretched_and_caught() -> None:
    """A renderer that draws one module per cell makes the code twice as tall as wide on screen.

    zxing-cpp decodes that anyway (its detector corrects perspective), so the pipeline checks the
    symbol's on-screen aspect from the decoder's corner points.
    """
    url = "https://accounts.zoho.eu/oauth/v3/device?user_code=ABCD-1234"
    rows = ["".join("█" if dark else " " for dark in row) for row in qr.qr_matrix(url)]
    image = cells_to_image(rows, surround=2)
    result = scan(image, modules=_modules(url))
    assert result is not None
    assert result.text == url
    assert result.height_px == pytest.approx(2 * result.width_px, rel=0.05)
    with pytest.raises(AssertionError, match="not square"):
        assert_scannable(image, url, modules=_modules(url))


# -- plain-text QR ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_text_qr_scans_on_a_dark_terminal(url: str) -> None:
    """Light glyphs on a dark background: a normal dark-on-light code inside its own light frame."""
    rows = qr.text_qr(url).splitlines()
    for surround_fill in ("dark", "noise"):
        image = cells_to_image(rows, drawn_dark=False, surround=4, surround_fill=surround_fill)
        assert_scannable(image, url, modules=_modules(url))


@pytest.mark.parametrize("url", URLS)
def test_text_qr_on_a_light_terminal_is_an_inverted_code(url: str) -> None:
    """Dark glyphs on white: readable by scanners that accept inverted codes, as documented."""
    rows = qr.text_qr(url).splitlines()
    image = cells_to_image(rows, drawn_dark=True, surround=4, surround_fill="light")
    assert decode(image, try_invert=False) == []
    assert [b.text for b in decode(image, try_invert=True)] == [url]


def test_text_qr_lines_survive_whitespace_stripping() -> None:
    text = qr.text_qr("https://accounts.zoho.com/oauth/v3/device")
    assert text.endswith("\n")
    lines = text.splitlines()
    n = len(qr.qr_matrix("https://accounts.zoho.com/oauth/v3/device"))
    assert len(lines) == math.ceil(n / 2)
    for line in lines:
        assert len(line) == n
        assert line == line.strip()  # starts and ends with drawn quiet zone
        assert line[0] == line[-1] == "█"
    assert "\x1b" not in text


# -- geometry --------------------------------------------------------------------------------------


def test_half_block_rows_of_a_small_matrix() -> None:
    t, f = True, False
    matrix = [[t, f, t], [t, t, f], [f, t, f]]
    assert qr.half_block_rows(matrix) == ["█▄▀", " ▀ "]


def test_half_block_rows_round_trip_and_shape() -> None:
    for url in ("a", "https://accounts.zoho.com/oauth/v3/device", "x" * 300):
        matrix = qr.qr_matrix(url)
        n = len(matrix)
        rows = qr.half_block_rows(matrix)
        assert len(rows) == math.ceil(n / 2)
        assert all(len(row) == n for row in rows)
        assert set("".join(rows)) <= set(" ▀▄█")
        back = []
        for row in rows:
            back.append([ch in "▀█" for ch in row])
            back.append([ch in "▄█" for ch in row])
        assert back[:n] == matrix
        assert all(not any(row) for row in back[n:])  # padding is light


def test_qr_size_reports_the_drawn_size_and_square_aspect() -> None:
    for url in ("https://accounts.zoho.com/oauth/v3/device", "y" * 500):
        cols, rows = qr.qr_size(url)
        drawn = qr.half_block_rows(qr.qr_matrix(url))
        assert (cols, rows) == (len(drawn[0]), len(drawn))
        # Two modules per row: on 1:2 cells the code is as tall as it is wide.
        assert rows * 2 - cols in (0, 1)
    assert qr.qr_size("abc", border=0)[0] == qr.qr_size("abc")[0] - 8


def test_matrix_is_square_with_light_quiet_zone_and_smallest_version() -> None:
    matrix = qr.qr_matrix("https://accounts.zoho.com/oauth/v3/device")
    n = len(matrix)
    assert all(len(row) == n for row in matrix)
    for i in range(4):
        assert not any(matrix[i])
        assert not any(matrix[n - 1 - i])
        assert not any(row[i] for row in matrix)
        assert not any(row[n - 1 - i] for row in matrix)
    # 41 bytes at level M fit version 3 (29 modules): smallest that fits, not a fixed big one.
    assert n - 8 == 29
    assert len(qr.qr_matrix("hi")) - 8 == 21  # version 1


def test_matrix_copies_are_independent_of_the_cache() -> None:
    first = qr.qr_matrix("https://example.com")
    first[10][10] = not first[10][10]
    assert qr.qr_matrix("https://example.com")[10][10] != first[10][10]


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="negative"):
        qr.qr_matrix("x", border=-1)
    with pytest.raises(qr.QrTooLongError):
        qr.qr_matrix("x" * 5000)
    with pytest.raises(ValueError, match="same length"):
        qr.half_block_rows([[True, False], [True]])
    assert qr.half_block_rows([]) == []


def test_only_qr_module_imports_qrcode_and_lazily() -> None:
    root = Path(__file__).resolve().parents[2] / "tvauth"
    importers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "import qrcode" in p.read_text(encoding="utf-8")
        or "from qrcode" in p.read_text(encoding="utf-8")
    )
    assert importers == ["qr.py"]
    code = (
        "import sys, tvauth.qr, tvauth.bigtext, tvauth.plain; "
        "assert 'qrcode' not in sys.modules and 'PIL' not in sys.modules, 'eager import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("url", URLS)
def test_ansi_qr_is_black_on_white_whatever_the_theme(url: str) -> None:
    text = qr.ansi_qr(url)
    lines = text.splitlines()
    start, end = "\x1b[30;47m", "\x1b[0m"
    bodies = []
    for line in lines:
        assert line.startswith(start)
        assert line.endswith(end)
        bodies.append(line[len(start) : -len(end)])
    assert bodies == qr.half_block_rows(qr.qr_matrix(url))
    for surround_fill in ("dark", "light", "noise"):
        image = cells_to_image(bodies, drawn_dark=True, surround=4, surround_fill=surround_fill)
        assert_scannable(image, url, modules=_modules(url))
