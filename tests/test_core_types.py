"""Secrets, token parsing, the data-center table and the CLI dispatcher's argument handling."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from tvauth.cli import _normalise_argv, build_parser
from tvauth.errors import InvalidClientError, ServerResponseError, TvauthError
from tvauth.redact import Secret, mask
from tvauth.tokens import parse_token_success
from tvauth.zoho import DATA_CENTERS, data_center_for_accounts_url, is_zoho_accounts_url

TOKEN = "1004.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"


def test_secret_never_prints_its_value(caplog: pytest.LogCaptureFixture) -> None:
    s = Secret(TOKEN)
    old_style = "%s" % s  # noqa: UP031 - %-formatting must be masked too
    shown = [str(s), repr(s), f"{s}", old_style, f"{s!r}", f"{s:>80}", repr([s]), repr({"k": s})]
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("token %s", s)
    shown.append(caplog.text)
    for text in shown:
        assert TOKEN not in text
        assert "0123456789abcdef" not in text
    assert s.reveal() == TOKEN


def test_mask_keeps_only_a_short_tail() -> None:
    assert mask(None) == "<none>"
    assert mask("short") == "***"
    assert mask(TOKEN) == "***3210"


@pytest.mark.parametrize(
    ("body", "expires_in"),
    [
        ({"access_token": TOKEN, "expires_in": 3600}, 3600.0),
        ({"access_token": TOKEN, "expires_in": 3600000, "expires_in_sec": 3600}, 3600.0),
        ({"access_token": TOKEN, "expires_in": 3600000}, 3600.0),
        ({"access_token": TOKEN, "expires_in": "3600"}, 3600.0),
        ({"access_token": TOKEN}, 3600.0),
        ({"access_token": TOKEN, "expires_in": True}, 3600.0),
    ],
)
def test_token_lifetime_is_normalised_to_seconds(
    body: dict[str, object], expires_in: float
) -> None:
    assert parse_token_success(body).expires_in == expires_in


def test_token_fields_and_scope_separators() -> None:
    tokens = parse_token_success(
        {
            "access_token": TOKEN,
            "refresh_token": TOKEN[::-1],
            "api_domain": "https://www.zohoapis.eu",
            "token_type": "Bearer",
            "scope": "ZohoCRM.modules.ALL AaaServer.profile.Read",
        }
    )
    assert tokens.access_token.reveal() == TOKEN
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.reveal() == TOKEN[::-1]
    assert tokens.scope == ("ZohoCRM.modules.ALL", "AaaServer.profile.Read")
    assert parse_token_success({"access_token": TOKEN, "scope": "a,b"}).scope == ("a", "b")
    assert parse_token_success({"access_token": TOKEN}).refresh_token is None
    assert TOKEN not in repr(tokens)


@pytest.mark.parametrize("body", [{}, {"access_token": ""}, {"access_token": 5}])
def test_token_answer_without_access_token_is_an_error(body: dict[str, object]) -> None:
    with pytest.raises(ServerResponseError):
        parse_token_success(body)


def test_data_center_table() -> None:
    assert DATA_CENTERS["eu"].accounts_url == "https://accounts.zoho.eu"
    assert data_center_for_accounts_url("https://ACCOUNTS.zoho.eu/oauth") == DATA_CENTERS["eu"]
    assert data_center_for_accounts_url("http://127.0.0.1:8000/eu") is None
    assert is_zoho_accounts_url("https://accounts.zohocloud.ca")
    assert not is_zoho_accounts_url("https://accounts.zoho.com.evil.example")
    assert DATA_CENTERS["eu"].display_name == "Zoho EU"


def test_errors_carry_problem_and_remedy() -> None:
    err = InvalidClientError("Zoho EU does not know this client id.")
    assert err.problem.startswith("Zoho EU")
    assert "API console" in err.remedy
    assert str(err) == f"{err.problem} {err.remedy}"
    assert isinstance(err, TvauthError)
    assert str(TvauthError("Only a problem.", "")) == "Only a problem."


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["login"]),
        (["--plain"], ["login", "--plain"]),
        (["--debug"], ["--debug", "login"]),
        (["--debug", "--plain"], ["--debug", "login", "--plain"]),
        (["token"], ["token"]),
        (["--help"], ["--help"]),
    ],
)
def test_bare_tvauth_means_login(argv: list[str], expected: list[str]) -> None:
    assert _normalise_argv(argv) == expected


def test_parser_knows_every_documented_command() -> None:
    parser = build_parser()
    for argv in (
        ["login", "--exit-on-success"],
        ["demo", "--lan"],
        ["token", "--profile", "p"],
        ["status", "--json"],
        ["refresh"],
        ["logout", "--all", "--local"],
        ["profiles"],
        ["exec", "--", "env"],
        ["config", "show"],
        ["emulator", "--port", "0", "--interval", "1"],
    ):
        assert parser.parse_args(argv).handler


def test_python_dash_m_prints_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tvauth", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert out.stdout.startswith("tvauth ")
