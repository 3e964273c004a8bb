"""What the generators draw: each distribution's shape (seeded, large samples), each field
generator, the arrival processes and the follow-ups."""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordlang.runtime.simulation import Arrival, FollowUp, Spec, arrival_times, generate
from coordlang.runtime.simulation.generators import (Z99, Bernoulli, Choice, Constant, Distribution, Draws, EventTime,
                                                     Number, Sequence)

N = 20_000


def sample(dist: Distribution, n: int = N, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [dist.draw(rng) for _ in range(n)]


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[round(q * 100) - 1]


def test_fixed():
    assert set(sample(Distribution("fixed", 0.25), 100)) == {0.25}


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.integers(0, 2**32))
def test_uniform_stays_within_its_ends(low, width, seed):
    high = low + width
    assert all(low <= v <= high for v in sample(Distribution("uniform", low, high), 50, seed))


def test_uniform_mean():
    assert math.isclose(statistics.fmean(sample(Distribution("uniform", 2.0, 6.0))), 4.0, rel_tol=0.02)


def test_exponential_mean_and_median():
    values = sample(Distribution("exponential", 3.0))
    assert math.isclose(statistics.fmean(values), 3.0, rel_tol=0.03)
    assert math.isclose(statistics.median(values), 3.0 * math.log(2), rel_tol=0.04)
    assert min(values) >= 0


def test_normal_mean_and_spread():
    values = sample(Distribution("normal", 10.0, 2.0))
    assert math.isclose(statistics.fmean(values), 10.0, rel_tol=0.01)
    assert math.isclose(statistics.stdev(values), 2.0, rel_tol=0.03)


def test_a_negative_duration_is_no_time():
    rng = random.Random(3)
    assert min(Distribution("normal", 0.0, 1.0).duration(rng) for _ in range(200)) == 0.0


def test_lognormal_by_median_and_p99():
    dist = Distribution("lognormal", math.log(0.2), math.log(3.0 / 0.2) / Z99)
    values = sample(dist, 50_000)
    assert math.isclose(statistics.median(values), 0.2, rel_tol=0.03)
    assert math.isclose(quantile(values, 0.99), 3.0, rel_tol=0.08)
    assert math.isclose(statistics.fmean(values), dist.mean, rel_tol=0.05)


def make(gen, draws: Draws, n: int, event: str = "E", name: str = "f") -> list:
    return [gen.make(draws, event, name, 100.0 + i) for i in range(n)]


def test_sequence_counts_per_event_type_and_field():
    draws = Draws(random.Random(0))
    seq = Sequence("o-", 7)
    assert make(seq, draws, 3) == ["o-7", "o-8", "o-9"]
    assert make(seq, draws, 2, event="F") == ["o-7", "o-8"]
    assert make(seq, draws, 1) == ["o-10"]


def test_an_int_fields_sequence_is_the_numbers():
    assert make(Sequence("", 1, numbers=True), Draws(random.Random(0)), 3) == [1, 2, 3]


def test_choice_follows_its_weights():
    draws = Draws(random.Random(5))
    values = make(Choice(("a", "b", "c"), (1.0, 1.0, 4.0)), draws, N)
    assert values.count("b") == 0
    assert math.isclose(values.count("c") / N, 0.75, abs_tol=0.015)


@given(st.floats(0, 1), st.integers(0, 2**32))
def test_bernoulli_extremes_and_type(p, seed):
    values = make(Bernoulli(p), Draws(random.Random(seed)), 20)
    assert all(type(v) is bool for v in values)
    if p == 0:
        assert not any(values)
    if p == 1:
        assert all(values)


def test_bernoulli_rate():
    values = make(Bernoulli(0.1), Draws(random.Random(2)), N)
    assert math.isclose(sum(values) / N, 0.1, abs_tol=0.01)


@given(st.integers(-50, 50), st.integers(0, 20), st.integers(0, 2**32))
def test_integer_uniform_covers_both_ends(low, width, seed):
    gen = Number(Distribution("uniform", float(low), float(low + width)), integer=True)
    values = make(gen, Draws(random.Random(seed)), 40 * (width + 1))
    assert all(type(v) is int and low <= v <= low + width for v in values)
    assert set(values) == set(range(low, low + width + 1))


@given(st.floats(-100, 100), st.floats(0.1, 50), st.integers(0, 2**32))
def test_numbers_are_clamped_and_rounded(low, width, seed):
    gen = Number(Distribution("normal", low + width / 2, width), low=low, high=low + width, digits=2)
    for value in make(gen, Draws(random.Random(seed)), 30):
        assert round(low, 2) - 0.005 <= value <= round(low + width, 2) + 0.005
        assert value == round(value, 2)


def test_constant_and_event_time():
    draws = Draws(random.Random(0))
    assert make(Constant("x"), draws, 2) == ["x", "x"]
    assert make(EventTime(5.0), draws, 2) == [105.0, 106.0]


def arrival(process: str, rate: float, span: float | None = None, count: int | None = None,
            offset: float = 0.0) -> Arrival:
    return Arrival("Pong", process, rate, span, count, offset, (("id", Sequence("p-")), ("n", Constant(1))))


@given(st.floats(0.01, 50), st.floats(0.5, 500), st.floats(0, 100))
def test_a_fixed_rate_for_a_span_gives_the_exact_count(rate, span, offset):
    times = arrival_times(arrival("fixed", rate, span, offset=offset), 1000.0, Draws(random.Random(0)))
    assert len(times) == math.ceil(round(span * rate, 9))
    assert times[0] == 1000.0 + offset and times[-1] < 1000.0 + offset + span
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert all(math.isclose(g, 1 / rate, rel_tol=1e-9) for g in gaps)


def test_fixed_rate_examples():
    draws = Draws(random.Random(0))
    assert len(arrival_times(arrival("fixed", 0.1, 30.0), 0.0, draws)) == 3
    assert len(arrival_times(arrival("fixed", 2.0, 10.0), 0.0, draws)) == 20
    assert len(arrival_times(arrival("fixed", 2.0, 10.0, count=5), 0.0, draws)) == 5
    assert arrival_times(arrival("fixed", 0.5, None, count=3), 0.0, draws) == [0.0, 2.0, 4.0]


def test_poisson_arrivals_have_the_rate_and_exponential_gaps():
    times = arrival_times(arrival("poisson", 2.0, 10_000.0), 0.0, Draws(random.Random(9)))
    assert math.isclose(len(times), 20_000, rel_tol=0.03)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert math.isclose(statistics.fmean(gaps), 0.5, rel_tol=0.03)
    assert math.isclose(statistics.stdev(gaps), 0.5, rel_tol=0.05)  # an exponential's sd is its mean
    assert times == sorted(times)


def test_poisson_with_a_count_stops_there():
    assert len(arrival_times(arrival("poisson", 5.0, None, count=12), 0.0, Draws(random.Random(1)))) == 12


def followup(probability: float, group: str | None = None, event: str = "Pong", delay: float = 2.0) -> FollowUp:
    return FollowUp("Start", event, probability, Distribution("fixed", delay), ("id",), (("n", Constant(2)),), group)


def spec(*rules: FollowUp, count: int = 2000, max_events: int = 1_000_000) -> Spec:
    start = Arrival("Start", "fixed", 1.0, None, count, 0.0, (("id", Sequence("s-")), ("n", Constant(1))))
    return Spec("sim.toml", arrivals=(start,), followups=rules, max_events=max_events)


def test_followups_copy_the_key_and_come_after_their_delay():
    events = generate(spec(followup(1.0), count=3), Draws(random.Random(0)))
    assert [(e.type, e.time, e.fields) for e in events] == [
        ("Start", 0.0, {"id": "s-1", "n": 1}), ("Start", 1.0, {"id": "s-2", "n": 1}),
        # At equal times the event scheduled first comes first: every arrival before its follow-ups.
        ("Start", 2.0, {"id": "s-3", "n": 1}), ("Pong", 2.0, {"id": "s-1", "n": 2}),
        ("Pong", 3.0, {"id": "s-2", "n": 2}), ("Pong", 4.0, {"id": "s-3", "n": 2}),
    ]


def test_a_followups_probability():
    events = generate(spec(followup(0.3)), Draws(random.Random(4)))
    assert math.isclose(sum(e.type == "Pong" for e in events) / 2000, 0.3, abs_tol=0.03)


def test_a_group_gives_at_most_one_followup_per_event():
    rules = (followup(0.5, "g", "Pong"), followup(0.3, "g", "Ping"))
    events = generate(spec(*rules), Draws(random.Random(6)))
    per_key: dict[str, list[str]] = {}
    for event in events:
        if event.type != "Start":
            per_key.setdefault(event.fields["id"], []).append(event.type)
    assert all(len(types) == 1 for types in per_key.values())
    types = [t for types in per_key.values() for t in types]
    assert math.isclose(types.count("Pong") / 2000, 0.5, abs_tol=0.03)
    assert math.isclose(types.count("Ping") / 2000, 0.3, abs_tol=0.03)


def test_followups_that_keep_causing_each_other_are_stopped():
    from coordlang.runtime.simulation import RunawayFollowUps

    loop = FollowUp("Start", "Start", 1.0, Distribution("fixed", 1.0), ("id", "n"), (), None)
    with pytest.raises(RunawayFollowUps, match="simulation.max_events: a universe generated more than 50 events"):
        generate(spec(loop, count=1, max_events=50), Draws(random.Random(0)))


def test_the_same_seed_draws_the_same_events():
    rules = (followup(0.5, "g"), followup(0.4, "g", "Ping", delay=5.0))
    first = generate(spec(*rules), Draws(random.Random("x")))
    assert first == generate(spec(*rules), Draws(random.Random("x")))
    assert first != generate(spec(*rules), Draws(random.Random("y")))
