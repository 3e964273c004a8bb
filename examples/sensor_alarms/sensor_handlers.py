"""Handlers for the sensor alarms example: the alarm log, the power switch and the pager (fakes)."""

from __future__ import annotations

import zlib

import numpy as np


def record_alarms(sensors: np.ndarray, kinds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A `batch` handler: append the alarms to the alarm log; returns each alarm's row id.

    Row ids are a stable function of the alarm, so a replay writes the same ids.
    """
    ids = [
        zlib.crc32(f"{sensor}|{kind}|{value:.3f}".encode()) & 0x7FFFFFFF
        for sensor, kind, value in zip(sensors, kinds, values)
    ]
    return np.array(ids, dtype=np.int64)


def cut_power(sensor: str) -> bool:
    """Open the sensor's relay. Idempotent: opening an open relay does nothing."""
    return bool(sensor)


def page(sensor: str, kind: str, value: float) -> bool:
    """Page the on-call operator."""
    return bool(sensor) and bool(kind)


def page_supervisor(sensor: str, text: str) -> bool:
    """Page the shift supervisor."""
    return bool(sensor) and bool(text)
