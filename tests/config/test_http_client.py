"""tvauth/http.py over real loopback sockets: TLS stays on, proxies and CA variables are honoured,
and every transport failure becomes one clear sentence naming the host and never a secret."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cfg_netfakes import MuteServer, ProxyServer, Server, closed_port, make_cert

from tvauth import __version__
from tvauth.config import load_settings
from tvauth.errors import ConfigError, NetworkError, ProxyRefusedError, TLSVerificationError
from tvauth.http import (
    USER_AGENT,
    describe_transport_error,
    make_async_client,
    make_client,
    make_ssl_context,
)

NET_VARS = (
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
SECRET = "s3cr3t-in-query-0123456789"


@pytest.fixture(autouse=True)
def clean_network_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NET_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(certs: tuple[Path, Path]) -> Iterator[Server]:
    server = Server(*certs)
    yield server
    server.stop()


@pytest.fixture
def refusing_proxy() -> Iterator[ProxyServer]:
    proxy = ProxyServer(refuse=True)
    yield proxy
    proxy.stop()


@pytest.fixture
def tunnel_proxy() -> Iterator[ProxyServer]:
    proxy = ProxyServer(refuse=False)
    yield proxy
    proxy.stop()


def failure(url: str, **client_kwargs: object) -> NetworkError:
    with (
        make_client(**client_kwargs) as client,  # type: ignore[arg-type]
        pytest.raises(httpx.HTTPError) as info,
    ):
        client.get(url)
    return describe_transport_error(info.value, url=url)


# --------------------------------------------------------------------------- TLS


def test_self_signed_certificate_is_rejected_with_a_clear_message(tls_server: Server) -> None:
    url = f"https://localhost:{tls_server.port}/oauth/v3/device/code?client_secret={SECRET}"
    err = failure(url)
    assert isinstance(err, TLSVerificationError)
    text = str(err)
    assert f"The server's certificate could not be verified for localhost:{tls_server.port}" in text
    assert "self-signed certificate" in text
    assert "set SSL_CERT_FILE" in text
    assert SECRET not in text
    assert "?" not in text


def test_ssl_cert_file_makes_the_server_trusted(
    tls_server: Server, certs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs[0]))
    with make_client() as client:
        response = client.get(f"https://localhost:{tls_server.port}/hello")
    assert response.status_code == 200
    assert response.json() == {"path": "/hello", "user_agent": f"tvauth/{__version__}"}


def test_ssl_cert_dir_makes_the_server_trusted(
    tls_server: Server, certs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca_dir = tmp_path / "cas"
    ca_dir.mkdir()
    shutil.copy(certs[0], ca_dir / "test-ca.pem")
    subprocess.run(["openssl", "rehash", str(ca_dir)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_DIR", str(ca_dir))
    with make_client() as client:
        assert client.get(f"https://localhost:{tls_server.port}/").status_code == 200


async def test_async_client_verifies_too(
    tls_server: Server, certs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"https://localhost:{tls_server.port}/async"
    async with make_async_client() as client:
        with pytest.raises(httpx.ConnectError) as info:
            await client.get(url)
    assert isinstance(describe_transport_error(info.value, url=url), TLSVerificationError)
    monkeypatch.setenv("SSL_CERT_FILE", str(certs[0]))
    async with make_async_client() as client:
        response = await client.get(url)
    assert response.json()["user_agent"] == USER_AGENT


def test_host_name_is_checked_even_with_a_trusted_ca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = make_cert(tmp_path, san="DNS:somewhere-else.test")
    server = Server(cert, key)
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        err = failure(f"https://localhost:{server.port}/")
    finally:
        server.stop()
    assert isinstance(err, TLSVerificationError)
    assert "mismatch" in str(err).lower()


def test_plain_http_server_on_an_https_url(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Server()
    try:
        err = failure(f"https://127.0.0.1:{server.port}/")
    finally:
        server.stop()
    assert not isinstance(err, TLSVerificationError)
    assert f"The secure connection to 127.0.0.1:{server.port} failed" in str(err)


def test_bad_ssl_cert_file_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(
        ConfigError, match=r"SSL_CERT_FILE is set to .*missing\.pem, which is not a file"
    ):
        make_client()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(garbage))
    with pytest.raises(ConfigError, match="cannot be loaded"):
        make_client()
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "nodir"))
    with pytest.raises(ConfigError, match="SSL_CERT_DIR"):
        make_client()


def test_verification_cannot_be_off() -> None:
    ctx = make_ssl_context({})
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname is True


@pytest.mark.parametrize(
    ("verify_message", "expected"),
    [
        ("certificate has expired", "clock"),
        ("certificate is not yet valid", "timedatectl"),
    ],
)
def test_certificate_date_failures_point_at_the_clock(verify_message: str, expected: str) -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_message = verify_message
    exc = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]")
    exc.__cause__ = cause
    err = describe_transport_error(exc, url="https://accounts.zoho.eu/oauth/v2/token")
    assert isinstance(err, TLSVerificationError)
    assert "accounts.zoho.eu" in err.problem
    assert verify_message in err.problem
    assert expected in err.remedy


# --------------------------------------------------------------------------- plain network failures


def test_closed_port() -> None:
    port = closed_port()
    err = failure(f"http://127.0.0.1:{port}/oauth/v3/device/token")
    assert str(err).startswith(f"127.0.0.1:{port} refused the connection.")
    assert type(err) is NetworkError


def test_unresolvable_host_name() -> None:
    err = failure(f"https://tvauth-test.invalid/oauth/v2/token?refresh_token={SECRET}")
    assert "The name tvauth-test.invalid could not be found (DNS lookup failed)." in str(err)
    assert SECRET not in str(err)


def test_read_timeout_names_the_limit() -> None:
    mute = MuteServer()
    try:
        settings = load_settings(None, environ={"TVAUTH_READ_TIMEOUT": "0.2"})
        err = failure(f"http://127.0.0.1:{mute.port}/slow", settings=settings)
    finally:
        mute.stop()
    assert f"127.0.0.1:{mute.port} accepted the connection but took longer than 0.2 s" in str(err)


def test_connect_timeout_names_the_limit() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    settings = load_settings(None, environ={"TVAUTH_CONNECT_TIMEOUT": "1.5"})
    err = failure(
        "https://accounts.zoho.in/oauth/v3/device/code",
        settings=settings,
        transport=httpx.MockTransport(handler),
    )
    assert "No answer from accounts.zoho.in within 1.5 s while connecting." in str(err)


def test_settings_timeouts_reach_the_client() -> None:
    settings = load_settings(
        None, environ={"TVAUTH_CONNECT_TIMEOUT": "3", "TVAUTH_READ_TIMEOUT": "9"}
    )
    with make_client(settings) as client:
        assert client.timeout.connect == 3.0
        assert client.timeout.read == 9.0
    with make_client() as client:
        assert client.timeout.connect == 10.0
        assert client.timeout.read == 30.0


# --------------------------------------------------------------------------- proxies


def test_https_proxy_is_used(
    tls_server: Server,
    tunnel_proxy: ProxyServer,
    certs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{tunnel_proxy.port}")
    monkeypatch.setenv("SSL_CERT_FILE", str(certs[0]))
    # A name only the proxy can resolve (it sends every tunnel to loopback): proof that the
    # request went through it, with TLS verified end to end.
    with make_client() as client:
        response = client.get(f"https://tvauth-test.invalid:{tls_server.port}/via-proxy")
    assert response.json()["path"] == "/via-proxy"
    assert tunnel_proxy.seen == [f"CONNECT tvauth-test.invalid:{tls_server.port} HTTP/1.1"]


def test_refusing_proxy(refusing_proxy: ProxyServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:proxypass@127.0.0.1:{refusing_proxy.port}")
    err = failure(f"https://accounts.zoho.eu/oauth/v2/token?client_secret={SECRET}")
    assert isinstance(err, ProxyRefusedError)
    text = str(err)
    assert (
        f"The proxy 127.0.0.1:{refusing_proxy.port} (from HTTPS_PROXY) refused to connect tvauth "
        "to accounts.zoho.eu (403 Forbidden)." in text
    )
    assert "NO_PROXY" in text
    assert "proxypass" not in text
    assert SECRET not in text
    assert refusing_proxy.seen == ["CONNECT accounts.zoho.eu:443 HTTP/1.1"]


def test_no_proxy_bypasses_the_proxy(
    refusing_proxy: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{refusing_proxy.port}")
    monkeypatch.setenv("NO_PROXY", "example.org,.invalid")
    err = failure("https://tvauth-test.invalid/")
    assert "could not be found (DNS lookup failed)" in str(err)  # went direct, not to the proxy
    assert "proxy" not in err.problem
    assert refusing_proxy.seen == []


def test_proxy_that_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setenv("https_proxy", f"127.0.0.1:{port}")
    err = failure("https://accounts.zoho.com/oauth/v3/device/code")
    assert str(err).startswith(
        f"The proxy 127.0.0.1:{port} (from HTTPS_PROXY) refused the connection."
    )


def test_injected_transport_gets_every_request(
    refusing_proxy: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{refusing_proxy.port}")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "https://evil.example/"})

    with make_client(transport=httpx.MockTransport(handler)) as client:
        response = client.post("https://accounts.zoho.com/oauth/v2/token", data={"a": "b"})
    assert response.status_code == 302  # redirects are never followed
    assert len(seen) == 1
    assert seen[0].headers["User-Agent"] == USER_AGENT
    assert refusing_proxy.seen == []


# --------------------------------------------------------------------------- other shapes


def test_protocol_error_and_fallback_never_echo_the_query() -> None:
    url = f"https://accounts.zoho.com/x?code={SECRET}"
    request = httpx.Request("GET", url)
    err = describe_transport_error(httpx.RemoteProtocolError("bad", request=request), url=url)
    assert "accounts.zoho.com closed the connection" in str(err)
    err = describe_transport_error(httpx.DecodingError(f"boom at {url}", request=request), url=url)
    assert SECRET not in str(err)
    assert "accounts.zoho.com" in str(err)


def test_proxy_name_that_does_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    err = failure("https://accounts.zoho.com/oauth/v3/device/code")
    assert str(err).startswith(
        "The name of the proxy proxy.invalid:3128 (from HTTPS_PROXY) could not be found"
    )


def test_loopback_never_goes_through_a_proxy(
    refusing_proxy: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tvauth demo` and the emulator live on loopback, where no proxy can reach."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{refusing_proxy.port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{refusing_proxy.port}")
    server = Server()
    try:
        with make_client() as client:
            assert client.get(f"http://127.0.0.1:{server.port}/").status_code == 200
            assert client.get(f"http://localhost:{server.port}/").status_code == 200
    finally:
        server.stop()
    assert refusing_proxy.seen == []
    with make_client() as client:  # everything else still goes to the proxy
        assert client.get("http://accounts.example.test/").status_code == 403
    assert refusing_proxy.seen == ["GET http://accounts.example.test/ HTTP/1.1"]
