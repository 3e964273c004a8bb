"""Layouts of containers: bracketed lists and blocks of statements, with their comments."""

from __future__ import annotations

from coordlang.format.doc import BLANKLINE, LINE, SOFTLINE, Doc, Group, Hug, IfBreak, Indent, Suffix, group
from coordlang.format.trivia import Rows


def _suffix(comment: str) -> Suffix:
    return Suffix("  " + comment)


def bracket_list(rows: Rows, opener: str, closer: str, *, magic: bool) -> Doc:
    """``(a, b)`` / ``[a, b]`` / ``{ a: int, b: str }`` on one line when it fits, else one item a
    line with a trailing comma. ``magic`` (a trailing comma in the source, or for braces a
    newline before the ``}``) keeps it one item a line, so the user can ask for that layout.

    Keyword-named items (:attr:`Item.keyword_named`, a field called ``label`` for one) must not
    start a line after a comma: the tokenizer ends the statement at a newline before such a
    word, even inside brackets. In parentheses one follows the previous item on its line; in
    braces, where a newline separates items as well as a comma does, the broken list leaves
    out the comma before it.
    """
    braces = opener == "{"
    if not rows.rows and rows.opening is None:
        return opener + " " + closer if braces else opener + closer
    pad = LINE if braces else SOFTLINE
    items = [i for i, r in enumerate(rows.rows) if not r.comment]
    next_item = {a: b for a, b in zip(items, items[1:])}
    inner: list[Doc] = []
    for i, row in enumerate(rows.rows):
        if row.keyword_named and not braces:
            inner.append("" if i == 0 else " ")
        else:
            inner.append(pad if i == 0 else LINE)
        inner.append(row.doc)
        if not row.comment:
            following = next_item.get(i)
            if following is None:
                inner.append(IfBreak(","))
            elif braces and rows.rows[following].keyword_named:
                inner.append(IfBreak("", ","))
            else:
                inner.append(",")
        if row.trailing is not None:
            inner.append(_suffix(row.trailing))
    head: list[Doc] = [opener]
    if rows.opening is not None:
        head.append(_suffix(rows.opening))
    # A comment row needs the newline after it; a trailing comment breaks the group itself.
    return group([*head, Indent(inner), pad, closer], magic or any(r.comment for r in rows.rows))


def block(rows: Rows, *, one_line: bool) -> Doc:
    """``{ stmt }`` when ``one_line`` allows it and it fits, else one row a line; ``{ }`` when
    empty."""
    if not rows.rows and rows.opening is None:
        return "{ }"
    inner: list[Doc] = []
    for row in rows.rows:
        inner.append(BLANKLINE if row.blank else LINE)
        inner.append(row.doc)
        if row.trailing is not None:
            inner.append(_suffix(row.trailing))
    head: list[Doc] = ["{"]
    if rows.opening is not None:
        head.append(_suffix(rows.opening))
    flat_ok = one_line and len(rows.rows) == 1 and not rows.has_comments
    return group([*head, Indent(inner), LINE, "}"], not flat_ok)


def hugged_list(rows: Rows, spread: Doc, opener: str, closer: str) -> Doc:
    """``spread`` (a :func:`bracket_list` whose last item is a block) with the hugged layout as
    a choice: ``(a, b, {`` on one line, the block's rows, then ``})``. Only when the brackets
    hold no comment of their own (comments inside the block are the block's) and the items
    before the block can be flat; see :class:`coordlang.format.doc.Hug` for the choice."""
    if rows.has_comments or not isinstance(spread, Group) or not rows.rows:
        return spread
    *before, last = rows.rows
    if not isinstance(last.doc, Group):  # '{ }'
        return spread
    head: list[Doc] = [opener]
    for row in before:
        head += [row.doc, ", "]
    if group(head).broken:
        return spread
    block_doc = last.doc
    return Hug(spread, head, Group(block_doc.contents, True), closer,
               None if block_doc.broken else [block_doc, ","])
