"""tvauth: sign input-limited devices into Zoho with the device authorization flow.

The public API is re-exported here. Importing ``tvauth`` loads neither Textual nor qrcode, and
nothing heavy at all: the names below resolve lazily (module ``__getattr__``), so ``tvauth token``
stays fast and ``import tvauth`` does not import httpx until a flow is actually used.

Embedding a sign-in::

    import httpx, tvauth

    flow = tvauth.DeviceFlow(client_id="1000.X", client_secret="...", scopes=["ZohoCRM.users.READ"])
    async with httpx.AsyncClient(timeout=15) as client:
        approved = await flow.run(client, on_event=print)
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms on `tvauth token`

__version__ = "0.1.0"

# Public name -> module that defines it. Keep each block sorted; ``__all__`` is derived from it.
_EXPORTS: dict[str, str] = {
    # The device flow (tvauth.flow and the pure layers under it).
    "CancelHandle": "tvauth.flow",
    "DeviceFlow": "tvauth.flow",
    "Endpoints": "tvauth.protocol",
    # What a flow reports.
    "Approved": "tvauth.events",
    "CodeIssued": "tvauth.events",
    "DataCenterSwitched": "tvauth.events",
    "DeviceAuthorization": "tvauth.events",
    "Failed": "tvauth.events",
    "FlowEvent": "tvauth.events",
    "NetworkTrouble": "tvauth.events",
    "Pending": "tvauth.events",
    "Requesting": "tvauth.events",
    "SlowedDown": "tvauth.events",
    # Tokens, secrets and Zoho's data centers.
    "DATA_CENTERS": "tvauth.zoho",
    "DataCenter": "tvauth.zoho",
    "Secret": "tvauth.redact",
    "TokenSet": "tvauth.tokens",
    # The one error tree.
    "AccessDeniedError": "tvauth.errors",
    "CodeExpiredError": "tvauth.errors",
    "ConfigError": "tvauth.errors",
    "FlowError": "tvauth.errors",
    "InvalidClientError": "tvauth.errors",
    "InvalidCodeError": "tvauth.errors",
    "NetworkError": "tvauth.errors",
    "ServerResponseError": "tvauth.errors",
    "SignInCancelledError": "tvauth.errors",
    "ThrottledError": "tvauth.errors",
    "TvauthError": "tvauth.errors",
    # Token store and renewal.
    "Profile": "tvauth.profile",
    "TokenStore": "tvauth.store",
    "ZohoAuth": "tvauth.auth",
    "aget_access_token": "tvauth.renewal",
    "get_access_token": "tvauth.renewal",
    "AlreadySignedInError": "tvauth.errors",
    "InsecurePermissionsError": "tvauth.errors",
    "NotSignedInError": "tvauth.errors",
    "SignInRequiredError": "tvauth.errors",
    "StoreBusyError": "tvauth.errors",
    "StoreError": "tvauth.errors",
    "TokenFileCorruptError": "tvauth.errors",
}

__all__ = [  # noqa: RUF022 - plain sorted(), checked by tests/flow/test_flow_public_api.py
    "AccessDeniedError",
    "AlreadySignedInError",
    "Approved",
    "CancelHandle",
    "CodeExpiredError",
    "CodeIssued",
    "ConfigError",
    "DATA_CENTERS",
    "DataCenter",
    "DataCenterSwitched",
    "DeviceAuthorization",
    "DeviceFlow",
    "Endpoints",
    "Failed",
    "FlowError",
    "FlowEvent",
    "InsecurePermissionsError",
    "InvalidClientError",
    "InvalidCodeError",
    "NetworkError",
    "NetworkTrouble",
    "NotSignedInError",
    "Pending",
    "Profile",
    "Requesting",
    "Secret",
    "ServerResponseError",
    "SignInCancelledError",
    "SignInRequiredError",
    "SlowedDown",
    "StoreBusyError",
    "StoreError",
    "ThrottledError",
    "TokenFileCorruptError",
    "TokenSet",
    "TokenStore",
    "TvauthError",
    "ZohoAuth",
    "__version__",
    "aget_access_token",
    "get_access_token",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from tvauth.auth import ZohoAuth
    from tvauth.errors import (
        AccessDeniedError,
        AlreadySignedInError,
        CodeExpiredError,
        ConfigError,
        FlowError,
        InsecurePermissionsError,
        InvalidClientError,
        InvalidCodeError,
        NetworkError,
        NotSignedInError,
        ServerResponseError,
        SignInCancelledError,
        SignInRequiredError,
        StoreBusyError,
        StoreError,
        ThrottledError,
        TokenFileCorruptError,
        TvauthError,
    )
    from tvauth.events import (
        Approved,
        CodeIssued,
        DataCenterSwitched,
        DeviceAuthorization,
        Failed,
        FlowEvent,
        NetworkTrouble,
        Pending,
        Requesting,
        SlowedDown,
    )
    from tvauth.flow import CancelHandle, DeviceFlow
    from tvauth.profile import Profile
    from tvauth.protocol import Endpoints
    from tvauth.redact import Secret
    from tvauth.renewal import aget_access_token, get_access_token
    from tvauth.store import TokenStore
    from tvauth.tokens import TokenSet
    from tvauth.zoho import DATA_CENTERS, DataCenter


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tvauth' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # resolve once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
