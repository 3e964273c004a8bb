"""``coord log info|records|repair LOGDIR``: look into an event log, and salvage a damaged one."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def info(args) -> int:
    from coordlang.cli.run import logged_warnings
    from coordlang.runtime.eventlog import read_log
    from coordlang.runtime.eventlog.frames import segments

    directory = Path(args.log)
    with logged_warnings("coord log"):
        contents = read_log(directory, truncate=False)
    head = contents.header
    kinds = Counter(record[0] for record in contents.records)
    files = segments(directory)
    print(f"log        {directory}")
    print(f"program    {head['file']} (digest {head['program']})")
    print(f"written by coordlang {head['coordlang']}, log format {head['version']}")
    print(f"segments   {len(files)}, {sum(p.stat().st_size for p in files):,} bytes")
    print(f"records    {len(contents.records):,}: " + ", ".join(f"{kinds[k]:,} {k}" for k in sorted(kinds)))
    print(f"snapshots  {len(contents.snapshots)}" + (f", after records {', '.join(str(n) for n, _ in contents.snapshots)}"
                                                    if len(contents.snapshots) <= 8 else ""))
    print(f"state      {'finished' if contents.finished else 'interrupted (coord run --log resumes it)'}")
    return 0


def records(args) -> int:
    from coordlang.cli.run import logged_warnings
    from coordlang.runtime.eventlog import read_log
    from coordlang.runtime.outcomes import plain

    import orjson

    with logged_warnings("coord log"):
        contents = read_log(Path(args.log), truncate=False)
    first = max(1, args.start)
    chosen = contents.records[first - 1:]
    if args.limit is not None:
        chosen = chosen[:args.limit]
    out = sys.stdout
    for number, record in enumerate(chosen, first):
        out.write(orjson.dumps([number, *plain(record)]).decode() + "\n")
    return 0


def repair(args) -> int:
    from coordlang.runtime.eventlog import repair as salvage

    directory = Path(args.log)
    target = Path(args.out) if args.out else directory.with_name(directory.name + ".repaired")
    done = salvage(directory, target)
    if done.damage is None:
        print(f"coord log repair: {directory} has no damage; copied its {done.records:,} records and "
              f"{done.snapshots} snapshots to {target}", file=sys.stderr)
    else:
        print(f"coord log repair: {directory}: damaged in {done.damage.segment.name} at byte {done.damage.offset} "
              f"({done.damage.reason}); salvaged the {done.records:,} records before it and {done.snapshots} "
              f"snapshots into {target}. Resume there with `coord run FILE --events EVENTS --log {target}`: "
              "input events after the salvaged ones are read again and their handlers called again.",
              file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("log", help="look into an event log, or salvage a damaged one",
                       description="Commands on a folder `coord run --log` wrote.")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("info", help="the log's program, segments, records by kind, snapshots")
    a.add_argument("log", metavar="LOGDIR")
    a.set_defaults(run=info)
    a = actions.add_parser("records", help="the records as JSON Lines: [number, kind, ...]")
    a.add_argument("log", metavar="LOGDIR")
    a.add_argument("--from", dest="start", type=int, default=1, metavar="N", help="the first record to print")
    a.add_argument("--limit", type=int, metavar="K", help="print at most K records")
    a.set_defaults(run=records)
    a = actions.add_parser("repair", help="copy every record before the first damage into a new log")
    a.add_argument("log", metavar="LOGDIR")
    a.add_argument("--out", metavar="NEWDIR", help="the new log's folder (default: LOGDIR.repaired)")
    a.set_defaults(run=repair)
