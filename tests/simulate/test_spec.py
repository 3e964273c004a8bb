"""Reading a spec: what a valid one gives, and one clear message (file, key, fix) for each
mistake."""

from __future__ import annotations

import math

import pytest
from simkit import latency_program

from coordlang.errors import UsageError
from coordlang.runtime.simulation import SpecError, load_spec
from coordlang.runtime.simulation.generators import (Z99, Bernoulli, Choice, Constant, Distribution, EventTime, Number,
                                                     Sequence)

VALID = '''
[simulation]
universes = 12
seed = 5
start = "2026-01-05T00:00:00Z"
horizon = "2h"
inbox = 8
workers = 2
max_events = 500

[arrivals.RelayStart]
process = "fixed"
rate = "30/min"
span = "10m"
count = 7
offset = "1m"
fields = { id = { kind = "sequence", prefix = "r-", start = 10 }, n = { kind = "uniform", low = 1, high = 6 } }

[arrivals.LimitStart]
rate = 0.25
count = 3
fields = { id = "same", n = 4 }

[[followups]]
after = "RelayStart"
event = "Pong"
probability = 0.4
group = "reply"
delay = { kind = "lognormal", median = "2s", p99 = "20s" }
copy = ["id"]
fields = { n = { kind = "choice", values = [1, 2, 3], weights = [1, 0, 3] } }

[faults.echo]
errors = { ConnectionError = 0.1, Refused = 0.05 }
latency = { kind = "exponential", mean = "250ms" }

[faults.undo]
latency = "1.5s"
'''


@pytest.fixture(scope="module")
def program():
    return latency_program()


def load(tmp_path, program, text: str):
    path = tmp_path / "sim.toml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path, program)


def test_a_valid_spec(tmp_path, program):
    spec = load(tmp_path, program, VALID)
    assert (spec.universes, spec.seed, spec.start, spec.horizon, spec.inbox, spec.workers, spec.max_events) == (
        12, 5, 1767571200.0, 7200.0, 8, 2, 500)
    relay, limit = spec.arrivals
    assert (relay.event, relay.process, relay.rate, relay.span, relay.count, relay.offset) == (
        "RelayStart", "fixed", 0.5, 600.0, 7, 60.0)
    assert relay.fields == (("id", Sequence("r-", 10)), ("n", Number(Distribution("uniform", 1.0, 6.0), integer=True)))
    assert (limit.process, limit.rate, limit.span, limit.count) == ("poisson", 0.25, None, 3)
    assert limit.fields == (("id", Constant("same")), ("n", Constant(4)))
    [pong] = spec.followups
    assert (pong.after, pong.event, pong.probability, pong.group, pong.copy) == ("RelayStart", "Pong", 0.4, "reply", ("id",))
    assert pong.delay.kind == "lognormal" and math.isclose(math.exp(pong.delay.a), 2.0)
    assert math.isclose(pong.delay.b, math.log(10.0) / Z99)
    assert pong.fields == (("n", Choice((1, 2, 3), (1.0, 1.0, 4.0))),)
    echo, undo = spec.faults
    assert echo.errors == (("ConnectionError", 0.1), ("Refused", 0.05))
    assert echo.latency == Distribution("exponential", 0.25)
    assert undo.latency == Distribution("fixed", 1.5) and undo.errors == ()


def test_defaults(tmp_path, program):
    spec = load(tmp_path, program, '[arrivals.Pong]\ncount = 1\nrate = 1\nfields = { id = "x", n = 1 }\n')
    assert (spec.universes, spec.seed, spec.start, spec.horizon, spec.inbox, spec.workers) == (100, 0, 0.0, None, 16, 1)
    assert spec.followups == () and spec.faults == ()


def test_generators_of_each_kind(tmp_path, program):
    text = '''
[arrivals.Pong]
rate = 1
count = 1
fields.id = { kind = "constant", value = "k" }
fields.n = { kind = "normal", mean = 10, stddev = 2, min = 0, max = 20 }
'''
    spec = load(tmp_path, program, text)
    assert spec.arrivals[0].fields == (("id", Constant("k")),
                                       ("n", Number(Distribution("normal", 10.0, 2.0), True, 0.0, 20.0)))


def test_bool_and_time_generators(tmp_path):
    from coordlang.ir import nodes as ir

    program = ir.Program((ir.EventDef("Tick", (("at", "time"), ("on", "bool"), ("after", "duration"))),),
                         (), (), (), (), (), ())
    text = '''
[arrivals.Tick]
rate = 1
count = 1
fields = { at = { kind = "event_time", offset = "1s" }, on = { kind = "bool", p = 0.3 }, after = "2m" }
'''
    spec = load(tmp_path, program, text)
    assert spec.arrivals[0].fields == (("at", EventTime(1.0)), ("on", Bernoulli(0.3)), ("after", Constant(120.0)))


ARRIVAL = '[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = "x", n = 1 }\n'


@pytest.mark.parametrize("text, key, fragments", [
    ("[simulation\n", None, ["not valid TOML"]),
    ("", "arrivals", ["is missing", "add `arrivals = ...`"]),
    ("arrivals = {}\n", "arrivals", ["is empty", "[arrivals.EVENT]"]),
    ("[simulation]\nuniverse = 3\n" + ARRIVAL, "simulation.universe", ["(did you mean 'universes'?)", "universes, seed"]),
    ("[simulation]\nuniverses = 0\n" + ARRIVAL, "simulation.universes", ["at least 1"]),
    ("[simulation]\nseed = 1.5\n" + ARRIVAL, "simulation.seed", ["not a whole number"]),
    ("[simulation]\nbackend = \"gpu\"\n" + ARRIVAL, "simulation.backend",
     ["'gpu' is not a backend", "auto, interpreter, compiled"]),
    ("[simulation]\nstart = \"yesterday\"\n" + ARRIVAL, "simulation.start", ["not a time", "RFC 3339"]),
    ("[simulation]\nhorizon = \"-1s\"\n" + ARRIVAL, "simulation.horizon", ["not a duration"]),
    ("[simulation]\nhorizon = \"soon\"\n" + ARRIVAL, "simulation.horizon", ["not a duration", "\"250ms\""]),
    ("[arrivals.Relaystart]\nrate = 1\ncount = 1\n", "arrivals.Relaystart",
     ["declares no event 'Relaystart'", "did you mean 'RelayStart'?", "its events are RelayStart, LimitStart"]),
    ("[arrivals.RelayStart]\nprocess = \"burst\"\nrate = 1\ncount = 1\n", "arrivals.RelayStart.process",
     ["not an arrival process", "'poisson', 'fixed'"]),
    ("[arrivals.RelayStart]\nrate = -2\ncount = 1\n", "arrivals.RelayStart.rate", ["not a rate", "\"30/min\""]),
    ("[arrivals.RelayStart]\nrate = \"3/week\"\ncount = 1\n", "arrivals.RelayStart.rate", ["not a rate", "units"]),
    ("[arrivals.RelayStart]\nrate = 1\nfields = { id = \"x\", n = 1 }\n", "arrivals.RelayStart",
     ["neither a span nor a count", "span = \"1h\""]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\" }\n", "arrivals.RelayStart.fields",
     ["no generator for n of RelayStart", "give every field one"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\", n = 1, colour = \"red\" }\n",
     "arrivals.RelayStart.fields.colour", ["RelayStart has no field 'colour'", "its fields are id: str, n: int"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = 3, n = 1 }\n", "arrivals.RelayStart.fields.id",
     ["3 is not a str"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\", n = 1.5 }\n",
     "arrivals.RelayStart.fields.n", ["1.5 is not a int"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\", n = { kind = \"sequence\", prefix = \"n-\" } }\n",
     "arrivals.RelayStart.fields.n.prefix", ["an int field's sequence has no prefix", "declare the field str"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = { kind = \"zipf\" }, n = 1 }\n",
     "arrivals.RelayStart.fields.id.kind", ["not a generator", "sequence, choice"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = { kind = \"uniform\", low = 1, high = 2 }, n = 1 }\n",
     "arrivals.RelayStart.fields.id", ["uniform cannot fill a field of type str"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\", n = { kind = \"uniform\", low = 5, high = 2 } }\n",
     "arrivals.RelayStart.fields.n", ["low 5 is above high 2", "swap them"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\", n = { kind = \"normal\", mean = 1 } }\n",
     "arrivals.RelayStart.fields.n.stddev", ["is missing"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = { kind = \"choice\", values = [\"a\"], weights = [1, 2] }, n = 1 }\n",
     "arrivals.RelayStart.fields.id.weights", ["not one weight per value"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = { kind = \"choice\", values = [\"a\", 2] }, n = 1 }\n",
     "arrivals.RelayStart.fields.id.values[1]", ["2 is not a str"]),
    ("[arrivals.RelayStart]\nrate = 1\ncount = 1\nfields = { id = \"x\", n = { kind = \"uniform\", low = 1, hi = 2 } }\n",
     "arrivals.RelayStart.fields.n.high", ["is missing"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Ping\"\ndelay = 1\n", "followups[0].event",
     ["declares no event 'Ping'", "did you mean 'Pong'?"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\nfields = { id = \"x\", n = 1 }\n",
     "followups[0].delay", ["is missing"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\nprobability = 1.5\ndelay = 1\n",
     "followups[0].probability", ["not a probability", "from 0 to 1"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\ndelay = 1\ncopy = [\"key\"]\n",
     "followups[0].copy", ["RelayStart (the after event) has no field 'key'", "its fields are id: str, n: int"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\ndelay = 1\ncopy = [\"id\"]\nfields = { id = \"x\", n = 1 }\n",
     "followups[0].fields.id", ["copied from the earlier event and generated too"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\ndelay = { kind = \"lognormal\", median = \"2s\", p99 = \"1s\" }\ncopy = [\"id\", \"n\"]\n",
     "followups[0].delay.p99", ["not above the median"]),
    (ARRIVAL + "[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\ndelay = { kind = \"exponential\", mean = 0 }\ncopy = [\"id\", \"n\"]\n",
     "followups[0].delay.mean", ["not above 0"]),
    (ARRIVAL + "".join("[[followups]]\nafter = \"RelayStart\"\nevent = \"Pong\"\ngroup = \"g\"\nprobability = 0.6\n"
                       "delay = 1\ncopy = [\"id\", \"n\"]\n" for _ in range(2)),
     "followups", ["group 'g' after RelayStart add up to 1.2"]),
    ("followups = 3\n" + ARRIVAL, "followups", ["not an array of tables"]),
    (ARRIVAL + "[faults.ehco]\nlatency = 1\n", "faults.ehco",
     ["declares no handler 'ehco'", "did you mean 'echo'?", "its handlers are echo, limited, undo"]),
    (ARRIVAL + "[faults.echo]\nerrors = { ConnectionError = 0.7, Refused = 0.6 }\n", "faults.echo.errors",
     ["add up to 1.3"]),
    (ARRIVAL + "[faults.echo]\nerrors = { \"not a class\" = 0.1 }\n", "faults.echo.errors.not a class",
     ["not an exception class name"]),
    (ARRIVAL + "[faults.echo]\nlatency = { kind = \"gamma\" }\n", "faults.echo.latency.kind",
     ["not a distribution", "fixed, uniform, exponential, normal, lognormal"]),
    (ARRIVAL + "[faults.echo]\nlatency = { kind = \"normal\", mean = \"1s\", stddev = -1 }\n",
     "faults.echo.latency.stddev", ["is negative"]),
    (ARRIVAL + "[faults.echo]\nlatnecy = 1\n", "faults.echo.latnecy", ["did you mean 'latency'?"]),
    (ARRIVAL + "[faults]\necho = 3\n", "faults.echo", ["not a table"]),
])
def test_each_mistake_is_one_clear_error(tmp_path, program, text, key, fragments):
    with pytest.raises(SpecError) as caught:
        load(tmp_path, program, text)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'sim.toml'}: " + (f"{key}: " if key else ""))
    assert "; " in message  # the problem, then the fix
    for fragment in fragments:
        assert fragment in message
    assert isinstance(caught.value, UsageError)


def test_a_missing_spec_file(tmp_path, program):
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "nope.toml", program)
