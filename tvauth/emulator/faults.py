"""Network and server misbehaviour on demand, queued and applied in order.

A fault is a short string: ``drop`` (close without answering), ``reset`` (TCP reset), ``hang``
(never answer; the client's timeout must fire), ``delay:SECONDS`` (answer late), ``NNN`` (that HTTP
status with a JSON body), ``NNN-html`` (that status with an HTML error page, as a proxy would send),
``malformed`` (status 200, a body that is not JSON), ``empty`` (status 200, no body), ``throttle``
(Zoho's ``Access Denied`` answer), ``error:NAME`` (a Zoho error answer ``{"error": NAME}``, e.g.
``error:invalid_client``; both with the configured error status). An entry may be
``{"fault": "...", "path": "/oauth/v2/token"}`` to wait for a particular endpoint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FAULTABLE_PATHS", "Fault", "parse_faults"]

# Without an explicit path, a fault hits the next request to one of these.
FAULTABLE_PATHS = frozenset(
    {
        "/oauth/v3/device/code",
        "/oauth/v3/device/token",
        "/oauth/v2/token",
        "/oauth/v2/token/revoke",
    }
)
_STATUS_RE = re.compile(r"^([1-5]\d\d)(-html)?$")


@dataclass(frozen=True, slots=True)
class Fault:
    """One queued fault: ``kind`` is drop/reset/hang/delay/status/malformed/empty/throttle/error."""

    spec: str
    kind: str
    path: str | None = None
    seconds: float = 0.0
    status: int = 0
    html: bool = False
    error: str = ""

    def matches(self, path: str) -> bool:
        """Whether a request to ``path`` (below the data-center base) takes this fault."""
        return path == self.path if self.path is not None else path in FAULTABLE_PATHS


def _parse_one(item: Any) -> Fault:
    path: str | None = None
    if isinstance(item, dict):
        spec, path = item.get("fault"), item.get("path")
        if path is not None and (not isinstance(path, str) or not path.startswith("/")):
            raise ValueError(f"fault path must start with '/': {path!r}")
    else:
        spec = item
    if not isinstance(spec, str):
        raise ValueError(f"a fault must be a string, not {spec!r}")
    text = spec.strip().lower()
    if text in ("drop", "reset", "hang", "malformed", "empty", "throttle"):
        return Fault(spec, text, path)
    if text.startswith("error:") and spec.strip()[6:].strip():
        return Fault(spec, "error", path, error=spec.strip()[6:].strip())
    if text.startswith("delay:"):
        try:
            seconds = float(text[6:])
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"delay needs a number of seconds: {spec!r}")
        return Fault(spec, "delay", path, seconds=seconds)
    match = _STATUS_RE.match(text)
    if match:
        return Fault(spec, "status", path, status=int(match[1]), html=bool(match[2]))
    raise ValueError(
        f"unknown fault {spec!r}; use drop, reset, hang, delay:SECONDS, NNN, NNN-html, "
        "malformed, empty, throttle or error:NAME"
    )


def parse_faults(items: Sequence[Any]) -> list[Fault]:
    """Faults from their JSON form; ValueError names the first bad entry."""
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise ValueError("faults must be a JSON list")
    return [_parse_one(item) for item in items]
