"""Reading a simulation spec (TOML) and checking it against the program it drives.

The format is documented in ``docs/cli.md`` ("coord simulate"). Every mistake is one
:class:`SpecError` naming the file, the TOML key and the fix; unknown keys are mistakes too (a
misspelt ``probabilty`` would otherwise be silently ignored), and so are event types, fields and
handlers the program does not declare, with the names that exist.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from coordlang.errors import UsageError
from coordlang.ir import nodes as ir
from coordlang.runtime.fields import parse_duration, suggestion, time_from_text
from coordlang.runtime.simulation.generators import (DISTRIBUTIONS, Z99, Bernoulli, Choice, Constant, Distribution,
                                                     EventTime, Generator, Number, Sequence)

PROCESSES = ("poisson", "fixed")
FIELD_KINDS = ("constant", "sequence", "choice", "bool", "event_time") + DISTRIBUTIONS
RATE_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_RATE = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*/\s*([a-z]+)\s*").fullmatch
_REQUIRED = object()


class SpecError(UsageError):
    """A simulation spec that cannot work."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """Start events of one type arriving on their own."""

    event: str
    process: str
    """``poisson`` (exponential gaps) or ``fixed`` (evenly spaced)."""
    rate: float
    """Events per second."""
    span: float | None
    """Seconds of virtual time from the first possible arrival; None: only ``count`` limits."""
    count: int | None
    """At most this many events; None: only ``span`` limits."""
    offset: float
    """Seconds after the simulation's start before the first arrival may come."""
    fields: tuple[tuple[str, Generator], ...]


@dataclass(frozen=True, slots=True)
class FollowUp:
    """After each event of type ``after``, with ``probability``, an event of type ``event``."""

    after: str
    event: str
    probability: float
    delay: Distribution
    copy: tuple[str, ...]
    """Fields taken from the ``after`` event (its key, so the follow-up reaches its instance)."""
    fields: tuple[tuple[str, Generator], ...]
    """Generators for the other fields."""
    group: str | None
    """Follow-ups of one ``after`` type in one group exclude each other: at most one happens."""


@dataclass(frozen=True, slots=True)
class Fault:
    """What goes wrong with one handler."""

    handler: str
    errors: tuple[tuple[str, float], ...]
    """(exception class name, probability per attempt)."""
    latency: Distribution | None


@dataclass(frozen=True, slots=True)
class Spec:
    path: str
    universes: int = 100
    seed: int = 0
    start: float = 0.0
    """Virtual time of the simulation's start (seconds since the epoch)."""
    horizon: float | None = None
    """Seconds after ``start`` where the clock stops; None: when no timer is left."""
    inbox: int = 16
    workers: int = 1
    max_events: int = 1_000_000
    """A universe generating more events than this is an error (a follow-up loop)."""
    arrivals: tuple[Arrival, ...] = ()
    followups: tuple[FollowUp, ...] = ()
    faults: tuple[Fault, ...] = ()
    backend: str = "auto"
    """``auto``, ``interpreter`` or ``compiled``: the engine (``coord simulate --backend``)."""


BACKENDS = ("auto", "interpreter", "compiled")


def load_spec(path: str | Path, program: ir.Program) -> Spec:
    """The spec in ``path``, checked against ``program``; raises :class:`SpecError`."""
    shown = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{shown}: no such spec file; write one (docs/cli.md, \"coord simulate\") or pass "
                        "--spec SPEC.toml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{shown}: cannot read the spec: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{shown}: not valid TOML: {exc}; mend it there (https://toml.io)") from None
    return _Reader(shown, program).spec(data)


class _Table:
    """One TOML table being read: what was asked for is known, the rest is an unknown key."""

    def __init__(self, reader: _Reader, key: str, data: object) -> None:
        self.reader = reader
        self.key = key
        if not isinstance(data, dict):
            raise reader.error(key, f"is {_shown(data)}, not a table", "write it as a [table] or { key = value }")
        self.data = data
        self.known: list[str] = []

    def at(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def take(self, name: str, default: object = _REQUIRED) -> object:
        self.known.append(name)
        if name in self.data:
            return self.data[name]
        if default is _REQUIRED:
            raise self.reader.error(self.at(name), "is missing", f"add `{name} = ...` to [{self.key}]")
        return default

    def finish(self) -> None:
        for name in self.data:
            if name not in self.known:
                raise self.reader.error(self.at(name), "is not a key here" + _hint(name, self.known),
                                        f"the keys of [{self.key or 'the top level'}] are {', '.join(self.known)}")


class _Reader:
    def __init__(self, path: str, program: ir.Program) -> None:
        self.path = path
        self.program = program
        self.events = {e.name: e for e in program.events}
        self.handlers = {h.name: h for h in program.handlers}

    def error(self, key: str, problem: str, fix: str) -> SpecError:
        return SpecError(f"{self.path}: {key}: {problem}; {fix}")

    # ---------------------------------------------------------------- the top level

    def spec(self, data: dict) -> Spec:
        top = _Table(self, "", data)
        sim = _Table(self, "simulation", top.take("simulation", {}))
        universes = self.count(sim, "universes", 100, minimum=1)
        seed = self.count(sim, "seed", 0, minimum=0)
        start = self.time(sim, "start", 0.0)
        horizon = sim.take("horizon", None)
        horizon = None if horizon is None else self.duration(sim.at("horizon"), horizon)
        inbox = self.count(sim, "inbox", 16, minimum=1)
        workers = self.count(sim, "workers", 1, minimum=1)
        max_events = self.count(sim, "max_events", 1_000_000, minimum=1)
        backend = sim.take("backend", "auto")
        if backend not in BACKENDS:
            raise self.error(sim.at("backend"), f"{_shown(backend)} is not a backend",
                             f"write one of {', '.join(BACKENDS)}")
        sim.finish()
        arrivals_table = _Table(self, "arrivals", top.take("arrivals"))
        arrivals = tuple(self.arrival(name, arrivals_table.take(name)) for name in list(arrivals_table.data))
        arrivals_table.finish()
        if not arrivals:
            raise self.error("arrivals", "is empty", "add [arrivals.EVENT] with a process, a rate and fields")
        followups_data = top.take("followups", [])
        if not isinstance(followups_data, list):
            raise self.error("followups", "is not an array of tables", "write each follow-up as [[followups]]")
        followups = tuple(self.followup(i, entry) for i, entry in enumerate(followups_data))
        self.check_groups(followups)
        faults_table = _Table(self, "faults", top.take("faults", {}))
        faults = tuple(self.fault(name, faults_table.take(name)) for name in list(faults_table.data))
        faults_table.finish()
        top.finish()
        return Spec(self.path, universes, seed, start, horizon, inbox, workers, max_events, arrivals, followups,
                    faults, backend)

    def arrival(self, event: str, data: object) -> Arrival:
        key = f"arrivals.{event}"
        self.event(key, event)
        table = _Table(self, key, data)
        process = table.take("process", "poisson")
        if process not in PROCESSES:
            raise self.error(table.at("process"), f"{_shown(process)} is not an arrival process",
                             f"write one of {', '.join(repr(p) for p in PROCESSES)}")
        rate = self.rate(table.at("rate"), table.take("rate"))
        span = table.take("span", None)
        span = None if span is None else self.duration(table.at("span"), span)
        count = table.take("count", None)
        if count is not None:
            count = self.integer(table.at("count"), count, minimum=0)
        if span is None and count is None:
            raise self.error(key, "has neither a span nor a count, so its events would never stop",
                             "add `span = \"1h\"` (virtual time) or `count = 100` (events), or both")
        offset = self.duration(table.at("offset"), table.take("offset", 0.0))
        fields = self.fields(table, event, ())
        table.finish()
        return Arrival(event, str(process), rate, span, count, offset, fields)

    def followup(self, index: int, data: object) -> FollowUp:
        table = _Table(self, f"followups[{index}]", data)
        after = table.take("after")
        self.event(table.at("after"), after)
        event = table.take("event")
        self.event(table.at("event"), event)
        probability = self.probability(table.at("probability"), table.take("probability", 1.0))
        delay = self.distribution(table.at("delay"), table.take("delay"), duration=True)
        copy = table.take("copy", [])
        if not isinstance(copy, list) or not all(isinstance(name, str) for name in copy):
            raise self.error(table.at("copy"), f"{_shown(copy)} is not a list of field names",
                             "write `copy = [\"order_id\"]`")
        source, target = self.events[str(after)], self.events[str(event)]
        for name in copy:
            for decl, role in ((source, "after"), (target, "event")):
                if decl.field_type(name) is None:
                    raise self.error(table.at("copy"), f"{decl.name} (the {role} event) has no field {name!r}"
                                     + _hint(name, [f for f, _ in decl.fields]),
                                     f"its fields are {_names(decl)}")
            if source.field_type(name) != target.field_type(name):
                raise self.error(table.at("copy"), f"{name} is a {source.field_type(name)} in {source.name} but a "
                                 f"{target.field_type(name)} in {target.name}",
                                 "copy only fields of the same type; generate the other")
        group = table.take("group", None)
        if group is not None and not isinstance(group, str):
            raise self.error(table.at("group"), f"{_shown(group)} is not a name", "write `group = \"payment\"`")
        fields = self.fields(table, str(event), tuple(copy))
        table.finish()
        return FollowUp(str(after), str(event), probability, delay, tuple(copy), fields, group)

    def check_groups(self, followups: tuple[FollowUp, ...]) -> None:
        totals: dict[tuple[str, str], float] = {}
        for rule in followups:
            if rule.group is not None:
                totals[(rule.after, rule.group)] = totals.get((rule.after, rule.group), 0.0) + rule.probability
        for (after, group), total in totals.items():
            if total > 1.0 + 1e-9:
                raise self.error("followups", f"the probabilities of group {group!r} after {after} add up to "
                                 f"{total:g}, more than 1", "lower them: at most one follow-up of a group happens")

    def fault(self, handler: str, data: object) -> Fault:
        key = f"faults.{handler}"
        if handler not in self.handlers:
            raise self.error(key, f"the program declares no handler {handler!r}" + _hint(handler, self.handlers),
                             f"its handlers are {', '.join(self.handlers) or '(none)'}")
        table = _Table(self, key, data)
        errors_table = _Table(self, table.at("errors"), table.take("errors", {}))
        errors = []
        for name in list(errors_table.data):
            if not name.isidentifier():
                raise self.error(errors_table.at(name), "is not an exception class name",
                                 "name a class such as ConnectionError, TimeoutError or your handler module's own")
            errors.append((name, self.probability(errors_table.at(name), errors_table.take(name))))
        errors_table.finish()
        total = sum(p for _, p in errors)
        if total > 1.0 + 1e-9:
            raise self.error(errors_table.key, f"the error rates add up to {total:g}, more than 1",
                             "lower them: each attempt fails with at most one error")
        latency = table.take("latency", None)
        latency = None if latency is None else self.distribution(table.at("latency"), latency, duration=True)
        table.finish()
        return Fault(handler, tuple(errors), latency)

    # ---------------------------------------------------------------- fields

    def fields(self, table: _Table, event: str, copied: tuple[str, ...]) -> tuple[tuple[str, Generator], ...]:
        decl = self.events[event]
        given = _Table(self, table.at("fields"), table.take("fields", {}))
        for name in given.data:
            if decl.field_type(name) is None:
                raise self.error(given.at(name), f"{event} has no field {name!r}"
                                 + _hint(name, [f for f, _ in decl.fields]), f"its fields are {_names(decl)}")
            if name in copied:
                raise self.error(given.at(name), "is copied from the earlier event and generated too",
                                 "drop it from `copy` or from the fields")
        out = []
        missing = []
        for name, kind in decl.fields:
            if name in copied:
                continue
            if name not in given.data:
                missing.append(name)
                continue
            out.append((name, self.generator(given.at(name), given.take(name), kind)))
        given.finish()
        if missing:
            raise self.error(given.key, f"no generator for {', '.join(missing)} of {event}",
                             "give every field one (a constant such as `vip = false` will do)")
        return tuple(out)

    def generator(self, key: str, data: object, kind: str) -> Generator:
        if not isinstance(data, dict):
            return Constant(self.value(key, data, kind))
        table = _Table(self, key, data)
        gen = table.take("kind")
        if gen not in FIELD_KINDS:
            raise self.error(table.at("kind"), f"{_shown(gen)} is not a generator",
                             f"write one of {', '.join(FIELD_KINDS)}")
        result: Generator
        if gen == "constant":
            result = Constant(self.value(table.at("value"), table.take("value"), kind))
        elif gen == "sequence":
            self.kind_for(key, "a sequence", kind, ("str", "int"))
            prefix = table.take("prefix", "")
            if not isinstance(prefix, str):
                raise self.error(table.at("prefix"), f"{_shown(prefix)} is not text", "write `prefix = \"o-\"`")
            if prefix and kind == "int":
                raise self.error(table.at("prefix"), "an int field's sequence has no prefix",
                                 "remove `prefix`, or declare the field str")
            result = Sequence(prefix, self.integer(table.at("start"), table.take("start", 1), minimum=0),
                              numbers=kind == "int")
        elif gen == "choice":
            values = table.take("values")
            if not isinstance(values, list) or not values:
                raise self.error(table.at("values"), f"{_shown(values)} is not a list of values",
                                 "write `values = [\"a\", \"b\"]`")
            values = [self.value(f"{table.at('values')}[{i}]", v, kind) for i, v in enumerate(values)]
            weights = table.take("weights", [1] * len(values))
            if (not isinstance(weights, list) or len(weights) != len(values)
                    or not all(_is_number(w) and w >= 0 for w in weights) or not any(w > 0 for w in weights)):
                raise self.error(table.at("weights"), f"{_shown(weights)} is not one weight per value",
                                 f"write {len(values)} non-negative numbers, not all 0")
            cumulative, total = [], 0.0
            for weight in weights:
                total += float(weight)
                cumulative.append(total)
            result = Choice(tuple(values), tuple(cumulative))
        elif gen == "bool":
            self.kind_for(key, "bool", kind, ("bool",))
            result = Bernoulli(self.probability(table.at("p"), table.take("p", 0.5)))
        elif gen == "event_time":
            self.kind_for(key, "event_time", kind, ("time",))
            result = EventTime(self.duration(table.at("offset"), table.take("offset", 0.0)))
        else:
            self.kind_for(key, str(gen), kind, ("int", "float", "duration", "time"))
            distribution = self.distribution_of(table, str(gen), duration=kind == "duration")
            low = table.take("min", None)
            high = table.take("max", None)
            low = None if low is None else self.number_of(table.at("min"), low, kind)
            high = None if high is None else self.number_of(table.at("max"), high, kind)
            if low is not None and high is not None and low > high:
                raise self.error(key, f"min {low:g} is above max {high:g}", "swap them")
            digits = table.take("round", None)
            if digits is not None:
                digits = self.integer(table.at("round"), digits, minimum=0)
            result = Number(distribution, kind == "int", low, high, digits)
        table.finish()
        return result

    def kind_for(self, key: str, what: str, kind: str, kinds: tuple[str, ...]) -> None:
        if kind not in kinds:
            raise self.error(key, f"{what} cannot fill a field of type {kind}",
                             f"it fills {' or '.join(kinds)} fields; use a constant or a choice")

    def value(self, key: str, data: object, kind: str) -> object:
        """A constant of the field's type (durations and times as text or seconds)."""
        if kind == "str" and isinstance(data, str):
            return data
        if kind == "bool" and isinstance(data, bool):
            return data
        if kind == "int" and type(data) is int:
            return data
        if kind in ("float", "duration", "time") and _is_number(data):
            return float(data)  # type: ignore[arg-type]
        if kind == "duration" and isinstance(data, str):
            return self.duration(key, data)
        if kind == "time" and isinstance(data, str):
            return self.time_value(key, data)
        raise self.error(key, f"{_shown(data)} is not a {kind}", f"write a {kind} value ({_EXAMPLES.get(kind, '')})")

    # ---------------------------------------------------------------- numbers

    def distribution(self, key: str, data: object, duration: bool) -> Distribution:
        if not isinstance(data, dict):
            value = self.duration(key, data) if duration else self.number(key, data)
            return Distribution("fixed", value)
        table = _Table(self, key, data)
        kind = table.take("kind")
        if kind not in DISTRIBUTIONS:
            raise self.error(table.at("kind"), f"{_shown(kind)} is not a distribution",
                             f"write one of {', '.join(DISTRIBUTIONS)}")
        result = self.distribution_of(table, str(kind), duration)
        table.finish()
        return result

    def distribution_of(self, table: _Table, kind: str, duration: bool) -> Distribution:
        def read(name: str, *, positive: bool = False) -> float:
            raw = table.take(name)
            value = self.duration(table.at(name), raw) if duration else self.number(table.at(name), raw)
            if positive and value <= 0:
                raise self.error(table.at(name), f"{_shown(raw)} is not above 0", "give a positive value")
            return value

        if kind == "fixed":
            return Distribution("fixed", read("value"))
        if kind == "uniform":
            low, high = read("low"), read("high")
            if low > high:
                raise self.error(table.key, f"low {low:g} is above high {high:g}", "swap them")
            return Distribution("uniform", low, high)
        if kind == "exponential":
            return Distribution("exponential", read("mean", positive=True))
        if kind == "normal":
            mean, stddev = read("mean"), read("stddev")
            if stddev < 0:
                raise self.error(table.at("stddev"), "is negative", "give a standard deviation of 0 or more")
            return Distribution("normal", mean, stddev)
        median, p99 = read("median", positive=True), read("p99", positive=True)
        if p99 <= median:
            raise self.error(table.at("p99"), f"{p99:g} is not above the median {median:g}",
                             "a lognormal's 99th percentile lies above its median")
        return Distribution("lognormal", math.log(median), math.log(p99 / median) / Z99)

    def number_of(self, key: str, data: object, kind: str) -> float:
        return self.duration(key, data) if kind == "duration" else self.number(key, data)

    def number(self, key: str, data: object) -> float:
        if not _is_number(data) or not math.isfinite(data):  # type: ignore[arg-type]
            raise self.error(key, f"{_shown(data)} is not a number", "write a number such as 2 or 0.5")
        return float(data)  # type: ignore[arg-type]

    def duration(self, key: str, data: object) -> float:
        if isinstance(data, bool):
            data = None
        try:
            value = parse_duration(data)
        except ValueError:
            raise self.error(key, f"{_shown(data)} is not a duration",
                             "write seconds (2.5) or text such as \"250ms\", \"5s\", \"2m\", \"1h\", \"1d\"") from None
        if value < 0:
            raise self.error(key, f"{_shown(data)} is negative", "a duration is 0 or more")
        return value

    def time(self, table: _Table, name: str, default: float) -> float:
        data = table.take(name, None)
        return default if data is None else self.time_value(table.at(name), data)

    def time_value(self, key: str, data: object) -> float:
        try:
            if _is_number(data):
                return float(data)  # type: ignore[arg-type]
            if isinstance(data, str):
                return time_from_text(data)
        except ValueError:
            pass
        raise self.error(key, f"{_shown(data)} is not a time",
                         "write RFC 3339 text such as \"2026-01-05T10:00:00Z\" or seconds since the epoch")

    def rate(self, key: str, data: object) -> float:
        if _is_number(data) and data > 0 and math.isfinite(data):  # type: ignore[operator]
            return float(data)  # type: ignore[arg-type]
        if isinstance(data, str):
            match = _RATE(data)
            if match and match.group(2) in RATE_UNITS and float(match.group(1)) > 0:
                return float(match.group(1)) / RATE_UNITS[match.group(2)]
        raise self.error(key, f"{_shown(data)} is not a rate",
                         "write events per second as a positive number, or text such as \"30/min\" or \"2/s\" "
                         f"(units: {', '.join(RATE_UNITS)})")

    def probability(self, key: str, data: object) -> float:
        if not _is_number(data) or not 0.0 <= data <= 1.0:  # type: ignore[operator]
            raise self.error(key, f"{_shown(data)} is not a probability", "write a number from 0 to 1")
        return float(data)  # type: ignore[arg-type]

    def count(self, table: _Table, name: str, default: int, minimum: int) -> int:
        return self.integer(table.at(name), table.take(name, default), minimum)

    def integer(self, key: str, data: object, minimum: int) -> int:
        if type(data) is not int or data < minimum:
            raise self.error(key, f"{_shown(data)} is not a whole number of at least {minimum}",
                             f"write a whole number such as {max(minimum, 1)}")
        return data

    def event(self, key: str, name: object) -> None:
        if not isinstance(name, str) or name not in self.events:
            raise self.error(key, f"the program declares no event {_shown(name)}"
                             + (_hint(name, self.events) if isinstance(name, str) else ""),
                             f"its events are {', '.join(self.events) or '(none)'}")


_EXAMPLES = {"str": "\"text\"", "int": "3", "float": "2.5", "bool": "true or false",
             "duration": "\"5s\" or seconds", "time": "\"2026-01-05T10:00:00Z\" or seconds since the epoch"}


def _is_number(value: object) -> bool:
    return type(value) in (int, float)


def _names(decl: ir.EventDef) -> str:
    return ", ".join(f"{name}: {kind}" for name, kind in decl.fields) or "(none)"


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list" if len(repr(value)) > 40 else repr(value)
    return repr(value)


def _hint(name: str, choices) -> str:
    """`` (did you mean 'x'?)`` for a near miss, else nothing."""
    near = suggestion(name, choices)
    return f" ({near[2:]})" if near else ""
