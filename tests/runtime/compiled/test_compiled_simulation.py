"""``coord simulate``'s two engines on generated runs: with the same injected errors and
latencies, the compiled backend must report exactly what the interpreter reports, outcomes and
counters, each instance's virtual start and end, each step's durations and statuses, and each
handler's attempts, failures, injected errors, latencies and timeouts.

The runs are test_compiled_differential's (the same programs, streams, batch cuts, inbox sizes
and horizons), each with faults drawn for its program's handlers: error rates by exception
class (one the policies retry, one they do not), and latencies from fixed to heavy-tailed,
some longer than the handlers' and steps' timeouts.

Sizing: a quarter of the profile's examples per program (25 in ``ci``: each example runs both
engines, and the barrier programs' compiled runs are round trips to the host), 500 with
``COORD_HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import functools

import pytest
from dual import ROOT, program
from hypothesis import given, settings
from hypothesis import strategies as st
from test_compiled_differential import (APPROVAL, CALLS, CHOREOGRAPHY, EMITS, ETL, FANOUTS, FORKS, GAPS, NESTS,
                                        ORDER_SAGA, PARKS, PAYMENTS, PROGRAM_VOCABULARY, SCATTER_GATHER, SENSORS,
                                        SHORT_GAPS, STEPS, SUBWORKFLOWS, TRAVEL, WAITS, WINDOW_GAPS, WINDOWS,
                                        example_vocabulary, runs)

from coordlang.ir import nodes as ir
from coordlang.runtime.handlers import bind_handlers
from coordlang.runtime.interpreter import Interpreter
from coordlang.runtime.simulation.compiled import SimulationExecutor, refusal
from coordlang.runtime.simulation.faults import Injector, SimulatedEffects
from coordlang.runtime.simulation.generators import Distribution
from coordlang.runtime.simulation.spec import Fault, Spec

LATENCIES = (Distribution("fixed", 0.5), Distribution("fixed", 5.0), Distribution("uniform", 0.0, 20.0),
             Distribution("exponential", 2.0), Distribution("lognormal", 0.0, 1.5))
ERRORS = (("ConnectionError", 0.3), ("TimeoutError", 0.1), ("ValueError", 0.2))


def fault_specs(prog: ir.Program):
    """Faults for some of ``prog``'s handlers (never a jit one: refused on the compiled backend)."""
    names = [h.name for h in prog.handlers if h.mode != "jit"]

    @st.composite
    def draw(d):
        faults = []
        for name in names:
            if d(st.integers(0, 3)) == 0:
                continue
            errors = tuple(d(st.lists(st.sampled_from(ERRORS), max_size=2, unique_by=lambda e: e[0])))
            latency = d(st.sampled_from((None,) + LATENCIES))
            faults.append(Fault(name, errors, latency))
        return tuple(faults), d(st.integers(0, 2**32))

    return draw()


@functools.cache
def bound(prog: ir.Program):
    return bind_handlers(prog)


@functools.cache
def engine(prog: ir.Program, inbox: int) -> SimulationExecutor:
    """One compiled engine per program and inbox size, restarted for each run."""
    return SimulationExecutor(prog, Spec("test.toml", inbox=inbox), bound(prog))


def check(prog: ir.Program, run, faults) -> None:
    events, cuts, inbox, until = run
    fault_list, seed = faults
    handlers = bound(prog)
    assert refusal(prog, Spec("test.toml", faults=fault_list)) is None

    effects = SimulatedEffects(fault_list, handlers, seed)
    interpreter = Interpreter(prog, inbox_capacity=inbox, handlers=handlers, effects=effects)
    interpreter.feed(list(events))
    expected = interpreter.finish(until)
    expected_instances = [effects.timings.instances[i] for i in interpreter.state.started]

    compiled = engine(prog, inbox)
    injector = Injector(fault_list, handlers, seed)
    timings = compiled.universe(injector)
    start = 0
    for cut in sorted(set(c for c in cuts if 0 < c < len(events))) + [len(events)]:
        compiled.feed(list(events[start:cut]))
        start = cut
    actual = compiled.finish(until)

    assert actual.outcomes == expected.outcomes
    assert actual.counters == expected.counters
    assert compiled.instances(actual) == expected_instances
    # Steps end in another order on the compiled backend (it answers parked instances in
    # rounds): the same durations per step, in any order.
    assert {k: sorted(v) for k, v in timings.steps.items()} == {k: sorted(v) for k, v in effects.timings.steps.items()}
    assert timings.statuses == effects.timings.statuses
    assert sorted(timings.open.values()) == sorted(effects.timings.open.values())  # steps still open
    assert tallies(injector) == tallies(effects.injector)
    assert len(compiled.faults) + len(compiled.reaction_faults) == len(interpreter.state.faults)


def tallies(injector: Injector) -> dict:
    return {name: (t.attempts, t.failed, t.injected, sorted(t.latencies), t.timed_out)
            for name, t in injector.handlers.items()}


CASES = {
    "approval_flow": (APPROVAL, example_vocabulary("approval_flow", keys=2), 24, GAPS),
    "payment_retries": (PAYMENTS, example_vocabulary("payment_retries"), 24, GAPS),
    "waits": (WAITS, PROGRAM_VOCABULARY["waits"], 24, GAPS),
    "steps": (STEPS, PROGRAM_VOCABULARY["steps"], 24, GAPS),
    "parks": (PARKS, PROGRAM_VOCABULARY["parks"], 30, SHORT_GAPS),
    "forks": (FORKS, PROGRAM_VOCABULARY["forks"], 30, SHORT_GAPS),
    "nests": (NESTS, PROGRAM_VOCABULARY["nests"], 30, SHORT_GAPS),
    "etl_scatter_gather": (ETL, example_vocabulary("etl_scatter_gather", keys=2), 24, GAPS),
    "emits": (EMITS, PROGRAM_VOCABULARY["emits"], 30, SHORT_GAPS),
    "service_choreography": (CHOREOGRAPHY, example_vocabulary("service_choreography"), 24, GAPS),
    "travel_booking": (TRAVEL, example_vocabulary("travel_booking", keys=2), 24, SHORT_GAPS + (400.0, 1_000.0)),
    "windows": (WINDOWS, PROGRAM_VOCABULARY["windows"], 40, WINDOW_GAPS),
    "sensor_alarms": (SENSORS, example_vocabulary("sensor_alarms", keys=2), 40, WINDOW_GAPS + (600.0,)),
    "fanouts": (FANOUTS, PROGRAM_VOCABULARY["fanouts"], 30, SHORT_GAPS),
    "scatter_gather": (SCATTER_GATHER, PROGRAM_VOCABULARY["scatter_gather"], 24, SHORT_GAPS + (30.0,)),
    "calls": (CALLS, PROGRAM_VOCABULARY["calls"], 30, SHORT_GAPS),
    "order_saga": (ORDER_SAGA, example_vocabulary("order_saga", keys=2), 24, SHORT_GAPS + (3_600.0, 86_400.0)),
    "subworkflows": (SUBWORKFLOWS, example_vocabulary("subworkflows", keys=2), 24, GAPS),
}


EXAMPLES_PER_PROGRAM = max(10, settings.default.max_examples // 4)


def _test(name: str):
    prog, vocabulary, most, gaps = CASES[name]

    @settings(max_examples=EXAMPLES_PER_PROGRAM)
    @given(runs(prog, vocabulary, most, gaps), fault_specs(prog))
    def test(run, faults) -> None:
        check(prog, run, faults)

    test.__name__ = f"test_{name}"
    return test


for _name in CASES:
    globals()[f"test_{_name}"] = _test(_name)


def test_a_jit_handlers_faults_are_refused_with_the_reason():
    prog = program(ROOT / "examples" / "order_saga" / "order_saga.coord")
    reason = refusal(prog, Spec("x.toml", faults=(Fault("score", (("ValueError", 0.5),), None),)))
    assert reason is not None and "faults.score" in reason and "jit" in reason


@pytest.mark.parametrize("name", ["payment_retries", "order_saga"])
def test_a_restarted_engine_forgets_the_last_runs_strings(name):
    """Each universe's string ids are those of a new build: a restart truncates the intern table."""
    prog = CASES[name][0]
    compiled = engine(prog, 16)
    compiled.universe(Injector((), bound(prog), 0))
    size = len(compiled.plan.strings)
    compiled.plan.strings.intern("a string only this run met")
    compiled.universe(Injector((), bound(prog), 0))
    assert len(compiled.plan.strings) == size
    assert "a string only this run met" not in compiled.plan.strings.ids


# ---------------------------------------------------------------- the examples' specs, the command

EXAMPLES = sorted((ROOT / "examples").glob("*/simulate.toml"))


@pytest.mark.parametrize("spec_path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_each_examples_spec_gives_the_same_report_on_both_engines(spec_path):
    import dataclasses

    from coordlang.runtime.simulation import load_spec, report, run_universes

    file = spec_path.parent / f"{spec_path.parent.name}.coord"
    prog = program(file)
    spec = dataclasses.replace(load_spec(spec_path, prog), universes=2)
    handlers = bound(prog)
    documents = []
    for backend in ("interpreter", "compiled"):
        results = run_universes(prog, spec, 1, handlers, backend=backend)
        documents.append(report(prog, spec, str(file), results, instances=True, engine=backend))
    interpreted, compiled = documents
    assert (interpreted.pop("engine"), compiled.pop("engine")) == ("interpreter", "compiled")
    assert compiled == interpreted
    assert interpreted["events"]["total"] > 0


def test_the_command_on_the_compiled_backend_writes_the_interpreters_json(tmp_path, capsys):
    from coordlang.cli import main

    file = ROOT / "examples" / "payment_retries" / "payment_retries.coord"
    texts = {}
    for backend, workers in (("interpreter", "1"), ("compiled", "1"), ("compiled", "2")):
        out = tmp_path / f"{backend}-{workers}.json"
        assert main(["simulate", str(file), "--universes", "4", "--backend", backend, "--workers", workers,
                     "--out", str(out)]) == 0
        assert f"({backend})" in capsys.readouterr().err
        texts[(backend, workers)] = out.read_text(encoding="utf-8")
    engine_line = '"engine": "compiled"'
    assert engine_line in texts[("compiled", "1")]
    same = texts[("compiled", "1")].replace(engine_line, '"engine": "interpreter"')
    assert same == texts[("interpreter", "1")]
    assert texts[("compiled", "2")] == texts[("compiled", "1")]


def test_the_command_refuses_faults_for_a_jit_handler_on_the_compiled_backend(tmp_path, capsys):
    from coordlang.cli import main

    folder = ROOT / "examples" / "order_saga"
    spec = tmp_path / "jit.toml"
    spec.write_text((folder / "simulate.toml").read_text(encoding="utf-8")
                    + '\n[faults.score]\nerrors = { ValueError = 0.5 }\n', encoding="utf-8")
    assert main(["simulate", str(folder / "order_saga.coord"), "--spec", str(spec), "--universes", "1",
                 "--backend", "compiled"]) == 2
    err = capsys.readouterr().err
    assert "--backend compiled: faults.score: handler score is jit" in err and "--backend interpreter" in err
    # auto says why it runs on the interpreter, and runs.
    assert main(["simulate", str(folder / "order_saga.coord"), "--spec", str(spec), "--universes", "1"]) == 0
    err = capsys.readouterr().err
    assert "running on the interpreter: faults.score: handler score is jit" in err and "(interpreter)" in err


def test_auto_takes_the_compiled_backend_only_where_it_is_the_faster():
    import dataclasses

    from coordlang.runtime.simulation import load_spec
    from coordlang.runtime.simulation.compiled import AUTO_EVENTS, choose, expected_arrivals

    payments = ROOT / "examples" / "payment_retries"
    prog = program(payments / "payment_retries.coord")
    spec = load_spec(payments / "simulate.toml", prog)
    engine(prog, 16)  # its kernel is in the cache now
    per_universe = expected_arrivals(dataclasses.replace(spec, universes=1))
    assert per_universe == 240  # 2 a minute for 2 hours
    big = dataclasses.replace(spec, universes=int(AUTO_EVENTS // per_universe) + 1)
    assert choose(prog, big) == ("compiled", None)
    assert choose(prog, dataclasses.replace(spec, universes=10)) == ("interpreter", None)  # too small to pay
    assert choose(prog, dataclasses.replace(big, backend="interpreter")) == ("interpreter", None)
    assert choose(prog, dataclasses.replace(spec, universes=1, backend="compiled")) == ("compiled", None)
    # order_saga's workflows emit and call: barriers, where the interpreter is faster.
    saga = ROOT / "examples" / "order_saga"
    saga_prog = program(saga / "order_saga.coord")
    saga_spec = load_spec(saga / "simulate.toml", saga_prog)
    engine(saga_prog, 16)
    assert choose(saga_prog, dataclasses.replace(saga_spec, universes=100_000)) == ("interpreter", None)
    # sensor_alarms' reactions emit too, but its streams, which the kernel runs alone, are most
    # of its work.
    sensors = ROOT / "examples" / "sensor_alarms"
    sensors_prog = program(sensors / "sensor_alarms.coord")
    sensors_spec = load_spec(sensors / "simulate.toml", sensors_prog)
    engine(sensors_prog, 16)
    assert choose(sensors_prog, dataclasses.replace(sensors_spec, universes=1_000)) == ("compiled", None)
