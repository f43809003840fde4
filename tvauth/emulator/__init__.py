"""A local Zoho Accounts server speaking Zoho's device-flow dialect, for the demo and the tests.

It shares the data-center table (:mod:`tvauth.zoho`) with the client and nothing else, so a parsing
mistake in the client cannot hide behind the same mistake here.
"""

from __future__ import annotations

from tvauth.emulator.config import (
    DEMO_ACCOUNTS,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELF_CLIENT_ID,
    DEMO_SELF_CLIENT_SECRET,
    EmulatorConfig,
)
from tvauth.emulator.emulator import Emulator, EmulatorError

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SELF_CLIENT_ID",
    "DEMO_SELF_CLIENT_SECRET",
    "Emulator",
    "EmulatorConfig",
    "EmulatorError",
]
