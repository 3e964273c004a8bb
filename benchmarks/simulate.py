"""``coord simulate`` on both engines: universes and events per second.

    python -m benchmarks.simulate [--universes N] [--runs R] [--json OUT]

For each example with a ``simulate.toml`` and for the orders workload's spec (a program with
no barrier, with a jit and a batch handler), the same universes run on the interpreter and on
the compiled backend (one worker each; the kernel loaded from the cache, its compile not
timed, the executor's build timed apart). Each figure is the median of ``--runs`` runs; each
compiled run's report is checked to equal the interpreter's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import machine  # noqa: E402
from coordlang.ir.compile import compile_file  # noqa: E402
from coordlang.runtime.compiled.support import ensure_supported  # noqa: E402
from coordlang.runtime.handlers import bind_handlers  # noqa: E402
from coordlang.runtime.simulation import load_spec, report, run_universes  # noqa: E402
from coordlang.runtime.simulation.compiled import SimulationExecutor  # noqa: E402

SPECS = sorted(ROOT.glob("examples/*/simulate.toml")) + [ROOT / "benchmarks/workloads/orders/simulate.toml"]


def measure(spec_path: Path, universes: int, runs: int) -> dict:
    file = spec_path.parent / f"{spec_path.parent.name}.coord"
    program = compile_file(file)
    spec = dataclasses.replace(load_spec(spec_path, program), universes=universes)
    handlers = bind_handlers(program)
    SimulationExecutor(program, spec, handlers)  # compiles the kernel into the cache, untimed
    began = time.perf_counter()
    compiled = SimulationExecutor(program, spec, handlers)
    build = time.perf_counter() - began
    seconds: dict[str, list[float]] = {"interpreter": [], "compiled": []}
    documents = {}
    for _ in range(runs):
        for backend in ("interpreter", "compiled"):
            began = time.perf_counter()
            results = run_universes(program, spec, 1, handlers, backend=backend,
                                    compiled=compiled if backend == "compiled" else None)
            seconds[backend].append(time.perf_counter() - began)
            documents[backend] = report(program, spec, str(file), results, engine=backend)
            events = sum(r.events for r in results)
    documents["compiled"]["engine"] = "interpreter"
    if documents["compiled"] != documents["interpreter"]:
        raise SystemExit(f"{spec_path}: the engines' reports differ")
    row = {"program": file.name, "universes": universes, "events": events,
           "barriers": bool(ensure_supported(program).barriers), "compiled_build_seconds": round(build, 3)}
    for backend, values in seconds.items():
        median = statistics.median(values)
        row[backend] = {"seconds": round(median, 3), "universes_per_second": round(universes / median, 1),
                        "events_per_second": round(events / median)}
    row["compiled_speedup"] = round(row["interpreter"]["seconds"] / row["compiled"]["seconds"], 2)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--universes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    rows = []
    print("| program | universes | events | barriers | interpreter universes/s (events/s) | "
          "compiled universes/s (events/s) | compiled ÷ interpreter |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
    for spec_path in SPECS:
        row = measure(spec_path, args.universes, args.runs)
        rows.append(row)
        i, c = row["interpreter"], row["compiled"]
        print(f"| {row['program']} | {row['universes']} | {row['events']:,} | {'yes' if row['barriers'] else 'no'} | "
              f"{i['universes_per_second']:,} ({i['events_per_second']:,}) | "
              f"{c['universes_per_second']:,} ({c['events_per_second']:,}) | {row['compiled_speedup']}× |",
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                               "machine": machine(), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
