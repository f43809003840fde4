"""The verification page, driven like a phone's browser: read the HTML, fill the forms it shows."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import httpx
from htmlforms import Form, parse_forms
from zoho_wire import Wire


def _only_form(html: str) -> Form:
    forms = parse_forms(html)
    assert len(forms) == 1, html
    return forms[0]


def _submit(http: httpx.Client, page_url: str, form: Form, data: dict[str, str]) -> httpx.Response:
    assert form.method == "post"
    return http.post(urljoin(page_url, form.action), data=data)


def test_prefilled_code_consent_allow_gives_tokens(wire: Wire, http: httpx.Client) -> None:
    body = wire.code(scope="AaaServer.profile.READ,ZohoMail.messages.READ")
    page_url = body["verification_uri_complete"]
    page = http.get(page_url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    form = _only_form(page.text)
    assert form.field("user_code").value == body["user_code"]

    consent = _submit(http, page_url, form, form.submission())
    assert consent.status_code == 200
    assert "See your name, email address and profile picture" in consent.text
    assert "See your messages in Zoho Mail" in consent.text
    assert "tvauth demo" in consent.text
    assert "Zoho EU" in consent.text  # each account shows its data center
    form = _only_form(consent.text)
    assert "ada@example.com" in form.choices("account")
    allow = next(b for b in form.buttons() if b.value == "allow")
    done = _submit(http, str(consent.url), form, form.submission(allow, account="ada@example.com"))
    assert done.status_code == 200
    assert "Signed in as ada@example.com" in done.text

    answer = wire.poll_json(body["device_code"])
    assert answer["access_token"].startswith("1004.")


def test_typed_code_any_case_and_eu_account_leads_to_other_dc(
    wire: Wire, http: httpx.Client
) -> None:
    body = wire.code()
    page_url = body["verification_url"]
    form = _only_form(http.get(page_url).text)
    assert form.field("user_code").value == ""
    typed = " " + body["user_code"].lower() + " "
    consent = _submit(http, page_url, form, form.submission(user_code=typed))
    form = _only_form(consent.text)
    allow = next(b for b in form.buttons() if b.value == "allow")
    done = _submit(http, str(consent.url), form, form.submission(allow, account="jane@example.com"))
    assert "Zoho EU" in done.text
    assert wire.poll_json(body["device_code"]) == {"error": "other_dc", "user_location": "eu"}
    assert "access_token" in wire.poll_json(body["device_code"], "eu")


def test_deny_button_gives_access_denied(wire: Wire, http: httpx.Client) -> None:
    body = wire.code()
    page_url = body["verification_uri_complete"]
    form = _only_form(http.get(page_url).text)
    consent = _submit(http, page_url, form, form.submission())
    form = _only_form(consent.text)
    deny = next(b for b in form.buttons() if b.value == "deny")
    done = _submit(http, str(consent.url), form, form.submission(deny))
    assert "Access denied" in done.text
    assert wire.poll_json(body["device_code"]) == {"error": "access_denied"}


def test_wrong_code_shows_the_form_again_with_a_reason(wire: Wire, http: httpx.Client) -> None:
    page_url = wire.emu.verification_url("us")
    form = _only_form(http.get(page_url).text)
    answer = _submit(http, page_url, form, form.submission(user_code="NOPE1234"))
    assert answer.status_code == 400
    assert "No sign-in is waiting for that code." in answer.text
    assert _only_form(answer.text).field("user_code").value == "NOPE1234"


def test_used_and_expired_codes_are_refused_by_the_page(wire: Wire, http: httpx.Client) -> None:
    page_url = wire.emu.verification_url("us")
    used = wire.code()
    wire.emu.approve(used["user_code"])
    form = _only_form(http.get(page_url).text)
    answer = _submit(http, page_url, form, form.submission(user_code=used["user_code"]))
    assert "already been used" in answer.text
    stale = wire.code()
    wire.emu.advance(wire.emu.config.code_lifetime)
    answer = _submit(http, page_url, form, form.submission(user_code=stale["user_code"]))
    assert "expired" in answer.text


def test_page_is_phone_friendly_self_contained_and_escapes_input(
    http: httpx.Client, wire: Wire
) -> None:
    evil = "<script>alert(1)</script>'\""
    page = http.get(wire.emu.verification_url("us"), params={"user_code": evil})
    html = page.text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert _only_form(html).field("user_code").value == evil
    assert re.search(r"<meta name='viewport' content='width=device-width", html)
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", html)  # nothing loaded from elsewhere
    assert "<link" not in html


def test_page_is_served_under_every_data_center(wire: Wire, http: httpx.Client) -> None:
    for location in ("us", "eu", "in"):
        page = http.get(wire.emu.verification_url(location))
        assert page.status_code == 200
        assert _only_form(page.text).action == f"/{location}/oauth/v3/device"
