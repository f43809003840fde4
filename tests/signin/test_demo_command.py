"""``tvauth demo --plain``: the built-in emulator, approved with the curl line the demo prints."""

from __future__ import annotations

import shlex
from pathlib import Path

import httpx
import pytest

from tests.signin.phone import approve_on_page
from tests.signin.proc import Running, base_env, no_secrets
from tvauth.emulator import DEMO_CLIENT_SECRET

pytestmark = pytest.mark.timeout(60)

# The hint is two shell lines: "curl -d ... \\" and the indented URL.
HINT = r"^To approve without a phone \(demo\): (curl .+) \\$"
HINT_URL = r"^\s+(http://\S+/emulator/approve)$"


def curl_as_httpx(line: str) -> httpx.Response:
    """Do what the printed ``curl -d k=v ... URL`` line does (a form POST), with httpx."""
    words = shlex.split(line)
    assert words[0] == "curl"
    data: dict[str, str] = {}
    url: str | None = None
    rest = iter(words[1:])
    for word in rest:
        if word in ("-d", "--data"):
            name, sep, value = next(rest).partition("=")
            assert sep, f"unexpected curl data {name!r}"
            data[name] = value
        elif word.startswith("-"):
            pytest.fail(f"the hint uses a curl option this test does not know: {word}")
        else:
            url = word
    assert url is not None
    with httpx.Client(timeout=10, trust_env=False) as client:
        return client.post(url, data=data)


def test_demo_plain_signs_in_with_the_printed_curl_line(tmp_path: Path) -> None:
    home = tmp_path / "real-home"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # The person's own settings must not leak into the demo (it has its own client and server).
    env = base_env(
        home,
        {
            "TMPDIR": str(scratch),
            "TVAUTH_CLIENT_ID": "1000.NOTTHEDEMOCLIENT000000000000000",
            "TVAUTH_ACCOUNTS_URL": "http://127.0.0.1:9/us",
            "TVAUTH_PROFILE": "work",
        },
    )
    proc = Running(("demo", "--plain"), env)
    try:
        base = proc.wait_for(r"^tvauth demo: emulated Zoho Accounts at (http://\S+)$").group(1)
        code = proc.wait_for(r"^Code: (\S+)$").group(1)
        hint = proc.wait_for(HINT).group(1) + " " + proc.wait_for(HINT_URL).group(1)
        assert f"user_code={code}" in hint
        assert hint.split()[-1] == base.rsplit("/", 1)[0] + "/emulator/approve"

        answer = curl_as_httpx(hint)
        assert answer.status_code == 200, answer.text
        assert answer.json()["decision"] == "allow"

        proc.wait_for(r"^Signed in as jane@example\.com, ", timeout=20)
        assert proc.finish(timeout=15) == 0
    finally:
        proc.kill()
    out = proc.stdout
    assert "Approved by an account in Zoho EU" in out
    assert no_secrets(out + proc.stderr, DEMO_CLIENT_SECRET)
    # Nothing under the person's TVAUTH_HOME, and the throw-away home is gone.
    assert not home.exists()
    assert list(scratch.iterdir()) == []


def test_demo_lan_serves_the_phone_on_the_network_address(tmp_path: Path) -> None:
    """``--lan``: the addresses shown lead to this machine's LAN address, where a phone can go."""
    from tvauth.commands.demo import lan_address

    address = lan_address()
    if address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address to serve on")
    env = base_env(tmp_path / "real-home", {"TMPDIR": str(tmp_path)})
    proc = Running(("demo", "--lan", "--plain"), env)
    try:
        base = proc.wait_for(r"^tvauth demo: emulated Zoho Accounts at (http://\S+)$").group(1)
        assert base.startswith(f"http://{address}:")
        code = proc.wait_for(r"^Code: (\S+)$").group(1)
        shown = proc.wait_for(r"^Go to (\S+) and enter the code\.$").group(1)
        assert shown.startswith(f"http://{address}:")
        page = approve_on_page(shown, user_code=code, account="jane@example.com")
        assert "Device signed in" in page
        proc.wait_for(r"^Signed in as jane@example\.com, ", timeout=20)
        assert proc.finish(timeout=15) == 0
    finally:
        proc.kill()
