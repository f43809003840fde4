"""Soak: one device renewing every half second for many cycles, with random faults and SIGKILLs.

Run: ``.venv/bin/python tests/bench/bench_soak.py [--cycles 200] [--seed 6] [--max-seconds 300]``.
Prints figures; checks only that the answers are right (exit 1 if not), never speed.

The renewer is a child process running the kiosk's own loop (:func:`tvauth.keepalive.keep_fresh`,
the single-flight renewal and the token store) against an emulator in this process, all on
127.0.0.1. Time is scaled down: the emulator hands out 1-second access tokens, the child renews
0.6 s before expiry, and its retry, throttle and minimum waits are scaled the same way (module
constants patched in the child only). Meanwhile this process, driven by a seeded random generator:

* queues a random emulator fault on the refresh endpoint now and then (drop, reset, hang, 500,
  502-html, malformed, empty, delay, throttle);
* SIGKILLs the child at random moments (in a sleep, in a refresh, holding the lock, mid-write) and
  starts a new one;
* reads the token file every 20 ms: it must always parse and always hold the same refresh token.

At the end: the stored access token works (the emulator's whoami API), the refresh token still
works (one more refresh), and the refreshes the emulator performed match the renewals the children
reported, give or take the kills. Why "at most one extra per kill": a renewal the emulator answered
is either written to the file and reported (counted), or its child died first, between Zoho's answer
and the report (written but unreported, or never written). One child has at most one renewal in
flight (the profile lock), so each kill can add at most one refresh the reports do not show.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import httpx

from tvauth.emulator import Emulator, EmulatorConfig
from tvauth.paths import resolve_paths
from tvauth.renewal import renew
from tvauth.store import TokenStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.store.emu_helpers import sign_in

REFRESH = "/oauth/v2/token"
FAULTS = ("drop", "reset", "hang", "500", "502-html", "malformed", "empty", "delay:0.1", "throttle")
TOKEN_LIFETIME = 1.0
MARGIN = 0.6
CLIENT_TIMEOUT = 0.5

CHILD = f"""
import asyncio, sys
import httpx
import tvauth.keepalive as keepalive
import tvauth.renewal as renewal
from tvauth.store import TokenStore

keepalive._MIN_WAIT = 0.2            # scaled like the 1 s tokens
renewal.THROTTLE_BACKOFF_FIRST = 0.5  # Zoho's 60 s, scaled

async def main() -> None:
    timeout = httpx.Timeout({CLIENT_TIMEOUT})
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as http:
        async for event in keepalive.keep_fresh(
            TokenStore(), "default", margin={MARGIN}, http=http, retry_after=0.1
        ):
            print(type(event).__name__, flush=True)

asyncio.run(main())
"""


class Child:
    """One renewer process; its report lines are counted by a reader thread."""

    def __init__(self, env: dict[str, str], counts: Counter[str], lock: threading.Lock) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.renewed = threading.Event()
        self._counts, self._lock = counts, lock
        self.stderr: list[str] = []
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.proc.stderr,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            name = line.strip()
            with self._lock:
                self._counts[name] += 1
            if name == "Renewed":
                self.renewed.set()

    def _drain(self, stream: IO[str]) -> None:
        self.stderr.extend(stream)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


class Watcher(threading.Thread):
    """Reads the token file every 20 ms: it must parse, and keep the same refresh token."""

    def __init__(self, store: TokenStore, refresh_token: str) -> None:
        super().__init__(daemon=True)
        self.store, self.refresh_token = store, refresh_token
        self.samples = 0
        self.access_tokens: set[str] = set()
        self.problems: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            try:
                profile = self.store.load("default")
            except Exception as exc:  # a half-written file would land here
                self.problems.append(f"unreadable: {type(exc).__name__}")
                continue
            self.samples += 1
            if profile is None:
                self.problems.append("profile missing")
                continue
            if (
                profile.refresh_token is None
                or profile.refresh_token.reveal() != self.refresh_token
            ):
                self.problems.append("refresh token changed or lost")
            if profile.access_token is not None:
                self.access_tokens.add(profile.access_token.reveal())


def whoami(api_domain: str, token: str) -> int:
    with httpx.Client(timeout=5, trust_env=False) as client:
        answer = client.get(
            f"{api_domain}/api/v1/whoami", headers={"Authorization": f"Zoho-oauthtoken {token}"}
        )
    return answer.status_code


def refreshes_done(emu: Emulator) -> int:
    """Refreshes the emulator performed (answered with a new token): faults that replaced the
    answer do not count; a delayed answer does (the refresh happened)."""
    done = 0
    for entry in emu.requests_to(REFRESH):
        fault = entry.get("fault")
        if entry.get("grant_type") != "refresh_token" or (fault and not fault.startswith("delay")):
            continue
        if entry.get("status") == 200 and entry.get("error") is None:
            done += 1
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cycles", type=int, default=200, help="renewals to reach (default 200)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--max-seconds", type=float, default=300.0, help="wall-time cap")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    home = Path(tempfile.mkdtemp(prefix="tvauth-soak-"))
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update({"TVAUTH_HOME": str(home), "NO_PROXY": "*"})
    store = TokenStore(resolve_paths({"TVAUTH_HOME": str(home)}).tokens_dir)
    config = EmulatorConfig(token_lifetime=TOKEN_LIFETIME, refresh_limit=1_000_000)
    emu = Emulator(config).start()
    signed = sign_in(emu, store, expires_in=TOKEN_LIFETIME)
    assert signed.refresh_token is not None
    assert signed.api_domain is not None
    refresh_token = signed.refresh_token.reveal()

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    faults: Counter[str] = Counter()
    kills = 0
    watcher = Watcher(store, refresh_token)
    watcher.start()
    started = time.monotonic()
    child = Child(env, counts, lock)
    kill_at = started + rng.uniform(0.3, 4.0)
    fault_at = started + rng.uniform(0.2, 1.5)
    ok = True
    try:
        while True:
            now = time.monotonic()
            with lock:
                cycles = counts["Renewed"]
            if cycles >= args.cycles or now - started > args.max_seconds:
                break
            if now >= fault_at:
                if not emu.pending_faults():
                    fault = rng.choice(FAULTS)
                    emu.set_faults([{"fault": fault, "path": REFRESH}])
                    faults[fault] += 1
                fault_at = now + rng.uniform(0.2, 1.5)
            if now >= kill_at:
                child.kill()
                kills += 1
                child = Child(env, counts, lock)
                kill_at = now + rng.uniform(0.3, 4.0)
            time.sleep(0.01)
        # Stop right after a reported renewal: the stored token is then fresh, and checkable.
        emu.set_faults([])
        child.renewed.clear()
        stopped_cleanly = child.renewed.wait(timeout=10)
        child.kill()
        wall = time.monotonic() - started
        watcher.stop.set()
        watcher.join()

        profile = store.load("default")
        assert profile is not None
        assert profile.access_token is not None
        stored_ok = whoami(signed.api_domain, profile.access_token.reveal()) == 200
        seen = refreshes_done(emu)
        with lock:
            reported = counts["Renewed"]
            failed_reports = counts["RenewalFailed"]
        stops = kills + 1  # the final stop is a kill too, though it lands after a report
        extra = seen - reported
        # The refresh token must still be Zoho's: one more renewal, then the API.
        with httpx.Client(timeout=5, trust_env=False) as http:
            final = renew(store=store, http=http, force=True, margin=MARGIN)
        assert final.access_token is not None
        assert final.refresh_token is not None
        refresh_ok = (
            final.refresh_token.reveal() == refresh_token
            and whoami(signed.api_domain, final.access_token.reveal()) == 200
        )
        internal = emu.internal_errors
    finally:
        child.kill()
        emu.stop()

    rows = [
        ("cycles (renewals reported)", f"{reported}"),
        ("renewal failures reported", f"{failed_reports} (retried by the loop)"),
        ("kills (SIGKILL + restart)", f"{kills} (+1 final stop)"),
        (
            "faults injected",
            f"{sum(faults.values())}: " + ", ".join(sorted(f"{k} {v}" for k, v in faults.items())),
        ),
        ("refreshes seen by emulator", f"{seen}"),
        ("expected", f"{reported} .. {reported + stops} (reported + at most one per kill)"),
        ("extra refreshes", f"{extra}"),
        (
            "token file samples",
            f"{watcher.samples}, {len(watcher.access_tokens)} distinct access tokens",
        ),
        (
            "refresh token",
            "never changed or lost"
            if not watcher.problems
            else "; ".join(sorted(set(watcher.problems))),
        ),
        ("stored token at the end", "valid (whoami 200)" if stored_ok else "REJECTED"),
        ("refresh token at the end", "accepted by the emulator" if refresh_ok else "REJECTED"),
        ("wall time", f"{wall:.1f} s ({reported / wall:.2f} renewals/s)"),
    ]
    width = max(len(k) for k, _ in rows) + 2
    for key, value in rows:
        print(f"{key:<{width}}{value}")
    checks: dict[str, Any] = {
        "reached the cycles": reported >= args.cycles,
        "stopped after a renewal": stopped_cleanly,
        "refresh count within bounds": 0 <= extra <= stops,
        "token file always readable, same refresh token": not watcher.problems,
        "stored token valid": stored_ok,
        "refresh token still accepted": refresh_ok,
        "no emulator internal errors": internal == 0,
    }
    for name, passed in checks.items():
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
        ok = ok and bool(passed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
