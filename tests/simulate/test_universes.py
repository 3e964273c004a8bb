"""Universes: the same seed gives the same bytes, whatever the number of worker processes;
the aggregates add up."""

from __future__ import annotations

import json

import pytest
from simkit import PROGRAMS, latency_program

from coordlang.runtime.simulation import dumps, load_spec, percentile, report, run_universes, summary, universe_seed

SPEC = '''
[simulation]
universes = 6
seed = 11
start = 1000

[arrivals.RelayStart]
rate = "1/min"
span = "30m"
fields = { id = { kind = "sequence", prefix = "r-" }, n = 0 }

[arrivals.RetryStart]
process = "fixed"
rate = "1/min"
span = "10m"
fields = { id = { kind = "sequence", prefix = "t-" }, n = 0 }

[faults.echo]
errors = { ConnectionError = 0.3 }
latency = { kind = "lognormal", median = "2s", p99 = "12s" }
'''


@pytest.fixture(scope="module")
def program():
    return latency_program()


def spec_of(tmp_path, program, text: str = SPEC):
    path = tmp_path / "sim.toml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path, program)


def document(program, spec, workers: int = 1, instances: bool = False) -> str:
    return dumps(report(program, spec, "latency.coord", run_universes(program, spec, workers), instances))


def test_the_same_seed_gives_the_same_bytes(tmp_path, program):
    spec = spec_of(tmp_path, program)
    assert document(program, spec, instances=True) == document(program, spec, instances=True)


def test_another_seed_gives_other_universes(tmp_path, program):
    import dataclasses

    spec = spec_of(tmp_path, program)
    assert document(program, spec) != document(program, dataclasses.replace(spec, seed=12))


def test_the_number_of_workers_changes_nothing(tmp_path, program):
    spec = spec_of(tmp_path, program)
    assert document(program, spec, workers=2, instances=True) == document(program, spec, workers=1, instances=True)


def test_universe_seeds_depend_on_the_seed_and_the_number_only():
    assert universe_seed(11, 0) == universe_seed(11, 0)
    assert len({universe_seed(11, i) for i in range(100)} | {universe_seed(12, 0)}) == 101


def test_the_aggregates_add_up(tmp_path, program):
    spec = spec_of(tmp_path, program)
    doc = json.loads(document(program, spec, instances=True))
    universes = doc["per_universe"]
    assert [u["universe"] for u in universes] == list(range(6))
    # The fixed arrivals give exactly 10 RetryStart events in every universe.
    for universe in universes:
        retried = [i for i in universe["instances"] if i["workflow"] == "Retried"]
        assert len(retried) == 10
        assert [i["start"] for i in retried] == [60.0 * k for k in range(10)]
        assert all(i["end"] >= i["start"] for i in universe["instances"])
        assert sum(universe["counters"][s] for s in ("completed", "failed", "compensated", "cancelled",
                                                      "running")) == universe["events"]
    events = [u["events"] for u in universes]
    assert doc["events"]["total"] == sum(events) and doc["events"]["min"] == min(events)
    completed = [u["counters"]["completed"] for u in universes]
    assert doc["outcomes"]["completed"]["mean"] == round(sum(completed) / 6, 6)
    assert doc["outcomes"]["completed"]["max"] == max(completed)
    retried = doc["workflows"]["Retried"]
    assert retried["instances"] == 60 and retried["statuses"]["running"] == 0
    assert retried["completion"]["count"] == 60
    echo = doc["handlers"]["echo"]
    assert echo["injected"]["ConnectionError"] == echo["failed"] > 0
    assert echo["attempts"] > 60 and echo["latency"]["count"] == echo["attempts"]
    [do_echo] = [s for s in doc["steps"] if s["workflow"] == "Retried" and s["kind"] == "do"]
    source = (PROGRAMS / "latency.coord").read_text(encoding="utf-8").splitlines()
    line = source.index("workflow Retried on RetryStart as s key id -> str {") + 3
    assert source[line - 1].strip() == "let v = do echo(s.id) with again"
    assert do_echo["where"] == f"latency.coord:{line}" and do_echo["seconds"]["count"] == 60
    assert do_echo["seconds"]["p50"] <= do_echo["seconds"]["p95"] <= do_echo["seconds"]["p99"] <= do_echo["seconds"]["max"]


def test_an_error_rate_of_1_without_a_retry_fails_every_instance(tmp_path, program):
    text = SPEC.replace('errors = { ConnectionError = 0.3 }', 'errors = { Refused = 1.0 }').replace(
        '[arrivals.RelayStart]\nrate = "1/min"\nspan = "30m"\nfields = { id = { kind = "sequence", prefix = "r-" }, n = 0 }\n',
        '')
    doc = json.loads(document(program, spec_of(tmp_path, program, text)))
    assert doc["events"]["total"] == 60
    assert doc["outcomes"]["failed"]["total"] == 60
    assert doc["outcomes"]["completed"]["total"] == 0
    assert doc["handlers"]["echo"] == {**doc["handlers"]["echo"], "attempts": 60, "failed": 60,
                                       "injected": {"Refused": 60}}


def test_a_horizon_stops_the_clock(tmp_path, program):
    text = SPEC.replace("start = 1000", 'start = 1000\nhorizon = "5m"').replace(
        'latency = { kind = "lognormal", median = "2s", p99 = "12s" }', 'latency = "10m"')
    doc = json.loads(document(program, spec_of(tmp_path, program, text)))
    assert doc["horizon"] == 300.0
    # Events up to the horizon only: RetryStart at 0, 1, ... 5 minutes, each still waiting for
    # its 10-minute answer; a Relay gives up after its 5s wait (or is still waiting, when it
    # started less than 5s before the horizon).
    retried, relay = doc["workflows"]["Retried"], doc["workflows"]["Relay"]
    assert retried["instances"] == 6 * 6 and retried["statuses"]["running"] == 36
    assert relay["statuses"]["failed"] + relay["statuses"]["running"] == relay["instances"] > 0
    assert relay["completion"]["max"] == 5.0
    assert doc["outcomes"]["completed"]["total"] == 0
    assert doc["events"]["total"] == 36 + relay["instances"]


def test_percentiles_interpolate_between_ranks():
    assert percentile([1.0], 0.99) == 1.0
    assert percentile([0.0, 10.0], 0.95) == 9.5
    assert percentile([float(i) for i in range(101)], 0.5) == 50.0
    assert summary([]) == {"count": 0, "mean": None, "min": None, "p50": None, "p95": None, "p99": None,
                           "max": None}
    assert summary([3, 1, 2], total=True) == {"count": 3, "total": 6, "mean": 2.0, "min": 1, "p50": 2.0,
                                               "p95": 2.9, "p99": 2.98, "max": 3}


def test_an_attempts_fault_draws_do_not_depend_on_the_attempts_before_it():
    from coordlang.runtime.handlers import bind_handlers
    from coordlang.runtime.simulation.faults import SimulatedEffects
    from coordlang.runtime.simulation.generators import Distribution
    from coordlang.runtime.simulation.spec import Fault
    from simkit import latency_program

    program = latency_program()
    handlers = bind_handlers(program)
    spec = (Fault("echo", (("ConnectionError", 0.5),), Distribution("uniform", 0.0, 10.0)),)
    keys = [f"k{i}:0:{attempt}" for i in range(40) for attempt in (1, 2)] + ["k0:0:1"]  # a key used again

    def draws(order):
        effects = SimulatedEffects(spec, handlers, 7)
        seen = {}
        for key in order:
            outcome = effects.attempt(handlers["echo"], ("x",), key, None, "Echo")
            seen.setdefault(key, []).append((outcome.error is not None, outcome.latency))
        return seen

    forwards = draws(keys)
    backwards = draws(list(reversed(keys[:-1])) + keys[-1:])
    assert forwards == backwards
    assert forwards["k0:0:1"][0] != forwards["k0:0:1"][1]  # a repeated key draws afresh
    failed = sum(failure for pairs in forwards.values() for failure, _ in pairs)
    assert 20 < failed < 61  # about half of 81
