"""``tvauth token | status | refresh | logout | profiles | exec``.

``tvauth token`` is called by scripts, often many at once and often in a loop, so with a cached
valid token it reads one file and prints: no lock, no network, and neither httpx, Textual nor
qrcode is imported (renewal imports httpx itself, only when it has to ask Zoho).

Output contract: stdout carries only the result (the token, the status, the list); reasons for
failure go to stderr as one line, and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
from datetime import UTC, datetime

from tvauth.errors import InsecurePermissionsError, StoreError, TvauthError
from tvauth.profile import DEFAULT_PROFILE, Profile
from tvauth.store import TokenStore

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms on `tvauth token`
if TYPE_CHECKING:
    from typing import Any

    from tvauth.clock import ServerTime

__all__ = ["run_exec", "run_logout", "run_profiles", "run_refresh", "run_status", "run_token"]

# Same default as tvauth.renewal.DEFAULT_MARGIN (a test keeps them equal); not imported from there
# so that the cached path loads as little as possible.
MARGIN = 300.0
PROFILE_ENV = "TVAUTH_PROFILE"  # tvauth.config.ENV_VARS["profile"] (a test keeps them equal)
EXIT_USAGE = 2
EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126


# An uncommented top-level ``profile = ...`` line (the template has it commented out).
_PROFILE_KEY = re.compile(rb"""^[ \t]*["']?profile["']?[ \t]*=""", re.MULTILINE)


def _name(args: argparse.Namespace) -> str:
    """The profile ``tvauth login`` would use: --profile, TVAUTH_PROFILE, the config file, 'default'.

    The config file is loaded (and checked) only when it may name a profile, so a cached token
    does not pay for TOML parsing and the settings module on every call.
    """
    name = getattr(args, "profile", None)
    if isinstance(name, str) and name:
        return name
    from_env = os.environ.get(PROFILE_ENV, "").strip()
    if from_env:
        return from_env
    from tvauth.paths import resolve_paths

    try:
        text = resolve_paths().config_file.read_bytes()
    except OSError:
        return DEFAULT_PROFILE  # none (or unreadable: 'tvauth login' names that problem)
    if not _PROFILE_KEY.search(text):
        return DEFAULT_PROFILE
    from tvauth.config import load_settings

    return load_settings(args).profile


def _now() -> datetime:
    return datetime.now(UTC)


def _clock() -> ServerTime:
    """This device's clock, corrected by the skew Zoho's answers showed (a Pi booted in 1970)."""
    from tvauth.clock import ServerTime

    return ServerTime.default(_now)


def _valid_profile(store: TokenStore, name: str) -> Profile:
    """The profile with a token good for MARGIN seconds: from the file if it has one, else renewed."""
    clock = _clock()
    profile = store.load(name)
    if profile is not None and profile.has_access_for(clock(), MARGIN):
        return profile
    from tvauth.renewal import renew

    return renew(name, margin=MARGIN, store=store, now=clock)


def _token(profile: Profile) -> str:
    assert profile.access_token is not None
    return profile.access_token.reveal()


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _data_center(profile: Profile) -> str:
    from tvauth.zoho import data_center_for_accounts_url

    dc = data_center_for_accounts_url(profile.accounts_url)
    if dc is not None:
        return dc.display_name
    where = f" ({profile.location})" if profile.location else ""
    return f"{profile.accounts_url}{where}"


def _api_domain(profile: Profile) -> str | None:
    if profile.api_domain:
        return profile.api_domain
    from tvauth.zoho import DATA_CENTERS

    dc = DATA_CENTERS.get(profile.location or "")
    return dc.api_domain if dc else None


# -- token ---------------------------------------------------------------------------------------


def run_token(args: argparse.Namespace) -> int:
    """Print a valid access token and nothing else."""
    profile = _valid_profile(TokenStore(), _name(args))
    sys.stdout.write(_token(profile) + "\n")
    sys.stdout.flush()
    return 0


# -- status --------------------------------------------------------------------------------------


def _status(store: TokenStore, name: str) -> tuple[dict[str, Any], Profile | None]:
    """The status as data, and the profile it was read from (None when there is none)."""
    path = store.path_for(name)
    info: dict[str, Any] = {
        "profile": name,
        "file": str(path),
        "file_exists": path.exists(),
        "file_mode": None,
        "permissions_ok": None,
        "signed_in": False,
        "usable": False,
        "problem": None,
        "clock": None,
    }
    clock = _clock()
    message = clock.message()
    if message is not None:
        skew = clock.skew
        info["clock"] = {
            "wrong": True,
            "skew_seconds": None if skew is None else round(skew),
            "message": message,
        }
    if info["file_exists"]:
        mode = stat.S_IMODE(path.stat().st_mode)
        dir_mode = stat.S_IMODE(store.tokens_dir.stat().st_mode)
        info["file_mode"] = f"{mode:04o}"
        info["permissions_ok"] = mode & 0o077 == 0 and dir_mode & 0o077 == 0
    try:
        profile = store.load(name)
    except StoreError as err:
        info["problem"] = err.message
        return info, None
    if profile is None:
        info["problem"] = f"Profile '{name}' is not signed in. Run 'tvauth login' to sign in."
        return info, None
    now = clock()
    valid_for = profile.access_valid_for(now)
    usable = profile.can_refresh or valid_for > 0
    info.update(
        {
            "signed_in": True,
            "usable": usable,
            "needs_sign_in": profile.needs_sign_in,
            "email": profile.email,
            "display_name": profile.display_name,
            "data_center": _data_center(profile),
            "location": profile.location,
            "accounts_url": profile.accounts_url,
            "api_domain": profile.api_domain,
            "scopes": list(profile.scopes),
            "access_token_expires_at": (
                profile.access_expires_at.isoformat() if profile.access_expires_at else None
            ),
            "access_token_valid_for": int(valid_for),
            "refresh_token_present": profile.refresh_token is not None,
            "signed_in_at": profile.signed_in_at.isoformat(),
            "refreshed_at": profile.refreshed_at.isoformat() if profile.refreshed_at else None,
            "throttled_until": (
                profile.throttled_until.isoformat()
                if profile.throttled_until and profile.throttled_until > now
                else None
            ),
        }
    )
    if profile.needs_sign_in:
        info["problem"] = (
            "Zoho no longer accepts this sign-in (revoked or replaced). "
            "Run 'tvauth login --force' to sign in again."
        )
    elif not usable:
        info["problem"] = (
            "The access token has expired and there is no refresh token. "
            "Run 'tvauth login --force' to sign in again."
        )
    return info, profile


def _print_status(info: dict[str, Any], profile: Profile | None) -> None:
    rows: list[tuple[str, str]] = [("Profile", info["profile"])]
    if info["signed_in"]:
        assert profile is not None
        rows.append(("Signed in as", profile.who or "unknown (no profile scope)"))
        rows.append(("Data center", info["data_center"]))
        rows.append(("API domain", info["api_domain"] or "-"))
        rows.append(("Scopes", ", ".join(info["scopes"]) or "-"))
        valid_for = info["access_token_valid_for"]
        expires = _when(profile.access_expires_at)
        if profile.needs_sign_in:
            access = "unusable (sign-in revoked)"
        elif valid_for > 0:
            access = f"valid until {expires} ({_duration(valid_for)} left)"
        elif profile.access_expires_at is not None:
            access = f"expired at {expires}" + (
                "; renewed on next use" if profile.can_refresh else ""
            )
        else:
            access = "none"
        rows.append(("Access token", access))
        if profile.needs_sign_in:
            refresh = "revoked at Zoho"
        elif profile.refresh_token is not None:
            refresh = "present"
        else:
            refresh = "missing"
        rows.append(("Refresh token", refresh))
        if info["throttled_until"]:
            rows.append(("Throttled", f"Zoho refuses renewals until {info['throttled_until']}"))
        rows.append(("Signed in at", _when(profile.signed_in_at)))
        if profile.refreshed_at:
            rows.append(("Last renewed", _when(profile.refreshed_at)))
    if info["clock"]:
        rows.append(("Clock", info["clock"]["message"]))
    if info["file_exists"]:
        perms = "ok" if info["permissions_ok"] else "TOO OPEN"
        rows.append(("Token file", f"{info['file']} ({info['file_mode']}, permissions {perms})"))
    else:
        rows.append(("Token file", f"{info['file']} (none)"))
    width = max(len(k) for k, _ in rows) + 2
    for key, value in rows:
        print(f"{key:<{width}}{value}")


def run_status(args: argparse.Namespace) -> int:
    """Who is signed in, where, until when; non-zero when the profile cannot give tokens."""
    store = TokenStore()
    name = _name(args)
    info, profile = _status(store, name)
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True))
    else:
        _print_status(info, profile)
        if info["problem"]:
            print(f"tvauth: {info['problem']}", file=sys.stderr)
    return 0 if info["usable"] and info["permissions_ok"] else 1


# -- refresh -------------------------------------------------------------------------------------


def run_refresh(args: argparse.Namespace) -> int:
    """Renew now, whatever the clock says."""
    from tvauth.renewal import renew

    name = _name(args)
    profile = renew(name, margin=MARGIN, force=True, store=TokenStore(), now=_clock())
    expires = _when(profile.access_expires_at)
    print(f"Renewed the access token of profile '{name}'; it is valid until {expires}.")
    return 0


# -- logout --------------------------------------------------------------------------------------


def run_logout(args: argparse.Namespace) -> int:
    """Revoke at Zoho, then forget; keep the tokens if Zoho cannot be reached (unless --local)."""
    from tvauth.logout import SignOut, sign_out

    store = TokenStore()
    names = store.names() if args.all else [_name(args)]
    if args.all and not names:
        print("No profiles are stored; nothing to sign out.", file=sys.stderr)
        return 0
    status = 0
    for name in names:
        result = sign_out(store, name, local=args.local)
        profile = result.profile
        who = f" ({profile.who})" if profile is not None and profile.who else ""
        where = _data_center(profile) if profile is not None else "Zoho"
        reason = result.error.problem if result.error is not None else ""
        if result.outcome is SignOut.REVOKED:
            print(f"Signed out profile '{name}'{who}: revoked at {where} and removed here.")
        elif result.outcome is SignOut.ALREADY_DEAD:
            print(f"Signed out profile '{name}'{who}: {where} no longer accepted it; removed here.")
        elif result.outcome is SignOut.LOCAL_ONLY:
            print(
                f"Removed profile '{name}'{who} from this device only: could not reach {where} "
                f"to revoke it ({reason}). It stays valid at Zoho until you remove this device's "
                "session in your Zoho account's security settings."
            )
        elif result.outcome is SignOut.KEPT:
            print(
                f"tvauth: Could not revoke profile '{name}'{who} at {where}: {reason} "
                "The tokens are kept. Try again when Zoho can be reached, or add --local to "
                "forget them on this device only.",
                file=sys.stderr,
            )
            status = 1
        else:
            print(f"Profile '{name}' is not signed in; nothing to do.", file=sys.stderr)
    return status


# -- profiles ------------------------------------------------------------------------------------


def run_profiles(args: argparse.Namespace) -> int:
    """One line per stored profile: name, state, who, data center."""
    store = TokenStore()
    names = store.names()
    if not names:
        print("No profiles yet. Run 'tvauth login' to sign in.", file=sys.stderr)
        return 0
    rows: list[tuple[str, str, str, str]] = []
    now = _clock()()
    for name in names:
        try:
            profile = store.load(name)
        except InsecurePermissionsError:
            rows.append((name, "unsafe permissions", "-", "-"))
            continue
        except StoreError as err:
            rows.append((name, "unreadable", "-", err.problem[:60]))
            continue
        if profile is None:
            continue
        if profile.needs_sign_in:
            state = "needs sign-in"
        elif profile.can_refresh:
            state = "signed in"
        elif profile.access_valid_for(now) > 0:
            state = "signed in (no refresh)"
        else:
            state = "expired"
        rows.append((name, state, profile.who or "-", _data_center(profile)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print(
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip()
        )
    return 0


# -- exec ----------------------------------------------------------------------------------------


def run_exec(args: argparse.Namespace) -> int:
    """Replace this process with CMD, its environment holding a valid token and the API domain."""
    argv = list(args.argv or [])
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("tvauth: exec needs a command: tvauth exec -- CMD [ARGS...]", file=sys.stderr)
        return EXIT_USAGE
    profile = _valid_profile(TokenStore(), _name(args))
    env = dict(os.environ)
    env["ZOHO_ACCESS_TOKEN"] = _token(profile)
    api_domain = _api_domain(profile)
    if api_domain:
        env["ZOHO_API_DOMAIN"] = api_domain
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, env)  # noqa: S606 - running the person's command is the point
    except FileNotFoundError:
        print(f"tvauth: command not found: {argv[0]}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except PermissionError:
        print(f"tvauth: cannot run {argv[0]}: permission denied", file=sys.stderr)
        return EXIT_NOT_EXECUTABLE
    except OSError as exc:
        raise TvauthError(f"Could not run {argv[0]}: {exc.strerror}.", "") from None
    return 0  # pragma: no cover - execvpe does not return
