"""The systemd units and kiosk files in assets/: valid syntax, and the properties the README promises."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tvauth.cli import build_parser

ASSETS = Path(__file__).resolve().parents[2] / "assets"
SERVICE = ASSETS / "tvauth.service"
KIOSK_SERVICE = ASSETS / "kiosk" / "tvauth-tty1.service"
AUTOLOGIN = ASSETS / "kiosk" / "getty@tty1.service.d" / "autologin.conf"
BASH_PROFILE = ASSETS / "kiosk" / "bash_profile.sh"

Unit = dict[str, dict[str, list[str]]]


def parse_unit(path: Path) -> Unit:
    """systemd's INI dialect: repeated keys accumulate, '#'/';' comments, no continuation lines used."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        assert not line.endswith("\\"), f"{path.name}:{number}: keep lines unbroken"
        if line.startswith("["):
            assert line.endswith("]"), f"{path.name}:{number}: bad section header"
            section = unit.setdefault(line[1:-1], {})
            continue
        assert section is not None, f"{path.name}:{number}: key before any section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}:{number}: not key=value"
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def exec_args(command: str) -> list[str]:
    """The tvauth arguments of an ExecStart line (after the binary)."""
    words = shlex.split(command.lstrip("-"))
    assert words[0] == "/opt/tvauth/bin/tvauth"
    return words[1:]


@pytest.mark.parametrize("path", [SERVICE, KIOSK_SERVICE])
def test_units_have_what_a_field_device_needs(path: Path) -> None:
    unit = parse_unit(path)
    assert set(unit) == {"Unit", "Service", "Install"}
    assert "network-online.target" in unit["Unit"]["Wants"]
    assert any("network-online.target" in v for v in unit["Unit"]["After"])
    service = unit["Service"]
    assert service["User"] == ["tvauth"]
    assert service["Environment"][0] == "TVAUTH_HOME=/var/lib/tvauth"
    assert service["StateDirectoryMode"] == ["0700"]
    assert service["UMask"] == ["0077"]
    assert service["Restart"][0] in ("on-failure", "always")
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    (command,) = service["ExecStart"]
    build_parser().parse_args(exec_args(command))  # the CLI really accepts these options


def test_headless_service_exits_once_signed_in() -> None:
    service = parse_unit(SERVICE)["Service"]
    assert service["Restart"] == ["on-failure"]
    args = exec_args(service["ExecStart"][0])
    assert args[0] == "login"
    assert "--exit-on-success" in args
    assert "--plain" in args


def test_kiosk_service_owns_tty1() -> None:
    unit = parse_unit(KIOSK_SERVICE)
    service = unit["Service"]
    assert service["StandardInput"] == ["tty"]
    assert service["StandardOutput"] == ["tty"]
    assert service["TTYPath"] == ["/dev/tty1"]
    assert "TERM=linux" in service["Environment"]
    assert unit["Unit"]["Conflicts"] == ["getty@tty1.service"]
    assert exec_args(service["ExecStart"][0]) == ["login"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("path", [SERVICE, KIOSK_SERVICE])
def test_systemd_analyze_verify(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    copy.write_text(path.read_text())
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        # The one expected complaint: tvauth is not installed in /opt/tvauth on this machine.
        if line.strip() and "/opt/tvauth/bin/tvauth is not executable" not in line
    ]
    assert complaints == []


def test_autologin_override_resets_execstart() -> None:
    service = parse_unit(AUTOLOGIN)["Service"]
    assert service["ExecStart"][0] == ""
    assert "--autologin tvauth" in service["ExecStart"][1]
    assert service["ExecStart"][1].startswith("-/sbin/agetty")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_profile_is_valid_and_leaves_other_logins_alone(tmp_path: Path) -> None:
    subprocess.run(["bash", "-n", str(BASH_PROFILE)], check=True)
    # Not on tty1 (no terminal at all here), and on tty1 but over SSH: the shell just goes on.
    for prelude in ("", "tty() { echo /dev/tty1; }; SSH_CONNECTION='1 2 3 4';"):
        out = subprocess.run(
            ["bash", "-c", f"{prelude} . {shlex.quote(str(BASH_PROFILE))}; echo shell-reached"],
            capture_output=True,
            text=True,
            timeout=10,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
            stdin=subprocess.DEVNULL,
        )
        assert out.stdout.strip().endswith("shell-reached")
        assert "tvauth ended" not in out.stdout
