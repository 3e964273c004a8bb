"""Generated event streams on both backends: the compiled one must report exactly the
interpreter's outcomes (in start order, with values and messages) and counters.

Streams are drawn per program from a small vocabulary (few keys, so events collide; field
values that make handlers fail or guards go both ways), with every kind of disorder: repeated
and duplicated events, late events (older than the clock), events for instances that ended or
never started, long gaps that fire timers, and undeclared event types. The compiled backend is
fed in random batches (parking and deferral cross batch boundaries), with a random inbox size,
and sometimes stopped with ``until``.

Sizing: the ``ci`` profile's examples per test (``COORD_HYPOTHESIS_PROFILE=long`` for many more).
"""

from __future__ import annotations

import json

from dual import PROGRAMS, ROOT, assert_same, compiled, interpret, program
from hypothesis import given
from hypothesis import strategies as st

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Event

T0 = 1_780_000_000.0
GAPS = (0.0, 0.0, 0.25, 1.0, 2.0, 5.0, 30.0, 61.0, 95.0, 600.0, 3_600.0, 86_400.0, 3 * 86_400.0)
SHORT_GAPS = (0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 2.0, 2.5, 3.0, 10.0)
LATE = (0.0, 0.0, 0.0, 0.0, 0.5, 20.0, 4_000.0)


def example_vocabulary(name: str, keys: int = 3) -> dict[tuple[str, str], list]:
    """Per (event type, field), the values the example's own events use (key fields cut to a
    few values, so that generated events meet the same instances)."""
    values: dict[tuple[str, str], list] = {}
    for line in (ROOT / "examples" / name / "events.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            kind = record.pop("event")
            record.pop("time", None)
            for field, value in record.items():
                seen = values.setdefault((kind, field), [])
                if value not in seen:
                    seen.append(value)
    prog = program(ROOT / "examples" / name / f"{name}.coord")
    key_fields = {m.key for m in prog.machines}
    pools: dict[str, list] = {}
    for (kind, field), seen in values.items():
        if field in key_fields:
            pools.setdefault(field, [])
            for value in seen:
                if value not in pools[field] and len(pools[field]) < keys:
                    pools[field].append(value)
    for (kind, field) in values:
        if field in pools:
            values[(kind, field)] = pools[field]
    return values


PROGRAM_VOCABULARY = {
    "waits": {
        "id": ["a", "b"], "seq": [1, 2], "limit": [0, 1, 2, 3], "wait": [0.0, 5.0, 40.0],
        "n": [0, 1, 3], "price": [-1.0, 0.0, 2.5, 10.0], "reason": ["", "stop", "late"],
    },
    "steps": {
        "id": ["a", "b", "c"], "n": list(range(0, 20)), "x": [0.0, 1.5, 40.0, 70.0],
    },
    "parks": {"ref": ["a", "b"], "n": [0, 1, 2, 4, 5, 7, 8]},
    "forks": {"id": ["a", "b"], "n": [0, 1, 2, 3, 4, 5, 8]},
    "nests": {"ref": ["a", "b"], "n": [0, 1, 2, 3, 4, 5, 7, 8]},
    "emits": {"ref": ["a", "b", "a+"], "n": [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "x": [0.0, 1.5],
              "text": ["", "ok"], "ok": [True, False]},
    "windows": {"site": ["a", "b"], "n": [0, 1, 2, 5, 9], "x": [10.0, 45.5, 70.0, 99.0], "tag": ["p", "q"],
                "kind": ["level"], "value": [70.0], "count": [2], "text": ["t"]},
    "fanouts": {"ref": ["a", "b"], "n": [-1, 0, 1, 2, 3, 4, 5, 7, 8], "ok": [True, False]},
    "calls": {"ref": ["a", "b"], "id": ["x", "y"], "n": [0, 1, 2, 3, 4, 5, 7, 8, 9]},
    "scatter_gather": {"request_id": ["a", "b"], "id": ["a", "b"], "weight": [1.0, 2.5], "value": [1.0, 15.0],
                       "expected": [3], "received": [2, 3], "partial": [True, False]},
}


def streams(prog: ir.Program, vocabulary, max_events: int = 24, gaps: tuple[float, ...] = GAPS):
    """Lists of events of ``prog``'s types (and now and then an undeclared one)."""
    by_name = {e.name: e for e in prog.events}

    def values(event: ir.EventDef, field: str, kind: str):
        if isinstance(vocabulary, dict) and (event.name, field) in vocabulary:
            options = vocabulary[(event.name, field)]
        else:
            options = vocabulary.get(field) if isinstance(vocabulary, dict) else None
        if not options:
            options = {"int": [0, 1, 2], "float": [0.0, 1.0, 50.0], "bool": [True, False], "str": ["", "x"],
                       "duration": [0.0, 10.0], "time": [T0]}[kind]
        if kind in ("float", "duration", "time"):
            options = [float(v) for v in options]
        return st.sampled_from(options)

    def one(name: str):
        if name == "Undeclared":
            return st.just({})
        event = by_name[name]
        return st.fixed_dictionaries({f: values(event, f, k) for f, k in event.fields})

    @st.composite
    def draw_stream(draw):
        count = draw(st.integers(0, max_events))
        names = sorted(by_name) + ["Undeclared"]
        out: list[Event] = []
        clock = T0
        for _ in range(count):
            if out and draw(st.integers(0, 9)) == 0:
                copy = draw(st.sampled_from(out))  # a duplicate, delivered again later
                clock += draw(st.sampled_from(gaps))
                out.append(Event(copy.type, clock, dict(copy.fields)))
                continue
            name = draw(st.sampled_from(names))
            clock += draw(st.sampled_from(gaps))
            when = clock - draw(st.sampled_from(LATE))
            out.append(Event(name, when, draw(one(name))))
        return out

    return draw_stream()


def runs(prog: ir.Program, vocabulary, max_events: int = 24, gaps: tuple[float, ...] = GAPS):
    """(events, batch cuts, inbox capacity, until) to run both backends on."""

    @st.composite
    def draw(d):
        events = d(streams(prog, vocabulary, max_events, gaps))
        cuts = d(st.lists(st.integers(0, max(len(events), 1)), max_size=4))
        inbox = d(st.sampled_from([16, 16, 16, 1, 2]))
        until = None
        if events and d(st.integers(0, 4)) == 0:
            until = max(e.time for e in events) + d(st.sampled_from([0.0, 30.0, 3_600.0]))
        return events, cuts, inbox, until

    return draw()


def check(prog: ir.Program, run) -> None:
    events, cuts, inbox, until = run
    expected = interpret(prog, events, inbox=inbox, until=until)
    assert_same(expected, compiled(prog, events, inbox=inbox, until=until, cuts=cuts))


APPROVAL = program(ROOT / "examples" / "approval_flow" / "approval_flow.coord")
PAYMENTS = program(ROOT / "examples" / "payment_retries" / "payment_retries.coord")
WAITS = program(PROGRAMS / "waits.coord")
STEPS = program(PROGRAMS / "steps.coord")
PARKS = program(PROGRAMS / "parks.coord")
FORKS = program(PROGRAMS / "forks.coord")
NESTS = program(PROGRAMS / "nests.coord")
ETL = program(ROOT / "examples" / "etl_scatter_gather" / "etl_scatter_gather.coord")
EMITS = program(PROGRAMS / "emits.coord")
CHOREOGRAPHY = program(ROOT / "examples" / "service_choreography" / "service_choreography.coord")
TRAVEL = program(ROOT / "examples" / "travel_booking" / "travel_booking.coord")
WINDOWS = program(PROGRAMS / "windows.coord")
SENSORS = program(ROOT / "examples" / "sensor_alarms" / "sensor_alarms.coord")
FANOUTS = program(PROGRAMS / "fanouts.coord")
CALLS = program(PROGRAMS / "calls.coord")
ORDER_SAGA = program(ROOT / "examples" / "order_saga" / "order_saga.coord")
SUBWORKFLOWS = program(ROOT / "examples" / "subworkflows" / "subworkflows.coord")
SCATTER_GATHER = program(ROOT / "tests" / "std" / "programs" / "scatter_gather.coord")
"""std.scatter_gather's patterns: a race of gathering and a timer, then an emit; replies from
reactions that emit and from input events; best_of's three handler calls in parallel."""
WINDOW_GAPS = (0.0, 0.5, 1.0, 2.0, 5.0, 5.0, 7.0, 10.0, 20.0, 60.0)


@given(runs(APPROVAL, example_vocabulary("approval_flow", keys=2)))
def test_approval_flow(run) -> None:
    check(APPROVAL, run)


@given(runs(PAYMENTS, example_vocabulary("payment_retries")))
def test_payment_retries(run) -> None:
    check(PAYMENTS, run)


@given(runs(WAITS, PROGRAM_VOCABULARY["waits"]))
def test_waits(run) -> None:
    check(WAITS, run)


@given(runs(STEPS, PROGRAM_VOCABULARY["steps"]))
def test_steps(run) -> None:
    check(STEPS, run)



@given(runs(PARKS, PROGRAM_VOCABULARY["parks"], max_events=30, gaps=SHORT_GAPS))
def test_parks(run) -> None:
    check(PARKS, run)


@given(runs(FORKS, PROGRAM_VOCABULARY["forks"], max_events=30, gaps=SHORT_GAPS))
def test_forks(run) -> None:
    check(FORKS, run)


@given(runs(NESTS, PROGRAM_VOCABULARY["nests"], max_events=30, gaps=SHORT_GAPS))
def test_nests(run) -> None:
    check(NESTS, run)


@given(runs(ETL, example_vocabulary("etl_scatter_gather", keys=2)))
def test_etl_scatter_gather(run) -> None:
    check(ETL, run)


@given(runs(EMITS, PROGRAM_VOCABULARY["emits"], max_events=30, gaps=SHORT_GAPS))
def test_emits_and_reactions(run) -> None:
    check(EMITS, run)


@given(runs(CHOREOGRAPHY, example_vocabulary("service_choreography")))
def test_service_choreography(run) -> None:
    check(CHOREOGRAPHY, run)


@given(runs(TRAVEL, example_vocabulary("travel_booking", keys=2), gaps=SHORT_GAPS + (400.0, 1_000.0)))
def test_travel_booking(run) -> None:
    check(TRAVEL, run)


@given(runs(WINDOWS, PROGRAM_VOCABULARY["windows"], max_events=40, gaps=WINDOW_GAPS))
def test_windows(run) -> None:
    check(WINDOWS, run)


@given(runs(SENSORS, example_vocabulary("sensor_alarms", keys=2), max_events=40, gaps=WINDOW_GAPS + (600.0,)))
def test_sensor_alarms(run) -> None:
    check(SENSORS, run)


@given(runs(FANOUTS, PROGRAM_VOCABULARY["fanouts"], max_events=30, gaps=SHORT_GAPS))
def test_fanouts_threads_with_emits(run) -> None:
    check(FANOUTS, run)


@given(runs(SCATTER_GATHER, PROGRAM_VOCABULARY["scatter_gather"], gaps=SHORT_GAPS + (30.0,)))
def test_std_scatter_gather(run) -> None:
    check(SCATTER_GATHER, run)


@given(runs(CALLS, PROGRAM_VOCABULARY["calls"], max_events=30, gaps=SHORT_GAPS))
def test_calls(run) -> None:
    check(CALLS, run)


@given(runs(ORDER_SAGA, example_vocabulary("order_saga", keys=2), gaps=SHORT_GAPS + (3_600.0, 86_400.0)))
def test_order_saga(run) -> None:
    check(ORDER_SAGA, run)


@given(runs(SUBWORKFLOWS, example_vocabulary("subworkflows", keys=2), gaps=GAPS))
def test_subworkflows(run) -> None:
    check(SUBWORKFLOWS, run)
