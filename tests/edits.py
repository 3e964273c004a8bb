"""Hypothesis strategies for sequences of edits to real coord programs, for the tests that hold
incremental analysis to a fresh one.

Most edits keep a program parsing clean, since those are the ones an incremental analysis
takes its short way on: typing inside a name, a new line, a comment, a line deleted, a
declaration pasted or removed, a letter's case flipped. The rest damage it as people do while
typing (``mutations.mutation``), so the way back to clean text is covered too.

    from edits import edit_sequences

    @given(edit_sequences())
    def test_incremental(texts): ...   # the seed, then the text after each edit
"""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import strategies as st

from mutations import mutation, seed_programs
from syntax.generate import generate_document

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DECLARATIONS = (
    "event Extra { id: str }\n", "handler extra(id: str) -> bool = \"m:f\"\n", "policy extra = retry(attempts: 2)\n",
    "workflow Extra on Extra as e key id {\n    complete\n}\n", "# a note\n", "\n",
)


@lru_cache(maxsize=None)
def seeds() -> tuple[str, ...]:
    """The example programs, the standard library, the syntax cases and two generated
    documents of the editor benchmark's kind."""
    return (*seed_programs(), generate_document(120, seed=1), generate_document(300, seed=2))


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


@st.composite
def edit(draw: st.DrawFn, text: str) -> str:
    """``text`` after one edit."""
    kind = draw(st.sampled_from(("type", "type", "case", "newline", "delete_line", "paste_lines",
                                 "declaration", "comment", "delete_range", "damage")))
    if kind == "damage" or not text:
        return draw(mutation(text))
    if kind == "type":
        names = [m for m in _NAME.finditer(text)]
        if names:
            m = draw(st.sampled_from(names))
            at = draw(st.integers(m.start(), m.end()))
            return text[:at] + draw(st.sampled_from("xyz_1")) + text[at:]
    if kind == "case":
        letters = [i for i, c in enumerate(text) if c.isalpha()]
        if letters:
            i = draw(st.sampled_from(letters))
            return text[:i] + text[i].swapcase() + text[i + 1:]
    starts = _line_starts(text)
    if kind == "newline":
        at = draw(st.integers(0, len(text)))
        return text[:at] + "\n" + text[at:]
    if kind == "delete_line" and len(starts) > 1:
        k = draw(st.integers(0, len(starts) - 2))
        return text[:starts[k]] + text[starts[k + 1]:]
    if kind == "paste_lines" and len(starts) > 1:
        k = draw(st.integers(0, len(starts) - 2))
        n = draw(st.integers(1, 12))
        piece = text[starts[k]:starts[min(k + n, len(starts) - 1)]]
        to = draw(st.sampled_from(starts))
        return text[:to] + piece + text[to:]
    if kind in ("declaration", "comment"):
        to = draw(st.sampled_from(starts))
        piece = draw(st.sampled_from(_DECLARATIONS)) if kind == "declaration" else "# " + "x" * draw(st.integers(0, 5)) + "\n"
        return text[:to] + piece + text[to:]
    if kind == "delete_range":
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 40)))
        return text[:a] + text[b:]
    return draw(mutation(text))


@st.composite
def edit_sequences(draw: st.DrawFn, max_edits: int = 4) -> list[str]:
    """A seed program, then the text after each of one to ``max_edits`` edits."""
    texts = [draw(st.sampled_from(seeds()))]
    for _ in range(draw(st.integers(1, max_edits))):
        texts.append(draw(edit(texts[-1])))
    return texts
