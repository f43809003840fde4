"""Device code and polling answers, per docs/zoho-device-flow.md ("Polling responses")."""

from __future__ import annotations

from zoho_wire import Wire


def test_pending_until_approved_then_tokens(wire: Wire) -> None:
    body = wire.code()
    assert wire.poll_json(body["device_code"]) == {"error": "authorization_pending"}
    wire.emu.advance(1)
    wire.emu.approve(body["user_code"], "ada@example.com")
    answer = wire.poll_json(body["device_code"])
    assert answer["access_token"].startswith("1004.")
    assert answer["token_type"] == "Bearer"
