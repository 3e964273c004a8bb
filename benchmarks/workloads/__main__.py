"""Write a workload's generated input to a file, for ``coord run`` or another tool.

    python -m benchmarks.workloads orders N OUT [--seed S]
    python -m benchmarks.workloads sensors SENSORS READINGS OUT [--seed S]

``OUT`` ends in ``.jsonl``, ``.msgpack`` or ``.coordcols`` (see ``columns.py``). Prints
the counts the run must report (orders) or the number of alarms (sensors).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.workloads import columns  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workloads", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="workload", required=True)
    orders = sub.add_parser("orders", help="N orders of orders.coord")
    orders.add_argument("n", type=int)
    sensors = sub.add_parser("sensors", help="readings of sensors.coord")
    sensors.add_argument("sensors", type=int)
    sensors.add_argument("readings", type=int)
    for p in (orders, sensors):
        p.add_argument("out", type=Path)
        p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    if args.workload == "orders":
        from benchmarks.workloads.orders.generate import PROGRAM, generate

        data = generate(args.n, args.seed)
        table, summary = data.table, data.expected
    else:
        from benchmarks.workloads.sensors.generate import PROGRAM, expected_alarms, generate

        data = generate(args.sensors, args.readings, args.seed)
        table, summary = data.table, {"alarms": len(expected_alarms(data)), "events": len(data.table)}
    made = time.perf_counter()
    columns.write(table, args.out)
    print(f"{args.out}: {len(table):,} events for {PROGRAM.name}, generated in {made - began:.1f} s, "
          f"written in {time.perf_counter() - made:.1f} s", file=sys.stderr)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
