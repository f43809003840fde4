"""The person with the phone: opens the verification page, reads its forms, presses the buttons.

Only the HTML the emulator serves is used (no control API): the page is fetched with a real httpx
client, each form is parsed out of it and submitted the way a browser would submit it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

__all__ = ["Form", "PhoneError", "approve_on_page", "parse_forms"]


class PhoneError(AssertionError):
    """The page did not offer what a person needs (no form, no such account, no such button)."""


@dataclass
class Input:
    tag: str
    type: str
    name: str
    value: str
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    inputs: list[Input] = field(default_factory=list)

    def radios(self, name: str) -> list[str]:
        return [i.value for i in self.inputs if i.type == "radio" and i.name == name]

    def submit_buttons(self) -> list[Input]:
        return [i for i in self.inputs if i.type == "submit"]

    def data(self, press: str | None = None, **chosen: str) -> dict[str, str]:
        """What a browser sends when the button whose value is ``press`` is clicked."""
        out: dict[str, str] = {}
        for i in self.inputs:
            if not i.name or i.type == "submit":
                continue
            if i.type == "radio":
                if i.checked and i.name not in chosen:
                    out[i.name] = i.value
                continue
            out[i.name] = i.value
        for name, value in chosen.items():
            if name in {i.name for i in self.inputs if i.type == "radio"} and value not in (
                self.radios(name)
            ):
                raise PhoneError(f"the page offers no {name} {value!r}: {self.radios(name)}")
            out[name] = value
        if press is not None:
            buttons = [b for b in self.submit_buttons() if b.value == press]
            if not buttons:
                values = [b.value for b in self.submit_buttons()]
                raise PhoneError(f"no button {press!r} on the page (buttons: {values})")
            if buttons[0].name:
                out[buttons[0].name] = buttons[0].value
        return out


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag in ("input", "button") and self.forms:
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            self.forms[-1].inputs.append(
                Input(tag, kind, a.get("name", ""), a.get("value", ""), "checked" in a)
            )


def parse_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def _only_form(response: httpx.Response) -> Form:
    if "text/html" not in response.headers.get("content-type", ""):
        raise PhoneError(f"expected a web page, got {response.headers.get('content-type')}")
    forms = parse_forms(response.text)
    if len(forms) != 1:
        raise PhoneError(f"expected one form on {response.url}, found {len(forms)}")
    return forms[0]


def _submit(
    client: httpx.Client, page: httpx.Response, form: Form, data: dict[str, str]
) -> httpx.Response:
    target = urljoin(str(page.url), form.action or str(page.url))
    if form.method == "post":
        return client.post(target, data=data)
    return client.get(target, params=data)


def approve_on_page(
    url: str,
    *,
    user_code: str | None = None,
    account: str = "jane@example.com",
    decision: str = "allow",
    timeout: float = 10.0,
) -> str:
    """Open ``url`` (the verification page, or its pre-filled variant), go through the forms.

    ``user_code`` is typed into the code field when given (else the pre-filled value is kept).
    Returns the text of the final page.
    """
    with httpx.Client(timeout=timeout, follow_redirects=True, trust_env=False) as client:
        page = client.get(url)
        page.raise_for_status()
        form = _only_form(page)
        data = form.data()
        if "user_code" not in data:
            raise PhoneError("the code page has no user_code field")
        if user_code is not None:
            data["user_code"] = user_code
        if not data["user_code"]:
            raise PhoneError("the code field is empty and no code was given")
        consent = _submit(client, page, form, data)
        consent.raise_for_status()
        form = _only_form(consent)
        press = "allow" if decision == "allow" else "deny"
        done = _submit(client, consent, form, form.data(press, account=account))
        done.raise_for_status()
        if parse_forms(done.text):
            raise PhoneError("the decision was not taken (the page asks again)")
        return done.text
