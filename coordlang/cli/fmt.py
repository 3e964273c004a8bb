"""``coord fmt FILES...``: rewrite files in canonical layout; ``--check`` for CI; ``-`` for stdin."""

from __future__ import annotations

import sys
from pathlib import Path

from coordlang.errors import SourceError
from coordlang.sources import expand_paths, read_source


def run(args) -> int:
    if args.files == ["-"]:
        return _stdin(args)
    if "-" in args.files:
        raise SourceError("'-' (standard input) cannot be mixed with file names")
    paths = expand_paths(args.files)
    texts = [(path, read_source(path)) for path in paths]
    from coordlang.format import FormatRefused, format_source

    changed: list[Path] = []
    refused = 0
    for path, text in texts:
        try:
            formatted = format_source(text)
        except FormatRefused as exc:
            refused += 1
            print(f"{path}: not formatted: {exc}", file=sys.stderr)
            continue
        if formatted != text:
            changed.append(path)
            if not args.check:
                path.write_text(formatted, encoding="utf-8")
    if args.check:
        for path in changed:
            print(f"would reformat {path}")
        return 1 if changed or refused else 0
    for path in changed:
        print(f"reformatted {path}", file=sys.stderr)
    return 1 if refused else 0


def _stdin(args) -> int:
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"<stdin>: not UTF-8 text at byte {exc.start}; send UTF-8") from None
    from coordlang.format import FormatRefused, format_source

    try:
        formatted = format_source(text)
    except FormatRefused as exc:
        print(f"<stdin>: not formatted: {exc}", file=sys.stderr)
        sys.stdout.write(text)
        return 1
    if args.check:
        return 1 if formatted != text else 0
    sys.stdout.write(formatted)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("fmt", help="format .coord files in place (--check: only report)")
    p.add_argument("files", nargs="+", metavar="FILE", help="files or directories; '-' reads stdin, writes stdout")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 and list files that would change")
    p.set_defaults(run=run)
