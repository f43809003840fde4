"""Block letters: shapes, sizes, console-safe characters, and a reader that tells every glyph apart."""

from __future__ import annotations

import itertools
import string

import pytest

from tvauth import bigtext

CONSOLE_SAFE = frozenset(" █▀▄")  # full block and half blocks: in the Linux console font
ALPHABET = string.ascii_uppercase + string.digits + "-" + string.ascii_lowercase
CONFUSABLE = [
    "0O",
    "0D",
    "OD",
    "OQ",
    "1I",
    "1l",
    "1L",
    "Il",
    "IL",
    "5S",
    "8B",
    "2Z",
    "6G",
    "9g",
    "MN",
    "NW",
]


def pixels(lines: list[str]) -> list[list[bool]]:
    """Lines of half blocks back to square pixels: two per character, stacked."""
    out: list[list[bool]] = []
    for line in lines:
        out.append([ch in "▀█" for ch in line])
        out.append([ch in "▄█" for ch in line])
    return out


def columns(bitmap: list[list[bool]], start: int, stop: int) -> tuple[tuple[bool, ...], ...]:
    return tuple(tuple(row[start:stop]) for row in bitmap)


class Reader:
    """Reads rendered text back, knowing only the public API (widths), not the fonts."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.glyph_width = bigtext.width("A", height=height)
        self.pitch = bigtext.width("AA", height=height) - self.glyph_width
        self.table: dict[tuple[tuple[bool, ...], ...], str] = {}
        for ch in ALPHABET:
            key = columns(pixels(bigtext.render(ch, height=height)), 0, self.glyph_width)
            assert key not in self.table, f"{ch!r} looks exactly like {self.table[key]!r}"
            self.table[key] = ch

    def read(self, lines: list[str]) -> str:
        bitmap = pixels(lines)
        width = len(lines[0])
        count = (width + self.pitch - self.glyph_width) // self.pitch
        text = []
        for i in range(count):
            start = i * self.pitch
            gap = columns(bitmap, start + self.glyph_width, start + self.pitch)
            assert not any(any(row) for row in gap), "glyphs touch: no gap between them"
            text.append(self.table[columns(bitmap, start, start + self.glyph_width)])
        return "".join(text)


def test_sizes_are_sorted_and_include_the_default() -> None:
    assert list(bigtext.SIZES) == sorted(set(bigtext.SIZES))
    assert 5 in bigtext.SIZES
    assert min(bigtext.SIZES) >= 3  # "several rows tall"


def test_every_character_zoho_may_send_has_a_glyph() -> None:
    assert set(ALPHABET) == bigtext.GLYPH_CHARS
    assert bigtext.can_render(ALPHABET)
    assert bigtext.can_render("")
    for bad in ("ABCD_1234", "ÄBC", "AB CD", "A\tB", "AB.CD", "ABCD–1234"):  # en dash is not a dash
        assert not bigtext.can_render(bad)
        with pytest.raises(ValueError, match="no big-text glyph"):
            bigtext.render(bad)


@pytest.mark.parametrize("height", bigtext.SIZES)
def test_every_glyph_same_height_and_width_only_console_characters(height: int) -> None:
    glyph_width = bigtext.width("A", height=height)
    for ch in ALPHABET:
        lines = bigtext.render(ch, height=height)
        assert len(lines) == height
        assert {len(line) for line in lines} == {glyph_width}
        assert set("".join(lines)) <= CONSOLE_SAFE
        assert any(ch != " " for ch in "".join(lines)), f"{ch!r} draws nothing"


@pytest.mark.parametrize("height", bigtext.SIZES)
def test_width_matches_render_and_is_additive(height: int) -> None:
    pitch = bigtext.width("AA", height=height) - bigtext.width("A", height=height)
    assert pitch > bigtext.width("A", height=height)  # a gap between glyphs
    for text in ("", "A", "ABCD-1234", "abcdefgh", ALPHABET):
        lines = bigtext.render(text, height=height)
        assert len(lines) == height
        assert {len(line) for line in lines} == {bigtext.width(text, height=height)}
    assert bigtext.width("ABC", height=height) + pitch == bigtext.width("ABCD", height=height)


@pytest.mark.parametrize("height", bigtext.SIZES)
def test_all_glyphs_pairwise_distinct(height: int) -> None:
    drawn = {ch: tuple(bigtext.render(ch, height=height)) for ch in ALPHABET}
    for a, b in itertools.combinations(ALPHABET, 2):
        assert drawn[a] != drawn[b], f"{a!r} and {b!r} are drawn the same at height {height}"


@pytest.mark.parametrize("height", bigtext.SIZES)
def test_reader_reads_back_every_character(height: int) -> None:
    reader = Reader(height)  # building it asserts every glyph bitmap is unique
    for text in (ALPHABET, "ABCD-1234", "0O0O1Il1L5S8B2Z", "xY-9q-g6"):
        assert reader.read(bigtext.render(text, height=height)) == text


@pytest.mark.parametrize("height", bigtext.SIZES)
def test_confusable_pairs_differ_clearly(height: int) -> None:
    """Not one stray pixel: at least three font dots apart (scaled with the size)."""
    scale = bigtext.width("A", height=height) // 5
    for pair in CONFUSABLE:
        a, b = pair[0], pair[1]
        pa = pixels(bigtext.render(a, height=height))
        pb = pixels(bigtext.render(b, height=height))
        diff = sum(
            x != y for ra, rb in zip(pa, pb, strict=True) for x, y in zip(ra, rb, strict=True)
        )
        assert diff >= 3 * scale * scale, f"{a!r}/{b!r} differ in only {diff} pixels at {height}"


def test_case_is_kept() -> None:
    for height in bigtext.SIZES:
        assert bigtext.render("abcd", height=height) != bigtext.render("ABCD", height=height)
        assert Reader(height).read(bigtext.render("aBcD", height=height)) == "aBcD"


def test_unknown_height_is_refused() -> None:
    with pytest.raises(ValueError, match="sizes are"):
        bigtext.render("A", height=6)
    with pytest.raises(ValueError, match="sizes are"):
        bigtext.width("A", height=0)


def test_larger_sizes_are_larger() -> None:
    widths = [bigtext.width("ABCD-1234", height=h) for h in bigtext.SIZES]
    assert widths == sorted(widths)


@pytest.mark.parametrize(
    ("code", "groups"),
    [
        ("ABCDEFGH", ["ABCD", "EFGH"]),
        ("ABCDEFGHIJ", ["ABCD", "EFGH", "IJ"]),
        ("abcd1234", ["abcd", "1234"]),
        ("ABCD-1234", ["ABCD-1234"]),  # already grouped by the server
        ("ABCDEFG", ["ABCDEFG"]),
        ("", []),
    ],
)
def test_group(code: str, groups: list[str]) -> None:
    assert bigtext.group(code) == groups


def test_grouping_never_changes_characters() -> None:
    for code in ("ABCDEFGH", "abcd1234wxyz", "A-B-C-D-E-F", "Z" * 13, "a1", ALPHABET):
        assert "".join(bigtext.group(code)) == code


@pytest.mark.parametrize("height", bigtext.SIZES)
def test_grouped_render_only_adds_blank_columns(height: int) -> None:
    code = "ABCD1234WXYZ"
    plain = bigtext.render(code, height=height)
    grouped = bigtext.render(code, height=height, grouped=True)
    assert {len(line) for line in grouped} == {bigtext.width(code, height=height, grouped=True)}
    extra = (len(grouped[0]) - len(plain[0])) // 2  # two group gaps
    assert extra > 0
    pitch = bigtext.width("AA", height=height) - bigtext.width("A", height=height)
    cut = [4 * pitch, 8 * pitch + extra]  # where the extra gaps start in the grouped lines
    for line, ref in zip(grouped, plain, strict=True):
        for c in cut:
            assert line[c : c + extra].strip() == ""
        stripped = line[: cut[0]] + line[cut[0] + extra : cut[1]] + line[cut[1] + extra :]
        assert stripped == ref
