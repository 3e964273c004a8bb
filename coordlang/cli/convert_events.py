"""``coord convert FILE --events EVENTS --out OUT.coordcols``: events to the columnar file.

Reads EVENTS (JSON Lines, msgpack, CSV, or a columnar file) with the compiled backend's reader
(columns, no object per event), checked against FILE's event types exactly as ``coord run``
checks them (same messages, same ``--skip-bad``), and writes them as a columnar events file
(``docs/cli.md``), which ``coord run`` reads without decoding text. An event without a time keeps none (its run gives it the moment
it is read). The output appears only when the whole input converted: it is written beside and
renamed at the end.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

from coordlang.errors import UsageError


def run(args) -> int:
    from coordlang.cli.run import _compile
    from coordlang.runtime.columnar import EXTENSION, FRAME_ROWS, FrameWriter
    from coordlang.runtime.events import event_format

    out = Path(args.out)
    if out.suffix.lower() != EXTENSION:
        raise UsageError(f"{out}: name the output {EXTENSION} (the columnar events file, the one format "
                         "coord convert writes)")
    if args.frame_rows is not None and args.frame_rows < 1:
        raise UsageError(f"--frame-rows {args.frame_rows}: a frame holds at least 1 event")
    fmt = event_format(args.events, args.format)
    if args.events != "-" and not Path(args.events).exists():
        raise UsageError(f"{args.events}: no such file")
    program = _compile(Path(args.file))
    if program is None:
        return 1
    began = time.perf_counter()
    partial = out.with_name(f".{out.name}.partial")
    try:
        stream = open(partial, "wb")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    if len(program.events) > 256:
        raise UsageError(f"{args.file}: declares {len(program.events)} event types; a columnar events file "
                         "holds at most 256")
    # The compiled backend's reader: the same checks and messages as coord run's, and no
    # object per event or field on the common JSON Lines line (columns all the way).
    from coordlang.runtime.compiled.codec import Codec
    from coordlang.runtime.compiled.layout import Strings, event_layouts
    from coordlang.runtime.compiled.reader import KernelReader

    layouts, width_i, width_f = event_layouts(program)
    codec = Codec(Strings(), layouts, (width_i, width_f))
    try:
        with stream, KernelReader(program, codec, args.events, format=fmt, skip_bad=args.skip_bad,
                                  clock=lambda: math.nan) as reader:
            writer = FrameWriter(stream, program.events, args.frame_rows or FRAME_ROWS)
            for columns in reader:
                writer.add_kernel_columns(columns, codec)
            writer.flush()
        os.replace(partial, out)
    finally:
        if partial.exists():
            partial.unlink()
    seconds = time.perf_counter() - began
    bad = (f"; {reader.rejected:,} bad record{'s' if reader.rejected != 1 else ''} written to {args.skip_bad}"
           if args.skip_bad is not None else "")
    print(f"{out}: {writer.rows:,} event{'s' if writer.rows != 1 else ''} in {writer.frames} frame{'s' if writer.frames != 1 else ''} "
          f"from {reader.name}{bad} ({seconds:.2f} s)", file=sys.stderr)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("convert", help="convert input events to the columnar events file (.coordcols)",
                       description="Check EVENTS against FILE's event types and write them as a columnar "
                                   "events file, which coord run reads fastest.")
    p.add_argument("file", metavar="FILE", help="the .coord file whose event types the events have")
    p.add_argument("--events", required=True, metavar="EVENTS",
                   help="the input events: .jsonl/.json, .msgpack/.mpk, .csv or .coordcols; '-' reads standard input")
    p.add_argument("--out", required=True, metavar="OUT.coordcols", help="the columnar events file to write")
    p.add_argument("--format", choices=("jsonl", "msgpack", "csv", "columns"),
                   help="the events format, when the file's extension does not tell (JSON Lines for '-')")
    p.add_argument("--skip-bad", metavar="REJECTS.jsonl",
                   help="write bad input records here and go on, instead of stopping at the first")
    p.add_argument("--frame-rows", type=int, metavar="N", help="events per frame (default 1,000,000)")
    p.set_defaults(run=run)
