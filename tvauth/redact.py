"""Secrets that cannot leak by accident.

A :class:`Secret` is a ``str`` subclass whose ``repr`` and ``str`` hide the value, so a token that ends
up in an f-string, a log line, an event's ``repr`` or an exception message shows ``'1004.…a1b2'``-style
masks instead of the value. Code that must send the value calls :meth:`Secret.reveal` on purpose.
"""

from __future__ import annotations

__all__ = ["Secret", "mask"]


def mask(value: str | None) -> str:
    """A recognisable but useless form of a secret: a few trailing characters at most."""
    if not value:
        return "<none>"
    if len(value) < 16:
        return "***"
    return f"***{value[-4:]}"


class Secret(str):
    """A string that prints masked; ``reveal()`` gives the real value."""

    __slots__ = ()

    def reveal(self) -> str:
        """The real value, for the one place that must send or store it."""
        return str.__str__(self)

    def __str__(self) -> str:
        return mask(self.reveal())

    def __repr__(self) -> str:
        return f"Secret({mask(self.reveal())!r})"

    def __format__(self, spec: str) -> str:
        return format(mask(self.reveal()), spec)
