"""Prints the tokens coordlang's own tokenizer finds in each file named, as JSON lines for
grammar.test.ts: [file, kind, line, start, end, previous kind, next kind], columns in UTF-16
units as the TextMate tokenizer counts them. Runs from the repository (PYTHONPATH) with no
install: the tokenizer needs only the standard library."""
import json
import sys

from coordlang.syntax.tokens import tokenize

for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    tokens, trivia, _ = tokenize(text)
    ordered = sorted((t for t in tokens + trivia if t.kind != "NL"), key=lambda t: t.start)
    line = 0
    for i, tok in enumerate(ordered):
        while line + 1 < len(starts) and starts[line + 1] <= tok.start:
            line += 1
        before = text[starts[line]:tok.start]
        col = len(before.encode("utf-16-le")) // 2
        width = len(tok.text.encode("utf-16-le")) // 2
        previous = ordered[i - 1].kind if i else None
        following = ordered[i + 1].kind if i + 1 < len(ordered) else None
        print(json.dumps([path, tok.kind, line, col, col + width, previous, following]))
