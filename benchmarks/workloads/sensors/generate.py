"""The sensors workload's input: R readings from S sensors, in time order.

Deterministic for a given (sensors, readings, seed). Each sensor reads about every 2 seconds
(so a 10-second window holds about 5 readings) at its own base temperature (45 – 65 degrees)
with noise; in 1.5% of its windows it runs 30 degrees hot, which usually lifts the mean over
the 80-degree threshold. Times are in milliseconds and never go backwards (no late readings:
the stream's windows close on the event-time clock, and a late reading would land in whatever
window is open then, which pandas cannot mirror). Temperatures are not rounded: with two
decimals, a mean of exactly 80.0 turns up among millions of windows, and whether it is over the
threshold then hangs on the last bit of the sum, where pandas' compensated sum and the
language's left-to-right sum may differ.

:func:`expected_alarms` computes the alarms the way the language defines them (sum from 0 in
arrival order over the count, windows ``[k·10 s, (k+1)·10 s)``), with numpy, independently of
both the interpreter and pandas.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.workloads.columns import EventTable

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "sensors.coord"

T0 = 1_767_225_600.0
"""2026-01-01T00:00:00Z (a multiple of the window)."""
WINDOW = 10.0
THRESHOLD = 80.0
MIN_READINGS = 3
PERIOD = 2.0
"""Mean seconds between two readings of one sensor."""
HOT_PER_10K = 150
HOT = 30.0

TYPES = ("Reading",)
FIELDS = {"Reading": (("sensor", "int"), ("temp", "float"))}


@dataclass(slots=True)
class Sensors:
    table: EventTable
    sensors: int
    readings: int
    seed: int

    @property
    def ident(self) -> str:
        source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]
        return f"sensors-{self.sensors}-{self.readings}-{self.seed}-{source}"


def generate(sensors: int, readings: int, seed: int = 1) -> Sensors:
    rng = np.random.default_rng([seed, sensors, readings])
    span = readings / sensors * PERIOD
    time = np.round(T0 + np.sort(rng.uniform(0.0, span, readings)), 3)
    sensor = rng.integers(1, sensors + 1, readings, dtype=np.int64)
    base = rng.uniform(45.0, 65.0, sensors + 1)
    window = np.floor(time / WINDOW).astype(np.int64)
    hot = _hash(sensor * np.int64(1 << 32) + window) % np.uint64(10_000) < np.uint64(HOT_PER_10K)
    temp = base[sensor] + rng.normal(0.0, 2.5, readings) + np.where(hot, HOT, 0.0)
    table = EventTable(TYPES, dict(FIELDS), np.zeros(readings, dtype=np.uint8), time,
                       {"sensor": sensor, "temp": temp})
    return Sensors(table, sensors, readings, seed)


def expected_alarms(data: Sensors) -> list[tuple[int, float, int]]:
    """(sensor, mean, readings) of every alarm, ordered by window end, then by the order the
    windows opened (the order the windows' timers were made)."""
    table = data.table
    sensor = table.columns["sensor"]
    temp = table.columns["temp"]
    window = np.floor(table.time / WINDOW).astype(np.int64)
    group = window * np.int64(data.sensors + 1) + sensor
    keys, first, inverse = np.unique(group, return_index=True, return_inverse=True)
    sums = np.zeros(len(keys))
    np.add.at(sums, inverse, temp)  # unbuffered: adds in arrival order, like the interpreter
    counts = np.bincount(inverse, minlength=len(keys))
    means = sums / counts
    alarm = (means > THRESHOLD) & (counts >= MIN_READINGS)
    order = np.lexsort((first[alarm], keys[alarm] // (data.sensors + 1)))
    return [(int(s), float(m), int(c)) for s, m, c in
            zip((keys[alarm] % (data.sensors + 1))[order], means[alarm][order], counts[alarm][order])]


def _hash(values: np.ndarray) -> np.ndarray:
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
