"""Line numbers for the keys of a TOML document.

``tomllib`` reports positions only for syntax errors; a key that parses but is unknown or of the wrong
type has no position. This scanner finds the line where every key path is first defined, so an error
can say "config.toml, line 7". It runs only on text ``tomllib`` already accepted, which keeps it small:
it needs to recognise keys, table headers and the extent of values (strings, arrays, inline tables),
not to validate anything. Any surprise makes it give up quietly; a message without a line number is
better than no message.
"""

from __future__ import annotations

import bisect
import tomllib

__all__ = ["key_lines"]

KeyPath = tuple[str, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Confused(Exception):
    """The scanner met something it does not understand; give up on line numbers."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.found: dict[KeyPath, int] = {}
        self._newlines = [pos for pos, ch in enumerate(text) if ch == "\n"]

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def record(self, path: KeyPath, pos: int) -> None:
        line = self.line_at(pos)
        for end in range(1, len(path) + 1):
            self.found.setdefault(path[:end], line)

    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def skip_inline_space(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t":
            self.i += 1

    def skip_comment(self) -> None:
        if self.peek("#"):
            end = self.text.find("\n", self.i)
            self.i = len(self.text) if end < 0 else end

    def skip_space_and_comments(self) -> None:
        """Whitespace, newlines and comments: what may sit between statements or array items."""
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t\r\n":
                self.i += 1
            elif ch == "#":
                self.skip_comment()
            else:
                return

    def key(self) -> KeyPath:
        parts: list[str] = []
        while True:
            self.skip_inline_space()
            start = self.i
            if self.peek('"') or self.peek("'"):
                self.string()
                raw = self.text[start : self.i]
                parts.append(tomllib.loads(f"k = {raw}")["k"])
            else:
                while self.i < len(self.text) and self.text[self.i] in _BARE:
                    self.i += 1
                if self.i == start:
                    raise _Confused
                parts.append(self.text[start : self.i])
            self.skip_inline_space()
            if self.peek("."):
                self.i += 1
                continue
            return tuple(parts)

    def string(self) -> None:
        """Move past one string of any of TOML's four kinds."""
        for delim, escapes in (('"""', True), ("'''", False), ('"', True), ("'", False)):
            if not self.peek(delim):
                continue
            self.i += len(delim)
            while self.i < len(self.text):
                if escapes and self.text[self.i] == "\\":
                    self.i += 2
                    continue
                if self.peek(delim):
                    self.i += len(delim)
                    if len(delim) == 3:  # up to two quotes may precede the closing delimiter
                        while self.i < len(self.text) and self.text[self.i] == delim[0]:
                            self.i += 1
                    return
                if len(delim) == 1 and self.text[self.i] == "\n":
                    raise _Confused
                self.i += 1
            raise _Confused
        raise _Confused

    def value(self, path: KeyPath) -> None:
        self.skip_inline_space()
        if self.peek('"') or self.peek("'"):
            self.string()
        elif self.peek("["):
            self.i += 1
            while True:
                self.skip_space_and_comments()
                if self.peek("]"):
                    self.i += 1
                    return
                self.value(path)
                self.skip_space_and_comments()
                if self.peek(","):
                    self.i += 1
        elif self.peek("{"):
            self.i += 1
            while True:
                self.skip_inline_space()
                if self.peek("}"):
                    self.i += 1
                    return
                pos = self.i
                sub = path + self.key()
                self.record(sub, pos)
                if not self.peek("="):
                    raise _Confused
                self.i += 1
                self.value(sub)
                self.skip_inline_space()
                if self.peek(","):
                    self.i += 1
        else:
            start = self.i
            while self.i < len(self.text) and self.text[self.i] not in ",]}#\n":
                self.i += 1
            if self.i == start:
                raise _Confused

    def document(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_space_and_comments()
            if self.i >= len(self.text):
                return self.found
            pos = self.i
            if self.peek("["):
                double = self.peek("[[")
                self.i += 2 if double else 1
                table = self.key()
                close = "]]" if double else "]"
                if not self.peek(close):
                    raise _Confused
                self.i += len(close)
                self.record(table, pos)
                continue
            path = table + self.key()
            self.record(path, pos)
            if not self.peek("="):
                raise _Confused
            self.i += 1
            self.value(path)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each key path (``("http", "read_timeout")``) to the 1-based line that first defines it.

    Tables and every prefix of a dotted key are included. Returns what was found before any
    confusion, so a partial answer still helps.
    """
    scanner = _Scanner(text)
    try:
        return scanner.document()
    except (_Confused, tomllib.TOMLDecodeError, IndexError):
        return scanner.found
