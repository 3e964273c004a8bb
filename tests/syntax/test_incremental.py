"""Re-parsing after an edit gives what a fresh parse of the new text gives: the same tree,
tokens, comments, diagnostics and lines, after every edit of a random sequence, each re-parse
starting from the one before (``coordlang/syntax/incremental.py``).

Sizing: 400 sequences in the ``ci`` Hypothesis profile, 8,000 with
``COORD_HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

from edits import edit_sequences
from hypothesis import example, given, settings

from coordlang.syntax import ParseResult, parse
from coordlang.syntax.incremental import edited_range, reparse, shift_node

BASE = settings.default.max_examples  # 100 under "ci", 2,000 under "long"


def assert_same(incremental: ParseResult, fresh: ParseResult) -> None:
    assert incremental.text == fresh.text
    assert incremental.diagnostics == fresh.diagnostics
    assert incremental.tokens == fresh.tokens
    assert incremental.comments == fresh.comments
    assert incremental.module == fresh.module
    assert incremental.lines.line_count == fresh.lines.line_count
    assert [incremental.lines.line_start(i) for i in range(incremental.lines.line_count)] == \
        [fresh.lines.line_start(i) for i in range(fresh.lines.line_count)]


@settings(max_examples=4 * BASE)
@given(edit_sequences())
@example(["event A { id: str }\nevent B { id: str }\n", "event A { id: str }\nevent B { id: str }\nevent C { id: str }\n"])
@example(["event A { id: str }\nevent B { id: str }\n", "event A { id: str }\nxevent B { id: str }\n"])
@example(["event A { id: str }\n\nevent B { id: str }\n", "event A { id: str }\n\n"])
@example(["event A { id: str }\nevent B { id: str }", "event A { id: str }\nevent B { id: str "])
def test_reparse_equals_parse(texts: list[str]) -> None:
    previous = parse(texts[0])
    for text in texts[1:]:
        result = reparse(previous, text)
        assert_same(result, parse(text))
        previous = result


@given(edit_sequences(max_edits=1))
def test_edited_range(texts: list[str]) -> None:
    old, new = texts
    start, old_end, new_end = edited_range(old, new)
    assert old[:start] == new[:start] and old[old_end:] == new[new_end:]
    assert new[:start] + new[start:new_end] + old[old_end:] == new


def test_shift_moves_every_span() -> None:
    text = "event E { id: str }\nworkflow W on E as e key id {\n    let x = \"a {e.id}\"\n    complete\n}\n"
    moved = parse("\n\n\n" + text).module
    for decl, shifted in zip(parse(text).module.decls, moved.decls):
        assert shift_node(decl, 3) == shifted
