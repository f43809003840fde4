"""Cost of drawing the sign-in's QR code and big user code, against qrcode alone.

Run: ``.venv/bin/python tests/bench/bench_render.py``. Prints figures and ratios measured in the same
run (median of several rounds); it does not pass or fail. The baseline is what any QR display must
pay: the ``qrcode`` library building the module matrix (smallest version, level M, all masks tried).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

URL = "https://accounts.zoho.com/oauth/v3/device?user_code=ABCD-1234"
CODE = "ABCD-1234"
ROUNDS = 7


def _per_call(fn: Callable[[], object], *, min_time: float = 0.2) -> float:
    """Median seconds per call over ROUNDS rounds, each long enough to time reliably."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start >= min_time / 4:
            break
        n *= 2
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


def _import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def main() -> None:
    import qrcode
    import qrcode.constants

    from tvauth import bigtext, qr

    def baseline() -> object:
        q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        q.add_data(URL)
        q.make(fit=True)
        return q.get_matrix()

    def screen_cold() -> object:
        qr._build.cache_clear()
        rows = qr.half_block_rows(qr.qr_matrix(URL))
        return rows, bigtext.render(CODE, height=7)

    def screen_warm() -> object:  # a repaint or resize: the matrix is cached
        rows = qr.half_block_rows(qr.qr_matrix(URL))
        return rows, bigtext.render(CODE, height=7)

    def text_cold() -> object:
        qr._build.cache_clear()
        return qr.text_qr(URL)

    def big_only() -> object:
        return [bigtext.render(CODE, height=h) for h in bigtext.SIZES]

    base = _per_call(baseline)
    figures = {
        "half-block QR + big code (cold: new matrix)": _per_call(screen_cold),
        "half-block QR + big code (warm: cached matrix)": _per_call(screen_warm),
        "text QR for --plain (cold)": _per_call(text_cold),
        f"big code alone, all {len(bigtext.SIZES)} sizes": _per_call(big_only),
    }
    cols, rows = qr.qr_size(URL)
    print(f"URL: {URL} ({len(URL)} chars) -> QR {cols}x{rows} cells; code {CODE!r} at height 7")
    print(f"{'baseline: qrcode builds the matrix':50s} {base * 1e3:8.3f} ms   1.00x")
    for name, seconds in figures.items():
        print(f"{name:50s} {seconds * 1e3:8.3f} ms   {seconds / base:5.2f}x")

    imp_ours = _import_seconds("import tvauth.qr, tvauth.bigtext, tvauth.plain")
    imp_qrcode = _import_seconds("import qrcode")
    print(f"{'import tvauth.qr+bigtext+plain (fresh process)':50s} {imp_ours * 1e3:8.3f} ms")
    print(f"{'import qrcode (fresh process; paid on first QR)':50s} {imp_qrcode * 1e3:8.3f} ms")


if __name__ == "__main__":
    main()
