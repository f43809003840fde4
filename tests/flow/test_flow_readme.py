"""The README's "Embed it" examples run as written against ``tvauth emulator``.

The section lives in ``tests/flow/readme_embed.md`` (the lead pastes it into README.md verbatim); each
python block runs in a fresh interpreter against an emulator subprocess that approves by itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tvauth.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

HERE = Path(__file__).parent
SECTION = HERE / "readme_embed.md"
README = HERE.parents[1] / "README.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks(text: str) -> list[str]:
    return BLOCK.findall(text)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tvauth",
            "emulator",
            "--port",
            "0",
            "--interval",
            "1",
            "--units",
            "s",
            "--auto-approve",
            "ada@example.com",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        if line.startswith("us "):
            url = line.split()[1]
        if line.startswith("control "):
            break
    try:
        assert url, "the emulator did not print its URL"
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_section_has_an_async_and_a_blocking_example_of_about_fifteen_lines() -> None:
    found = blocks(SECTION.read_text(encoding="utf-8"))
    assert len(found) == 2
    assert "async def" in found[0]
    assert "run_blocking" in found[1]
    for code in found:
        lines = [line for line in code.splitlines() if line.strip()]
        assert len(lines) <= 24  # ~15 lines of logic plus imports and settings


def test_the_examples_default_to_the_emulators_demo_client() -> None:
    for code in blocks(SECTION.read_text(encoding="utf-8")):
        assert DEMO_CLIENT_ID in code
        assert DEMO_CLIENT_SECRET in code
        assert "http://127.0.0.1:8765/us" in code


@pytest.mark.parametrize("index", [0, 1], ids=["async", "blocking"])
def test_example_runs_as_written(emulator_url: str, index: int, tmp_path: Path) -> None:
    code = blocks(SECTION.read_text(encoding="utf-8"))[index]
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVAUTH_CLIENT")}
    env["TVAUTH_ACCOUNTS_URL"] = emulator_url
    env.pop("HTTP_PROXY", None)
    env.pop("HTTPS_PROXY", None)
    env.pop("ALL_PROXY", None)
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "Signed in" in done.stdout
    assert "Not signed in" not in done.stdout
    assert DEMO_CLIENT_SECRET not in done.stdout + done.stderr


def test_the_readme_carries_the_examples_verbatim_once_merged() -> None:
    readme = README.read_text(encoding="utf-8") if README.exists() else ""
    if "## Embed it" not in readme:
        pytest.skip("README.md has no 'Embed it' section yet (the lead merges it)")
    assert blocks(SECTION.read_text(encoding="utf-8")) == [
        b for b in blocks(readme) if "tvauth.DeviceFlow" in b
    ]
