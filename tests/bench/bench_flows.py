"""Benchmark: many concurrent device sign-ins driven by one process against the emulator.

Run ``python tests/bench/bench_flows.py`` (options: ``--flows 10,1000 --interval 2``). It starts
``tvauth emulator`` in a subprocess (so the server's CPU is not counted as the client's), then, for each
flow count, a fresh child process that runs that many ``DeviceFlow.run`` coroutines at once over one
shared ``httpx.AsyncClient``. An approver task in the child approves each code through the emulator's
control API (``POST /emulator/approve``) after a random 0-3 intervals, so flows finish at spread-out
times. Printed per run: wall time, polls per second sustained, peak RSS growth per flow, CPU seconds
per poll (client process, approvals included), and how late polls were against their schedule. The
last line compares the largest run with the smallest: figures, not a pass/fail verdict.

Knobs: ``--clients K`` spreads the flows over K client pools (httpcore's pool does work proportional to
queued requests times connections on every request, so one pool with ~1000 waiting requests burns
CPU); ``--sniffio-shim`` repeats each size with a stand-in ``sniffio`` module (httpcore imports it on
every lock it makes, and when the package is missing each failed import walks sys.path);
``--stagger 0`` starts every flow at the same instant.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ACCOUNT = "ada@example.com"
ROOT = Path(__file__).resolve().parents[2]


def start_emulator(interval: float, lifetime: float) -> tuple[subprocess.Popen[str], str]:
    """``tvauth emulator`` on a free port; returns the process and the ``us`` accounts URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tvauth",
            "emulator",
            "--port",
            "0",
            "--interval",
            str(interval),
            "--code-lifetime",
            str(lifetime),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        if line.startswith("us "):
            url = line.split()[1]
        if line.startswith("control "):
            break
    if not url:
        proc.kill()
        raise SystemExit("the emulator did not print its URLs")
    return proc, url


def run_child(
    flows: int, url: str, interval: float, pool: int, shim: bool, stagger: float, shards: int
) -> dict[str, Any]:
    extra = ["--sniffio-shim"] if shim else []
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(flows),
            "--url",
            url,
            "--interval",
            str(interval),
            "--pool",
            str(pool),
            "--stagger",
            str(stagger),
            "--clients",
            str(shards),
            *extra,
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def sniffio_shim() -> bool:
    """Stand in for sniffio when it is not installed; True if the shim was needed.

    httpcore imports ``sniffio`` inside ``current_async_library()`` on every lock it creates; when the
    package is missing, each failed import searches sys.path again (about 0.2 ms a time).
    """
    import importlib.util
    import types

    if importlib.util.find_spec("sniffio") is not None:
        return False
    shim = types.ModuleType("sniffio")
    shim.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
    sys.modules["sniffio"] = shim
    return True


async def child(
    flows: int, url: str, interval: float, pool: int, shim: bool, stagger: float, shards: int
) -> dict[str, Any]:
    shimmed = sniffio_shim() if shim else False
    import httpx

    from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from tvauth.events import Approved, CodeIssued, FlowEvent, NetworkTrouble, Pending, SlowedDown
    from tvauth.flow import DeviceFlow

    polls = 0
    approvals = 0
    requests = 0

    async def count(request: httpx.Request) -> None:
        nonlocal polls, requests
        requests += 1
        if request.url.path.endswith("/oauth/v3/device/token"):
            polls += 1

    clients = [
        httpx.AsyncClient(
            timeout=httpx.Timeout(30.0),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            trust_env=False,
            event_hooks={"request": [count]},
        )
        for _ in range(shards)
    ]
    client = clients[0]
    flow = DeviceFlow(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        scopes=["AaaServer.profile.READ"],
        accounts_url=url,
    )
    rng = random.Random(7)
    lateness: list[float] = []
    counters = {"slow_down": 0, "network_trouble": 0}
    approvers: set[asyncio.Task[None]] = set()

    async def approve(user_code: str) -> None:
        nonlocal approvals
        await asyncio.sleep(rng.uniform(0, 3 * interval))
        answer = await client.post(
            url + "/emulator/approve",
            data={"user_code": user_code, "account": ACCOUNT, "decision": "allow"},
        )
        if answer.status_code != 200:
            print("approve failed", answer.status_code, answer.text, file=sys.stderr)
        answer.raise_for_status()
        approvals += 1

    def watcher() -> Any:
        due: list[float] = []

        def on_event(event: FlowEvent) -> None:
            if isinstance(event, CodeIssued):
                due.append(event.at + event.authorization.interval)
                task = asyncio.get_running_loop().create_task(
                    approve(event.authorization.user_code)
                )
                approvers.add(task)
                task.add_done_callback(approvers.discard)
            elif isinstance(event, Pending | Approved):
                # answer time minus due time: scheduling delay plus one round trip
                lateness.append(event.at - due[-1])
                if isinstance(event, Pending):
                    due.append(event.next_poll_at)
            elif isinstance(event, SlowedDown):
                counters["slow_down"] += 1
            elif isinstance(event, NetworkTrouble):
                counters["network_trouble"] += 1

        return on_event

    # Warm up imports and the connection pool before measuring.
    await client.get(url + "/oauth/serverinfo")
    base_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0 = time.process_time()
    t0 = time.perf_counter()

    async def one(i: int) -> Approved:
        await asyncio.sleep(stagger * interval * i / flows)  # devices do not start in lockstep
        return await flow.run(clients[i % shards], on_event=watcher())

    results = await asyncio.gather(*(one(i) for i in range(flows)), return_exceptions=True)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    flow_requests, flow_polls = requests, polls

    # Baseline in the same process and pool: bare httpx POSTs, no flow machinery around them.
    bare = min(3000, max(100, flow_requests))
    workers = min(flows, 100)

    async def bare_worker(k: int) -> None:
        for _ in range(k):
            answer = await client.post(
                url + "/oauth/v3/device/token",
                data={
                    "client_id": DEMO_CLIENT_ID,
                    "client_secret": DEMO_CLIENT_SECRET,
                    "grant_type": "device_token",
                    "code": "1004.unknown",
                },
            )
            answer.json()

    cpu1 = time.process_time()
    await asyncio.gather(*(bare_worker(bare // workers) for _ in range(workers)))
    bare_cpu_ms = 1000 * (time.process_time() - cpu1) / (workers * (bare // workers))
    for each in clients:
        await each.aclose()
    failures = [repr(r) for r in results if not isinstance(r, Approved)]
    lateness.sort()
    return {
        "flows": flows,
        "pool": pool,
        "sniffio_shim": shimmed,
        "approved": flows - len(failures),
        "failures": failures[:3],
        "approvals": approvals,
        "polls": flow_polls,
        "wall_s": wall,
        "polls_per_s": flow_polls / wall,
        "cpu_s": cpu,
        "cpu_ms_per_poll": 1000 * cpu / max(flow_polls, 1),
        "requests": flow_requests,
        "cpu_ms_per_request": 1000 * cpu / max(flow_requests, 1),
        "bare_cpu_ms_per_request": bare_cpu_ms,
        "base_rss_mib": base_rss_kib / 1024,
        "peak_rss_mib": peak_rss_kib / 1024,
        "rss_kib_per_flow": (peak_rss_kib - base_rss_kib) / flows,
        "lateness_p50_ms": 1000 * statistics.median(lateness) if lateness else 0.0,
        "lateness_p99_ms": 1000 * lateness[int(0.99 * (len(lateness) - 1))] if lateness else 0.0,
        **counters,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", default="10,1000", help="comma-separated flow counts")
    parser.add_argument("--interval", type=float, default=2.0, help="emulator interval, s")
    parser.add_argument(
        "--pool", type=int, default=100, help="httpx max connections (default 100, httpx's)"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help="spread the flows over this many httpx.AsyncClient pools (default 1)",
    )
    parser.add_argument(
        "--stagger",
        type=float,
        default=1.0,
        help="spread the flows' starts over this many intervals (0: all at once; default 1)",
    )
    parser.add_argument(
        "--sniffio-shim",
        action="store_true",
        help="also run each size with a stand-in sniffio module (shows httpcore's import cost)",
    )
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        result = asyncio.run(
            child(
                args.child,
                args.url,
                args.interval,
                args.pool,
                args.sniffio_shim,
                args.stagger,
                args.clients,
            )
        )
        print(json.dumps(result))
        return

    counts = [int(c) for c in args.flows.split(",")]
    emulator, url = start_emulator(args.interval, lifetime=max(60.0, 20 * args.interval))
    variants = [False, True] if args.sniffio_shim else [False]
    try:
        print(
            f"emulator {url}; interval {args.interval:g} s (ms on the wire); approvals after "
            f"0-3 intervals; starts spread over {args.stagger:g} interval(s); "
            f"{args.clients} httpx.AsyncClient(s), max {args.pool} connections each"
        )
        print(
            f"{'sniffio':>8} {'flows':>6} {'ok':>6} {'polls':>6} {'wall s':>7} {'polls/s':>8} "
            f"{'CPU ms/poll':>11} {'RSS KiB/flow':>12} {'peak MiB':>8} "
            f"{'late p50 ms':>11} {'late p99 ms':>11} {'slow_down':>9} {'net err':>7}"
        )
        for shim in variants:
            rows = []
            for n in counts:
                r = run_child(n, url, args.interval, args.pool, shim, args.stagger, args.clients)
                rows.append(r)
                label = "shim" if r["sniffio_shim"] else "as-is"
                print(
                    f"{label:>8} {r['flows']:>6} {r['approved']:>6} {r['polls']:>6} "
                    f"{r['wall_s']:>7.2f} {r['polls_per_s']:>8.1f} {r['cpu_ms_per_poll']:>11.3f} "
                    f"{r['rss_kib_per_flow']:>12.1f} {r['peak_rss_mib']:>8.1f} "
                    f"{r['lateness_p50_ms']:>11.1f} {r['lateness_p99_ms']:>11.1f} "
                    f"{r['slow_down']:>9} {r['network_trouble']:>7}"
                )
                for failure in r["failures"]:
                    print(f"         failure: {failure}")
                print(
                    f"{'':>8} {r['requests']} requests (codes, polls, approvals): "
                    f"{r['cpu_ms_per_request']:.2f} ms CPU each vs {r['bare_cpu_ms_per_request']:.2f} "
                    f"ms for bare httpx POSTs in the same process "
                    f"(x{r['cpu_ms_per_request'] / r['bare_cpu_ms_per_request']:.2f})"
                )
            if len(rows) >= 2:
                small, big = rows[0], rows[-1]
                scale = big["flows"] / small["flows"]
                print(
                    f"{'':>8} {big['flows']} vs {small['flows']} flows (x{scale:g}): "
                    f"polls/s x{big['polls_per_s'] / small['polls_per_s']:.1f}, "
                    f"CPU per poll x{big['cpu_ms_per_poll'] / small['cpu_ms_per_poll']:.2f}, "
                    f"wall x{big['wall_s'] / small['wall_s']:.2f}, "
                    f"peak RSS +{big['peak_rss_mib'] - small['peak_rss_mib']:.1f} MiB"
                )
    finally:
        emulator.terminate()
        emulator.wait(10)


if __name__ == "__main__":
    main()
