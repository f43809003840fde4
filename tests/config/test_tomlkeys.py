"""The key locator behind "config.toml, line N": it must agree with tomllib on what is a key."""

from __future__ import annotations

import tomllib

from tvauth.tomlkeys import key_lines


def test_tables_dotted_and_quoted_keys() -> None:
    text = (
        "# top comment\n"
        'a = "x # not a comment"\n'
        "b . c = 1\n"
        '"d.e" = 2\n'
        "'f' . \"g h\" = 3\n"
        "\n"
        "[ t1 ]\n"
        "k = 'literal with \" and #'\n"
        "[t2.sub]  # comment\n"
        "k2 = { x = 1, y = { z = 2 } }\n"
        "[[arr]]\n"
        "m = 1\n"
    )
    tomllib.loads(text)  # the scanner only ever sees valid TOML
    lines = key_lines(text)
    assert lines[("a",)] == 2
    assert lines[("b",)] == 3
    assert lines[("b", "c")] == 3
    assert lines[("d.e",)] == 4
    assert lines[("f", "g h")] == 5
    assert lines[("t1",)] == 7
    assert lines[("t1", "k")] == 8
    assert lines[("t2", "sub")] == 9
    assert lines[("t2", "sub", "k2", "y", "z")] == 10
    assert lines[("arr", "m")] == 12


def test_multiline_values_do_not_hide_or_invent_keys() -> None:
    text = (
        'ml = """\n'
        "fake = 1\n"
        'still \\""" inside\n'
        '"""\n'
        "lit = '''\n"
        "fake2 = 2\n"
        "'''\n"
        "arr = [\n"
        "  [1, 2],  # fake3 = 3\n"
        '  "]",\n'
        "]\n"
        "real = 1\n"
        "date = 1979-05-27 07:32:00Z\n"
        "after = 2\n"
    )
    tomllib.loads(text)
    lines = key_lines(text)
    assert ("fake",) not in lines
    assert ("fake2",) not in lines
    assert ("fake3",) not in lines
    assert lines[("real",)] == 12
    assert lines[("after",)] == 14


def test_crlf_line_endings() -> None:
    text = "a = 1\r\n[t]\r\nb = 2\r\n"
    tomllib.loads(text)
    assert key_lines(text) == {("a",): 1, ("t",): 2, ("t", "b"): 3}
