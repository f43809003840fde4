"""Benchmark: ``tvauth token`` as a whole process, and twenty of them on an expired token.

Run: ``.venv/bin/python tests/bench/bench_token.py [--runs N]``. Prints figures; asserts nothing
about speed (the machine decides that), only that the answers are right.

1. ``tvauth token`` with a cached valid token, against ``python -I -c pass`` measured in the same
   run, interleaved so both see the same machine load: medians and their ratio.
2. Twenty ``tvauth token`` processes started at once on an expired token, against the emulator:
   wall time, and how many refreshes the emulator saw (the single flight says: one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tvauth.emulator import DEMO_ACCOUNTS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Emulator
from tvauth.profile import Profile
from tvauth.redact import Secret
from tvauth.store import TokenStore
from tvauth.tokens import parse_token_success


def _sign_in(emu: Emulator, store: TokenStore, expires_in: float) -> None:
    account = "jane@example.com"
    tokens = parse_token_success(emu.grant_tokens(account=account, scopes=("ZohoCRM.modules.ALL",)))
    location = DEMO_ACCOUNTS[account]
    now = datetime.now(UTC)
    store.save(
        Profile(
            name="default",
            client_id=DEMO_CLIENT_ID,
            client_secret=Secret(DEMO_CLIENT_SECRET),
            accounts_url=emu.base_url(location),
            location=location,
            api_domain=tokens.api_domain,
            scopes=tokens.scope or (),
            refresh_token=tokens.refresh_token,
            access_token=tokens.access_token,
            access_expires_at=now + timedelta(seconds=expires_in),
            email=account,
            signed_in_at=now,
        )
    )


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {done.stderr.decode(errors='replace').strip()}")
    return elapsed


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def bench_cached(env: dict[str, str], runs: int) -> None:
    token_cmd = [sys.executable, "-m", "tvauth", "token"]
    script = Path(sys.executable).with_name("tvauth")
    baseline_cmd = [sys.executable, "-I", "-c", "pass"]
    # Warm the page cache and .pyc files first.
    for _ in range(3):
        _time(token_cmd, env)
        _time(baseline_cmd, env)
    token_times: list[float] = []
    script_times: list[float] = []
    base_times: list[float] = []
    for _ in range(runs):
        base_times.append(_time(baseline_cmd, env))
        token_times.append(_time(token_cmd, env))
        if script.exists():
            script_times.append(_time([str(script), "token"], env))
    base = statistics.median(base_times)
    tok = statistics.median(token_times)
    print(f"1. cached token, {runs} runs each (interleaved), medians:")
    print(f"   python -I -c pass        {_ms(base)}")
    print(
        f"   python -m tvauth token   {_ms(tok)}   ratio {tok / base:4.2f}x   (+{_ms(tok - base).strip()})"
    )
    if script_times:
        scr = statistics.median(script_times)
        print(f"   tvauth token (script)    {_ms(scr)}   ratio {scr / base:4.2f}x")


def bench_stampede(emu: Emulator, store: TokenStore, env: dict[str, str], count: int) -> None:
    _sign_in(emu, store, expires_in=-10)
    emu.clear_log()
    cmd = [sys.executable, "-m", "tvauth", "token"]
    start = time.perf_counter()
    children = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    results = [c.communicate(timeout=120) for c in children]
    wall = time.perf_counter() - start
    failures = [
        err.decode(errors="replace")
        for c, (_, err) in zip(children, results, strict=True)
        if c.returncode
    ]
    tokens = {out.strip() for out, _ in results}
    refreshes = len(emu.requests_to("/oauth/v2/token"))
    print(f"2. {count} concurrent 'tvauth token' on an expired token:")
    print(f"   wall time                {_ms(wall)}")
    print(f"   refreshes Zoho saw       {refreshes}")
    print(f"   distinct tokens printed  {len(tokens)}   failures {len(failures)}")
    if failures:
        print("   first failure:", failures[0].strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, Emulator(interval=0.2) as emu:
        env = {**os.environ, "TVAUTH_HOME": home}
        store = TokenStore(Path(home) / "data" / "tokens")
        _sign_in(emu, store, expires_in=3600)
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
        )
        bench_cached(env, args.runs)
        bench_stampede(emu, store, env, args.concurrent)


if __name__ == "__main__":
    main()
