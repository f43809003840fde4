"""``tvauth token | status | refresh | logout | profiles | exec`` as a person or a script runs them.

Every test runs ``python -m tvauth`` in a subprocess with TVAUTH_HOME in tmp_path, against the
emulator over loopback, and checks stdout, stderr and the exit status.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sys
from collections.abc import Callable

import httpx
from cmd_helpers import home_store, no_secret_in, run_tvauth, sign_in, token_of

from tvauth.emulator import Emulator
from tvauth.paths import resolve_paths
from tvauth.profile import Profile


def _refreshes(emu: Emulator) -> int:
    return len(emu.requests_to("/oauth/v2/token"))


def _one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


# -- token ---------------------------------------------------------------------------------------


def test_token_prints_the_cached_token_and_nothing_else(emulator: Emulator) -> None:
    profile = sign_in(emulator)
    out = run_tvauth("token")
    assert out.returncode == 0
    assert out.stdout == token_of(profile) + "\n"
    assert out.stderr == ""
    assert _refreshes(emulator) == 0


def test_token_renews_an_expired_token(emulator: Emulator) -> None:
    old = sign_in(emulator, expires_in=-5)
    out = run_tvauth("token")
    assert out.returncode == 0, out.stderr
    new = home_store().load("default")
    assert out.stdout == token_of(new) + "\n"
    assert token_of(new) != token_of(old)
    assert _refreshes(emulator) == 1


def test_token_for_another_profile(emulator: Emulator) -> None:
    sign_in(emulator)
    work = sign_in(emulator, account="ada@example.com", name="work")
    out = run_tvauth("token", "--profile", "work")
    assert out.returncode == 0
    assert out.stdout == token_of(work) + "\n"


def test_token_uses_the_profile_login_used_from_the_environment_and_config_file(
    emulator: Emulator,
) -> None:
    """``tvauth login`` signs in the profile named by TVAUTH_PROFILE or the config file's
    ``profile``; the token commands must read that same profile, not 'default'."""
    default = sign_in(emulator)
    lobby = sign_in(emulator, account="ada@example.com", name="lobby")
    by_env = run_tvauth("token", env={"TVAUTH_PROFILE": "lobby"})
    assert by_env.returncode == 0, by_env.stderr
    ok = _prints(by_env.stdout, lobby)
    assert ok, "the lobby token"

    config = resolve_paths().config_file
    config.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    config.write_text('# profile = "default"\nprofile = "lobby"\n')
    by_file = run_tvauth("token")
    assert by_file.returncode == 0, by_file.stderr
    ok = _prints(by_file.stdout, lobby)
    assert ok, "the lobby token"
    status = run_tvauth("status", "--json")
    assert json.loads(status.stdout)["profile"] == "lobby"
    flag_wins = run_tvauth("token", "--profile", "default", env={"TVAUTH_PROFILE": "lobby"})
    ok = _prints(flag_wins.stdout, default)
    assert ok, "--profile wins"

    config.write_text('# profile = "lobby" is commented out\n[http]\nread_timeout = 5\n')
    commented = run_tvauth("token")
    assert commented.returncode == 0, commented.stderr
    ok = _prints(commented.stdout, default)
    assert ok, "'default' again"


def _prints(stdout: str, profile: Profile) -> bool:
    """A bool, so a failing assert does not print the tokens it compared."""
    return stdout == token_of(profile) + "\n"


def test_token_when_not_signed_in_fails_with_one_line_on_stderr() -> None:
    out = run_tvauth("token")
    assert out.returncode == 1
    assert out.stdout == ""
    assert _one_line(out.stderr)
    assert "not signed in" in out.stderr
    assert "tvauth login" in out.stderr


def test_token_after_the_sign_in_was_revoked_says_to_sign_in_again(emulator: Emulator) -> None:
    profile = sign_in(emulator, expires_in=-5)
    emulator.revoke_user("jane@example.com")
    out = run_tvauth("token")
    assert out.returncode == 1
    assert out.stdout == ""
    assert _one_line(out.stderr)
    assert "tvauth login --force" in out.stderr
    assert no_secret_in(out.stderr, profile)
    kept = home_store().load("default")
    assert kept is not None
    assert kept.needs_sign_in


def test_token_when_zoho_is_unreachable_and_the_token_expired(emulator: Emulator) -> None:
    profile = sign_in(emulator, expires_in=-5)
    emulator.stop()
    out = run_tvauth("token")
    assert out.returncode == 1
    assert out.stdout == ""
    assert _one_line(out.stderr)
    assert "refused the connection" in out.stderr
    assert no_secret_in(out.stderr, profile)


def test_token_refuses_a_file_others_can_read(emulator: Emulator) -> None:
    sign_in(emulator)
    path = home_store().path_for("default")
    path.chmod(0o640)
    out = run_tvauth("token")
    assert out.returncode == 1
    assert out.stdout == ""
    assert f"chmod 600 {path}" in out.stderr


def test_token_with_a_corrupt_file_moves_it_aside_and_says_so(emulator: Emulator) -> None:
    sign_in(emulator)
    path = home_store().path_for("default")
    path.write_text('{"version": 1, "client_')
    out = run_tvauth("token")
    assert out.returncode == 1
    assert "moved to" in out.stderr
    assert list(path.parent.glob("default.json.corrupt-*"))
    again = run_tvauth("token")
    assert "not signed in" in again.stderr


_PROBE = (
    "import sys\n"
    "from tvauth.cli import main\n"
    "rc = main(['token'])\n"
    "heavy = sorted(m for m in ('httpx', 'textual', 'qrcode') if m in sys.modules)\n"
    "print('LOADED=' + ','.join(heavy), file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def test_token_with_a_cached_token_imports_neither_httpx_textual_nor_qrcode(
    emulator: Emulator,
) -> None:
    import subprocess

    profile = sign_in(emulator)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == token_of(profile) + "\n"
    assert "LOADED=\n" in out.stderr
    # The probe can see httpx when it is loaded: an expired token needs it.
    home_store().update(
        "default",
        lambda p: None if p is None else dataclasses.replace(p, access_expires_at=p.signed_in_at),
    )
    renewing = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert renewing.returncode == 0, renewing.stderr
    assert "LOADED=httpx\n" in renewing.stderr


def test_token_with_a_cached_token_skips_typing_and_logging(emulator: Emulator) -> None:
    """Each costs ~4-5 ms of a ~55 ms start-up; keep them off the path so a stray import shows."""
    import subprocess

    sign_in(emulator)
    probe = _PROBE.replace("('httpx', 'textual', 'qrcode')", "('logging', 'typing')")
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "LOADED=\n" in out.stderr


def test_the_command_margin_matches_the_library_margin() -> None:
    from tvauth.commands.tokens import MARGIN
    from tvauth.renewal import DEFAULT_MARGIN

    assert MARGIN == DEFAULT_MARGIN


def test_the_command_profile_variable_is_the_settings_one() -> None:
    from tvauth.commands.tokens import PROFILE_ENV
    from tvauth.config import ENV_VARS

    assert ENV_VARS["profile"] == PROFILE_ENV


# -- status --------------------------------------------------------------------------------------


def test_status_tells_who_where_until_when_and_never_a_secret(emulator: Emulator) -> None:
    profile = sign_in(emulator)
    out = run_tvauth("status")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Jane Doe <jane@example.com>" in text
    assert emulator.base_url("eu") in text
    assert "ZohoCRM.modules.ALL" in text
    assert "valid until" in text
    assert re.search(r"Refresh token +present", text)
    assert str(home_store().path_for("default")) in text
    assert "0600, permissions ok" in text
    assert no_secret_in(text + out.stderr, profile)


def test_status_json_is_machine_readable_and_secret_free(emulator: Emulator) -> None:
    profile = sign_in(emulator)
    out = run_tvauth("status", "--json")
    assert out.returncode == 0
    info = json.loads(out.stdout)
    assert info["profile"] == "default"
    assert info["usable"] is True
    assert info["email"] == "jane@example.com"
    assert info["location"] == "eu"
    assert info["accounts_url"] == emulator.base_url("eu")
    assert info["api_domain"] == emulator.api_url("eu")
    assert info["refresh_token_present"] is True
    assert 3500 < info["access_token_valid_for"] <= 3600
    assert info["permissions_ok"] is True
    assert info["file_mode"] == "0600"
    assert no_secret_in(out.stdout, profile)


def test_status_when_not_signed_in_is_non_zero() -> None:
    out = run_tvauth("status")
    assert out.returncode == 1
    assert "not signed in" in out.stderr
    as_json = run_tvauth("status", "--json")
    assert as_json.returncode == 1
    info = json.loads(as_json.stdout)
    assert info["signed_in"] is False
    assert info["usable"] is False


def test_status_of_a_revoked_sign_in_is_non_zero_but_still_says_who(emulator: Emulator) -> None:
    sign_in(emulator)
    home_store().update(
        "default", lambda p: None if p is None else dataclasses.replace(p, needs_sign_in=True)
    )
    out = run_tvauth("status")
    assert out.returncode == 1
    assert "jane@example.com" in out.stdout
    assert "revoked at Zoho" in out.stdout
    assert "tvauth login --force" in out.stderr


def test_status_flags_loose_permissions(emulator: Emulator) -> None:
    sign_in(emulator)
    path = home_store().path_for("default")
    path.chmod(0o644)
    out = run_tvauth("status", "--json")
    assert out.returncode == 1
    info = json.loads(out.stdout)
    assert info["permissions_ok"] is False
    assert f"chmod 600 {path}" in info["problem"]
    human = run_tvauth("status")
    assert "TOO OPEN" in human.stdout


# -- refresh -------------------------------------------------------------------------------------


def test_refresh_renews_now(emulator: Emulator) -> None:
    old = sign_in(emulator)
    out = run_tvauth("refresh")
    assert out.returncode == 0, out.stderr
    assert "Renewed the access token of profile 'default'" in out.stdout
    assert token_of(home_store().load("default")) != token_of(old)
    assert _refreshes(emulator) == 1
    assert no_secret_in(out.stdout, old)


def test_refresh_when_throttled_says_so(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(refresh_limit=1)
    sign_in(emu)
    assert run_tvauth("refresh").returncode == 0
    out = run_tvauth("refresh")
    assert out.returncode == 1
    assert "too many renewals" in out.stderr
    assert _one_line(out.stderr)


def test_refresh_when_not_signed_in() -> None:
    out = run_tvauth("refresh")
    assert out.returncode == 1
    assert "not signed in" in out.stderr


# -- logout --------------------------------------------------------------------------------------


def test_logout_revokes_at_zoho_then_forgets(emulator: Emulator) -> None:
    profile = sign_in(emulator)
    out = run_tvauth("logout")
    assert out.returncode == 0, out.stderr
    assert "revoked" in out.stdout
    assert "jane@example.com" in out.stdout
    assert home_store().load("default") is None
    revokes = emulator.requests_to("/oauth/v2/token/revoke")
    assert [r["location"] for r in revokes] == ["eu"]
    dead = httpx.get(
        f"{emulator.api_url('eu')}/api/v1/whoami",
        headers={"Authorization": f"Zoho-oauthtoken {token_of(profile)}"},
    )
    assert dead.status_code == 401, "revoking the refresh token killed its access token"


def test_logout_keeps_the_tokens_when_zoho_cannot_be_reached(emulator: Emulator) -> None:
    sign_in(emulator)
    emulator.set_faults(["drop"])
    out = run_tvauth("logout")
    assert out.returncode == 1
    assert "Could not revoke" in out.stderr
    assert "--local" in out.stderr
    assert home_store().load("default") is not None


def test_logout_local_forgets_even_when_zoho_cannot_be_reached(emulator: Emulator) -> None:
    sign_in(emulator)
    emulator.stop()
    out = run_tvauth("logout", "--local")
    assert out.returncode == 0
    assert "this device only" in out.stdout
    assert home_store().load("default") is None


def test_logout_all_signs_out_every_profile(emulator: Emulator) -> None:
    sign_in(emulator)
    sign_in(emulator, account="ada@example.com", name="work")
    out = run_tvauth("logout", "--all")
    assert out.returncode == 0, out.stderr
    assert home_store().names() == []
    assert len(emulator.requests_to("/oauth/v2/token/revoke")) == 2


def test_logout_of_a_revoked_sign_in_just_forgets_it(emulator: Emulator) -> None:
    sign_in(emulator)
    emulator.revoke_user("jane@example.com")
    home_store().update(
        "default", lambda p: None if p is None else dataclasses.replace(p, needs_sign_in=True)
    )
    out = run_tvauth("logout")
    assert out.returncode == 0
    assert "no longer accepted" in out.stdout
    assert home_store().load("default") is None


def test_logout_when_not_signed_in_has_nothing_to_do() -> None:
    out = run_tvauth("logout")
    assert out.returncode == 0
    assert "nothing to do" in out.stderr


# -- profiles ------------------------------------------------------------------------------------


def test_profiles_lists_each_with_its_state(emulator: Emulator) -> None:
    sign_in(emulator)
    sign_in(emulator, account="ada@example.com", name="work")
    home_store().update(
        "work", lambda p: None if p is None else dataclasses.replace(p, needs_sign_in=True)
    )
    out = run_tvauth("profiles")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("default")
    assert "signed in" in lines[0]
    assert "jane@example.com" in lines[0]
    assert lines[1].startswith("work")
    assert "needs sign-in" in lines[1]


def test_profiles_when_there_are_none() -> None:
    out = run_tvauth("profiles")
    assert out.returncode == 0
    assert out.stdout == ""
    assert "tvauth login" in out.stderr


# -- exec ----------------------------------------------------------------------------------------

_SHOW_ENV = (
    "import hashlib, os, sys\n"
    "print(hashlib.sha256(os.environ['ZOHO_ACCESS_TOKEN'].encode()).hexdigest())\n"
    "print(os.environ['ZOHO_API_DOMAIN'])\n"
    "sys.exit(7)\n"
)


def test_exec_runs_the_command_with_the_token_and_api_domain(emulator: Emulator) -> None:
    profile = sign_in(emulator)
    out = run_tvauth("exec", "--", sys.executable, "-c", _SHOW_ENV)
    assert out.returncode == 7, "the command's exit status is tvauth's"
    digest, api_domain = out.stdout.splitlines()
    assert digest == hashlib.sha256(token_of(profile).encode()).hexdigest()
    assert api_domain == emulator.api_url("eu")


def test_exec_renews_first_when_the_token_expired(emulator: Emulator) -> None:
    sign_in(emulator, expires_in=-5)
    out = run_tvauth("exec", "--", sys.executable, "-c", _SHOW_ENV)
    assert out.returncode == 7
    digest = out.stdout.splitlines()[0]
    assert digest == hashlib.sha256(token_of(home_store().load("default")).encode()).hexdigest()
    assert _refreshes(emulator) == 1


def test_exec_without_a_command_is_a_usage_error(emulator: Emulator) -> None:
    sign_in(emulator)
    out = run_tvauth("exec")
    assert out.returncode == 2
    assert "tvauth exec -- CMD" in out.stderr


def test_exec_of_a_missing_command(emulator: Emulator) -> None:
    sign_in(emulator)
    out = run_tvauth("exec", "--", "no-such-command-tvauth-test")
    assert out.returncode == 127
    assert "command not found: no-such-command-tvauth-test" in out.stderr


def test_exec_when_not_signed_in_does_not_run_the_command() -> None:
    out = run_tvauth("exec", "--", sys.executable, "-c", "print('ran')")
    assert out.returncode == 1
    assert "ran" not in out.stdout
    assert "not signed in" in out.stderr


def test_status_and_token_refuse_a_token_directory_open_to_others(emulator: Emulator) -> None:
    sign_in(emulator)
    tokens_dir = home_store().tokens_dir
    tokens_dir.chmod(0o755)
    status = run_tvauth("status", "--json")
    assert status.returncode == 1
    info = json.loads(status.stdout)
    assert info["permissions_ok"] is False
    assert f"chmod 700 {tokens_dir}" in info["problem"]
    token = run_tvauth("token")
    assert token.returncode == 1
    assert token.stdout == ""
    assert f"chmod 700 {tokens_dir}" in token.stderr
