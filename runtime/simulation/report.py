"""Aggregating universes into distributions, and the JSON that holds them.

The JSON (schema in ``docs/cli.md``, "coord simulate") is a function of the program, the spec
and the seed alone: it holds no wall time and no absolute path, its keys come in a fixed order
and its floats are rounded to microseconds, so the same seed writes the same bytes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import COUNTERS
from coordlang.runtime.handlers import place
from coordlang.runtime.simulation.spec import Spec
from coordlang.runtime.simulation.universe import UniverseResult

QUANTILES = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
ENDED = ("completed", "failed", "compensated", "cancelled")
SCHEMA = 1


def percentile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolating linearly between the two nearest
    ranks (numpy's default, so the numbers match what a notebook computes)."""
    if len(ordered) == 1:
        return ordered[0]
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float] | list[int], total: bool = False) -> dict[str, object]:
    """count, mean, min, p50, p95, p99, max (and the sum, for counts) of ``values``; the
    figures are null when there are none. Counts (ints) keep their min, max and total ints."""
    ordered = sorted(values)
    out: dict[str, object] = {"count": len(ordered)}
    if total:
        out["total"] = _round(sum(ordered) if all(type(v) is int for v in ordered) else math.fsum(ordered))
    if not ordered:
        out.update({"mean": None, "min": None, **{name: None for name, _ in QUANTILES}, "max": None})
        return out
    out["mean"] = _round(math.fsum(ordered) / len(ordered))
    out["min"] = _round(ordered[0])
    for name, q in QUANTILES:
        out[name] = _round(percentile(ordered, q))
    out["max"] = _round(ordered[-1])
    return out


def report(program: ir.Program, spec: Spec, file: str, results: list[UniverseResult],
           instances: bool = False, engine: str = "interpreter") -> dict[str, object]:
    """The simulation's JSON object; ``instances``: each universe's instances too; ``engine``:
    the backend that ran them (the only figure that differs between the two)."""
    out: dict[str, object] = {
        "schema": SCHEMA,
        "program": Path(file).name,
        "spec": Path(spec.path).name,
        "engine": engine,
        "seed": spec.seed,
        "universes": len(results),
        "start": _round(spec.start),
        "horizon": None if spec.horizon is None else _round(spec.horizon),
        "events": summary([r.events for r in results], total=True),
        "outcomes": {name: summary([int(r.counters.get(name, 0)) for r in results], total=True)
                     for name in COUNTERS},
        "workflows": _workflows(results),
        "steps": _steps(program, results),
        "handlers": _handlers(program, results),
        "reaction_faults": sum(len(r.faults) for r in results),
    }
    out["per_universe"] = [_universe(spec, r, instances) for r in results]
    return out


def _workflows(results: list[UniverseResult]) -> dict[str, object]:
    names: list[str] = []
    durations: dict[str, dict[str, list[float]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        for inst in result.instances:
            if inst.workflow not in durations:
                names.append(inst.workflow)
                durations[inst.workflow] = {status: [] for status in ENDED}
                counts[inst.workflow] = {status: 0 for status in (*ENDED, "running")}
            counts[inst.workflow][inst.status] += 1
            if inst.end is not None:
                durations[inst.workflow][inst.status].append(inst.end - inst.start)
    out: dict[str, object] = {}
    for name in sorted(names):
        by_status = durations[name]
        out[name] = {
            "instances": sum(counts[name].values()),
            "statuses": counts[name],
            "completion": summary([d for status in ENDED for d in by_status[status]]),
            "completion_by_status": {status: summary(by_status[status]) for status in ENDED},
        }
    return out


def _steps(program: ir.Program, results: list[UniverseResult]) -> list[dict[str, object]]:
    durations: dict[tuple, list[float]] = {}
    statuses: dict[tuple, dict[str, int]] = {}
    for result in results:
        for key, values in result.steps.items():
            durations.setdefault(key, []).extend(values)
            merged = statuses.setdefault(key, {})
            for status, n in result.statuses[key].items():
                merged[status] = merged.get(status, 0) + n
    ordered = sorted(durations, key=lambda k: (k[0], k[3] if k[3] >= 0 else math.inf, k[1], k[2]))
    return [{"workflow": workflow, "kind": kind, "name": name, "where": _where(program, sid),
             "statuses": {s: statuses[(workflow, kind, name, sid)][s] for s in sorted(statuses[(workflow, kind, name, sid)])},
             "seconds": summary(durations[(workflow, kind, name, sid)])}
            for workflow, kind, name, sid in ordered]


def _handlers(program: ir.Program, results: list[UniverseResult]) -> dict[str, object]:
    out: dict[str, object] = {}
    for handler in program.handlers:
        tallies = [r.handlers[handler.name] for r in results if handler.name in r.handlers]
        if not tallies:
            continue
        injected: dict[str, int] = {}
        latencies: list[float] = []
        for tally in tallies:
            for name, n in tally.injected.items():
                injected[name] = injected.get(name, 0) + n
            latencies.extend(tally.latencies)
        out[handler.name] = {
            "attempts": sum(t.attempts for t in tallies),
            "failed": sum(t.failed for t in tallies),
            "injected": {name: injected[name] for name in sorted(injected)},
            "timed_out": sum(t.timed_out for t in tallies),
            "latency": summary(latencies),
        }
    return out


def _universe(spec: Spec, result: UniverseResult, instances: bool) -> dict[str, object]:
    out: dict[str, object] = {"universe": result.index, "seed": result.seed, "events": result.events,
                              "counters": {name: result.counters.get(name, 0) for name in COUNTERS}}
    if instances:
        out["instances"] = [{"workflow": i.workflow, "version": i.version, "key": i.key, "status": i.status,
                             "start": _round(i.start - spec.start),
                             "end": None if i.end is None else _round(i.end - spec.start)}
                            for i in result.instances]
    return out


def _where(program: ir.Program, sid: int) -> str:
    """``file.coord:LINE`` of a step (no folder: the JSON does not depend on where it ran);
    empty for a compensation, which has no place of its own."""
    if sid < 0:
        return ""
    shown = place(program, sid)
    path, _, rest = shown.rpartition(".coord:")
    if not path:
        return shown
    return f"{Path(path).name}.coord:{rest.split(':')[0]}"


def _round(value: float) -> float:
    if type(value) is int:
        return value
    return round(value, 6) + 0.0  # + 0.0: no "-0.0"


def dumps(document: dict[str, object]) -> str:
    """The JSON text, with its final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
