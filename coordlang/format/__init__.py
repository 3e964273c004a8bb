"""The formatter: one canonical layout for coord, comments kept.

API
    ``format_source(text) -> str`` formats a document (``format_parsed(result)`` one parsed
    already); ``format_edits(text)`` gives the same as edits (none when the text is
    canonical); ``format_range(text, span)`` reformats only the top-level declarations (with
    their comments) that ``span`` touches. ``strip_spans(node)`` makes a tree comparable
    without positions.

Broken documents are refused
    A document with any syntax diagnostic (``P1xx``) is never reformatted: every entry point
    raises :class:`FormatRefused` (a :class:`coordlang.errors.CoordError`) carrying the
    diagnostics, so an editor or ``coord fmt`` leaves the text exactly as it is. The same
    exception reports a formatter bug (a comment it could not place, or with
    ``verify=True`` a changed tree) instead of writing damaged text.

How it works
    The layout is computed from the syntax tree and the comment tokens, not by re-indenting
    lines: the tree becomes a document of groups (``doc``), laid out in 100 columns. Comments
    are attached to the items they precede or trail (``trivia``). The printed text parses to
    the same tree (modulo spans), and formatting is idempotent.

Layout rules
    - Indentation is 4 spaces; lines end without trailing spaces; the file ends with one newline.
    - Single spaces around binary operators, ``=``, ``->`` and keywords; after commas and
      colons (``key: value`` arguments, ``name: type`` fields); none inside ``( )`` and
      ``[ ]``, one inside ``{ }`` (``{ a: 1 }``); ``A..B`` without spaces; an empty block or
      list of fields is ``{ }``.
    - Top-level declarations: one per line; one-line declarations keep the grouping the user
      wrote (no empty line, or one); a declaration longer than a line has one empty line
      before and after it. Between statements, ``select`` clauses and ``parallel``/``race``
      branches, one empty line the user wrote is kept, more collapse to one, none is added.
    - A block stays on one line (``{ fail "late" }``) only when it was written on one line,
      holds one statement and no comment, and fits; otherwise each statement is on its own
      line. ``select``, ``parallel`` and ``race`` always put each clause or branch on its own
      line. ``label NAME`` is always on a line of its own, just before its statement.
    - Argument, parameter and list brackets, event fields, ``emit`` field values and
      ``migrate`` mappings stay on one line when they fit in 100 columns; otherwise one item a
      line, with a trailing comma. A trailing comma written before the closing bracket (or, in
      braces, a newline before the ``}``) keeps one item a line even when it would fit.
      Outer lists break before inner ones.
    - A block as the last argument of ``use`` is hugged when the arguments do not fit on one
      line: ``use saga("trip", t.id, {`` on the ``use`` line, the block's statements one level
      deeper, then ``})``. The arguments before the block must fit on that line (``{``
      included, in 100 columns) and hold no comment or broken list, else the arguments go one a
      line as above. A block that may stay on one line (see blocks) does so where it fits: on
      the ``use`` line, else on a line of its own among the arguments one a line; only when it
      fits in neither place does it break and get hugged. A trailing comma after a hugged block
      is dropped: it keeps one argument a line only for a block on one line. A block that is
      not the last argument is never hugged.
    - Nothing else breaks: a long condition or string stays on its line (a newline before an
      operator would end the statement).
    - Literals, strings (escapes and ``{interpolations}`` verbatim) and parentheses are kept
      as written; the formatter never adds or removes parentheses.
    - A field or argument named with a statement keyword (``label``, ``emit``...) never starts a
      line after a comma, since the tokenizer ends the statement at a newline before such a
      word: in broken braces the comma before it is left out (a newline separates), in
      parentheses it stays on the line of the item before it.
    - Comments stay where they were relative to the code: a comment after code on a line stays
      after it (two spaces, then ``#``; trailing spaces dropped); a comment on its own line
      stays on its own line before what followed it, at that code's indentation. A comment
      inside an expression where no line break can stay (``a +  # why`` then a newline) moves
      to its own line before the statement or list item holding it. A comment between a ``}``
      and the ``else``/``elif``/``catch`` after it joins the end of that block (trailing its
      last statement when it was on that statement's line).
"""

from coordlang.format.compare import strip_spans
from coordlang.format.doc import INDENT, WIDTH
from coordlang.format.formatter import FormatRefused, format_edits, format_parsed, format_range, format_source

FormatError = FormatRefused
"""Another name for :class:`FormatRefused`."""

__all__ = ["FormatError", "FormatRefused", "INDENT", "WIDTH", "format_edits", "format_parsed", "format_range",
           "format_source", "strip_spans"]
