"""Two writers at once, and a writer killed at any instant: the store must not lose or tear a file."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
from store_data import profile_factory

from tvauth.errors import StoreError
from tvauth.profile import Profile
from tvauth.store import TokenStore


def _increment(current: Profile | None) -> Profile | None:
    assert current is not None
    count = int(current.display_name or "0")
    return dataclasses.replace(current, display_name=str(count + 1))


def _hammer(tokens_dir: str, times: int) -> None:
    store = TokenStore(Path(tokens_dir))
    for _ in range(times):
        store.update("default", _increment)


def test_updates_from_several_processes_are_never_lost(tokens_dir: Path) -> None:
    TokenStore(tokens_dir).save(profile_factory(display_name="0"))
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_hammer, args=(str(tokens_dir), 25)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    loaded = TokenStore(tokens_dir).load("default")
    assert loaded is not None
    assert loaded.display_name == "100"


def test_updates_from_several_threads_are_never_lost(tokens_dir: Path) -> None:
    TokenStore(tokens_dir).save(profile_factory(display_name="0"))
    threads = [threading.Thread(target=_hammer, args=(str(tokens_dir), 15)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    loaded = TokenStore(tokens_dir).load("default")
    assert loaded is not None
    assert loaded.display_name == "90"


async def test_updates_from_several_tasks_are_never_lost(tokens_dir: Path) -> None:
    store = TokenStore(tokens_dir)
    store.save(profile_factory(display_name="0"))

    async def bump() -> None:
        for _ in range(10):
            async with store.alock("default"):
                current = store.load_locked("default")
                await asyncio.sleep(0)  # give the other tasks every chance to barge in
                store.update_locked("default", lambda _p, c=current: _increment(c))

    await asyncio.gather(*(bump() for _ in range(5)))
    loaded = store.load("default")
    assert loaded is not None
    assert loaded.display_name == "50"


async def test_a_task_cancelled_while_waiting_for_the_lock_does_not_keep_it(
    tokens_dir: Path,
) -> None:
    store = TokenStore(tokens_dir)
    holder = store.lock("default")
    holder.__enter__()
    waiter = asyncio.create_task(_take(store))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    holder.__exit__(None, None, None)
    async with asyncio.timeout(5):
        await _take(store)  # free again


async def _take(store: TokenStore) -> None:
    async with store.alock("default"):
        pass


def test_a_lock_held_too_long_gives_a_clear_error(tokens_dir: Path) -> None:
    store = TokenStore(tokens_dir, lock_timeout=0.2)
    with store.lock("default"):
        other = TokenStore(tokens_dir, lock_timeout=0.2)
        with pytest.raises(StoreError, match="Another tvauth process"):
            other.save(profile_factory())


def _write_forever(tokens_dir: str, generation: int) -> None:
    """Child: rewrite the profile as fast as possible; each body is self-checking."""
    store = TokenStore(Path(tokens_dir))
    k = 0
    while True:
        k += 1
        # A large field makes the write span several blocks, so a torn write would show.
        store.save(
            profile_factory(
                email=f"{generation}.{k}@example.com",
                display_name=f"{generation}.{k}:" + "x" * 6000,
            )
        )


@pytest.mark.slow
def test_a_writer_killed_at_any_instant_leaves_the_old_or_the_new_file(tokens_dir: Path) -> None:
    store = TokenStore(tokens_dir)
    store.save(profile_factory(email="0.0@example.com", display_name="0.0:"))
    rng = random.Random(20261128)
    last = (0, 0)
    kills = 0
    deadline = time.monotonic() + 15.0
    generation = 0
    torn = 0  # kills that landed while a temporary file existed: mid-write
    while kills < 300 and time.monotonic() < deadline:
        generation += 1
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                _write_forever(str(tokens_dir), generation)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 0.012))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
        torn += any(tokens_dir.glob(".default.json.*.tmp"))
        loaded = store.load("default")  # must parse: a corrupt file would raise here
        assert loaded is not None
        assert loaded.email is not None
        assert loaded.display_name
        gen, k = (int(x) for x in loaded.email.split("@")[0].split("."))
        assert loaded.display_name.startswith(f"{gen}.{k}:"), "fields from two writes mixed"
        assert (gen, k) >= last, "an older value came back"
        last = (gen, k)
    assert kills >= 100, f"only {kills} kills in the time allowed"
    assert last[0] > 0, "no child ever completed a write: the test proved nothing"
    print(f"{kills} kills, {torn} with a temporary file present, last write {last}")
    assert torn > 0, "no kill landed mid-write: the test proved nothing"
    assert not list(tokens_dir.glob("*.corrupt-*"))
    store.save(profile_factory())
    assert not list(tokens_dir.glob("*.tmp")), "the next write sweeps what killed writers left"
