"""Secrets and codes shaped like Zoho's, from the system's CSPRNG."""

from __future__ import annotations

import secrets

__all__ = ["new_token", "new_user_code", "normalise_user_code"]

# No 0/O, 1/I/L: people copy user codes by eye from a TV across a room.
_USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_token() -> str:
    """A device code, access token or refresh token: ``1004.<32 hex>.<32 hex>``."""
    return f"1004.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


def new_user_code(pattern: str) -> str:
    """A user code following ``pattern``: each ``X`` becomes a random character, the rest stays."""
    return "".join(secrets.choice(_USER_CODE_ALPHABET) if ch == "X" else ch for ch in pattern)


def normalise_user_code(code: str) -> str:
    """What people may type for a code: any case, with or without separators."""
    return "".join(ch for ch in code.upper() if ch.isalnum())
