"""``coord replay LOGDIR``: rebuild a recorded run's state from its log, without calling a
handler, and print its outcomes; ``--until`` stops at a record or a time, ``--verify`` runs the
handlers again and checks they do what was recorded."""

from __future__ import annotations

import sys
from pathlib import Path

from coordlang.errors import UsageError


def run(args) -> int:
    from coordlang.cli.run import _compile, logged_warnings
    from coordlang.runtime.eventlog import LogDiverged, read_log, replay
    from coordlang.runtime.eventlog.log import log_header
    from coordlang.runtime.outcomes import write_outcomes, write_stats

    directory = Path(args.log)
    stop, until_time = until_point(args.until)
    # The header alone names the program; the log is read once, by the replay.
    header = log_header(directory)
    if header is None:
        with logged_warnings("coord replay"):
            read_log(directory, truncate=False)  # raises the error that says what is wrong with DIR
    file = Path(args.program) if args.program else Path(header["file"])
    if not file.exists():
        raise UsageError(f"{directory} was recorded from {file}, which is not there; name the program with "
                         "--program FILE")
    program = _compile(file)
    if program is None:
        return 1
    backend = header.get("backend", "interpreter")
    if backend == "compiled" and stop is not None:
        raise UsageError(f"--until {stop}: {directory} was recorded by the compiled backend, whose log has no "
                         "step-by-step trace to stop at a record in; give a time, or record with --backend "
                         "interpreter")
    try:
        with logged_warnings("coord replay"):
            if backend == "compiled":
                from coordlang.runtime.eventlog.compiled import replay_compiled

                contents = read_log(directory, truncate=False)
                result, position, finished, seconds = replay_compiled(program, contents, verify=args.verify,
                                                                      until_time=until_time)
                records, clock = len(contents.records), None
            else:
                done = replay(program, directory, stop=stop, until_time=until_time, verify=args.verify)
                result, position, finished, seconds = done.result, done.restored.position, done.restored.finished, \
                    done.seconds
                records, clock = done.records, done.restored.interpreter.state.clock
    except LogDiverged as exc:
        print(f"coord replay: {directory}: {'verify failed' if args.verify else 'diverged'}: {exc}",
              file=sys.stderr)
        return 1
    result.extra["records"] = position
    write_outcomes(args.out or "-", result.outcomes)
    if args.stats:
        write_stats(args.stats, result)
    where = "the end" if finished else f"record {position:,} of {records:,}"
    shown = "" if clock is None or clock == float("-inf") else f", clock {clock}"
    verified = "; every handler ran again and did as recorded" if args.verify else ""
    print(f"coord replay: {directory}: replayed to {where}{shown} ({result.events:,} input events, "
          f"{seconds:.3f} s, {backend}){verified}", file=sys.stderr)
    return 0


def until_point(text: str | None) -> tuple[int | None, float | None]:
    """``--until N`` (a whole number: a record) or ``--until TIME`` (RFC 3339 text, or seconds
    since the epoch with a decimal point)."""
    if text is None:
        return None, None
    if text.isdigit():
        return int(text), None
    from coordlang.runtime.fields import time_from_text

    try:
        return None, time_from_text(text)
    except ValueError as exc:
        raise UsageError(f"--until {text}: neither a record number nor a time ({exc})") from None


def add_parser(sub) -> None:
    p = sub.add_parser("replay", help="rebuild a recorded run from its event log and print its outcomes",
                       description="Rebuild the state of a run recorded with `coord run --log` from its snapshots "
                                   "and records, calling no handler, and print its outcomes as JSON Lines.")
    p.add_argument("log", metavar="LOGDIR", help="the folder `coord run --log` wrote")
    p.add_argument("--program", metavar="FILE", help="the .coord file (default: the one the log names)")
    p.add_argument("--until", metavar="N|TIME",
                   help="stop after record N (a whole number), or before the first step later than TIME "
                        "(RFC 3339, or seconds since the epoch with a decimal point)")
    p.add_argument("--verify", action="store_true",
                   help="run every handler again, from the first record, and check results and emitted events "
                        "equal the recorded ones (exit 1 at the first difference)")
    p.add_argument("--out", metavar="OUTCOMES.jsonl", help="write the outcomes here (default: standard output)")
    p.add_argument("--stats", metavar="STATS.json", help="write the counters here ('-': stdout)")
    p.set_defaults(run=run)
