"""The benchmark workloads: deterministic generators, valid events, and every runner (the
peers and the interpreter) computing what the generator says must come out.

Small inputs only; the figures themselves come from ``coord bench``, never from tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.peers import coord  # noqa: E402
from benchmarks.workloads import columns  # noqa: E402
from benchmarks.workloads.orders import orders_handlers as handlers  # noqa: E402
from benchmarks.workloads.orders.generate import PROGRAM as ORDERS  # noqa: E402
from benchmarks.workloads.orders.generate import generate as generate_orders  # noqa: E402
from benchmarks.workloads.sensors.generate import PROGRAM as SENSORS  # noqa: E402
from benchmarks.workloads.sensors.generate import expected_alarms  # noqa: E402
from benchmarks.workloads.sensors.generate import generate as generate_sensors  # noqa: E402
from coordlang.ir.compile import compile_file  # noqa: E402


def tables_equal(a: columns.EventTable, b: columns.EventTable) -> bool:
    return (a.types == b.types and a.fields == b.fields and a.strings == b.strings
            and np.array_equal(a.type, b.type) and np.array_equal(a.time, b.time)
            and a.columns.keys() == b.columns.keys()
            and all(np.array_equal(a.columns[k], b.columns[k]) for k in a.columns))


@pytest.fixture(scope="module")
def orders():
    return generate_orders(3_000, seed=5)


@pytest.fixture(scope="module")
def orders_program():
    return compile_file(ORDERS)


# ---------------------------------------------------------------- generators

def test_orders_generator_is_deterministic(orders) -> None:
    again = generate_orders(3_000, seed=5)
    assert tables_equal(orders.table, again.table)
    assert orders.expected == again.expected
    assert np.array_equal(orders.status, again.status)
    assert not tables_equal(orders.table, generate_orders(3_000, seed=6).table)


def test_orders_mix_is_the_documented_one(orders) -> None:
    expected = orders.expected
    per_order = len(orders.table) / orders.instances
    assert 9.0 < per_order < 11.0
    assert expected["completed"] + expected["failed"] + expected["running"] == orders.instances
    assert expected["duplicate_start"] > 0 and expected["rejected"] > 0 and expected["running"] > 0
    # About 10% of the events are late (older than the clock) or unroutable.
    times = orders.table.time
    late = int((times < np.maximum.accumulate(times)).sum())
    assert 0.07 < (late + expected["unrouted"]) / len(times) < 0.13


def test_orders_events_are_valid_for_the_program(orders, orders_program, tmp_path: Path) -> None:
    """Written as JSON Lines and msgpack, every event reads back through ``coord run``'s reader
    (which checks it against the program's event declarations) with the generator's values."""
    from coordlang.runtime.events import read_events

    table = orders.table.slice(0, 5_000)
    rows = list(table.rows())
    for suffix in ("jsonl", "msgpack"):
        path = columns.write(table, tmp_path / f"orders.{suffix}")
        events = read_events(orders_program, path)
        assert [(e.type, e.time, e.fields) for e in events] == rows
    declared = {e.name: e.fields for e in orders_program.events}
    assert {t: declared[t] for t in table.types} == table.fields


def test_columnar_file_round_trips(orders, tmp_path: Path) -> None:
    path = columns.write(orders.table, tmp_path / "orders.columns.msgpack")
    assert tables_equal(columns.read_columns(path), orders.table)


def test_sensors_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    from coordlang.runtime.events import read_events

    data = generate_sensors(50, 20_000, seed=2)
    assert tables_equal(data.table, generate_sensors(50, 20_000, seed=2).table)
    assert np.all(np.diff(data.table.time) >= 0)  # no late readings
    path = columns.write(data.table.slice(0, 2_000), tmp_path / "readings.jsonl")
    events = read_events(compile_file(SENSORS), path)
    assert [(e.type, e.time, e.fields) for e in events] == list(data.table.rows(0, 2_000))
    assert len(expected_alarms(data)) > 10


# ---------------------------------------------------------------- handlers

def test_handler_twins_agree_with_the_handlers() -> None:
    rng = np.random.default_rng(0)
    amounts = np.round(rng.lognormal(4.0, 1.5, 2_000), 2)
    items = rng.integers(1, 16, 2_000)
    scores = handlers.score_many(amounts, items)
    assert all(handlers.score(a, i) == s for a, i, s in zip(amounts.tolist(), items.tolist(), scores.tolist()))
    ids = np.arange(1, 20_001, dtype=np.int64)
    fails = handlers.gateway_fails(ids)
    assert fails.tolist() == [handlers.gateway_fails_one(i) for i in ids.tolist()]
    assert 0.02 < fails.mean() < 0.04


def test_charge_fails_the_batch_and_names_the_rows() -> None:
    ids = np.arange(1, 200, dtype=np.int64)
    failing = handlers.gateway_fails(ids)
    good = ids[~failing]
    assert handlers.charge(good, np.full(len(good), 2.5)).tolist() == [2.5] * len(good)
    with pytest.raises(ConnectionError) as caught:
        handlers.charge(ids, np.ones(len(ids)))
    assert caught.value.failed.tolist() == failing.tolist()
    errors = caught.value.errors
    assert [e is not None for e in errors] == failing.tolist()
    for order, error in zip(ids.tolist(), errors):
        if error is not None:  # what a one-row call raises
            with pytest.raises(ConnectionError) as alone:
                handlers.charge(np.array([order]), np.ones(1))
            assert str(error) == str(alone.value)


def test_score_compiles_with_numba() -> None:
    import numba
    compiled = numba.njit(handlers.score)
    assert compiled(1900.0, 3) == handlers.score(1900.0, 3)
    assert compiled(1500.0, 12) == 1.0


# ---------------------------------------------------------------- runners agree

def check_orders(data, result) -> None:
    from benchmarks.run import check_orders as check

    assert result.stats() | {"seconds": 0} == data.expected | {"seconds": 0}
    assert check(data, result) == "ok"


def test_transitions_peer_computes_the_expected_outcomes(orders) -> None:
    from benchmarks.peers.transitions_orders import TransitionsOrders

    check_orders(orders, coord.run(TransitionsOrders, orders.table).result)


def test_interpreter_computes_the_expected_outcomes_like_transitions(orders, orders_program) -> None:
    from benchmarks.peers.transitions_orders import TransitionsOrders

    interpreted = coord.run(coord.executor_factory("interpreter", orders_program), orders.table, batch=777).result
    check_orders(orders, interpreted)
    peer = coord.run(TransitionsOrders, orders.table).result
    assert [o.as_json() for o in interpreted.outcomes] == [o.as_json() for o in peer.outcomes]


def test_pandas_peer_and_interpreter_find_the_expected_alarms() -> None:
    from benchmarks.peers import pandas_sensors
    from benchmarks.run import check_alarms

    data = generate_sensors(40, 30_000, seed=3)
    expected = expected_alarms(data)
    found, _ = pandas_sensors.run(pandas_sensors.frame(data))
    assert check_alarms(expected, found) == "ok"
    result = coord.run(coord.executor_factory("interpreter", compile_file(SENSORS)), data.table).result
    # The interpreter sums like the language says, left to right: its means are exact.
    assert [(o.key, o.value) for o in result.outcomes] == [(s, m) for s, m, _ in expected]
    assert result.counters["completed"] == len(expected)


def test_an_executor_with_feed_columns_gets_the_columns(orders, orders_program) -> None:
    from coordlang.runtime.interpreter import Interpreter

    slices = []

    class Columnar(Interpreter):
        def feed_columns(self, table: columns.EventTable) -> None:
            slices.append(len(table))
            for events in table.events():
                self.feed(events)

    result = coord.run(lambda: Columnar(orders_program), orders.table).result
    check_orders(orders, result)
    assert sum(slices) == len(orders.table)


def test_memory_per_instance_is_measured(orders, orders_program) -> None:
    make = coord.executor_factory("interpreter", orders_program)
    small = orders.table.slice(0, 3_000)
    per_instance = coord.bytes_per_instance(make, small, int((small.type == 0).sum()))
    assert 100 < per_instance < 100_000


def test_compiled_backend_is_reported_until_built_or_when_it_refuses() -> None:
    try:
        import coordlang.runtime.compiled  # noqa: F401
    except ModuleNotFoundError:
        with pytest.raises(coord.NotBuilt):
            coord.executor_factory("compiled", compile_file(ORDERS))
        return
    try:
        coord.executor_factory("compiled", compile_file(SENSORS))
    except coord.NotSupported as exc:
        assert "sensors.coord:" in str(exc) and "/" not in str(exc)


def test_coord_run_on_a_written_input_reports_the_expected_counts(tmp_path: Path, capsys) -> None:
    """The generator's file, end to end through ``coord run``: the same counters."""
    from benchmarks.workloads.__main__ import main

    events = tmp_path / "orders.jsonl"
    assert main(["orders", "1500", str(events), "--seed", "4"]) == 0
    expected = json.loads(capsys.readouterr().out)
    stats = tmp_path / "stats.json"
    result = subprocess.run([sys.executable, "-m", "coordlang", "run", str(ORDERS), "--events", str(events),
                             "--stats", str(stats)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    written = json.loads(stats.read_text())
    assert {k: written[k] for k in expected} == expected


# ---------------------------------------------------------------- coord bench

@pytest.mark.slow
def test_coord_bench_quick_prints_the_table(tmp_path: Path) -> None:
    """The quick suite, one run per figure, about 15 s on two cores. The compiled backend's
    rows are left out: how long they take is that backend's business (its own tests run it),
    and this test must stay short whatever state it is in."""
    out = tmp_path / "bench.json"
    only = [arg for name in ("transitions", "interpreter", "pandas", "reader") for arg in ("--only", name)]
    result = subprocess.run([sys.executable, "-m", "coordlang", "bench", "--quick", "--runs", "1", *only,
                             "--json", str(out)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "coord bench --quick" in result.stdout
    assert "ratios against BENCHMARKS.md" in result.stdout
    report = json.loads(out.read_text())
    rows = {(r["workload"], r["runner"], r["scale"]): r for r in report["rows"]}
    assert rows[("orders", "interpreter", 10_000)]["check"] == "ok"
    assert rows[("orders", "transitions", 10_000)]["bytes_per_instance"] > 0
    assert rows[("sensors", "pandas", 200_000)]["check"] == "ok"
    assert all(r["status"] == "ok" for r in report["rows"])
    assert {r["runner"] for r in report["rows"]} == {"transitions", "interpreter", "pandas", "reader .jsonl",
                                                     "reader .msgpack", "reader .coordcols", "kernel reader .jsonl",
                                                     "kernel reader .coordcols"}
    ratio = next(r for r in report["ratios"] if r["name"].startswith("orders: interpreter / transitions"))
    assert ratio["value"] is not None and math.isfinite(ratio["value"])


def test_start_up_rows_time_whole_processes_and_the_cached_one_is_held_to_0_8_s() -> None:
    """The interpreter's start-up row for real (a few processes of ``coord run``); the compiled
    rows compile a kernel into a cache of their own, which is too slow for a test, so the ratio
    is checked on a row as they would report it."""
    from benchmarks.report import Row, Sizes, ratios
    from benchmarks.run import run_suite

    report = run_suite("quick", ("start-up interpreter",), runs=2, memory=False)
    [row] = report.rows
    assert (row.workload, row.runner, row.status, row.check) == ("start-up", "interpreter", "ok", "ok")
    assert len(row.seconds) == 2 and all(0 < s < 60 for s in row.seconds)
    assert row.rate is None or row.rate == 0  # a start-up row has no events/s
    cached = Row("start-up", "compiled, cached", "payment_retries", 0, seconds=[1.6, 1.5, 1.7], check="ok")
    sizes = Sizes(orders=10, orders_side_by_side=10, sensors=1, readings=1, readings_side_by_side=1, runs=3)
    [ratio] = [r for r in ratios([cached], sizes) if r.name.startswith("start-up")]
    assert ratio.value == pytest.approx(0.8 / 1.6) and ratio.verdict() == "short by 2.0×"
