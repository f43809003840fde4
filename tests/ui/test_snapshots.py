"""SVG screenshots of the main screens at the four sizes the specification names, kept in the repo.

A change to what the screens look like fails here until the snapshots are regenerated on purpose:

    TVAUTH_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/ui/test_snapshots.py

Then look at the changed SVGs (any browser opens them) before committing. Screens are built with the
scripted session and a frozen clock, so the same code gives the same pictures on every machine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.ui.fakes import FrozenClock, ScriptedSession, failed, issued, signed_in
from tests.ui.helpers import make_app
from tvauth.errors import AccessDeniedError, CodeExpiredError, InvalidClientError
from tvauth.events import Pending, Requesting

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("TVAUTH_UPDATE_SNAPSHOTS") == "1"
SIZES = [(80, 24), (100, 30), (160, 45), (240, 67)]
DEMO_HINT = "curl -s -d user_code={code} -d decision=approve http://127.0.0.1:8080/emulator/approve"


def normalise(svg: str) -> str:
    """Drop what differs between runs of identical screens: Rich's per-export ids."""
    svg = re.sub(r"terminal-\d+", "terminal", svg)
    return svg.replace("\r\n", "\n")


def check_snapshot(name: str, svg: str, tmp_dir: Path) -> None:
    path = SNAPSHOTS / f"{name}.svg"
    svg = normalise(svg)
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        return
    if not path.exists():
        new = tmp_dir / f"{name}.svg"
        new.write_text(svg, encoding="utf-8")
        pytest.fail(
            f"no snapshot {path}; the screen was written to {new}. If it looks right, create it "
            "with: TVAUTH_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/ui/test_snapshots.py"
        )
    if path.read_text(encoding="utf-8") != svg:
        new = tmp_dir / f"{name}.svg"
        new.write_text(svg, encoding="utf-8")
        pytest.fail(
            f"screen {name} differs from {path}; the new screen was written to {new} "
            "(open both in a browser). If the change is intended, regenerate with: "
            "TVAUTH_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/ui/test_snapshots.py"
        )


Scene = Callable[[ScriptedSession, FrozenClock], list[object]]


def waiting(session: ScriptedSession, clock: FrozenClock) -> list[object]:
    events: list[object] = [Requesting("https://accounts.zoho.com", clock.now), issued(clock)]
    clock.advance(47)
    events.append(Pending(polls=1, at=clock.now - 12, next_poll_at=clock.now + 18))
    return events


def requesting(session: ScriptedSession, clock: FrozenClock) -> list[object]:
    return [Requesting("https://accounts.zoho.com", clock.now)]


def expired(session: ScriptedSession, clock: FrozenClock) -> list[object]:
    return [
        *waiting(session, clock),
        failed(clock, CodeExpiredError("Nobody approved the code in time.")),
    ]


def denied(session: ScriptedSession, clock: FrozenClock) -> list[object]:
    err = AccessDeniedError("The sign-in was denied on Zoho's page.")
    return [*waiting(session, clock), failed(clock, err)]


def error(session: ScriptedSession, clock: FrozenClock) -> list[object]:
    err = InvalidClientError("Zoho US does not know this client id.")
    return [Requesting("https://accounts.zoho.com", clock.now), failed(clock, err)]


def approved(session: ScriptedSession, clock: FrozenClock) -> list[object]:
    return [*waiting(session, clock), signed_in(clock)]


async def _shoot(
    scene: Scene,
    size: tuple[int, int],
    *,
    ansi: bool = False,
    hint: str | None = None,
    then: Callable[[object], Awaitable[None]] | None = None,
) -> str:
    clock = FrozenClock()
    session = ScriptedSession(hint=hint)
    app = make_app(session, clock, ansi=ansi)
    async with app.run_test(size=size) as pilot:
        session.push(*scene(session, clock))
        await pilot.pause()
        if then is not None:
            await then(pilot)
        main = app.main_screen
        if main is not None:
            main.tick()  # type: ignore[attr-defined]
        await pilot.pause()
        return app.export_screenshot(title="tvauth")


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("scene", [waiting, approved, expired], ids=lambda f: f.__name__)
async def test_main_screens(scene: Scene, width: int, height: int, tmp_path: Path) -> None:
    svg = await _shoot(scene, (width, height))
    check_snapshot(f"{scene.__name__}-{width}x{height}", svg, tmp_path)


@pytest.mark.parametrize(
    ("name", "scene", "size", "ansi", "hint"),
    [
        ("waiting-80x24-16colours", waiting, (80, 24), True, None),
        ("approved-80x24-16colours", approved, (80, 24), True, None),
        ("waiting-100x30-demo", waiting, (100, 30), False, DEMO_HINT),
        ("waiting-39x20-tiny", waiting, (39, 20), False, None),
        ("waiting-64x48-stacked", waiting, (64, 48), False, None),
        ("requesting-80x24", requesting, (80, 24), False, None),
        ("denied-80x24", denied, (80, 24), False, None),
        ("error-100x30", error, (100, 30), False, None),
    ],
)
async def test_other_screens(name, scene, size, ansi, hint, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svg = await _shoot(scene, size, ansi=ansi, hint=hint)
    check_snapshot(name, svg, tmp_path)


async def test_quit_question(tmp_path: Path) -> None:
    async def press_back(pilot):  # type: ignore[no-untyped-def]
        await pilot.press("escape")
        await pilot.pause()

    svg = await _shoot(waiting, (80, 24), then=press_back)
    check_snapshot("quit-question-80x24", svg, tmp_path)


def test_normalise_removes_export_ids() -> None:
    assert normalise('<g class="terminal-123456-r1">') == '<g class="terminal-r1">'
