"""``coord graph FILE``: the workflow graphs of a program as Mermaid (the default), DOT or JSON.

Every workflow version, reaction, stream and pattern of FILE is drawn, each as a subgraph of
its own; ``--workflow NAME`` keeps those named NAME (every version of a workflow) or titled NAME
(``"Order v2"``). A file with errors is not drawn: its error diagnostics are printed as
``coord check`` prints them, and the exit code is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from coordlang.errors import UsageError


def run(args) -> int:
    from coordlang.analysis import analyze_file, workflow_graphs
    from coordlang.analysis.graph_render import named, render
    from coordlang.cli.convert import refuse_on_errors
    from coordlang.sources import read_source

    path = Path(args.file)
    analysis = analyze_file(path, read_source(path))
    if refuse_on_errors(str(path), analysis, "drawn"):
        return 1
    graphs = workflow_graphs(analysis)
    if args.workflow is not None:
        chosen = named(graphs, args.workflow)
        if not chosen:
            names = ", ".join(dict.fromkeys(g.name for g in graphs)) or "none"
            raise UsageError(f"{path}: no workflow named {args.workflow!r} (it declares: {names})")
        graphs = chosen
    text = render(graphs, args.format, str(path))
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.out}: cannot be written ({exc.strerror or exc})") from None
    return 0


def add_parser(sub) -> None:
    from coordlang.analysis.graph_render import FORMATS

    p = sub.add_parser("graph", help="draw the workflows of a .coord file (Mermaid, DOT or JSON)")
    p.add_argument("file", metavar="FILE", help="a .coord file")
    p.add_argument("--format", choices=FORMATS, default=FORMATS[0],
                   help="mermaid (the default; GitHub and many Markdown viewers draw it), dot (Graphviz) or json")
    p.add_argument("--workflow", metavar="NAME", help="only the workflow (every version), reaction, stream or "
                   "pattern named NAME, or titled NAME (\"Order v2\", \"on Alarm\")")
    p.add_argument("--out", metavar="FILE", help="write the graph to FILE instead of standard output")
    p.set_defaults(run=run)
