"""Scopes in plain words, for the consent page: people approve what they understand."""

from __future__ import annotations

__all__ = ["describe_scope"]

_KNOWN = {
    "aaaserver.profile.read": "See your name, email address and profile picture",
    "aaaserver.profile.all": "See and change your Zoho profile",
    "openid": "Confirm who you are",
    "email": "See your email address",
    "profile": "See your name and profile picture",
    "phone": "See your phone number",
    "address": "See your postal address",
    "zohocrm.modules.all": "See, create, change and delete your Zoho CRM records",
    "zohocrm.modules.read": "See your Zoho CRM records",
    "zohocrm.users.read": "See the users of your Zoho CRM organisation",
    "zohocrm.org.read": "See your Zoho CRM organisation's details",
}
_OPERATIONS = {
    "read": "See",
    "create": "Create",
    "update": "Change",
    "delete": "Delete",
    "all": "See, create, change and delete",
    "write": "Create and change",
}
_SERVICES = {"aaaserver": "Zoho Accounts", "zohocrm": "Zoho CRM", "zohobooks": "Zoho Books"}


def _service_name(raw: str) -> str:
    known = _SERVICES.get(raw.lower())
    if known:
        return known
    if raw.lower().startswith("zoho") and len(raw) > 4:
        return f"Zoho {raw[4:]}"
    return raw


def _words(raw: str) -> str:
    return raw.replace("_", " ").replace("*", "all").lower()


def describe_scope(scope: str) -> str:
    """``ZohoMail.messages.READ`` -> ``See your messages in Zoho Mail``."""
    known = _KNOWN.get(scope.lower())
    if known:
        return known
    parts = scope.split(".")
    if len(parts) >= 3:
        service, op = parts[0], parts[-1]
        things = " ".join(_words(p) for p in parts[1:-1])
        verb = _OPERATIONS.get(op.lower())
        if verb:
            return f"{verb} your {things} in {_service_name(service)}"
    if len(parts) == 2:
        return f"Use {_words(parts[1])} in {_service_name(parts[0])}"
    return f"Use “{scope}”"
