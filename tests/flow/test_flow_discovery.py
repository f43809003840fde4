"""RFC 8628 providers: endpoints from OIDC / RFC 8414 discovery or given explicitly, then the flow."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flowfakes import DEVICE_CODE, FakeClock, Runner, ScriptedServer, error_reply, gaps, token_reply

from tvauth.discovery import DiscoveryNotFound, discovery_requests, parse_discovery
from tvauth.errors import CodeExpiredError, ConfigError
from tvauth.events import Approved, Failed, SlowedDown
from tvauth.flow import DeviceFlow
from tvauth.protocol import RFC8628, RFC8628_GRANT_TYPE, Endpoints, HttpResponse, Transient

ISSUER = "https://idp.example/realms/tv"
DOC = {
    "issuer": ISSUER,
    "device_authorization_endpoint": "https://idp.example/realms/tv/device",
    "token_endpoint": "https://idp.example/realms/tv/token",
}


def rfc_code_reply(**extra: Any) -> httpx.Response:
    body = {
        "device_code": DEVICE_CODE,
        "user_code": "WDJB-MJHT",
        "verification_uri": "https://idp.example/device",
        "expires_in": 1800,
        **extra,
    }
    return httpx.Response(200, json=body)


def test_discovery_urls_follow_oidc_then_rfc8414_path_insertion() -> None:
    urls = [r.url for r in discovery_requests(ISSUER + "/")]
    assert urls == [
        "https://idp.example/realms/tv/.well-known/openid-configuration",
        "https://idp.example/.well-known/oauth-authorization-server/realms/tv",
    ]
    assert [r.url for r in discovery_requests("https://github.com")] == [
        "https://github.com/.well-known/openid-configuration",
        "https://github.com/.well-known/oauth-authorization-server",
    ]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, DOC, Endpoints(DOC["device_authorization_endpoint"], DOC["token_endpoint"])),
        (404, {"error": "not found"}, DiscoveryNotFound),
        (404, "<html>", DiscoveryNotFound),
        (403, {"error": "forbidden"}, DiscoveryNotFound),
        (200, {"token_endpoint": "https://x/token"}, ConfigError),
        (200, {"device_authorization_endpoint": "https://x/d"}, ConfigError),
        (502, "<html>", Transient),
        (200, "{not json", Transient),
    ],
)
def test_parse_discovery(status: int, body: Any, expected: Any) -> None:
    raw = body.encode() if isinstance(body, str) else __import__("json").dumps(body).encode()
    ctype = "text/html" if isinstance(body, str) and body.startswith("<") else ""
    out = parse_discovery(HttpResponse(status, raw, ctype), where="idp")
    if isinstance(expected, Endpoints):
        assert out == expected
    elif expected is ConfigError:
        assert isinstance(getattr(out, "error", None), ConfigError)
    else:
        assert isinstance(out, expected)


def rfc_flow(**kw: Any) -> DeviceFlow:
    return DeviceFlow(
        client_id="tv-app",
        scopes=["openid", "offline_access"],
        accounts_url=ISSUER,
        dialect="rfc8628",
        **kw,
    )


def test_rfc_flow_discovers_then_polls_with_standard_parameters(
    run: Runner, server: ScriptedServer, clock: FakeClock
) -> None:
    server.add("/realms/tv/.well-known/openid-configuration", httpx.Response(404))
    server.add("/.well-known/oauth-authorization-server/realms/tv", httpx.Response(200, json=DOC))
    server.add("/realms/tv/device", rfc_code_reply())
    server.add(
        "/realms/tv/token",
        error_reply("authorization_pending", 400),
        error_reply("slow_down", 400),
        token_reply(),
    )
    events = run(rfc_flow())
    assert isinstance(events[-1], Approved)
    device = server.polls("/realms/tv/device")[0].form
    assert device == {"client_id": "tv-app", "scope": "openid offline_access"}
    polls = server.polls("/realms/tv/token")
    assert polls[0].form == {
        "client_id": "tv-app",
        "grant_type": RFC8628_GRANT_TYPE,
        "device_code": DEVICE_CODE,
    }
    assert gaps(server.poll_times("/realms/tv/token")) == [5, 10]  # default 5 s, +5 on slow_down
    assert [e.interval for e in events if isinstance(e, SlowedDown)] == [10.0]


def test_explicit_endpoints_skip_discovery(run: Runner, server: ScriptedServer) -> None:
    server.add("/login/device/code", rfc_code_reply(interval=7))
    server.add("/login/oauth/access_token", error_reply("expired_token"))
    flow = rfc_flow(
        endpoints=Endpoints(
            "https://github.com/login/device/code", "https://github.com/login/oauth/access_token"
        ),
        client_secret="shh",
    )
    events = run(flow)
    assert [s.url for s in server.sent] == [
        "https://github.com/login/device/code",
        "https://github.com/login/oauth/access_token",
    ]
    assert server.sent[1].at - server.sent[0].at == 7
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, CodeExpiredError)


def test_a_provider_without_device_flow_is_a_clear_config_error(
    run: Runner, server: ScriptedServer
) -> None:
    server.add(
        "/realms/tv/.well-known/openid-configuration",
        httpx.Response(200, json={"token_endpoint": "https://idp.example/token"}),
    )
    events = run(rfc_flow())
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, ConfigError)
    assert "device authorization" in str(last.error)


def test_no_discovery_document_at_all(run: Runner, server: ScriptedServer) -> None:
    events = run(rfc_flow())  # the scripted server answers 404 to everything
    last = events[-1]
    assert isinstance(last, Failed)
    assert isinstance(last.error, ConfigError)
    assert len(server.sent) == 2


def test_discovery_faults_are_retried(run: Runner, server: ScriptedServer) -> None:
    server.add(
        "/realms/tv/.well-known/openid-configuration",
        httpx.ConnectError("down"),
        httpx.Response(200, json=DOC),
    )
    server.add("/realms/tv/device", rfc_code_reply())
    server.add("/realms/tv/token", token_reply())
    assert isinstance(run(rfc_flow())[-1], Approved)


def test_renewal_in_the_rfc_dialect_does_not_rediscover(
    run: Runner, server: ScriptedServer
) -> None:
    server.add("/realms/tv/.well-known/openid-configuration", httpx.Response(200, json=DOC))
    server.add("/realms/tv/device", rfc_code_reply())
    server.add("/realms/tv/token", error_reply("expired_token"), token_reply())
    events = run(rfc_flow(renewals=1))
    assert isinstance(events[-1], Approved)
    assert len(server.polls("/.well-known/openid-configuration")) == 1
    assert len(server.polls("/realms/tv/device")) == 2
    assert RFC8628 == "rfc8628"
