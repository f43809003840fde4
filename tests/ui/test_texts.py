"""The sentences on the screens, as pure functions of state and time."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest

from tvauth.events import WAITING_FOR_NETWORK
from tvauth.ui.texts import (
    STATUS_SAMPLES,
    Status,
    countdown_text,
    data_center_name,
    display_url,
    duration_words,
    signed_in_as,
    status_text,
    wall_time,
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://accounts.zoho.com/oauth/v3/device", "accounts.zoho.com/oauth/v3/device"),
        ("https://accounts.zoho.eu/oauth/v3/device/", "accounts.zoho.eu/oauth/v3/device"),
        ("http://127.0.0.1:8080/oauth/v3/device", "127.0.0.1:8080/oauth/v3/device"),
        ("https://a.example/d?x=1", "a.example/d?x=1"),
        ("not a url", "not a url"),
    ],
)
def test_display_url_drops_the_scheme_only(url: str, shown: str) -> None:
    assert display_url(url) == shown


@pytest.mark.parametrize(
    ("left", "text"),
    [(300, "Code expires in 5:00"), (299.2, "Code expires in 5:00"), (61, "Code expires in 1:01"),
     (0.1, "Code expires in 0:01"), (0, "Code expired"), (-5, "Code expired")],
)  # fmt: skip
def test_countdown(left: float, text: str) -> None:
    assert countdown_text(left) == text


def test_durations_and_clock_times() -> None:
    assert duration_words(40) == "40 s"
    assert duration_words(3300) == "55 min"
    assert duration_words(3600) == "1 h"
    assert duration_words(3900) == "1 h 5 min"
    assert wall_time(datetime(2026, 1, 2, 17, 5, tzinfo=UTC)) == "17:05"  # TZ=UTC in conftest


def test_data_center_names() -> None:
    assert data_center_name("eu") == "Zoho EU"
    assert data_center_name(None, "https://accounts.zoho.in") == "Zoho India"
    assert data_center_name(None, "http://127.0.0.1:9000") == "127.0.0.1:9000"
    assert data_center_name("xx") == "XX"


def test_signed_in_as_prefers_the_email() -> None:
    assert signed_in_as("a@b.c", "A", "Zoho EU") == "Signed in as a@b.c, Zoho EU"
    assert signed_in_as(None, "A B", "Zoho EU") == "Signed in as A B, Zoho EU"
    assert signed_in_as(None, None, "Zoho EU") == "Signed in as your Zoho account, Zoho EU"


def test_status_lines_say_everything_in_words() -> None:
    now = 100.0
    assert status_text(Status("requesting", detail="accounts.zoho.com"), now) == (
        "Asking accounts.zoho.com for a code..."
    )
    assert status_text(Status("waiting"), now) == "Waiting for approval."
    assert status_text(Status("waiting", at=95.5), now) == "Waiting for approval, checked 4 s ago."
    assert status_text(Status("waiting", at=95, interval=35), now) == (
        "Waiting, checked 5 s ago; slowed to every 35 s as asked."
    )
    assert status_text(Status("network", at=112.2, detail="timed out"), now) == (
        "Network lost (timed out): retrying in 13 s."
    )
    assert status_text(Status("network", at=99), now) == "Network lost: retrying now."
    assert status_text(Status("switched", detail="Zoho EU"), now) == (
        "Approved by an account in Zoho EU: switching there..."
    )
    assert status_text(Status("approved"), now) == "Approved. Saving the sign-in..."


def test_longest_status_lines_fit_two_rows_beside_the_qr_at_80x24() -> None:
    # 34 columns is the text column of the wide layout at 80x24; its status box has two rows.
    for line in STATUS_SAMPLES:
        assert len(textwrap.wrap(line, 34)) <= 2, line


def test_waiting_for_the_network_at_boot() -> None:
    status = Status("network", at=130, detail=WAITING_FOR_NETWORK)
    assert status_text(status, 100) == "Waiting for the network: retrying in 30 s."
