"""``tvauth config path|show|init`` through the real CLI entry point."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from tvauth.cli import main
from tvauth.config import load_settings
from tvauth.paths import TvauthPaths

SECRET = "c0ffee0123456789abcdef0123456789abcdef01"


@pytest.fixture
def home(tvauth_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "TVAUTH_CLIENT_ID",
        "TVAUTH_CLIENT_SECRET",
        "TVAUTH_SCOPE",
        "TVAUTH_ACCOUNTS_URL",
        "TVAUTH_DATA_CENTER",
        "TVAUTH_PROFILE",
        "TVAUTH_LOG_LEVEL",
        "HTTPS_PROXY",
        "https_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    return tvauth_home


def config_file(home: Path) -> Path:
    return home / "config" / "config.toml"


def test_path_prints_the_location(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config_file(home))


def test_init_writes_a_private_commented_template_that_loads(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "init"]) == 0
    f = config_file(home)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(f.parent.stat().st_mode) == 0o700
    text = f.read_text()
    for key in ("client_id", "client_secret", "data_center", "accounts_url", "scope", "profile"):
        assert f"# {key} = " in text
    for var in ("TVAUTH_CLIENT_ID", "TVAUTH_CLIENT_SECRET", "TVAUTH_SCOPE", "TVAUTH_ACCOUNTS_URL"):
        assert var in text
    assert "[client_secrets]" in text
    assert "[http]" in text
    assert "SSL_CERT_FILE" in text
    s = load_settings(None, environ={}, paths=TvauthPaths(f.parent, home / "d", home / "l"))
    assert s.client_id is None
    assert s.scopes == ("AaaServer.profile.Read",)
    assert "Wrote" in capsys.readouterr().out


def test_uncommenting_every_example_gives_a_valid_file(home: Path) -> None:
    """The template's examples are real TOML for every key (a person will just remove the '#')."""
    assert main(["config", "init"]) == 0
    f = config_file(home)
    lines = []
    for line in f.read_text().splitlines():
        if line.startswith("# ") and " = " in line and not line.startswith("# accounts_url"):
            line = line[2:]
        lines.append(line)
    f.write_text("\n".join(lines))
    s = load_settings(None, environ={}, paths=TvauthPaths(f.parent, home / "d", home / "l"))
    assert s.client_id == "1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
    assert s.client_secret_for("eu") == "..."
    assert s.accounts_url == "https://accounts.zoho.com"


def test_init_refuses_to_overwrite_without_force(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = config_file(home)
    f.parent.mkdir(parents=True)
    f.write_text('client_id = "keep me"\n')
    assert main(["config", "init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert f.read_text() == 'client_id = "keep me"\n'
    assert main(["config", "init", "--force"]) == 0
    assert "keep me" not in f.read_text()
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert not list(f.parent.glob(".*.tmp"))


def test_init_fills_in_values_from_the_environment(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TVAUTH_CLIENT_ID", "1000.KIOSK")
    monkeypatch.setenv("TVAUTH_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TVAUTH_CLIENT_SECRET_EU", 'eu"secret\\with-escapes')
    monkeypatch.setenv("TVAUTH_DATA_CENTER", "eu")
    monkeypatch.setenv("TVAUTH_SCOPE", "ZohoCRM.modules.READ,AaaServer.profile.Read")
    assert main(["config", "init"]) == 0
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    f = config_file(home)
    data = tomllib.loads(f.read_text())
    assert data["client_id"] == "1000.KIOSK"
    assert data["client_secret"] == SECRET
    assert data["client_secrets"]["eu"] == 'eu"secret\\with-escapes'
    assert data["scope"] == ["ZohoCRM.modules.READ", "AaaServer.profile.Read"]
    s = load_settings(None, environ={}, paths=TvauthPaths(f.parent, home / "d", home / "l"))
    assert s.accounts_url == "https://accounts.zoho.eu"
    s.require_client()


def test_show_masks_secrets_and_names_sources(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = config_file(home)
    f.parent.mkdir(parents=True)
    f.write_text(
        f'client_id = "1000.FILEID"\nclient_secret = "{SECRET}"\n[client_secrets]\neu = "{SECRET}eu"\n'
    )
    f.chmod(0o600)
    monkeypatch.setenv("TVAUTH_PROFILE", "lobby")
    monkeypatch.setenv("HTTPS_PROXY", "http://user:proxypass@proxy.example:3128")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert SECRET not in out
    assert "proxypass" not in out
    assert "***@proxy.example:3128" in out
    assert f"client_secret         ***{SECRET[-4:]}" in out
    assert "client_secrets.eu" in out
    assert f"file {f}, line 2" in out
    assert "lobby" in out
    assert "env TVAUTH_PROFILE" in out
    assert "Zoho US" in out
    assert "Not ready" not in out


def test_show_says_what_is_missing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "not found" in out
    assert "Not ready to sign in: No client id. Pass --client-id" in out


def test_show_reports_a_broken_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = config_file(home)
    f.parent.mkdir(parents=True)
    f.write_text('profile = "x"\n[http]\nread_timeout = "slow"\n')
    assert main(["config", "show"]) == 1
    err = capsys.readouterr().err
    assert f"{f}, line 3: 'http.read_timeout' must be a number" in err


def test_show_notes_a_readable_file_holding_a_secret(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = config_file(home)
    f.parent.mkdir(parents=True)
    f.write_text(f'client_secret = "{SECRET}"\n')
    f.chmod(0o644)
    assert main(["config", "show"]) == 0
    assert f"chmod 600 {f}" in capsys.readouterr().out


def test_init_reports_an_unwritable_location(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home.mkdir(parents=True)
    (home / "config").write_text("a file where the config directory should be")
    assert main(["config", "init"]) == 1
    err = capsys.readouterr().err
    assert "Could not write" in err
    assert "config.toml" in err
