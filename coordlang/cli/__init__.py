"""The ``coord`` command line. Each command is a module with ``add_parser`` and ``run``.

Errors a user can cause print one line naming the place and the fix and exit 2; a traceback
appears only with ``--debug``.
"""

from __future__ import annotations

import argparse
import sys

from coordlang import __version__
from coordlang.errors import CoordError

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    from coordlang.cli import bench, check, convert_events, dap, debug, fmt, graph, log, lsp, replay, run, simulate

    parser = argparse.ArgumentParser(prog="coord", description="coordlang: workflows as code.")
    parser.add_argument("--version", action="version", version=f"coord {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in (check, fmt, run, replay, debug, log, simulate, graph, lsp, dap, convert_events, bench):
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CoordError as exc:
        if args.debug:
            raise
        print(f"coord: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
