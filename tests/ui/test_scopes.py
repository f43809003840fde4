"""Zoho scope names in words a person approving a TV can judge."""

from __future__ import annotations

import pytest

from tvauth.scopes import describe_scope, describe_scopes, scopes_sentence


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        ("ZohoCRM.modules.ALL", "read and change records in Zoho CRM"),
        ("ZohoCRM.modules.leads.READ", "read leads in Zoho CRM"),
        ("ZohoCRM.settings.fields.READ", "read settings (fields) in Zoho CRM"),
        ("ZohoCRM.users.READ", "read users in Zoho CRM"),
        ("ZohoCRM.org.READ", "read organisation details in Zoho CRM"),
        ("AaaServer.profile.Read", "see your name and email address"),
        ("aaaserver.profile.READ", "see your name and email address"),
        ("ZohoMail.messages.READ", "read email messages in Zoho Mail"),
        ("ZohoMail.accounts.READ", "read accounts in Zoho Mail"),
        ("ZohoBooks.fullaccess.all", "read and change all data in Zoho Books"),
        ("WorkDrive.files.ALL", "read and change files in Zoho WorkDrive"),
        ("ZohoDesk.tickets.CREATE", "create tickets in Zoho Desk"),
        ("ZohoProjects.tasks.DELETE", "delete tasks in Zoho Projects"),
        ("ZohoFoo.barBaz.UPDATE", "update bar baz in Zoho Foo"),
        ("Acme.widgets.READ", "read widgets in Acme"),
        ("ZohoCRM.modules.EXPORT", "use records in Zoho CRM (export)"),
        ("openid", "confirm who you are"),
        ("email", "see your email address"),
        ("weird", "use weird"),
        ("a..b", "use a..b"),
        ("", "use an unnamed permission"),
    ],
)
def test_scope_in_plain_words(scope: str, words: str) -> None:
    assert describe_scope(scope) == words


def test_repeats_and_blanks_are_dropped_order_kept() -> None:
    scopes = ["ZohoCRM.modules.ALL", " ", "AaaServer.profile.READ", "ZohoCRM.modules.ALL"]
    assert describe_scopes(scopes) == [
        "read and change records in Zoho CRM",
        "see your name and email address",
    ]


def test_sentence_for_the_screen() -> None:
    assert scopes_sentence([]) == "This device asks for no special permissions."
    assert scopes_sentence(["ZohoCRM.modules.ALL"]) == (
        "This device may read and change records in Zoho CRM."
    )
    assert scopes_sentence(["ZohoCRM.modules.ALL", "AaaServer.profile.Read"]) == (
        "This device may read and change records in Zoho CRM and see your name and email address."
    )
    assert scopes_sentence(["ZohoCRM.modules.ALL", "ZohoMail.messages.READ", "openid"]) == (
        "This device may read and change records in Zoho CRM; read email messages in Zoho Mail; "
        "and confirm who you are."
    )


def test_no_scope_is_ever_hidden() -> None:
    # An unknown permission must still be named: hiding one would be worse than naming it oddly.
    for scope in ["X.y.z", "Strange_Scope", "ZohoNew.thing.WRITE"]:
        assert describe_scope(scope)
        assert describe_scope(scope) in scopes_sentence([scope])
