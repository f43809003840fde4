"""Benchmark: the full-screen sign-in as a whole process, in a pseudo-terminal.

Run: ``.venv/bin/python tests/bench/bench_ui.py [--runs N] [--wait SECONDS] [--size 100x30]``.
Prints figures and ratios; asserts nothing about speed (the machine decides that).

Measured in the same run, interleaved so every program sees the same machine load:

1. time from process start to the code on screen (the countdown line drawn) for
   ``tvauth login`` against the emulator (started here, like a real Zoho would already be up),
   ``tvauth demo`` (which starts its own emulator), and the app with a scripted session (no network,
   the UI alone); next to the floor: a minimal Textual app that shows one label;
2. CPU used while waiting ``--wait`` seconds for approval (percent of one core), next to the minimal
   app idling as long;
3. peak RSS (VmHWM) of each.

"On screen" means the bytes the program wrote to its terminal contain the text; a pty is used so the
programs run exactly as on a console.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator, EmulatorConfig

ROOT = Path(__file__).resolve().parents[2]
CSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[\]P][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

FLOOR_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Label

    class Floor(App):
        def compose(self):
            yield Label("floor ready")

    Floor().run()
    """
)

SCRIPTED_APP = textwrap.dedent(
    """
    import asyncio, sys, time
    sys.path.insert(0, {root!r})
    from tests.ui.fakes import ScriptedSession, issued, FrozenClock
    from tvauth.events import Requesting
    from tvauth.ui.app import run_app

    class Session(ScriptedSession):
        def sign_in(self):
            async def events():
                clock = FrozenClock(time.monotonic())
                yield Requesting(self.accounts_url, clock.now)
                yield issued(clock)
                await asyncio.Event().wait()
            return events()

    sys.exit(run_app(Session()))
    """
)


@dataclass
class Run:
    """One program in a pty: when the marker showed, CPU and memory figures."""

    to_screen: float
    cpu_percent: float | None
    peak_rss_mb: float


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime, stime, cutime, cstime are fields 14-17 (1-based) of the whole line.
    return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_in_pty(
    argv: Sequence[str], marker: bytes, *, env: dict[str, str], size: tuple[int, int], wait: float
) -> Run:
    """Start ``argv`` on a pty of ``size``; time until ``marker`` is on screen; then idle ``wait`` s."""
    cols, rows = size
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(argv[0], list(argv), env)  # noqa: S606 (a fixed argv, no shell)
    import fcntl
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""
    to_screen = None
    deadline = start + 30
    try:
        while to_screen is None:
            if time.perf_counter() > deadline:
                raise SystemExit(f"{argv[-1][:40]!r}: {marker!r} never appeared:\n{seen[-2000:]!r}")
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    raise SystemExit(f"{argv} ended early:\n{seen[-2000:]!r}") from None
                seen += chunk
                if marker in CSI.sub(b"", seen):
                    to_screen = time.perf_counter() - start
        cpu = None
        if wait > 0:
            before = _cpu_seconds(pid)
            end = time.perf_counter() + wait
            while time.perf_counter() < end:  # keep draining the pty so the app never blocks
                ready, _, _ = select.select([fd], [], [], 0.5)
                if ready:
                    os.read(fd, 65536)
            cpu = (_cpu_seconds(pid) - before) / wait * 100
        rss = _peak_rss_mb(pid)
    finally:
        os.kill(pid, signal.SIGTERM)
        try:
            while select.select([fd], [], [], 0.2)[0]:
                if not os.read(fd, 65536):
                    break
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return Run(to_screen, cpu, rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per program")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds of idle measurement")
    parser.add_argument("--size", default="100x30", help="terminal size, COLSxROWS")
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.split("x"))
    size = (cols, rows)
    python = sys.executable

    with (
        tempfile.TemporaryDirectory(prefix="tvauth-bench-") as tmp,
        Emulator(EmulatorConfig(interval=5.0, code_lifetime=900.0)).start() as emulator,
    ):
        base_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "HOME": tmp,
            "PYTHONPATH": str(ROOT),
        }
        homes = iter(range(10_000))

        def login_env() -> dict[str, str]:
            return {**base_env, "TVAUTH_HOME": f"{tmp}/home-{next(homes)}"}

        login = [
            python, "-m", "tvauth", "login",
            "--client-id", DEMO_CLIENT_ID, "--client-secret", DEMO_CLIENT_SECRET,
            "--scope", "ZohoCRM.modules.ALL", "--accounts-url", emulator.base_url("us"),
        ]  # fmt: skip
        programs: dict[str, tuple[list[str], bytes]] = {
            "floor: Textual, one label": ([python, "-c", FLOOR_APP], b"floor ready"),
            "tvauth login (emulator)": (login, b"Code expires in"),
            "tvauth demo": ([python, "-m", "tvauth", "demo"], b"Code expires in"),
            "app, scripted session": (
                [python, "-c", SCRIPTED_APP.format(root=str(ROOT))],
                b"Code expires in",
            ),
        }

        print(f"terminal {cols}x{rows}, {args.runs} start-up runs each, interleaved\n")
        times: dict[str, list[float]] = {name: [] for name in programs}
        rss: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, (argv, marker) in programs.items():
                result = run_in_pty(argv, marker, env=login_env(), size=size, wait=0)
                times[name].append(result.to_screen)
                rss[name].append(result.peak_rss_mb)

        floor = statistics.median(times["floor: Textual, one label"])
        floor_rss = statistics.median(rss["floor: Textual, one label"])
        print(f"{'start to code on screen':<28}{'median':>9}{'min':>9}{'x floor':>9}"
              f"{'peak RSS':>11}{'x floor':>9}")  # fmt: skip
        for name in programs:
            median = statistics.median(times[name])
            memory = statistics.median(rss[name])
            print(
                f"{name:<28}{median * 1000:>7.0f}ms{min(times[name]) * 1000:>7.0f}ms"
                f"{median / floor:>9.2f}{memory:>8.1f} MB{memory / floor_rss:>9.2f}"
            )

        if args.wait > 0:
            print(
                f"\nCPU while waiting {args.wait:.0f} s (percent of one core), after the code shows"
            )
            idle_floor = run_in_pty(
                [python, "-c", FLOOR_APP],
                b"floor ready",
                env=login_env(),
                size=size,
                wait=args.wait,
            )
            waiting = run_in_pty(
                login, b"Code expires in", env=login_env(), size=size, wait=args.wait
            )
            assert idle_floor.cpu_percent is not None
            assert waiting.cpu_percent is not None
            print(f"{'floor: Textual, one label':<28}{idle_floor.cpu_percent:>7.2f} %"
                  f"   peak RSS {idle_floor.peak_rss_mb:.1f} MB")  # fmt: skip
            print(f"{'tvauth login (emulator)':<28}{waiting.cpu_percent:>7.2f} %"
                  f"   peak RSS {waiting.peak_rss_mb:.1f} MB"
                  f"   ({waiting.cpu_percent / max(idle_floor.cpu_percent, 0.01):.1f}x floor;"
                  f" polls every 5 s)")  # fmt: skip


if __name__ == "__main__":
    main()
