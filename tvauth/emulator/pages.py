"""The verification pages a person sees on a phone: enter the code, choose the account, allow.

Server-rendered HTML with inline CSS and no external resources (the emulator may run with no
internet, and a phone on the LAN must load it instantly). Everything echoed is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from tvauth.emulator.scopes import describe_scope
from tvauth.zoho import DATA_CENTERS

__all__ = ["code_page", "consent_page", "done_page", "index_page", "label_of"]

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:18px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 background:#f3f5f8;color:#1c2430}
main{max-width:30rem;margin:0 auto;padding:1.25rem}
header{font-size:.85rem;color:#5a6472;margin-bottom:1rem}
h1{font-size:1.45rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:14px;padding:1.25rem;box-shadow:0 1px 4px #0002}
label{display:block;font-weight:600;margin:.6rem 0 .3rem}
input[type=text]{width:100%;font-size:1.6rem;letter-spacing:.12em;padding:.6rem .7rem;
 border:2px solid #b8c0cc;border-radius:10px;text-transform:uppercase;font-family:ui-monospace,monospace}
input[type=text]:focus{border-color:#1565c0;outline:none}
button{display:block;width:100%;font-size:1.1rem;font-weight:600;padding:.85rem;margin-top:.9rem;
 border-radius:10px;border:0;cursor:pointer}
.allow{background:#1565c0;color:#fff}.deny{background:#e8ebf0;color:#1c2430}
.error{background:#fdecea;color:#8a1c12;border-radius:10px;padding:.7rem .9rem;margin-bottom:1rem}
.ok{background:#e7f5ea;color:#135c24;border-radius:10px;padding:.7rem .9rem}
ul.scopes{padding-left:1.2rem;margin:.3rem 0 1rem}
fieldset{border:0;padding:0;margin:0 0 .5rem}
.account{display:flex;gap:.6rem;align-items:center;border:2px solid #d6dbe3;border-radius:10px;
 padding:.55rem .7rem;margin:.4rem 0;font-weight:400}
.account small{display:block;color:#5a6472}
.code{font-family:ui-monospace,monospace;font-size:1.3rem;letter-spacing:.1em}
"""


def label_of(location: str) -> str:
    """``eu`` -> ``Zoho EU``; an unknown code is shown as it is."""
    dc = DATA_CENTERS.get(location)
    return dc.display_name if dc else f"Zoho {location.upper()}"


def _layout(title: str, location: str, content: str) -> bytes:
    page = (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{escape(title)} · Zoho Accounts (emulated)</title><style>{_CSS}</style></head>"
        f"<body><main><header>Zoho Accounts · {escape(label_of(location))} · "
        "local emulator, not the real Zoho</header>"
        f"<div class='card'>{content}</div></main></body></html>\n"
    )
    return page.encode("utf-8")


def code_page(location: str, action: str, user_code: str = "", error: str | None = None) -> bytes:
    """Step 1: the person types (or finds pre-filled) the code shown on the TV."""
    problem = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    content = (
        "<h1>Sign in a device</h1>"
        f"{problem}"
        f"<form method='post' action='{escape(action)}'>"
        "<label for='user_code'>Code shown on the device</label>"
        f"<input type='text' id='user_code' name='user_code' value='{escape(user_code)}' "
        "autocomplete='off' autocapitalize='characters' autocorrect='off' spellcheck='false' "
        "required autofocus>"
        "<button type='submit' class='allow'>Next</button>"
        "</form>"
    )
    return _layout("Enter code", location, content)


def consent_page(
    location: str,
    action: str,
    client_name: str,
    user_code: str,
    scopes: Sequence[str],
    accounts: Mapping[str, str],
) -> bytes:
    """Step 2: what the device will be able to do, as whom, and Allow / Deny."""
    items = "".join(
        f"<li>{escape(describe_scope(s))} <small>({escape(s)})</small></li>" for s in scopes
    )
    choices = []
    for index, (email, loc) in enumerate(accounts.items()):
        checked = " checked" if index == 0 else ""
        choices.append(
            f"<label class='account'><input type='radio' name='account' value='{escape(email)}'"
            f"{checked}><span>{escape(email)}<small>Data center: {escape(label_of(loc))}"
            "</small></span></label>"
        )
    content = (
        f"<h1>Allow “{escape(client_name)}” to use your Zoho account?</h1>"
        f"<p>Device code <span class='code'>{escape(user_code)}</span></p>"
        f"<p>It will be able to:</p><ul class='scopes'>{items}</ul>"
        f"<form method='post' action='{escape(action)}'>"
        f"<input type='hidden' name='user_code' value='{escape(user_code)}'>"
        f"<fieldset><legend><strong>Account</strong></legend>{''.join(choices)}</fieldset>"
        "<button type='submit' name='decision' value='allow' class='allow'>Allow</button>"
        "<button type='submit' name='decision' value='deny' class='deny'>Deny</button>"
        "</form>"
    )
    return _layout("Allow access", location, content)


def done_page(location: str, allowed: bool, account: str, account_location: str) -> bytes:
    """Step 3: the outcome, and where to look next (the device)."""
    if allowed:
        content = (
            "<h1>Device signed in</h1>"
            f"<p class='ok'>Signed in as {escape(account)} "
            f"({escape(label_of(account_location))}).</p>"
            "<p>You can close this page; the device continues by itself.</p>"
        )
    else:
        content = (
            "<h1>Access denied</h1>"
            "<p class='ok'>The device was not signed in.</p>"
            "<p>You can close this page. To try again, start over on the device.</p>"
        )
    return _layout("Done", location, content)


def index_page(location: str, bases: Mapping[str, str]) -> bytes:
    """The root: which data centers this emulator serves, and their verification pages."""
    rows = "".join(
        f"<li><a href='{escape(url)}/oauth/v3/device'>{escape(label_of(loc))}</a> "
        f"<small>{escape(url)}</small></li>"
        for loc, url in bases.items()
    )
    content = f"<h1>Zoho Accounts emulator</h1><p>Verification pages:</p><ul>{rows}</ul>"
    return _layout("Emulator", location, content)
