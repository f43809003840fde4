"""QR codes as text: the one typed wrapper around the ``qrcode`` library.

The screens never draw a QR code through qrcode's own terminal printers (they write straight to the
tty, which breaks Textual, and they pick colours from the terminal theme). Instead this module turns
qrcode's module matrix into plain strings of half-block characters that the caller paints with
explicit colours. ``qrcode`` (which drags in Pillow, ~50 ms) is imported only when a matrix is built,
so importing this module is free for ``tvauth token``.

Geometry: a terminal cell is about twice as tall as it is wide, so one cell holds two modules stacked
vertically (upper half and lower half) and every module comes out square. That is the only aspect
that keeps a QR code square on screen; :func:`qr_size` reports it without drawing.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "MIN_BORDER",
    "QrTooLongError",
    "ansi_qr",
    "half_block_rows",
    "qr_matrix",
    "qr_size",
    "text_qr",
]

MIN_BORDER = 4
"""The quiet zone the QR specification asks for, in modules. Scanners lose codes without it."""

# Index: (upper module drawn, lower module drawn). Only characters the Linux console font has.
_HALF_BLOCKS = {
    (False, False): " ",
    (True, False): "▀",
    (False, True): "▄",
    (True, True): "█",
}


class QrTooLongError(ValueError):
    """The text does not fit in the largest QR code (version 40) at error correction M."""


@lru_cache(maxsize=16)
def _build(data: str, border: int) -> tuple[tuple[bool, ...], ...]:
    # Cached: a screen asks for the size and then the drawing on every resize, and building a
    # matrix tries all eight mask patterns. Tuples keep the cached value immutable.
    import qrcode
    import qrcode.constants
    import qrcode.exceptions

    qr = qrcode.QRCode(
        version=None,  # smallest version that fits
        error_correction=qrcode.constants.ERROR_CORRECT_M,  # 15 %: survives glare and moiré
        border=border,
    )
    qr.add_data(data)
    try:
        qr.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError) as err:
        # qrcode 8 reports "does not fit" as DataOverflowError or as "Invalid version (41)".
        raise QrTooLongError(f"{len(data)} characters do not fit in a QR code") from err
    return tuple(tuple(bool(cell) for cell in row) for row in qr.get_matrix())


def qr_matrix(data: str, *, border: int = MIN_BORDER) -> list[list[bool]]:
    """Square module matrix, True = dark, INCLUDING the quiet zone of ``border`` light modules.

    ``border`` below :data:`MIN_BORDER` is allowed only so tests can prove that a missing quiet zone
    breaks scanning; screens keep the default.
    """
    if border < 0:
        raise ValueError("border must not be negative")
    return [list(row) for row in _build(data, border)]


def _rows(matrix: list[list[bool]], *, drawn: bool) -> list[str]:
    n_rows = len(matrix)
    width = len(matrix[0]) if matrix else 0
    if any(len(row) != width for row in matrix):
        raise ValueError("QR matrix rows must all have the same length")
    lines = []
    for top in range(0, n_rows, 2):
        upper = matrix[top]
        lower = matrix[top + 1] if top + 1 < n_rows else [False] * width  # pad: a light module
        lines.append(
            "".join(
                _HALF_BLOCKS[(u == drawn, lo == drawn)] for u, lo in zip(upper, lower, strict=True)
            )
        )
    return lines


def half_block_rows(matrix: list[list[bool]]) -> list[str]:
    """Two modules per character cell, vertically: rows of ' ', '▀', '▄', '█' where the DRAWN part is
    a DARK module.

    The caller paints them with a black foreground on a white background, so the code is dark on
    light whatever the terminal theme. ``len(rows) == ceil(n/2)``; every row has exactly n characters.
    An odd last row is padded with a light module (more quiet zone).
    """
    return _rows(matrix, drawn=True)


def qr_size(data: str, *, border: int = MIN_BORDER) -> tuple[int, int]:
    """(columns, rows) the half-block QR of ``data`` takes, without drawing it."""
    n = len(_build(data, border))
    return n, (n + 1) // 2


def text_qr(data: str) -> str:
    """The QR code for plain-text output (a log, a pipe, a terminal of unknown theme).

    Plain text has no colours, so the glyphs are drawn in the terminal's foreground colour over its
    background. Here the DRAWN part of each cell is a LIGHT module, and the four-module quiet zone is
    drawn too, because:

    - most terminals and log viewers (consoles, journalctl, CI logs, SSH sessions) are light text on a
      dark background, where this comes out the way the QR specification wants it: dark modules on a
      light field, with a light quiet zone that does not depend on what surrounds the code;
    - every line starts and ends with a solid block of quiet zone, so log shippers that strip leading
      or trailing whitespace cannot shift a row, and a short line can never swallow a module;
    - on a light theme the same text shows as a colour-inverted code inside a dark frame, which
      current phone scanners (iOS camera, Google Lens, ZXing-based apps) read as well.

    Lines end with ``\\n``; the result never contains colour escapes.
    """
    matrix = qr_matrix(data, border=MIN_BORDER)
    return "".join(f"{row}\n" for row in _rows(matrix, drawn=False))


_BLACK_ON_WHITE = (
    "\x1b[30;47m"  # the 8 basic colours: the Linux console and every terminal have them
)
_RESET = "\x1b[0m"


def ansi_qr(data: str) -> str:
    """The QR code for a terminal that takes colour escapes: the screen's rules exactly.

    Dark modules are drawn black on a white background set explicitly, so the terminal's theme does
    not matter. Each line sets and resets its own colours, so a cut line cannot leave a colour on.
    Only for terminals: in a log the escapes are noise (use :func:`text_qr`).
    """
    rows = half_block_rows(qr_matrix(data, border=MIN_BORDER))
    return "".join(f"{_BLACK_ON_WHITE}{row}{_RESET}\n" for row in rows)
