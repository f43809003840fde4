"""Zoho's data centers and endpoint paths, as data.

This table is the only place tvauth learns where a data center lives. The client never takes a
host from a server response (a response could be forged or come from a proxy); it maps a location
code through this table, or, for a non-Zoho accounts server such as the emulator, through that
server's own ``/oauth/serverinfo``. The emulator shares this table (and nothing else) with the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "DATA_CENTERS",
    "DEVICE_CODE_PATH",
    "DEVICE_TOKEN_PATH",
    "REVOKE_PATH",
    "SERVERINFO_PATH",
    "TOKEN_PATH",
    "USER_INFO_PATH",
    "VERIFICATION_PATH",
    "DataCenter",
    "data_center_for_accounts_url",
    "is_zoho_accounts_url",
]

DEVICE_CODE_PATH = "/oauth/v3/device/code"
DEVICE_TOKEN_PATH = "/oauth/v3/device/token"
TOKEN_PATH = "/oauth/v2/token"
REVOKE_PATH = "/oauth/v2/token/revoke"
USER_INFO_PATH = "/oauth/user/info"
VERIFICATION_PATH = "/oauth/v3/device"
SERVERINFO_PATH = "/oauth/serverinfo"


@dataclass(frozen=True, slots=True)
class DataCenter:
    """One Zoho data center: where people sign in, and where API calls for its users go."""

    location: str
    accounts_url: str
    api_domain: str
    label: str

    @property
    def display_name(self) -> str:
        """Name for people, e.g. "Zoho EU"."""
        return f"Zoho {self.label}"


DATA_CENTERS: dict[str, DataCenter] = {
    dc.location: dc
    for dc in (
        DataCenter("us", "https://accounts.zoho.com", "https://www.zohoapis.com", "US"),
        DataCenter("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu", "EU"),
        DataCenter("in", "https://accounts.zoho.in", "https://www.zohoapis.in", "India"),
        DataCenter(
            "au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au", "Australia"
        ),
        DataCenter("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp", "Japan"),
        DataCenter("ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca", "Canada"),
        DataCenter("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa", "Saudi Arabia"),
        DataCenter("uk", "https://accounts.zoho.uk", "https://www.zohoapis.uk", "UK"),
        DataCenter("cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn", "China"),
        DataCenter("ae", "https://accounts.zoho.ae", "https://www.zohoapis.ae", "UAE"),
    )
}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def data_center_for_accounts_url(url: str) -> DataCenter | None:
    """The Zoho data center whose accounts server is ``url``'s host, or None if it is not Zoho's."""
    host = _host(url)
    for dc in DATA_CENTERS.values():
        if _host(dc.accounts_url) == host:
            return dc
    return None


def is_zoho_accounts_url(url: str) -> bool:
    """True for Zoho's real accounts hosts, where the 30-second polling floor is enforced."""
    return data_center_for_accounts_url(url) is not None
