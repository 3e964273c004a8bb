"""``coord lsp``: the language server, over standard input and output (``--tcp PORT`` for a
socket on the loopback interface)."""

from __future__ import annotations

from coordlang.errors import UsageError


def run(args) -> int:
    try:
        from coordlang.lsp.server import main
    except ImportError as exc:  # pygls is the lsp extra
        raise UsageError(f"coord lsp needs pygls and lsprotocol: pip install 'coordlang[lsp]' ({exc})") from None
    if args.tcp is not None and not 0 < args.tcp < 65536:
        raise UsageError(f"--tcp {args.tcp}: give a port from 1 to 65535")
    main(("127.0.0.1", args.tcp) if args.tcp is not None else None)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("lsp", help="the language server (stdio, or --tcp PORT)",
                       description="Serve the Language Server Protocol for .coord files: diagnostics, completion, "
                                   "hover, navigation, rename, formatting, symbols, folding and semantic tokens.")
    p.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT instead of stdio")
    p.set_defaults(run=run)
