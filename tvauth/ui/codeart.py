"""The user code as block letters, in groups, on one or two lines. Pure (no Textual).

``tvauth.bigtext`` draws a string at a height. This module decides how a code is cut into groups for
reading ("ABCD EFGH", "ABCD-" / "EFGH") and lays groups side by side or over two lines, so a code can
stay big in the narrow text column beside a QR code. Characters are never added, removed or re-cased:
a space in the code becomes a wider gap, a dash is drawn.
"""

from __future__ import annotations

from tvauth import bigtext
from tvauth.ui.layout import CodeOption

__all__ = ["chunks", "draw", "drawn_text", "options", "split_lines"]

_MAX_LINES = 2


def chunks(code: str) -> list[str]:
    """Reading groups. A code with separators is cut after each dash and at each space (spaces are
    then drawn as gaps); a bare code of 8 or more characters is cut into fours."""
    if any(ch in "- " for ch in code):
        out: list[str] = []
        current = ""
        for ch in code:
            if ch == " ":
                if current:
                    out.append(current)
                current = ""
            elif ch == "-":
                current += ch
                out.append(current)
                current = ""
            else:
                current += ch
        if current:
            out.append(current)
        return out
    return bigtext.group(code) if code else []


def split_lines(groups: list[str], lines: int) -> list[list[str]]:
    """``groups`` over ``lines`` lines, the first line getting the extra group when uneven."""
    lines = max(1, min(lines, len(groups)))
    per_line = -(-len(groups) // lines)
    return [groups[i : i + per_line] for i in range(0, len(groups), per_line)]


def _gap(height: int) -> int:
    # Four font dots at this size's scale: the same group gap bigtext itself uses.
    dot = bigtext.width("AA", height=height) - 2 * bigtext.width("A", height=height)
    return 4 * max(1, dot)


def _line(groups: list[str], height: int) -> list[str]:
    gap = " " * _gap(height)
    drawn = [bigtext.render(g, height=height) for g in groups]
    return [gap.join(parts[row] for parts in drawn) for row in range(height)]


def draw(code: str, height: int, lines: int = 1) -> list[str]:
    """Rows of block characters drawing ``code`` (a blank row between lines). ``height`` 0 gives the
    code itself as one plain line."""
    if height == 0 or not code or not bigtext.can_render(code.replace(" ", "")):
        return [code]
    rows: list[str] = []
    for number, groups in enumerate(split_lines(chunks(code), lines)):
        if number:
            rows.append("")
        rows.extend(_line(groups, height))
    width = max(len(r) for r in rows)
    return [r.ljust(width) for r in rows]


def drawn_text(code: str, lines: int = 1) -> list[str]:
    """The characters each drawn line shows (for tests and screen readers): gaps as spaces."""
    return [" ".join(groups) for groups in split_lines(chunks(code), lines)]


def options(code: str) -> list[CodeOption]:
    """Every drawing of ``code`` the screen may pick from, plus the plain-text fallback."""
    found = [CodeOption(0, -1, len(code), 1)]
    if not code or not bigtext.can_render(code.replace(" ", "")) or code.strip() != code:
        return found
    n_groups = len(chunks(code))
    for height in bigtext.SIZES:
        for lines in range(1, min(_MAX_LINES, n_groups) + 1):
            rows = draw(code, height, lines)
            found.append(CodeOption(height, -lines, len(rows[0]), len(rows)))
    return found
