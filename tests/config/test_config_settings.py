"""Settings: flags over environment over the TOML file over defaults, and every bad input named."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tvauth.cli import build_parser
from tvauth.config import (
    DEFAULT_SECRET,
    Settings,
    load_settings,
)
from tvauth.errors import ConfigError
from tvauth.paths import TvauthPaths

SECRET = "f3a9c0ffee1234567890abcdef1234567890abcd12"


@pytest.fixture
def paths(tmp_path: Path) -> TvauthPaths:
    return TvauthPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")


def write(paths: TvauthPaths, text: str) -> Path:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text, encoding="utf-8")
    paths.config_file.chmod(0o600)
    return paths.config_file


def load(paths: TvauthPaths, args: list[str] | None = None, **env: str) -> Settings:
    ns = build_parser().parse_args(["login", *(args or [])]) if args is not None else None
    return load_settings(ns, environ=env, paths=paths)


def error(paths: TvauthPaths, args: list[str] | None = None, **env: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(paths, args, **env)
    return str(info.value)


# --------------------------------------------------------------------------- defaults and layers


def test_defaults_without_file_env_or_flags(paths: TvauthPaths) -> None:
    s = load(paths)
    assert s.client_id is None
    assert s.client_secrets == {}
    assert s.scopes == ("AaaServer.profile.Read",)
    assert s.accounts_url == "https://accounts.zoho.com"
    assert s.profile == "default"
    assert s.log_level == "INFO"
    assert (s.connect_timeout, s.read_timeout) == (10.0, 30.0)
    assert s.source["scope"] == "default"
    assert s.data_center is not None
    assert s.data_center.location == "us"
    assert s.config_file == paths.config_file


def test_file_values_and_their_lines(paths: TvauthPaths) -> None:
    write(
        paths,
        f"""# comment
client_id = "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ1234"
client_secret = "{SECRET}"
scope = ["ZohoCRM.modules.READ", "AaaServer.profile.Read"]
data_center = "eu"
profile = "lobby"
log_level = "debug"

[client_secrets]
in = "indiasecret-0000"

[http]
connect_timeout = 3
read_timeout = 7.5
""",
    )
    s = load(paths)
    assert s.client_id == "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ1234"
    assert s.client_secret_for("us") == SECRET
    assert s.client_secret_for("in") == "indiasecret-0000"
    assert s.client_secret_for("IN") == "indiasecret-0000"
    assert s.client_secret_for(None) == SECRET
    assert s.scopes == ("ZohoCRM.modules.READ", "AaaServer.profile.Read")
    assert s.accounts_url == "https://accounts.zoho.eu"
    assert s.profile == "lobby"
    assert s.log_level == "DEBUG"
    assert (s.connect_timeout, s.read_timeout) == (3.0, 7.5)
    f = str(paths.config_file)
    assert s.source["client_id"] == f"file {f}, line 2"
    assert s.source["accounts_url"] == f"file {f}, line 5"
    assert s.source["client_secrets.in"] == f"file {f}, line 10"
    assert s.source["http.read_timeout"] == f"file {f}, line 14"


def test_environment_overrides_file_and_flags_override_environment(paths: TvauthPaths) -> None:
    write(paths, 'client_id = "from-file"\nprofile = "filep"\nscope = "A.b.READ"\n')
    env = {
        "TVAUTH_CLIENT_ID": "from-env",
        "TVAUTH_PROFILE": "envp",
        "TVAUTH_SCOPE": "X.y.READ, Z.w.ALL",
        "TVAUTH_ACCOUNTS_URL": "https://accounts.zoho.in/",
        "TVAUTH_LOG_LEVEL": "warning",
        "TVAUTH_CONNECT_TIMEOUT": "2",
        "TVAUTH_READ_TIMEOUT": "4.5",
    }
    s = load(paths, None, **env)
    assert (s.client_id, s.profile) == ("from-env", "envp")
    assert s.scopes == ("X.y.READ", "Z.w.ALL")
    assert s.accounts_url == "https://accounts.zoho.in"
    assert s.log_level == "WARNING"
    assert (s.connect_timeout, s.read_timeout) == (2.0, 4.5)
    assert s.source["client_id"] == "env TVAUTH_CLIENT_ID"

    s = load(
        paths,
        [
            "--client-id",
            "from-flag",
            "--profile",
            "flagp",
            "--scope",
            "One.a.READ,Two.b.READ",
            "--scope",
            "Three.c.READ",
            "--accounts-url",
            "eu",
        ],
        **env,
    )
    assert (s.client_id, s.profile) == ("from-flag", "flagp")
    assert s.scopes == ("One.a.READ", "Two.b.READ", "Three.c.READ")
    assert s.accounts_url == "https://accounts.zoho.eu"
    assert s.source["scope"] == "flag --scope"
    assert s.source["accounts_url"] == "flag --accounts-url"


def test_absent_and_none_flag_attributes_fall_through(paths: TvauthPaths) -> None:
    write(paths, 'client_id = "from-file"\n')
    ns = argparse.Namespace(client_id=None)  # other attributes missing entirely
    s = load_settings(ns, environ={}, paths=paths)
    assert s.client_id == "from-file"


def test_empty_environment_variable_means_unset(paths: TvauthPaths) -> None:
    write(paths, 'client_id = "from-file"\n')
    assert load(paths, None, TVAUTH_CLIENT_ID="  ").client_id == "from-file"


def test_debug_flag_sets_debug_level(paths: TvauthPaths) -> None:
    ns = argparse.Namespace(debug=True)
    s = load_settings(ns, environ={"TVAUTH_LOG_LEVEL": "ERROR"}, paths=paths)
    assert s.log_level == "DEBUG"
    assert s.source["log_level"] == "flag --debug"


def test_tvauth_home_moves_the_config_file(tmp_path: Path) -> None:
    home = tmp_path / "kiosk"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text('profile = "moved"\n')
    s = load_settings(None, environ={"TVAUTH_HOME": str(home)})
    assert s.profile == "moved"
    assert s.config_file == home / "config" / "config.toml"


def test_scope_string_in_file_and_duplicates(paths: TvauthPaths) -> None:
    write(paths, 'scope = "A.b.READ,  A.b.READ ,C.d.ALL"\n')
    assert load(paths).scopes == ("A.b.READ", "C.d.ALL")


# --------------------------------------------------------------------------- secrets per data center


def test_secret_from_environment_overrides_per_dc_file_secrets(paths: TvauthPaths) -> None:
    write(paths, 'client_secret = "file-default-secret"\n[client_secrets]\neu = "file-eu-secret"\n')
    s = load(paths)
    assert s.client_secret_for("eu") == "file-eu-secret"
    assert s.client_secret_for("us") == "file-default-secret"
    s = load(paths, None, TVAUTH_CLIENT_SECRET="env-secret-for-all")
    assert s.client_secret_for("eu") == "env-secret-for-all"
    assert s.client_secret_for("us") == "env-secret-for-all"
    assert "client_secrets.eu" not in s.source


def test_per_dc_secret_from_environment(paths: TvauthPaths) -> None:
    write(paths, 'client_secret = "file-default-secret"\n')
    s = load(paths, None, TVAUTH_CLIENT_SECRET_EU="env-eu-secret")
    assert s.client_secret_for("eu") == "env-eu-secret"
    assert s.client_secret_for("us") == "file-default-secret"
    assert s.source["client_secrets.eu"] == "env TVAUTH_CLIENT_SECRET_EU"
    msg = error(paths, None, TVAUTH_CLIENT_SECRET_MARS="x")
    assert "TVAUTH_CLIENT_SECRET_MARS" in msg
    assert "EU" in msg


def test_flag_secret_wins(paths: TvauthPaths) -> None:
    s = load(paths, ["--client-secret", "flag-secret-value"], TVAUTH_CLIENT_SECRET="env-secret")
    assert s.client_secret_for("au") == "flag-secret-value"
    assert s.source["client_secret"] == "flag --client-secret"


def test_secrets_never_print(paths: TvauthPaths) -> None:
    write(
        paths,
        f'client_id = "id"\nclient_secret = "{SECRET}"\n[client_secrets]\neu = "{SECRET}EU"\n',
    )
    s = load(paths)
    assert SECRET not in repr(s)
    assert SECRET not in str(s)
    assert SECRET not in f"{s.client_secrets}"
    secret = s.client_secret_for("us")
    assert secret is not None
    assert secret.reveal() == SECRET
    assert DEFAULT_SECRET in s.client_secrets


# --------------------------------------------------------------------------- require_client


def test_require_client_names_flag_variable_and_file(paths: TvauthPaths) -> None:
    s = load(paths)
    with pytest.raises(ConfigError) as info:
        s.require_client()
    assert str(info.value) == (
        "No client id. Pass --client-id, set TVAUTH_CLIENT_ID, or put "
        f'client_id = "..." in {paths.config_file}.'
    )
    s = load(paths, None, TVAUTH_CLIENT_ID="1000.X", TVAUTH_ACCOUNTS_URL="eu")
    with pytest.raises(ConfigError) as info:
        s.require_client()
    msg = str(info.value)
    assert msg.startswith("No client secret. Pass --client-secret, set TVAUTH_CLIENT_SECRET")
    assert "TVAUTH_CLIENT_SECRET_EU" in msg
    assert str(paths.config_file) in msg


def test_require_client_accepts_per_dc_secret_for_its_dc(paths: TvauthPaths) -> None:
    s = load(
        paths,
        None,
        TVAUTH_CLIENT_ID="1000.X",
        TVAUTH_DATA_CENTER="eu",
        TVAUTH_CLIENT_SECRET_EU="s-eu-1234",
    )
    s.require_client()
    s = load(paths, None, TVAUTH_CLIENT_ID="1000.X", TVAUTH_CLIENT_SECRET_EU="s-eu-1234")
    with pytest.raises(ConfigError, match="No client secret"):
        s.require_client()  # client in the US, only an EU secret


# --------------------------------------------------------------------------- bad files


def test_invalid_toml_shows_line_and_column(paths: TvauthPaths) -> None:
    f = write(paths, 'client_id = "x"\nprofile = \n')
    msg = error(paths)
    assert str(f) in msg
    assert "not valid TOML" in msg
    assert "line 2" in msg
    assert "column" in msg
    assert "tvauth config init" in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('client_id = "x"\nscopes = ["A"]\n', ["line 2", "'scopes'", "Did you mean 'scope'?"]),
        (
            "[http]\nconect_timeout = 3\n",
            ["line 2", "'http.conect_timeout'", "in [http]", "connect_timeout"],
        ),
        ('profile = "p"\nhttp.read_timout = 3\n', ["line 2", "'http.read_timout'"]),
        ('[client_secrets]\nmars = "x"\n', ["line 2", "unknown data center 'mars'", "eu"]),
        ('[http]\nclient_id = "x"\n', ["line 2", "top-level key", "above the first [table]"]),
        ("[[client]]\nid = 1\n", ["line 1", "'client'"]),
        (
            'client_id = """\nwrong = "not a key"\n"""\nprofile = "ok"\nwrong = 1\n',
            ["line 5", "'wrong'"],
        ),
        ('scope = [\n  "A.b.READ", # x = 1\n  "C.d.ALL",\n]\nwrong = 1\n', ["line 5", "'wrong'"]),
        ('profile = "p"\nhttp = { connect_timeout = 1, read = 2 }\n', ["line 2", "'http.read'"]),
        ('"quoted key" = 1\n', ["line 1", "'quoted key'"]),
    ],
)
def test_unknown_keys_are_named_with_their_line(
    paths: TvauthPaths, text: str, expected: list[str]
) -> None:
    f = write(paths, text)
    msg = error(paths)
    assert msg.startswith(f"{f}, ")
    for part in expected:
        assert part in msg, (part, msg)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("client_id = 1000\n", ["line 1", "'client_id' must be a string", "an integer"]),
        (
            '\n\n[http]\nread_timeout = "30s"\n',
            ["line 4", "'http.read_timeout' must be a number", "a string"],
        ),
        ("[http]\nconnect_timeout = true\n", ["line 2", "a boolean"]),
        ("scope = [1, 2]\n", ["line 1", "list of strings"]),
        ("scope = 3\n", ["line 1", "'scope'"]),
        ("http = 3\n", ["line 1", "'http' must be a table"]),
        ('client_secrets = "x"\n', ["line 1", "'client_secrets' must be a table"]),
        ("[client_secrets]\neu = 5\n", ["line 2", "'client_secrets.eu' must be a string"]),
        ("profile = 1979-05-27\n", ["line 1", "a date or time"]),
    ],
)
def test_wrong_types_are_named_with_their_line(
    paths: TvauthPaths, text: str, expected: list[str]
) -> None:
    f = write(paths, text)
    msg = error(paths)
    assert msg.startswith(f"{f}, ")
    for part in expected:
        assert part in msg, (part, msg)


def test_wrong_type_of_secret_does_not_echo_the_value(paths: TvauthPaths) -> None:
    write(paths, "[client_secrets]\neu = 1234567890123456789\n")
    assert "1234567890123456789" not in error(paths)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('accounts_url = "ftp://accounts.zoho.eu"\n', ["line 1", "not an http(s) URL", "eu, in"]),
        ('accounts_url = "accounts.zoho.eu"\n', ["line 1", "not an http(s) URL"]),
        ('accounts_url = "http://accounts.zoho.eu"\n', ["line 1", "only speak https"]),
        ('accounts_url = "https://u:p@accounts.zoho.eu"\n', ["user name or password"]),
        ('accounts_url = "https://accounts.zoho.eu/?client_secret=zz"\n', ["query"]),
        ('data_center = "mars"\n', ["line 1", "unknown data center 'mars'", "us, eu, in, au"]),
        ('data_center = "eu"\naccounts_url = "https://accounts.zoho.in"\n', ["disagree"]),
        ('profile = "../../etc"\n', ["line 1", "invalid profile name"]),
        ('profile = "kiosk.lock"\n', ["line 1", "invalid profile name"]),
        ('log_level = "loud"\n', ["line 1", "unknown log level", "DEBUG, INFO"]),
        ("[http]\nread_timeout = -1\n", ["line 2", "more than 0"]),
        ("[http]\nread_timeout = nan\n", ["line 2", "more than 0"]),
        ("scope = []\n", ["line 1", "no scope"]),
        ('client_id = ""\n', ["line 1", "client id is empty"]),
    ],
)
def test_bad_values_are_explained(paths: TvauthPaths, text: str, expected: list[str]) -> None:
    write(paths, text)
    msg = error(paths)
    for part in expected:
        assert part in msg, (part, msg)
    assert "zz" not in msg.replace("zoho", "")


def test_bad_environment_and_flag_values_name_their_origin(paths: TvauthPaths) -> None:
    assert "TVAUTH_ACCOUNTS_URL" in error(paths, None, TVAUTH_ACCOUNTS_URL="gopher://x")
    assert "TVAUTH_DATA_CENTER" in error(paths, None, TVAUTH_DATA_CENTER="moon")
    assert "TVAUTH_READ_TIMEOUT" in error(paths, None, TVAUTH_READ_TIMEOUT="soon")
    assert "TVAUTH_LOG_LEVEL" in error(paths, None, TVAUTH_LOG_LEVEL="chatty")
    assert "TVAUTH_SCOPE" in error(paths, None, TVAUTH_SCOPE=" , ")
    msg = error(paths, ["--accounts-url", "nowhere"])
    assert "--accounts-url" in msg
    assert "eu" in msg
    assert "--profile" in error(paths, ["--profile", "a/b"])
    assert "--client-id" in error(paths, ["--client-id", ""])


def test_emulator_url_is_accepted_as_http(paths: TvauthPaths) -> None:
    s = load(paths, ["--accounts-url", "http://127.0.0.1:8123/"])
    assert s.accounts_url == "http://127.0.0.1:8123"
    assert s.data_center is None


def test_not_utf8_file(paths: TvauthPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_bytes(b'profile = "a"\nclient_id = "\xff"\n')
    msg = error(paths)
    assert "line 2" in msg
    assert "not UTF-8" in msg


def test_unreadable_and_directory_config(paths: TvauthPaths) -> None:
    paths.config_file.mkdir(parents=True)
    assert "is a directory" in error(paths)


def test_unreadable_file(paths: TvauthPaths) -> None:
    paths.config_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.config_dir.write_text("a file where the directory should be")
    msg = error(paths)
    assert "cannot be read" in msg
    assert "Not a directory" in msg


def test_loose_permissions_with_a_secret_are_noted(paths: TvauthPaths) -> None:
    f = write(paths, f'client_secret = "{SECRET}"\n')
    f.chmod(0o644)
    s = load(paths)
    assert any("chmod 600" in n for n in s.notes)
    f.chmod(0o600)
    assert load(paths).notes == ()


def test_importing_config_stays_light() -> None:
    code = (
        "import sys, tvauth.config, tvauth.commands.config, tvauth.logs, tvauth.tomlkeys;"
        "print(','.join(m for m in ('httpx', 'textual', 'qrcode') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_client_secret_from_a_file(paths: TvauthPaths, tmp_path: Path) -> None:
    secret_file = tmp_path / "client_secret"
    secret_file.write_text(SECRET + "\n")
    s = load(paths, None, TVAUTH_CLIENT_SECRET_FILE=str(secret_file))
    assert s.client_secret_for("eu") == SECRET
    assert s.source["client_secret"] == f"env TVAUTH_CLIENT_SECRET_FILE ({secret_file})"
    both = error(paths, None, TVAUTH_CLIENT_SECRET_FILE=str(secret_file), TVAUTH_CLIENT_SECRET="x")
    assert "Set only one" in both
    missing = error(paths, None, TVAUTH_CLIENT_SECRET_FILE=str(tmp_path / "nope"))
    assert "cannot be read (No such file or directory)" in missing
    secret_file.write_text("two\nlines\n")
    assert "exactly one line" in error(paths, None, TVAUTH_CLIENT_SECRET_FILE=str(secret_file))
