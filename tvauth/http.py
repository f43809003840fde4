"""The one place tvauth builds httpx clients, and turns their failures into sentences.

What people who use httpx-based tools expect, made explicit rather than left to httpx's defaults
(which changed in 0.28):

- ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` are honoured (``trust_env``).
- ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are honoured. httpx 0.28's release notes say it stopped reading
  them while its code still does; tvauth builds the SSL context itself so the behaviour does not
  depend on the httpx version. Without them, certifi's bundle is used, as httpx does.
- TLS verification is always on; nothing here can turn it off.
- Explicit connect and read timeouts from :class:`tvauth.config.Settings`.
- ``User-Agent: tvauth/<version>``; redirects are not followed (a redirect must never carry a
  client secret to another host).

Building a client costs tens of milliseconds (the TLS context): make one per process and reuse it.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import socket
import ssl
import time
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from tvauth import __version__
from tvauth.errors import ConfigError, NetworkError, ProxyRefusedError, TLSVerificationError

if TYPE_CHECKING:
    from tvauth.config import Settings

__all__ = [
    "USER_AGENT",
    "configured_settings",
    "describe_transport_error",
    "make_async_client",
    "make_client",
    "make_ssl_context",
    "make_timeout",
]

USER_AGENT = f"tvauth/{__version__}"
_DEFAULT_CONNECT = 10.0
_DEFAULT_READ = 30.0
_LOOPBACK_PATTERNS = ("all://localhost", "all://127.0.0.1", "all://[::1]")
_QUERY = re.compile(r"\?[^\s'\"]*")


# --------------------------------------------------------------------------- building clients


def make_ssl_context(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """A verifying SSL context: ``SSL_CERT_FILE``/``SSL_CERT_DIR`` if set, else certifi's bundle."""
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE", "").strip() or None
    capath = env.get("SSL_CERT_DIR", "").strip() or None
    return _ssl_context(cafile, capath)


@functools.lru_cache(maxsize=8)
def _ssl_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if cafile is None and capath is None:
        import certifi

        cafile = certifi.where()
    elif cafile is not None and not os.path.isfile(cafile):
        raise ConfigError(
            f"SSL_CERT_FILE is set to {cafile}, which is not a file.",
            "Point SSL_CERT_FILE at a PEM file of CA certificates, or unset it.",
        )
    elif cafile is None and capath is not None and not os.path.isdir(capath):
        raise ConfigError(
            f"SSL_CERT_DIR is set to {capath}, which is not a directory.",
            "Point SSL_CERT_DIR at a directory of CA certificates, or unset it.",
        )
    try:
        ctx = ssl.create_default_context(cafile=cafile, capath=capath)
    except (ssl.SSLError, OSError, ValueError) as exc:
        name, value = ("SSL_CERT_FILE", cafile) if cafile else ("SSL_CERT_DIR", capath)
        raise ConfigError(
            f"The certificates in {name} ({value}) cannot be loaded ({_reason(exc)}).",
            f"Point {name} at PEM-encoded CA certificates, or unset it.",
        ) from None
    # create_default_context already requires a verified certificate and a matching host name;
    # stated again so no later edit can quietly weaken it.
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = True
    return ctx


def make_timeout(settings: Settings | None = None) -> httpx.Timeout:
    """Connect and read timeouts from settings; writes share the read limit, the pool the connect one."""
    connect = settings.connect_timeout if settings is not None else _DEFAULT_CONNECT
    read = settings.read_timeout if settings is not None else _DEFAULT_READ
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def _client_options(settings: Settings | None, transport: object | None) -> dict[str, Any]:
    return {
        "timeout": make_timeout(settings),
        "verify": make_ssl_context(),
        # An injected transport is where every request must go (tests, embedders); a proxy from
        # the environment would otherwise take https:// requests past it.
        "trust_env": transport is None,
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
        # A proxy cannot reach this machine's loopback (the emulator, `tvauth demo`): never send
        # loopback requests to one, even when NO_PROXY forgets to list it.
        "mounts": dict.fromkeys(_LOOPBACK_PATTERNS),
    }


def configured_settings() -> Settings | None:
    """The settings (for their timeouts) of clients tvauth builds outside a sign-in.

    Renewals and sign-outs must honour ``[http]`` / ``TVAUTH_*_TIMEOUT`` as a sign-in does (the
    timeout messages tell people to raise them). A configuration that cannot be read gives the
    defaults (None) instead: a config mistake must not stop a device renewing its token; 'tvauth
    login' and 'tvauth config show' name the mistake.
    """
    from tvauth.config import load_settings

    try:
        return load_settings(None)
    except ConfigError:
        return None


def make_client(
    settings: Settings | None = None, *, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A blocking client for tvauth's requests (see the module docstring for what it guarantees)."""
    return httpx.Client(transport=transport, **_client_options(settings, transport))


def make_async_client(
    settings: Settings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The async twin of :func:`make_client`."""
    return httpx.AsyncClient(transport=transport, **_client_options(settings, transport))


# --------------------------------------------------------------------------- explaining failures


def _host_of(url: str) -> str:
    """``host`` or ``host:port``: never a user name, password, path or query."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "the server"
        port = parts.port
    except ValueError:
        return "the server"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def _proxy_for(url: str) -> tuple[str, str] | None:
    """(proxy ``host:port``, variable name) the environment routes ``url`` through, if any."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower() or "https"
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    host = (parts.hostname or "").lower()
    if host and _bypassed(host, proxies.get("no", "")):
        return None
    var = f"{scheme.upper()}_PROXY" if proxies.get(scheme) else "ALL_PROXY"
    if "://" not in proxy:
        proxy = f"http://{proxy}"
    return _host_of(proxy), var


def _bypassed(host: str, no_proxy: str) -> bool:
    """NO_PROXY as curl reads it: '*', exact hosts, and domain suffixes ('.example.com' or not)."""
    for entry in no_proxy.replace(" ", ",").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.split(":", 1)[0] if entry.count(":") == 1 else entry  # drop a port
        domain = entry.lstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes: httpx wraps httpcore, which wraps the socket or ssl error."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _reason(exc: BaseException) -> str:
    verify_message = getattr(exc, "verify_message", None)  # absent on hand-made instances
    if isinstance(exc, ssl.SSLCertVerificationError) and verify_message:
        return str(verify_message)
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason).replace("_", " ").lower()
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).split("\n", 1)[0][:120] or type(exc).__name__
    return _QUERY.sub("?…", text)  # a URL in a message must not carry its query string


def _timeout_seconds(exc: httpx.HTTPError, kind: str) -> float | None:
    try:
        value = exc.request.extensions.get("timeout", {}).get(kind)
    except RuntimeError:  # no request attached
        return None
    return float(value) if isinstance(value, int | float) else None


def _clock_hint() -> str:
    year = time.gmtime().tm_year
    return (
        f"This device's clock says {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        + (", which looks wrong" if year < 2024 else "")
        + "; certificates are checked against it. Wait for the clock to be set "
        "(check 'timedatectl') and tvauth will try again."
    )


def describe_transport_error(exc: httpx.HTTPError, *, url: str) -> NetworkError:
    """One sentence of what went wrong reaching ``url`` and one of what to do, as a NetworkError.

    Names the host (and the proxy, when one is in the way), never the query string or a secret.
    Certificate failures become :class:`TLSVerificationError` and proxy refusals
    :class:`ProxyRefusedError`: retrying unchanged will not fix those.
    """
    host = _host_of(url)
    proxy = _proxy_for(url)
    chain = _chain(exc)

    if isinstance(exc, httpx.ProxyError):
        where = f"The proxy {proxy[0]} (from {proxy[1]})" if proxy else "The proxy"
        return ProxyRefusedError(
            f"{where} refused to connect tvauth to {host} ({_reason(exc)}).",
            f"Check HTTPS_PROXY and NO_PROXY, or ask whoever runs the proxy to allow {host}.",
        )

    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = _reason(cause)
            if "not yet valid" in reason or "expired" in reason:
                remedy = _clock_hint()
            else:
                remedy = (
                    "If this network inspects HTTPS (a company proxy or filter), set SSL_CERT_FILE "
                    "to a file holding its CA certificate; tvauth never turns verification off."
                )
            return TLSVerificationError(
                f"The server's certificate could not be verified for {host} ({reason}).", remedy
            )
    for cause in chain:
        if isinstance(cause, ssl.SSLError):
            return NetworkError(
                f"The secure connection to {host} failed ({_reason(cause)}).",
                "Check that the address is right (an https:// URL for an https server) and that "
                "no proxy or filter is interfering.",
            )

    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            seconds = _timeout_seconds(exc, "connect")
            limit = f" within {seconds:g} s" if seconds else ""
            target = f"the proxy {proxy[0]}" if proxy else host
            return NetworkError(
                f"No answer from {target}{limit} while connecting.",
                "Check the device's network connection (or raise [http] connect_timeout); "
                "tvauth retries by itself.",
            )
        if isinstance(exc, httpx.ReadTimeout):
            seconds = _timeout_seconds(exc, "read")
            limit = f" {seconds:g} s" if seconds else " too long"
            return NetworkError(
                f"{host} accepted the connection but took longer than{limit} to answer.",
                "The network or the server is slow; tvauth retries by itself "
                "(or raise [http] read_timeout).",
            )
        return NetworkError(
            f"The request to {host} timed out.", "tvauth retries by itself; check the network."
        )

    if isinstance(exc, httpx.ConnectError | httpx.NetworkError):
        target = f"the proxy {proxy[0]} (from {proxy[1]})" if proxy else host
        for cause in chain:
            if isinstance(cause, socket.gaierror):
                if proxy:
                    subject = f"The name of the proxy {proxy[0]} (from {proxy[1]})"
                else:
                    subject = f"The name {urlsplit(url).hostname or host}"
                return NetworkError(
                    f"{subject} could not be found (DNS lookup failed).",
                    "Check the device's network connection and DNS, and the spelling of the "
                    "address; tvauth retries by itself.",
                )
            if isinstance(cause, ConnectionRefusedError):
                return NetworkError(
                    f"{target[0].upper()}{target[1:]} refused the connection.",
                    "Check the address and port, and that the server (or proxy) is running; "
                    "tvauth retries by itself.",
                )
            if isinstance(cause, OSError) and cause.errno in (
                errno.ENETUNREACH,
                errno.EHOSTUNREACH,
                errno.ENETDOWN,
                errno.EADDRNOTAVAIL,
            ):
                return NetworkError(
                    f"There is no network route to {target} ({_reason(cause)}).",
                    "The network is probably not up yet; tvauth starts by itself when it is.",
                )
            if isinstance(cause, ConnectionResetError):
                return NetworkError(
                    f"{target[0].upper()}{target[1:]} reset the connection.",
                    "Something on the way (a proxy or filter) may be blocking it; "
                    "tvauth retries by itself.",
                )
        text = " ".join(str(c) for c in chain).lower()
        if "name or service not known" in text or "nodename nor servname" in text:
            return NetworkError(
                f"The name {urlsplit(url).hostname or host} could not be found (DNS lookup failed).",
                "Check the device's network connection and DNS; tvauth retries by itself.",
            )
        if "connection refused" in text:
            return NetworkError(
                f"{target[0].upper()}{target[1:]} refused the connection.",
                "Check the address and port, and that the server is running.",
            )

    if isinstance(exc, httpx.RemoteProtocolError):
        return NetworkError(
            f"{host} closed the connection or answered with something that is not HTTP.",
            "Check the address (http vs https, the port); tvauth retries by itself.",
        )
    if isinstance(exc, httpx.TooManyRedirects | httpx.UnsupportedProtocol | httpx.InvalidURL):
        return NetworkError(
            f"The address for {host} cannot be used ({type(exc).__name__}).",
            "Check the accounts URL ('tvauth config show').",
        )
    return NetworkError(f"Could not talk to {host} ({type(exc).__name__}: {_reason(exc)}).")
