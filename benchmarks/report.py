"""What ``coord bench`` reports: a row per runner and input, the ratios against
``BENCHMARKS.md``'s targets, the machine, and the tables it prints."""

from __future__ import annotations

import importlib
import os
import platform
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Sizes:
    orders: int
    """Orders for the compiled backend's own figure (BENCHMARKS: 1 M orders, 10 M events)."""
    orders_side_by_side: int
    """Orders for the side-by-side runs of every orders runner (the slow peers bound it)."""
    sensors: int
    readings: int
    """Readings for pandas and the compiled backend (BENCHMARKS: 10 k sensors, 50 M)."""
    readings_side_by_side: int
    """Readings for the side-by-side runs that include the interpreter."""
    runs: int


@dataclass(slots=True)
class Row:
    """One runner on one input: a line of the table."""

    workload: str
    runner: str
    input: str
    """What it ran on: ``10k orders, 101k events``."""
    events: int
    scale: int = 0
    """Orders, or readings: what the ratios match rows by."""
    status: str = "ok"
    """``ok``, ``not built``, ``not installed`` or ``error: ...``."""
    seconds: list[float] = field(default_factory=list)
    """Each run's processing time."""
    bytes_per_instance: float | None = None
    check: str = ""
    """``ok`` when every run's result is what the generator expects, else what differs."""
    note: str = ""

    @property
    def rate(self) -> float | None:
        """Median events per second."""
        if not self.seconds:
            return None
        return self.events / statistics.median(self.seconds)

    def as_json(self) -> dict:
        return {**asdict(self), "events_per_second": self.rate,
                "median_seconds": statistics.median(self.seconds) if self.seconds else None}


@dataclass(slots=True)
class Ratio:
    name: str
    value: float | None
    target: float | None
    """The ratio ``BENCHMARKS.md`` asks for (None: informational)."""
    how: str
    """What is divided by what, and at which size."""

    def verdict(self) -> str:
        if self.value is None:
            return "not measurable"
        if self.target is None:
            return ""
        if self.value >= self.target:
            return "met"
        return f"short by {self.target / self.value:.1f}×"

    def as_json(self) -> dict:
        return {"name": self.name, "value": self.value, "target": self.target, "how": self.how,
                "verdict": self.verdict()}


@dataclass(slots=True)
class Report:
    mode: str
    sizes: Sizes
    machine: dict
    started: str
    rows: list[Row] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {"mode": self.mode, "sizes": asdict(self.sizes), "machine": self.machine, "date": self.started,
                "seconds": self.seconds, "rows": [r.as_json() for r in self.rows],
                "ratios": [r.as_json() for r in self.ratios]}


def ratios(rows: list[Row], sizes: Sizes) -> list[Ratio]:
    def find(workload: str, runner: str, scale: int) -> Row | None:
        """The row, when it ran and its results were right."""
        for row in rows:
            if (row.workload, row.runner, row.scale) == (workload, runner, scale) and row.rate and row.check == "ok":
                return row
        return None

    def speed(a: Row | None, b: Row | None) -> float | None:
        return a.rate / b.rate if a and b and a.rate and b.rate else None

    side = f"{short_count(sizes.orders_side_by_side)} orders"
    out = []
    interp, trans, comp = (find("orders", r, sizes.orders_side_by_side)
                           for r in ("interpreter", "transitions", "compiled"))
    comp_full = find("orders", "compiled", sizes.orders) or comp
    out.append(Ratio("orders: interpreter / transitions, events/s", speed(interp, trans), None, side))
    out.append(Ratio("orders: compiled / interpreter, events/s", speed(comp, interp), 100.0, side))
    out.append(Ratio("orders: compiled / transitions, events/s", speed(comp, trans), 300.0, side))
    memory = (trans.bytes_per_instance / comp.bytes_per_instance
              if trans and comp and trans.bytes_per_instance and comp.bytes_per_instance else None)
    out.append(Ratio("orders: transitions / compiled, bytes per instance", memory, 50.0, side))
    memory_i = (trans.bytes_per_instance / interp.bytes_per_instance
                if trans and interp and trans.bytes_per_instance and interp.bytes_per_instance else None)
    out.append(Ratio("orders: transitions / interpreter, bytes per instance", memory_i, None, side))
    rate = comp_full.rate / 30e6 if comp_full and comp_full.rate else None
    out.append(Ratio("orders: compiled, events/s vs 30 M", rate, 1.0, f"{short_count(sizes.orders)} orders"))
    for runner, target in (("compiled .jsonl", 1e6), ("compiled .coordcols", 10e6)):
        row = find("end to end", runner, sizes.orders) or find("end to end", runner, sizes.orders_side_by_side)
        at = f"{short_count(row.scale)} orders" if row else side
        out.append(Ratio(f"orders end to end from {runner.split()[1]}, events/s vs {target / 1e6:g} M",
                         row.rate / target if row and row.rate else None, 1.0, at))
        memory = find("end to end", "compiled from memory", row.scale) if row else None
        out.append(Ratio(f"orders end to end from {runner.split()[1]} / from memory, events/s", speed(row, memory),
                         None, at))
    cached = next((r for r in rows if (r.workload, r.runner) == ("start-up", "compiled, cached") and r.seconds
                   and r.check == "ok"), None)
    out.append(Ratio("start-up, cached: 0.8 s / whole-process seconds",
                     0.8 / statistics.median(cached.seconds) if cached else None, 1.0, "payment_retries, compiled"))
    small = f"{short_count(sizes.sensors)} sensors, {short_count(sizes.readings_side_by_side)} readings"
    big = f"{short_count(sizes.sensors)} sensors, {short_count(sizes.readings)} readings"
    out.append(Ratio("sensors: interpreter / pandas, readings/s",
                     speed(find("sensors", "interpreter", sizes.readings_side_by_side),
                           find("sensors", "pandas", sizes.readings_side_by_side)), None,
                     small))
    comp_s = find("sensors", "compiled", sizes.readings)
    out.append(Ratio("sensors: compiled / pandas, readings/s", speed(comp_s, find("sensors", "pandas", sizes.readings)), 3.0,
                     big))
    out.append(Ratio("sensors: compiled, readings/s vs 100 M", comp_s.rate / 100e6 if comp_s and comp_s.rate else None,
                     1.0, big))
    return out


def _times(value: float) -> str:
    """``1.30×``, ``0.0044×``: small ratios keep two significant digits."""
    return f"{value:,.2f}×" if value >= 0.1 else f"{value:.2g}×"


def short_count(n: int) -> str:
    """``950``, ``10k``, ``101k``, ``1M``, ``10.1M``."""
    if n < 1_000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1_000:.0f}k" if n >= 10_000 or n % 1_000 == 0 else f"{n / 1_000:.1f}k"
    return f"{n / 1_000_000:.0f}M" if n % 1_000_000 == 0 else f"{n / 1_000_000:.1f}M"


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("numpy", "numba", "pandas", "transitions"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except Exception:
            versions[name] = None
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), **versions}


# ---------------------------------------------------------------- output

def render(report: Report, console=None) -> None:
    """The figures and the ratios as two tables."""
    import sys

    from rich.console import Console
    from rich.table import Table

    # Piped output (CI logs) gets room for the columns instead of rich's 80.
    console = console or Console(width=None if sys.stdout.isatty() else 120)
    table = Table(title=f"coord bench --{report.mode}: medians of {report.sizes.runs} runs")
    for name, justify in (("workload", "left"), ("runner", "left"), ("input", "left"), ("events/s", "right"),
                          ("median s", "right"), ("bytes/instance", "right"), ("check", "left")):
        table.add_column(name, justify=justify, no_wrap=name != "check")
    for row in report.rows:
        if row.status != "ok":
            table.add_row(row.workload, row.runner, row.input, "", "", "", row.status)
            continue
        rate = f"{row.rate:,.0f}" if row.rate else "–"
        median = f"{statistics.median(row.seconds):.3f}" if row.seconds else "–"
        memory = f"{row.bytes_per_instance:,.0f}" if row.bytes_per_instance else ""
        table.add_row(row.workload, row.runner, row.input, rate, median, memory,
                      row.check + (f"; {row.note}" if row.note else ""))
    console.print(table)
    ratios = Table(title="ratios against BENCHMARKS.md")
    for name, justify in (("ratio", "left"), ("measured", "right"), ("target", "right"), ("verdict", "left"),
                          ("at", "left")):
        ratios.add_column(name, justify=justify)
    for ratio in report.ratios:
        value = _times(ratio.value) if ratio.value is not None else "–"
        target = f"≥ {ratio.target:g}×" if ratio.target is not None else ""
        ratios.add_row(ratio.name, value, target, ratio.verdict(), ratio.how)
    console.print(ratios)
    m = report.machine
    console.print(f"{report.started} · {m['cpu']}, {m['cores']} cores · Python {m['python']} · "
                  f"numpy {m['numpy']} · numba {m['numba'] or 'not installed'} · suite {report.seconds:.0f} s")
