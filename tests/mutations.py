"""Hypothesis strategies that damage real coord programs, for robustness tests of every pass.

A mutation works on the program's own tokens, so the damage looks like what people do while
typing: a token deleted, duplicated or swapped with its neighbour, the text cut off, random
characters, keywords or braces inserted, a line deleted.

    from mutations import mutated_programs, seed_programs

    @given(mutated_programs())
    def test_checker_never_raises(text): ...

``mutated_programs(seeds)`` draws a seed (by default every ``.coord`` under ``examples/``, the
standard library and ``tests/syntax/cases/``, read when the strategy is first drawn from, so
new examples join without a change here) and applies one to ``max_mutations`` mutations.
Every drawn text shrinks towards fewer and smaller mutations of the first seed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

from hypothesis import strategies as st

from coordlang.syntax.tokens import KEYWORDS, tokenize

ROOT = Path(__file__).resolve().parents[1]
SEED_GLOBS = ("examples/**/*.coord", "coordlang/std/*.coord", "tests/syntax/cases/*.coord")

MUTATIONS = ("delete_token", "duplicate_token", "swap_tokens", "truncate", "insert", "delete_line")

# What gets inserted: the characters that matter to the tokenizer and the grammar, whole
# keywords, and brackets (which do the most damage to recovery).
_INTERESTING_CHARS = '{}()[]"\\#$@?;,.:=<>-+*/%!\n\t _aZ09'
_SNIPPETS = tuple(sorted(KEYWORDS)) + ("{", "}", "(", ")", "[", "]", '"', "{}", "\n", ";", ",", ".", "..",
                                        "->", "=", ":", "1.5s", "42", "x", '"{"', '"\\q"', "#")


@lru_cache(maxsize=None)
def _seed_cache(root: str) -> tuple[str, ...]:
    texts = []
    for pattern in SEED_GLOBS:
        for path in sorted(Path(root).glob(pattern)):
            with open(path, encoding="utf-8", newline="") as f:
                texts.append(f.read())
    return tuple(t for t in texts if t.strip())


def seed_programs() -> tuple[str, ...]:
    """The texts of every seed program (examples, standard library, syntax cases)."""
    return _seed_cache(str(ROOT))


def token_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every token and comment of ``text``, in order."""
    tokens, trivia, _ = tokenize(text)
    return sorted((t.start, t.end) for t in tokens + trivia if t.end > t.start)


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    """``text`` with one mutation applied."""
    kind = draw(st.sampled_from(MUTATIONS))
    spans = token_spans(text)
    if kind in ("delete_token", "duplicate_token", "swap_tokens") and len(spans) >= 2:
        k = draw(st.integers(0, len(spans) - 2))
        (s1, e1), (s2, e2) = spans[k], spans[k + 1]
        if kind == "delete_token":
            return text[:s1] + text[e1:]
        if kind == "duplicate_token":
            return text[:e1] + " " + text[s1:e1] + text[e1:]
        return text[:s1] + text[s2:e2] + text[e1:s2] + text[s1:e1] + text[e2:]
    if kind == "truncate":
        return text[:draw(st.integers(0, len(text)))]
    if kind == "delete_line":
        lines = text.split("\n")
        k = draw(st.integers(0, max(0, len(lines) - 1)))
        return "\n".join(lines[:k] + lines[k + 1:])
    # insert: at a token boundary (most realistic) or anywhere
    if spans and draw(st.booleans()):
        at = draw(st.sampled_from([s for s, _ in spans] + [e for _, e in spans]))
    else:
        at = draw(st.integers(0, len(text)))
    what = draw(st.one_of(
        st.sampled_from(_SNIPPETS).map(lambda w: f" {w} " if w.isalpha() else w),
        st.text(alphabet=_INTERESTING_CHARS, min_size=1, max_size=4),
        st.text(min_size=1, max_size=3),
    ))
    return text[:at] + what + text[at:]


@st.composite
def mutated_programs(draw: st.DrawFn, seeds: Sequence[str] | None = None, max_mutations: int = 3) -> str:
    """A seed program with one to ``max_mutations`` mutations."""
    pool = tuple(seeds) if seeds is not None else seed_programs()
    if not pool:
        raise ValueError("no seed programs: pass seeds= or add .coord files under examples/")
    text = draw(st.sampled_from(pool))
    for _ in range(draw(st.integers(1, max_mutations))):
        text = draw(mutation(text))
    return text


def token_soup() -> st.SearchStrategy[str]:
    """Random sequences of keywords, names, literals and punctuation: no program at all, but
    made of the language's own words, so it reaches deep into the grammar."""
    words = st.sampled_from(_SNIPPETS + ("E", "e", "id", "o.amount", "f(x)", "1..3", '"s {x}"', "250ms"))
    return st.lists(words, max_size=40).map(" ".join)
