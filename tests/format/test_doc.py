"""The document printer: groups, fitting, trailing comments and indentation."""

from __future__ import annotations

from coordlang.format.doc import BLANKLINE, HARDLINE, LINE, SOFTLINE, IfBreak, Indent, Suffix, group, render


def call(*args: str) -> object:
    inner: list = [SOFTLINE]
    for k, arg in enumerate(args):
        if k:
            inner += [",", LINE]
        inner.append(arg)
    inner.append(IfBreak(","))
    return group(["f(", Indent(inner), SOFTLINE, ")"])


def test_a_group_that_fits_is_flat() -> None:
    assert render(call("a", "b"), 10) == "f(a, b)"


def test_a_group_that_does_not_fit_breaks_one_item_a_line() -> None:
    assert render(call("aaaa", "bbbb"), 10) == "f(\n    aaaa,\n    bbbb,\n)"


def test_fitting_counts_what_follows_up_to_the_next_line_break() -> None:
    doc = [call("a", "b"), " + tail"]
    assert render(doc, 14) == "f(a, b) + tail"
    assert render(doc, 13) == "f(\n    a,\n    b,\n) + tail"


def test_outer_groups_break_before_inner_ones() -> None:
    doc = group(["g(", Indent([SOFTLINE, call("a", "b"), ",", LINE, "c"]), SOFTLINE, ")"])
    assert render(doc, 12) == "g(\n    f(a, b),\n    c\n)"


def test_a_trailing_comment_takes_no_width_but_breaks_its_group() -> None:
    assert render([call("a"), Suffix("  # a very long comment")], 8) == "f(a)  # a very long comment"
    broken = group(["{", Indent([LINE, "x", Suffix("  # c")]), LINE, "}"])
    assert broken.broken
    assert render(broken) == "{\n    x  # c\n}"


def test_hard_lines_break_every_enclosing_group() -> None:
    inner = group(["a", HARDLINE, "b"])
    assert inner.broken and group([inner]).broken
    assert render(group(["{", Indent([LINE, "a", BLANKLINE, "b"]), LINE, "}"])) == "{\n    a\n\n    b\n}"


def test_no_trailing_whitespace_on_empty_lines() -> None:
    assert render(Indent(["a", BLANKLINE, "b", HARDLINE])) == "a\n\n    b\n"


def test_a_hug_takes_the_first_layout_that_works() -> None:
    from coordlang.format.doc import Group, Hug

    def hug(block_broken: bool) -> Hug:
        block = group(["{", Indent([LINE, "x"]), LINE, "}"], block_broken)
        spread = group(["f(", Indent([SOFTLINE, "a", ",", LINE, block, IfBreak(",")]), SOFTLINE, ")"])
        return Hug(spread, ["f(", "a", ", "], Group(block.contents, True), ")",
                   None if block_broken else [block, ","])

    assert render(hug(False), 20) == "f(a, { x })"
    assert render(hug(False), 10) == "f(\n    a,\n    { x },\n)"  # the block fits on its own line
    assert render(hug(False), 8) == "f(a, {\n    x\n})"  # it does not: hugged
    assert render(hug(True), 20) == "f(a, {\n    x\n})"
    assert render(hug(True), 5) == "f(\n    a,\n    {\n        x\n    },\n)"  # 'f(a, {' does not fit
