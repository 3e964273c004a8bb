"""``coord bench``: the benchmark suite of ``BENCHMARKS.md`` (``benchmarks/run.py``).

The suite lives in the source checkout, beside the ``coordlang`` package, not in the installed
package: it needs its workloads' handlers and generators, and numpy, pandas and transitions (the
``bench`` extra).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from coordlang.errors import CoordError

CHECKOUT = Path(__file__).resolve().parents[2]


def _harness():
    if not (CHECKOUT / "benchmarks" / "run.py").is_file():
        raise CoordError(f"coord bench runs from a source checkout: no benchmarks/run.py in {CHECKOUT}; "
                         "clone the repository and pip install -e '.[bench]'")
    if importlib.util.find_spec("numpy") is None:  # the workloads' generators need it
        raise CoordError("coord bench needs numpy: pip install -e '.[bench]'")
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    return importlib.import_module("benchmarks.run")


def run(args) -> int:
    return _harness().execute(args)


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="run the benchmark suite (BENCHMARKS.md) and print the figures",
                       description="Run the workloads of BENCHMARKS.md on coord's executors and on their peers "
                                   "(transitions, pandas), side by side; print events/s, bytes per instance and "
                                   "the ratios against the targets. Exit 1 when a run's result is wrong.")
    add_arguments(p)
    p.set_defaults(run=run)


def add_arguments(parser) -> None:
    """The options of ``coord bench`` (also ``python -m benchmarks.run``'s)."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="small inputs, 3 runs, under a minute (the default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="BENCHMARKS.md sizes where they fit (minutes)")
    parser.set_defaults(mode="quick")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="only rows whose workload or runner contains NAME (orders, sensors, read, end to end, start-up, "
                             "interpreter, transitions, pandas, compiled); repeatable")
    parser.add_argument("--runs", type=int, help="runs per figure (default: 3 quick, 5 full)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the report as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="log each run to standard error")
