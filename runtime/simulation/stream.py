"""A universe's input: the arrivals of each start event type, and the follow-ups they cause.

Arrival times are drawn first, each arrival process in spec order; then events leave a queue
in time order (ties: the order they were scheduled), each getting its fields as it leaves (so
sequence ids grow with time) and scheduling its follow-ups. Follow-ups may cause follow-ups.
"""

from __future__ import annotations

import heapq
import math

from coordlang.errors import CoordError
from coordlang.runtime.executor import Event
from coordlang.runtime.simulation.generators import Draws
from coordlang.runtime.simulation.spec import Arrival, FollowUp, Spec


class RunawayFollowUps(CoordError):
    """A universe generated more events than the spec allows (follow-ups that keep causing
    each other)."""


def arrival_times(arrival: Arrival, start: float, draws: Draws) -> list[float]:
    """When ``arrival``'s events come, from ``first = start + offset``: at ``first`` and every
    ``1/rate`` seconds after (``fixed``), or after exponential gaps of mean ``1/rate`` from
    ``first`` (``poisson``); while before ``first + span`` and fewer than ``count``."""
    first = start + arrival.offset
    end = first + arrival.span if arrival.span is not None else None
    limit = arrival.count
    if arrival.process == "fixed":
        # Event i comes at first + i / rate while i < span * rate: ceil(span * rate) events,
        # counted up front (rounded to 9 places, so 0.1 * 30 is 3 and not 3.0000000000000004)
        # rather than by adding gaps, whose rounding errors would gain or lose one at the end.
        number = math.ceil(round(arrival.span * arrival.rate, 9)) if arrival.span is not None else limit
        if limit is not None:
            number = min(number, limit)  # type: ignore[type-var]
        return [first + i / arrival.rate for i in range(number or 0)]
    times: list[float] = []
    moment = first
    while limit is None or len(times) < limit:
        moment += draws.rng.expovariate(arrival.rate)
        if end is not None and moment >= end:
            break
        times.append(moment)
    return times


def generate(spec: Spec, draws: Draws) -> list[Event]:
    """The universe's input events, in time order, up to the horizon (included)."""
    queue: list[tuple[float, int, str, object]] = []
    order = 0
    for arrival in spec.arrivals:
        for moment in arrival_times(arrival, spec.start, draws):
            queue.append((moment, order, arrival.event, arrival))
            order += 1
    heapq.heapify(queue)
    rules: dict[str, list[FollowUp]] = {}
    for rule in spec.followups:
        rules.setdefault(rule.after, []).append(rule)
    events: list[Event] = []
    end = math.inf if spec.horizon is None else spec.start + spec.horizon
    while queue:
        moment, _, event_type, origin = heapq.heappop(queue)
        if moment > end:
            break  # the clock stops at the horizon: nothing later happens
        if len(events) >= spec.max_events:
            raise RunawayFollowUps(f"{spec.path}: simulation.max_events: a universe generated more than "
                                   f"{spec.max_events:,} events; lower the follow-up probabilities that keep "
                                   "causing each other, or raise max_events")
        if isinstance(origin, Arrival):
            fields = _fields(origin.fields, draws, event_type, moment)
        else:
            rule, source = origin  # type: ignore[misc]
            fields = {name: source.fields[name] for name in rule.copy}
            fields.update(_fields(rule.fields, draws, event_type, moment))
        event = Event(event_type, moment, fields, f"simulated #{len(events) + 1}")
        events.append(event)
        for rule in _chosen(rules.get(event_type, ()), draws):
            delay = rule.delay.duration(draws.rng)
            heapq.heappush(queue, (moment + delay, order, rule.event, (rule, event)))
            order += 1
    return events


def _fields(generators, draws: Draws, event_type: str, moment: float) -> dict[str, object]:
    return {name: gen.make(draws, event_type, name, moment) for name, gen in generators}


def _chosen(rules, draws: Draws) -> list[FollowUp]:
    """The follow-ups that happen after one event: each rule outside a group on its own draw;
    in a group one draw picks at most one rule (probabilities laid end to end)."""
    chosen: list[FollowUp] = []
    groups: dict[str, list[FollowUp]] = {}
    for rule in rules:
        if rule.group is None:
            if draws.rng.random() < rule.probability:
                chosen.append(rule)
        else:
            groups.setdefault(rule.group, []).append(rule)
    for members in groups.values():
        draw = draws.rng.random()
        edge = 0.0
        for rule in members:
            edge += rule.probability
            if draw < edge:
                chosen.append(rule)
                break
    return chosen
