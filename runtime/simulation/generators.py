"""What a simulation draws: numbers and durations from distributions, and event fields.

Every draw takes the universe's :class:`random.Random`, so a universe's seed fixes everything it
draws. The generators are plain frozen data (they cross to worker processes by pickling).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

Z99 = 2.3263478740408408
"""The standard normal's 99th percentile: a lognormal with median ``m`` and 99th percentile
``q`` has ``sigma = ln(q / m) / Z99``."""

DISTRIBUTIONS = ("fixed", "uniform", "exponential", "normal", "lognormal")


@dataclass(frozen=True, slots=True)
class Distribution:
    """A distribution of numbers (durations in seconds)."""

    kind: str
    """One of :data:`DISTRIBUTIONS`."""
    a: float
    """``fixed``: the value; ``uniform``: the low end; ``exponential``: the mean; ``normal``: the
    mean; ``lognormal``: the mean of the logarithm (``ln(median)``)."""
    b: float = 0.0
    """``uniform``: the high end; ``normal``: the standard deviation; ``lognormal``: the
    standard deviation of the logarithm."""

    def draw(self, rng: random.Random) -> float:
        kind = self.kind
        if kind == "fixed":
            return self.a
        if kind == "uniform":
            return rng.uniform(self.a, self.b)
        if kind == "exponential":
            return rng.expovariate(1.0 / self.a) if self.a > 0 else 0.0
        if kind == "normal":
            return rng.gauss(self.a, self.b)
        return rng.lognormvariate(self.a, self.b)

    def duration(self, rng: random.Random) -> float:
        """A draw as a duration: a negative draw (a normal's left tail) is no time at all."""
        return max(self.draw(rng), 0.0)

    @property
    def mean(self) -> float:
        if self.kind == "fixed" or self.kind in ("exponential", "normal"):
            return self.a
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        return math.exp(self.a + self.b * self.b / 2)


class Draws:
    """A universe's generator and the state its fields carry from event to event (the next
    number of each sequence)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sequences: dict[tuple[str, str], int] = {}


@dataclass(frozen=True, slots=True)
class Constant:
    value: object

    def make(self, draws: Draws, event: str, name: str, time: float) -> object:
        return self.value


@dataclass(frozen=True, slots=True)
class Sequence:
    """``prefix`` followed by 1, 2, 3... (from ``start``), one count per event type and field:
    the ids of new orders, each different; the numbers themselves for an int field."""

    prefix: str
    start: int = 1
    numbers: bool = False

    def make(self, draws: Draws, event: str, name: str, time: float) -> object:
        number = draws.sequences.get((event, name), self.start)
        draws.sequences[(event, name)] = number + 1
        return number if self.numbers else f"{self.prefix}{number}"


@dataclass(frozen=True, slots=True)
class Choice:
    """One of ``values``, each with its weight (cumulative, as ``random.choices`` takes them)."""

    values: tuple
    cumulative: tuple[float, ...]

    def make(self, draws: Draws, event: str, name: str, time: float) -> object:
        return draws.rng.choices(self.values, cum_weights=self.cumulative)[0]


@dataclass(frozen=True, slots=True)
class Bernoulli:
    """``true`` with probability ``p``."""

    p: float

    def make(self, draws: Draws, event: str, name: str, time: float) -> object:
        return draws.rng.random() < self.p


@dataclass(frozen=True, slots=True)
class Number:
    """A draw from ``distribution``, kept within ``[low, high]`` when they are given, then made
    an int (an ``int`` field; ``uniform`` then draws each integer of ``[a, b]`` equally often)
    or rounded to ``digits``."""

    distribution: Distribution
    integer: bool = False
    low: float | None = None
    high: float | None = None
    digits: int | None = None

    def make(self, draws: Draws, event: str, name: str, time: float) -> object:
        dist = self.distribution
        if self.integer and dist.kind == "uniform":
            value: float = draws.rng.randint(math.ceil(dist.a), math.floor(dist.b))
        else:
            value = dist.draw(draws.rng)
        if self.low is not None and value < self.low:
            value = self.low
        if self.high is not None and value > self.high:
            value = self.high
        if self.integer:
            return int(round(value))
        return round(value, self.digits) if self.digits is not None else float(value)


@dataclass(frozen=True, slots=True)
class EventTime:
    """A ``time`` field holding the moment its event happens, plus ``offset`` seconds."""

    offset: float = 0.0

    def make(self, draws: Draws, event: str, name: str, time: float) -> object:
        return time + self.offset


Generator = Constant | Sequence | Choice | Bernoulli | Number | EventTime
