"""Status sentences for a device that waits at boot: for the network, or for its clock."""

from __future__ import annotations

from tvauth.events import CLOCK_LOOKS_WRONG, WAITING_FOR_NETWORK
from tvauth.ui.texts import STATUS_SAMPLES, Status, status_text


def test_waiting_for_the_clock_is_said_in_words() -> None:
    text = status_text(Status("network", at=108, detail=CLOCK_LOOKS_WRONG), 100)
    assert text == "Waiting for this device's clock to be set: retrying in 8 s."
    assert text in STATUS_SAMPLES or len(text) <= max(len(t) for t in STATUS_SAMPLES)


def test_waiting_for_the_network_is_not_called_a_lost_network() -> None:
    text = status_text(Status("network", at=100, detail=WAITING_FOR_NETWORK), 100)
    assert text == "Waiting for the network: retrying now."
