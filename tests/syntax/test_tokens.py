"""The tokenizer: token kinds, literals, and which newlines end a statement."""

from __future__ import annotations

import pytest

from coordlang.syntax.tokens import KEYWORDS, duration_seconds, scan_string, string_pieces, tokenize


def kinds(text: str) -> list[str]:
    return [t.kind for t in tokenize(text)[0]]


def texts(text: str) -> list[str]:
    return [t.text for t in tokenize(text)[0]]


# ---------------------------------------------------------------- kinds and literals

def test_keywords_are_their_own_kinds_and_names_are_not() -> None:
    assert kinds("workflow on as key Order order_id _x") == ["WORKFLOW", "ON", "AS", "KEY", "NAME", "NAME", "NAME"]
    for word in KEYWORDS:
        assert kinds(word) == [word.upper()]


@pytest.mark.parametrize("text, kind", [
    ("42", "INT"), ("007", "INT"), ("3.5", "FLOAT"), ("1e3", "FLOAT"), ("2.5E-2", "FLOAT"),
    ("250ms", "DURATION"), ("5s", "DURATION"), ("2m", "DURATION"), ("1h", "DURATION"),
    ("1d", "DURATION"), ("1.5s", "DURATION"), ("0.25h", "DURATION"),
    ('"text"', "STRING"), ('"a {f("b")} c"', "STRING"),
])
def test_literal_kinds(text: str, kind: str) -> None:
    assert kinds(text) == [kind]
    assert texts(text) == [text]


def test_a_duration_unit_must_end_the_word() -> None:
    assert kinds("5min") == ["INT", "NAME"]
    assert kinds("3sx") == ["INT", "NAME"]


def test_a_range_is_not_a_float() -> None:
    assert kinds("0..10") == ["INT", "DOTDOT", "INT"]
    assert kinds("a.b.c") == ["NAME", "DOT", "NAME", "DOT", "NAME"]


@pytest.mark.parametrize("text, seconds", [("250ms", 0.25), ("1.5s", 1.5), ("2m", 120.0), ("1h", 3600.0),
                                           ("1d", 86400.0), ("0ms", 0.0)])
def test_duration_seconds(text: str, seconds: float) -> None:
    assert duration_seconds(text) == pytest.approx(seconds)


def test_punctuation_takes_the_longest_match() -> None:
    assert kinds("-> == != <= >= .. = < > - .") == [
        "ARROW", "EQEQ", "NE", "LE", "GE", "DOTDOT", "EQ", "LT", "GT", "MINUS", "DOT"]


def test_comments_and_bad_characters_are_trivia() -> None:
    tokens, trivia, problems = tokenize("let x = 1 $ 2 # note\n")
    assert [t.kind for t in tokens] == ["LET", "NAME", "EQ", "INT", "INT"]
    assert [(t.kind, t.text) for t in trivia] == [("BAD", "$"), ("COMMENT", "# note")]
    assert [(p.kind, p.start, p.end) for p in problems] == [("bad-character", 10, 11)]


def test_token_offsets_are_code_points() -> None:
    tokens, _, _ = tokenize('"héllo ✓" x')
    assert [(t.start, t.end) for t in tokens] == [(0, 9), (10, 11)]


# ---------------------------------------------------------------- strings

def test_unterminated_string_stops_at_the_newline() -> None:
    tokens, _, problems = tokenize('fail "open\nlet x = 1')
    assert tokens[1].text == '"open'
    assert [p.kind for p in problems] == ["unterminated-string"]
    assert kinds('fail "open\nlet x = 1')[2:] == ["NL", "LET", "NAME", "EQ", "INT"]


def test_a_backslash_does_not_join_lines() -> None:
    end, closed = scan_string('"abc\\\nnext"', 0)
    assert (end, closed) == (5, False)


def test_an_unclosed_interpolation_does_not_swallow_the_line() -> None:
    text = 'fail "open {x"\ncomplete'
    tokens, _, problems = tokenize(text)
    assert tokens[1].text == '"open {x"'
    assert problems == []  # the string is closed; the '{' is reported by string_pieces
    pieces, string_problems = string_pieces(tokens[1].text, tokens[1].start)
    assert [p.kind for p in string_problems] == ["unclosed-interpolation"]


def test_string_pieces_resolve_escapes_and_find_interpolations() -> None:
    literal = r'"a\"b\\c\nd\te\{f\} {x + 1} g"'
    pieces, problems = string_pieces(literal, 100)
    assert problems == []
    assert pieces[0] == ("text", 'a"b\\c\nd\te{f} ', 101, 120)
    kind, _, start, end = pieces[1]
    assert kind == "expr" and literal[start - 100:end - 100] == "x + 1"
    assert pieces[2][:2] == ("text", " g")


def test_bad_escape_is_reported_and_kept() -> None:
    pieces, problems = string_pieces(r'"a\qb"', 0)
    assert pieces == [("text", "aqb", 1, 5)]
    assert [(p.kind, p.start, p.end) for p in problems] == [("bad-escape", 2, 4)]


# ---------------------------------------------------------------- newline rules

def test_newlines_end_statements_and_runs_fold_into_one() -> None:
    assert kinds("a\n\n\nb") == ["NAME", "NL", "NAME"]
    assert kinds("a ; b") == ["NAME", "NL", "NAME"]
    assert kinds("a ;\n; b") == ["NAME", "NL", "NAME"]


def test_leading_and_trailing_newlines_are_dropped() -> None:
    assert kinds("\n\n a \n\n") == ["NAME"]
    assert kinds("# c\n\na # d\n") == ["NAME"]


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or",
                                "not", "=", "->", ":", ",", "..", "{", "(", "["])
def test_no_statement_ends_after_a_token_that_cannot_end_one(op: str) -> None:
    assert "NL" not in kinds(f"a {op}\n b")


def test_newlines_inside_brackets_are_dropped() -> None:
    assert kinds("f(a\n, b\n)") == ["NAME", "LPAR", "NAME", "COMMA", "NAME", "RPAR"]
    assert kinds("[1\n2]") == ["LSQB", "INT", "INT", "RSQB"]


def test_newlines_inside_braces_are_kept() -> None:
    assert kinds("{ a\n b }") == ["LBRACE", "NAME", "NL", "NAME", "RBRACE"]


def test_a_statement_keyword_ends_an_unclosed_bracket() -> None:
    # A missing ')' damages one line, not the rest of the block.
    assert kinds("do h(a\nlet x = 1") == ["DO", "NAME", "LPAR", "NAME", "NL", "LET", "NAME", "EQ", "INT"]
    # ...and the bracket count starts afresh.
    assert kinds("f(a\nlet x = (1\n)")[-4:] == ["EQ", "LPAR", "INT", "RPAR"]


@pytest.mark.parametrize("word", ["elif", "else", "catch"])
def test_continuation_keywords_join_the_previous_line(word: str) -> None:
    assert kinds(f"}}\n\n{word}") == ["RBRACE", word.upper()]
    assert kinds(f"}}\n   # comment\n{word}") == ["RBRACE", word.upper()]


def test_a_newline_after_an_operand_ends_the_statement() -> None:
    assert kinds("a\n+ b") == ["NAME", "NL", "PLUS", "NAME"]


def test_crlf_and_tabs_are_whitespace() -> None:
    assert kinds("a\r\n\tb\r\n") == ["NAME", "NL", "NAME"]


def test_tokenize_never_raises_and_covers_the_text() -> None:
    text = 'x = "a {b} \\q" $ 1.5s # c\n\u00e9 \x00 1..2 ->'
    tokens, trivia, _ = tokenize(text)
    spans = sorted((t.start, t.end) for t in tokens + trivia)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2
    assert all(t.text == text[t.start:t.end] for t in tokens + trivia)


def test_a_keyword_name_after_a_dot_ends_the_line() -> None:
    kinds = [t.kind for t in tokenize("module a.and\non E as e { }\n")[0]]
    assert kinds[:5] == ["MODULE", "NAME", "DOT", "AND", "NL"]
    assert "NL" not in [t.kind for t in tokenize("let x = a and\n b\n")[0]]
