"""The sensors computation in pandas: group the readings by sensor and 10-second window, take
the mean and the count, keep the windows over the threshold.

It gets the readings as a DataFrame (built from the generator's columns before the clock
starts, as coord's executors get their events already decoded) and returns the alarms as
``(sensor, mean, readings)``, ordered like the coord program's outcomes (by window, then by
the window's first reading).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks.workloads.sensors.generate import MIN_READINGS, THRESHOLD, WINDOW, Sensors


def frame(data: Sensors) -> pd.DataFrame:
    table = data.table
    return pd.DataFrame({"time": table.time, "sensor": table.columns["sensor"], "temp": table.columns["temp"]})


def alarms(readings: pd.DataFrame) -> pd.DataFrame:
    """The alarms: one row per window with ``mean > 80`` and at least 3 readings."""
    window = np.floor(readings["time"].to_numpy() / WINDOW).astype(np.int64)
    grouped = readings.assign(window=window, order=np.arange(len(readings))).groupby(
        ["window", "sensor"], sort=False).agg(mean=("temp", "mean"), readings=("temp", "size"),
                                              first=("order", "first"))
    hits = grouped[(grouped["mean"] > THRESHOLD) & (grouped["readings"] >= MIN_READINGS)]
    return hits.reset_index().sort_values(["window", "first"], kind="stable")


def run(readings: pd.DataFrame) -> tuple[list[tuple[int, float, int]], float]:
    """(alarms, seconds) of one run."""
    began = time.perf_counter()
    hits = alarms(readings)
    seconds = time.perf_counter() - began
    return list(zip(hits["sensor"].tolist(), hits["mean"].tolist(), hits["readings"].tolist())), seconds
