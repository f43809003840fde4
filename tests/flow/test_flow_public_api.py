"""The public API: a sorted ``__all__`` where every name resolves, and imports that stay cheap."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import tvauth


def test_all_is_sorted_and_unique() -> None:
    assert tvauth.__all__ == sorted(tvauth.__all__)
    assert len(set(tvauth.__all__)) == len(tvauth.__all__)


def test_every_exported_name_resolves_and_is_listed() -> None:
    exported = set(tvauth._EXPORTS)
    assert set(tvauth.__all__) == exported | {"__version__"}
    for name in tvauth.__all__:
        assert getattr(tvauth, name) is not None, name
    assert tvauth.DeviceFlow.__module__ == "tvauth.flow"
    assert set(tvauth.__all__) <= set(dir(tvauth))


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = tvauth.no_such_thing  # type: ignore[attr-defined]


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_tvauth_is_cheap() -> None:
    loaded = _modules_after("import tvauth")
    assert not {"httpx", "textual", "qrcode"} & loaded


@pytest.mark.parametrize(
    "code",
    [
        "import tvauth.flow",
        "import tvauth.protocol, tvauth.discovery, tvauth.flow_machine",
        "import tvauth; tvauth.DeviceFlow; tvauth.CancelHandle",
    ],
)
def test_the_flow_never_imports_textual_or_qrcode(code: str) -> None:
    loaded = _modules_after(code)
    assert "textual" not in loaded
    assert "qrcode" not in loaded


def test_the_pure_layers_do_not_import_httpx() -> None:
    loaded = _modules_after("import tvauth.protocol, tvauth.discovery, tvauth.flow_machine")
    assert "httpx" not in loaded
