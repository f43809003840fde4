"""The emulator shares the data-center table with the client and nothing else (no parsing code)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import tvauth.emulator

EMULATOR_DIR = Path(tvauth.emulator.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom):
            # Relative: resolve against tvauth.emulator, so "from ..protocol import x" is caught.
            base = ["tvauth", "emulator"][: max(0, 3 - node.level)]
            names.add(".".join([*base, *(node.module or "").split(".")]).rstrip("."))
    return names


def test_emulator_imports_only_stdlib_and_the_dc_table() -> None:
    files = sorted(EMULATOR_DIR.glob("*.py"))
    assert len(files) > 5
    for path in files:
        for name in _imported_modules(path):
            top = name.split(".")[0]
            allowed = (
                top in sys.stdlib_module_names
                or top == "__future__"
                or name == "tvauth.zoho"
                or name == "tvauth.emulator"
                or name.startswith("tvauth.emulator.")
            )
            assert allowed, f"{path.name} imports {name}"


def test_importing_the_emulator_loads_no_client_code() -> None:
    code = (
        "import sys, json, tvauth.emulator, tvauth.emulator.cli;"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tvauth', 'httpx', 'textual', 'qrcode', 'platformdirs'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert all(
        m == "tvauth" or m == "tvauth.zoho" or m.startswith("tvauth.emulator") for m in loaded
    )
