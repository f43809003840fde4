"""Finding an RFC 8628 provider's endpoints from its issuer URL.

Pure. Tries OpenID Connect discovery (``{issuer}/.well-known/openid-configuration``) first, then
RFC 8414 (``/.well-known/oauth-authorization-server`` inserted before the issuer's path). A provider
that publishes no ``device_authorization_endpoint`` does not do the device flow: that is a terminal,
named error rather than a guess at a path.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from tvauth.errors import ConfigError
from tvauth.protocol import Endpoints, HttpRequest, HttpResponse, Terminal, Transient, decode_json

__all__ = [
    "DiscoveryNotFound",
    "discovery_requests",
    "no_discovery_document",
    "parse_discovery",
]

_OIDC = "/.well-known/openid-configuration"
_RFC8414 = "/.well-known/oauth-authorization-server"


class DiscoveryNotFound:
    """This well-known URL has no document; try the next one."""

    __slots__ = ()


def discovery_requests(issuer: str) -> tuple[HttpRequest, ...]:
    """The well-known URLs to try, in order."""
    parts = urlsplit(issuer.rstrip("/"))
    path = parts.path.rstrip("/")
    oidc = urlunsplit((parts.scheme, parts.netloc, path + _OIDC, "", ""))
    rfc8414 = urlunsplit((parts.scheme, parts.netloc, _RFC8414 + path, "", ""))
    urls = [oidc] if oidc == rfc8414 else [oidc, rfc8414]
    return tuple(HttpRequest("GET", url) for url in urls)


def _endpoint(value: object) -> str | None:
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value
    return None


def parse_discovery(
    response: HttpResponse, *, where: str
) -> Endpoints | DiscoveryNotFound | Transient | Terminal:
    """Endpoints from a discovery document, or what to do instead."""
    if response.status in (404, 410):
        return DiscoveryNotFound()
    body = decode_json(response, where)
    if isinstance(body, Transient):
        return body
    if response.status >= 400:
        return DiscoveryNotFound()
    device = _endpoint(body.get("device_authorization_endpoint"))
    token = _endpoint(body.get("token_endpoint"))
    if device is None:
        return Terminal(
            ConfigError(
                f"{where} does not offer the device authorization grant "
                "(no device_authorization_endpoint in its discovery document).",
                "Enable the device flow for this client at the provider, or give the endpoints "
                "explicitly.",
            )
        )
    if token is None:
        return Terminal(
            ConfigError(
                f"{where} publishes no token_endpoint in its discovery document.",
                "Give the endpoints explicitly.",
            )
        )
    return Endpoints(device, token)


def no_discovery_document(where: str) -> Terminal:
    """Every well-known URL answered 'not found'."""
    return Terminal(
        ConfigError(
            f"{where} publishes no OpenID Connect or OAuth discovery document.",
            "Check the issuer URL, or give the device and token endpoints explicitly.",
        )
    )
