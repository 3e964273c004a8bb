"""``coord dap``: the debug adapter, over standard input and output (``--port PORT`` for a
socket on the loopback interface)."""

from __future__ import annotations

from coordlang.errors import UsageError


def run(args) -> int:
    from coordlang.dap.server import serve_stdio, serve_tcp

    if args.port is None:
        serve_stdio()
    elif not 0 <= args.port < 65536:
        raise UsageError(f"--port {args.port}: give a port from 1 to 65535 (0: any free port)")
    else:
        serve_tcp(args.port)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("dap", help="the debug adapter (stdio, or --port PORT)",
                       description="Serve the Debug Adapter Protocol: launch a program over an events file or "
                                   "attach to an event log, with breakpoints, stepping forwards and backwards, "
                                   "variables and evaluation.")
    p.add_argument("--port", "--tcp", type=int, metavar="PORT",
                   help="listen on 127.0.0.1:PORT instead of stdio (0: a free port, named on standard error)")
    p.set_defaults(run=run)
