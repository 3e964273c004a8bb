"""``coord check FILES...``: diagnostics for each file, exit 1 when any is an error."""

from __future__ import annotations

import json
import sys

from coordlang.analysis.document import analyze_file
from coordlang.cli.convert import render_text, to_json
from coordlang.sources import expand_paths, read_source


def run(args) -> int:
    paths = expand_paths(args.files)
    # Read everything first: a missing file is a usage error, reported before any diagnostics.
    texts = [(path, read_source(path)) for path in paths]
    found_error = False
    as_json: list[dict] = []
    counts = {"error": 0, "warning": 0, "info": 0, "hint": 0}
    for path, text in texts:
        analysis = analyze_file(path, text)
        shown = str(path)
        for diag in analysis.diagnostics:
            counts[diag.severity.label] += 1
            found_error = found_error or diag.is_error
            if args.format == "json":
                as_json.append(to_json(shown, analysis.lines, diag))
            elif not (args.quiet and not diag.is_error):
                print(render_text(shown, analysis.lines, diag, excerpt=not args.no_excerpt))
    if args.format == "json":
        json.dump(as_json, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif not args.quiet:
        summary = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items() if n)
        print(f"checked {len(texts)} file{'s' if len(texts) != 1 else ''}: {summary or 'no problems'}",
              file=sys.stderr)
    return 1 if found_error else 0


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="report diagnostics for .coord files (exit 1 on errors)")
    p.add_argument("files", nargs="+", metavar="FILE", help="a .coord file, or a directory of them")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--quiet", "-q", action="store_true", help="errors only, no summary")
    p.add_argument("--no-excerpt", action="store_true", help="no source line under each diagnostic")
    p.set_defaults(run=run)


