"""``coord debug FILE --events EVENTS`` / ``coord debug LOGDIR``: the terminal debugger
(``coordlang.tui``) over a debug session. The session is opened before the screen is, so a
missing file, a bad events line or a corrupt log is one message and exit 2, like every
command."""

from __future__ import annotations

from pathlib import Path

from coordlang.errors import UsageError


def run(args) -> int:
    from coordlang.cli.run import _until, logged_warnings
    from coordlang.runtime.debug import DebugSession

    target = Path(args.target)
    if target.is_dir():
        for option, value in (("--events", args.events), ("--until", args.until)):
            if value is not None:
                raise UsageError(f"{option}: {target} is a recorded run, which holds its own events and end; "
                                 f"{option} goes with a .coord FILE")
        with logged_warnings("coord debug"):  # a torn tail dropped, say: one line, then the screen
            session = DebugSession.attach(target, Path(args.program) if args.program else None)
    else:
        if not target.exists() and args.events is None:
            raise UsageError(f"{target}: no such file or folder; give a .coord program with --events EVENTS, or a "
                             "LOGDIR recorded by coord run --log")
        if args.program is not None:
            raise UsageError(f"--program: goes with a LOGDIR (a run recorded by coord run --log); {target} is "
                             "the program already")
        if args.events is None:
            raise UsageError(f"{target}: name the events to run it over with --events EVENTS, or give a LOGDIR "
                             "recorded by coord run --log")
        session = DebugSession.launch(target, Path(args.events), until=_until(args.until))
    from coordlang.tui.app import DebuggerApp

    return DebuggerApp(session).run() or 0


def add_parser(sub) -> None:
    p = sub.add_parser("debug", help="step through a run, forwards and backwards, in the terminal debugger",
                       description="Debug a program over an events file (FILE --events EVENTS), or a run recorded "
                                   "with `coord run --log` (LOGDIR), in a terminal UI: source, timeline, "
                                   "instances and variables, timers and the workflow graph. Press ? for the keys.")
    p.add_argument("target", metavar="FILE|LOGDIR", help="a .coord program, or a folder `coord run --log` wrote")
    p.add_argument("--events", metavar="EVENTS", help="the input events (JSON Lines, msgpack or CSV, as coord run)")
    p.add_argument("--until", metavar="TIME",
                   help="after the input, let virtual time run only to TIME (RFC 3339, or seconds since the epoch)")
    p.add_argument("--program", metavar="FILE", help="with LOGDIR: the .coord file (default: the one the log names)")
    p.set_defaults(run=run)
