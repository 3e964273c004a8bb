"""Every example runs on the compiled backend to the interpreter's outcomes and counters (fed
whole and fed one event at a time). The orders benchmark workload, at a small size, too (fed
Event objects and fed the event table's columns)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dual import ROOT, assert_same, compiled, interpret, program

from coordlang.runtime.compiled import CompiledExecutor
from coordlang.runtime.events import read_events

EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/*.coord") if p.stem == p.parent.name)


def example(folder: Path):
    prog = program(folder / f"{folder.name}.coord")
    return prog, read_events(prog, folder / "events.jsonl")


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_matches_the_interpreter(folder: Path) -> None:
    prog, events = example(folder)
    expected = interpret(prog, events)
    assert_same(expected, compiled(prog, events))
    assert_same(expected, compiled(prog, events, cuts=range(len(events))))


def test_orders_workload_matches_the_interpreter_and_the_generator() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import benchmarks.workloads.orders.generate as generate
    orders = generate.generate(1500, seed=3)
    prog = program(generate.PROGRAM)
    batches = list(orders.table.events(1000))
    events = [e for batch in batches for e in batch]
    expected = interpret(prog, events)
    cuts = [1000 * n for n in range(1, len(batches))]
    actual = compiled(prog, events, cuts=cuts)
    assert_same(expected, actual)
    for name, count in orders.expected.items():
        if name in actual.counters:
            assert actual.counters[name] == count, name
    columnar = CompiledExecutor(prog)
    for start in range(0, len(orders.table), 4000):
        columnar.feed_columns(orders.table.slice(start, min(start + 4000, len(orders.table))))
    assert_same(expected, columnar.finish())


def test_sensors_workload_matches_the_interpreter_and_the_generator() -> None:
    """Fed as the benchmark feeds it (the table's own columns, in slices) and as Event objects."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import benchmarks.workloads.sensors.generate as generate
    data = generate.generate(300, 20_000, seed=5)
    prog = program(generate.PROGRAM)
    events = [e for batch in data.table.events(5000) for e in batch]
    expected = interpret(prog, events)
    alarms = generate.expected_alarms(data)
    assert len(alarms) > 10
    assert [(o.key, o.value) for o in expected.outcomes] == [(s, m) for s, m, _ in alarms]
    assert_same(expected, compiled(prog, events, cuts=[5000, 12_345]))
    columnar = CompiledExecutor(prog)
    for start in range(0, len(data.table), 3000):
        columnar.feed_columns(data.table.slice(start, min(start + 3000, len(data.table))))
    assert_same(expected, columnar.finish())
