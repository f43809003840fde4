"""The layering contract, checked by machine (see shared design notes).

Each headless module is imported in a fresh interpreter and must not pull in Textual (or qrcode,
which only tvauth.qr and the UI may load). A static check backs it up: the import statements
themselves, so a lazy import inside a function cannot hide a violation from review either.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tvauth

PACKAGE_DIR = Path(tvauth.__file__).parent

# Modules allowed to import these libraries at all (statically).
TEXTUAL_ALLOWED = ("tvauth.ui",)
QRCODE_ALLOWED = ("tvauth.qr",)
PLATFORMDIRS_ALLOWED = ("tvauth.paths",)
# Modules that may load Textual or qrcode when imported (they exist to show things).
HEAVY_AT_IMPORT = ("tvauth.ui", "tvauth.qr", "tvauth.commands.login", "tvauth.commands.demo")


def _all_modules() -> list[str]:
    names = ["tvauth"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="tvauth."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _module_path(name: str) -> Path:
    rel = Path(*name.split(".")[1:])
    candidate = PACKAGE_DIR / rel / "__init__.py"
    return candidate if candidate.exists() else (PACKAGE_DIR / rel).with_suffix(".py")


def _starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize(
    ("library", "allowed"),
    [
        ("textual", TEXTUAL_ALLOWED),
        ("qrcode", QRCODE_ALLOWED),
        ("platformdirs", PLATFORMDIRS_ALLOWED),
    ],
)
def test_library_is_imported_only_behind_its_seam(library: str, allowed: tuple[str, ...]) -> None:
    offenders = [
        name
        for name in _all_modules()
        if not _starts(name, allowed) and library in _imported_top_levels(_module_path(name))
    ]
    assert offenders == [], f"{library} imported outside {allowed}: {offenders}"


def test_emulator_shares_only_the_data_center_table_with_the_client() -> None:
    offenders: list[str] = []
    for name in _all_modules():
        if not _starts(name, ("tvauth.emulator",)):
            continue
        tree = ast.parse(_module_path(name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mod = node.module
            elif isinstance(node, ast.Import):
                mod = node.names[0].name
            else:
                continue
            if mod.startswith("tvauth") and not _starts(mod, ("tvauth.emulator", "tvauth.zoho")):
                offenders.append(f"{name} imports {mod}")
    assert offenders == []


def test_headless_modules_do_not_load_textual_or_qrcode_when_imported() -> None:
    headless = [name for name in _all_modules() if not _starts(name, HEAVY_AT_IMPORT)]
    probe = (
        "import importlib, json, sys\n"
        "bad = {}\n"
        f"for name in {headless!r}:\n"
        "    importlib.import_module(name)\n"
        "    heavy = sorted(m for m in ('textual', 'qrcode') if m in sys.modules)\n"
        "    if heavy:\n"
        "        bad[name] = heavy\n"
        "        break\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == {}


def test_import_tvauth_is_light() -> None:
    """``import tvauth`` alone must not load httpx: ``tvauth token`` relies on it."""
    probe = "import sys, tvauth; print(sorted(m for m in ('httpx', 'textual', 'qrcode') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
