"""Generated input events for the orders workload, and the throughput of reading them.

``python benchmarks/gen_events.py [N] [--format jsonl|msgpack|csv] [--keep FILE]`` writes N
order events (default 1,000,000) of ``examples/order_saga`` in event-time order and reports
how fast :class:`coordlang.runtime.events.EventReader` reads them back (median of three
runs). The program is built from the event declarations alone, so this measures reading and
checking events, not the compiler or an executor.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coordlang.ir.nodes import EventDef, Program

ORDER_EVENTS = (
    EventDef("OrderPlaced", (("order_id", "str"), ("customer", "str"), ("amount", "float"), ("items", "int"),
                             ("vip", "bool"))),
    EventDef("PaymentOk", (("order_id", "str"), ("amount", "float"))),
    EventDef("PaymentFailed", (("order_id", "str"), ("reason", "str"))),
    EventDef("Delivered", (("order_id", "str"), ("signed_by", "str"), ("intact", "bool"))),
)

START = 1_767_607_200  # 2026-01-05T10:00:00Z


def orders_program() -> Program:
    """A program with the order events only: enough to read and check them."""
    return Program(events=ORDER_EVENTS, handlers=(), policies=(), machines=(), reactions=(), streams=(), spans=())


def order_records(n: int, seed: int = 7) -> list[dict]:
    """``n`` order event records in time order: each order is placed, then (mostly) paid and
    delivered; a few payments fail and about 10% of the follow-ups name no known order."""
    rng = random.Random(seed)
    out: list[dict] = []
    order = 0
    t = START
    open_orders: list[tuple[str, float]] = []
    while len(out) < n:
        t += 1
        if not open_orders or rng.random() < 0.34:
            order += 1
            oid = f"o-{order}"
            amount = round(rng.uniform(5, 500), 2)
            open_orders.append((oid, amount))
            out.append({"event": "OrderPlaced", "time": _rfc3339(t), "order_id": oid,
                        "customer": f"c-{rng.randrange(100_000)}", "amount": amount,
                        "items": rng.randint(1, 9), "vip": rng.random() < 0.1})
            continue
        oid, amount = open_orders.pop(rng.randrange(len(open_orders)))
        if rng.random() < 0.1:
            oid = f"x-{rng.randrange(1_000_000)}"
        if rng.random() < 0.03:
            out.append({"event": "PaymentFailed", "time": _rfc3339(t), "order_id": oid, "reason": "card declined"})
            continue
        out.append({"event": "PaymentOk", "time": _rfc3339(t), "order_id": oid, "amount": amount})
        if len(out) < n:
            out.append({"event": "Delivered", "time": _rfc3339(t + 1), "order_id": oid,
                        "signed_by": "front desk", "intact": rng.random() < 0.98})
    return out[:n]


def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def write_events(records: list[dict], path: Path, fmt: str = "jsonl") -> Path:
    """Write records as JSON Lines (``json.dumps`` layout, as people write them), msgpack or CSV."""
    if fmt == "jsonl":
        import json

        with open(path, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")
    elif fmt == "msgpack":
        import msgpack

        with open(path, "wb") as f:
            packer = msgpack.Packer()
            for r in records:
                f.write(packer.pack(r))
    elif fmt == "csv":
        columns = ["event", "time"] + sorted({name for e in ORDER_EVENTS for name, _ in e.fields})
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in records:
            writer.writerow(["" if r.get(c) is None else str(r[c]).lower() if isinstance(r.get(c), bool) else r[c]
                             for c in columns])
        path.write_text(buf.getvalue(), encoding="utf-8")
    else:
        raise ValueError(fmt)
    return path


def measure(path: Path, fmt: str, runs: int = 3) -> tuple[int, float]:
    """(events, median seconds) of reading ``path`` completely."""
    from coordlang.runtime.events import EventReader

    program = orders_program()
    times = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        with EventReader(program, path, format=fmt) as reader:
            count = sum(len(batch) for batch in reader)
        times.append(time.perf_counter() - start)
    return count, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--format", choices=["jsonl", "msgpack", "csv"], default="jsonl")
    parser.add_argument("--keep", type=Path, help="write the events here and keep them")
    args = parser.parse_args(argv)
    records = order_records(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / f"orders.{args.format}"
        write_events(records, path, args.format)
        size = path.stat().st_size
        count, seconds = measure(path, args.format)
    print(f"{count:,} events ({size / count:.0f} bytes each, {args.format}) read in {seconds:.2f} s: "
          f"{count / seconds / 1e6:.2f} M events/s, {size / seconds / 1e6:.0f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
