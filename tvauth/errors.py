"""One error tree for everything tvauth can tell a person went wrong.

Every error carries two sentences: ``problem`` (what is wrong) and ``remedy`` (what to do). ``str()``
joins them, so a CLI can print ``str(err)`` and a screen can lay the two out separately. Messages never
contain tokens, device codes or client secrets; build them from locations, paths and field names only.
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "AlreadySignedInError",
    "CodeExpiredError",
    "ConfigError",
    "FlowError",
    "InsecurePermissionsError",
    "InvalidClientError",
    "InvalidCodeError",
    "NetworkError",
    "NotSignedInError",
    "ProxyRefusedError",
    "ServerResponseError",
    "SignInCancelledError",
    "SignInRequiredError",
    "StoreBusyError",
    "StoreError",
    "TLSVerificationError",
    "ThrottledError",
    "TokenFileCorruptError",
    "TvauthError",
]


class TvauthError(Exception):
    """Base of every error tvauth raises on purpose."""

    default_remedy = ""

    def __init__(self, problem: str, remedy: str | None = None) -> None:
        self.problem = problem
        self.remedy = self.default_remedy if remedy is None else remedy
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Both sentences, for one-line output."""
        return f"{self.problem} {self.remedy}".strip()

    def __str__(self) -> str:
        return self.message


class ConfigError(TvauthError):
    """Settings are missing or wrong (flags, environment or config file)."""


class NetworkError(TvauthError):
    """The server could not be reached or answered with something that is not its API."""

    default_remedy = "Check the device's network connection; tvauth retries by itself."


class ServerResponseError(NetworkError):
    """The server answered, but not with the JSON its API promises (HTML page, 5xx, garbage)."""


class TLSVerificationError(NetworkError):
    """The server's certificate could not be verified; retrying the same way will not help.

    Usual causes: an HTTPS-inspecting proxy (set SSL_CERT_FILE) or a clock that is far off.
    """


class ProxyRefusedError(NetworkError):
    """The configured proxy (HTTPS_PROXY) refused to connect tvauth to the server."""


class FlowError(TvauthError):
    """A sign-in ended without tokens."""


class AccessDeniedError(FlowError):
    """The person pressed Deny on the verification page."""

    default_remedy = "Start again to get a new code if that was a mistake."


class CodeExpiredError(FlowError):
    """Nobody approved the code in time."""

    default_remedy = "Start again to get a new code."


class InvalidClientError(FlowError):
    """Zoho does not know this client id/secret in this data center."""

    default_remedy = (
        "Check the client id and secret in Zoho's API console (a 'Non-browser application' client), "
        "and that multi-DC is enabled for this data center."
    )


class InvalidCodeError(FlowError):
    """Zoho does not know the device code (spent, or never issued)."""

    default_remedy = "Start again to get a new code."


class SignInCancelledError(FlowError):
    """The sign-in was stopped on purpose (a cancel handle, or Back on the screen)."""

    default_remedy = "Start again when ready."


class ThrottledError(TvauthError):
    """Zoho said 'Access Denied': too many requests in its window."""

    default_remedy = "Wait a few minutes; tvauth backs off by itself."


class StoreError(TvauthError):
    """The token store could not be read or written."""


class StoreBusyError(StoreError):
    """Another process held a profile's lock for longer than tvauth was willing to wait."""


class TokenFileCorruptError(StoreError):
    """A token file could not be parsed; it has been moved aside, never overwritten."""


class InsecurePermissionsError(StoreError):
    """A token file or directory can be read by other users; tvauth refuses to use it."""


class NotSignedInError(TvauthError):
    """There are no tokens for this profile."""

    default_remedy = "Run 'tvauth login' to sign this device in."


class SignInRequiredError(NotSignedInError):
    """The refresh token was revoked or evicted at Zoho; what is known is kept, but a new sign-in is needed."""

    default_remedy = "Run 'tvauth login --force' to sign this device in again."


class AlreadySignedInError(TvauthError):
    """A new sign-in would mint another refresh token and may evict one on another device."""

    default_remedy = (
        "Use the existing sign-in, or run 'tvauth login --force' if you really want a new one."
    )
