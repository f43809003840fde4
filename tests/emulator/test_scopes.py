"""Scopes in plain words on the consent page."""

from __future__ import annotations

import pytest

from tvauth.emulator.scopes import describe_scope


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        ("AaaServer.profile.READ", "See your name, email address and profile picture"),
        ("aaaserver.profile.read", "See your name, email address and profile picture"),
        ("ZohoMail.messages.READ", "See your messages in Zoho Mail"),
        ("ZohoBooks.invoices.CREATE", "Create your invoices in Zoho Books"),
        ("ZohoCRM.modules.ALL", "See, create, change and delete your Zoho CRM records"),
        ("ZohoCRM.settings.fields.UPDATE", "Change your settings fields in Zoho CRM"),
        ("ZohoSheet.dataAPI.UNKNOWNOP", "Use “ZohoSheet.dataAPI.UNKNOWNOP”"),
        ("ZohoWriter.documentEditor", "Use documenteditor in Zoho Writer"),
    ],
)
def test_describe_scope(scope: str, words: str) -> None:
    assert describe_scope(scope) == words
