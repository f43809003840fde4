"""Zoho scope names in words a person approving a device can judge.

The person holding the phone decides whether a TV may act for them; ``ZohoCRM.modules.ALL`` means
nothing to most of them, "read and change records in Zoho CRM" does. Pure: used by the full-screen UI
and the plain-text login alike. Unknown scopes still get a sentence (never dropped: hiding a permission
would be worse than naming it awkwardly).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["describe_scope", "describe_scopes", "scopes_sentence"]

# Product prefixes whose plain name is not simply "Zoho <Rest>".
_SERVICES: dict[str, str] = {
    "aaaserver": "your Zoho account",
    "zohocrm": "Zoho CRM",
    "zohomail": "Zoho Mail",
    "zohobooks": "Zoho Books",
    "zohodesk": "Zoho Desk",
    "desk": "Zoho Desk",
    "zohoprojects": "Zoho Projects",
    "workdrive": "Zoho WorkDrive",
    "zohopc": "Zoho WorkDrive",
    "zohocliq": "Zoho Cliq",
    "zohoinvoice": "Zoho Invoice",
    "zohoinventory": "Zoho Inventory",
    "zohosubscriptions": "Zoho Billing",
    "zohobilling": "Zoho Billing",
    "zohoexpense": "Zoho Expense",
    "zohopeople": "Zoho People",
    "zohorecruit": "Zoho Recruit",
    "zohocreator": "Zoho Creator",
    "zohoanalytics": "Zoho Analytics",
    "zohoreports": "Zoho Analytics",
    "zohosheet": "Zoho Sheet",
    "zohowriter": "Zoho Writer",
    "zohosign": "Zoho Sign",
    "zohocampaigns": "Zoho Campaigns",
    "zohobookings": "Zoho Bookings",
    "zohosprints": "Zoho Sprints",
    "zohovault": "Zoho Vault",
    "zohomeeting": "Zoho Meeting",
    "zohofsm": "Zoho FSM",
    "zohofiles": "Zoho WorkDrive",
    "zohosearch": "Zoho Search",
    "zohocalendar": "Zoho Calendar",
    "zohocontacts": "Zoho Contacts",
}

# Resource names that read badly as they are.
_RESOURCES: dict[str, str] = {
    "modules": "records",
    "messages": "email messages",
    "accounts": "accounts",
    "org": "organisation details",
    "organization": "organisation details",
    "users": "users",
    "settings": "settings",
    "fullaccess": "all data",
    "coql": "records (by query)",
    "bulk": "bulk exports",
    "notifications": "notifications",
    "files": "files",
    "tasks": "tasks",
    "folders": "folders",
    "tickets": "tickets",
    "contacts": "contacts",
    "profile": "profile",
    "webhooks": "webhooks",
}

# Operation suffixes (Zoho spells them READ, Read, ALL, all, ...).
_OPERATIONS: dict[str, str] = {
    "all": "read and change",
    "read": "read",
    "create": "create",
    "update": "update",
    "write": "change",
    "delete": "delete",
}

# Whole scopes that deserve their own sentence.
_WHOLE: dict[str, str] = {
    "aaaserver.profile.read": "see your name and email address",
    "aaaserver.profile.all": "see and change your Zoho profile",
    "openid": "confirm who you are",
    "email": "see your email address",
    "profile": "see your name",
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _service_name(prefix: str) -> str:
    known = _SERVICES.get(prefix.lower())
    if known:
        return known
    if prefix.lower().startswith("zoho") and len(prefix) > 4:
        return f"Zoho {prefix[4:]}"
    return prefix


def _resource_name(words: list[str]) -> str:
    # "modules.leads" -> "leads", "settings.fields" -> "settings (fields)": the last word is the most
    # specific thing, except for the generic "modules" container.
    names = [w for w in words if w]
    if not names:
        return "data"
    if len(names) >= 2 and names[0].lower() == "modules":
        names = names[1:]
    plain = [_RESOURCES.get(n.lower(), _CAMEL.sub(" ", n).lower()) for n in names]
    if len(plain) == 1:
        return plain[0]
    return f"{plain[0]} ({', '.join(plain[1:])})"


def describe_scope(scope: str) -> str:
    """One scope as a verb phrase that completes "This device may ...".

    ``ZohoCRM.modules.ALL`` -> "read and change records in Zoho CRM". Anything unrecognised becomes
    "use <scope>" so it is still visible.
    """
    cleaned = scope.strip()
    whole = _WHOLE.get(cleaned.lower())
    if whole:
        return whole
    parts = cleaned.split(".")
    if len(parts) < 3 or not all(parts):
        return f"use {cleaned}" if cleaned else "use an unnamed permission"
    service, middle, operation = parts[0], parts[1:-1], parts[-1]
    where = _service_name(service)
    verb = _OPERATIONS.get(operation.lower())
    if verb is None:
        return f"use {_resource_name(middle)} in {where} ({operation.lower()})"
    return f"{verb} {_resource_name(middle)} in {where}"


def describe_scopes(scopes: Iterable[str]) -> list[str]:
    """Each scope's phrase, in order, without repeats."""
    seen: dict[str, None] = {}
    for scope in scopes:
        if scope.strip():
            seen.setdefault(describe_scope(scope), None)
    return list(seen)


def scopes_sentence(scopes: Iterable[str]) -> str:
    """A whole sentence for a screen: "This device may read ... and see ...".

    Used where space is short; callers with room may list :func:`describe_scopes` instead.
    """
    phrases = describe_scopes(scopes)
    if not phrases:
        return "This device asks for no special permissions."
    if len(phrases) == 1:
        body = phrases[0]
    elif len(phrases) == 2:
        body = f"{phrases[0]} and {phrases[1]}"
    else:
        body = "; ".join(phrases[:-1]) + "; and " + phrases[-1]
    return f"This device may {body}."
