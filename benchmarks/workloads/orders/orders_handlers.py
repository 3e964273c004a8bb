"""Handlers of the orders workload, and the twins the generator and the peers use.

Deterministic: a call's result depends only on its arguments, so every executor, every replay
and every peer sees the same outcomes (the project's rule for example handlers; transient
faults are ``coord simulate``'s business). 3% of order ids hit a gateway that keeps dropping
the connection: their charge fails on every attempt and the retry policy runs out.

``charge`` is a ``batch`` handler. The runtime reports an exception from a batch handler as the
error of every row of the call (the interpreter calls it with one row at a time, so that is one
order). The exception also carries ``failed`` (a bool mask of the rows that failed),
``results`` (the other rows' results) and ``errors`` (per row, the exception a one-row call
would have raised, or None), so a runtime that calls with real batches can fail only those rows,
each with its own message, without calling them again.
"""

from __future__ import annotations

import numpy as np

FAILING_PER_10K = 300
"""Orders per 10,000 whose gateway keeps failing."""

_M64 = (1 << 64) - 1


def score(amount: float, items: int) -> float:
    """Risk of an order in [0, 1]. A `jit` handler: plain numeric code that numba compiles."""
    risk = amount / 2000.0
    if items > 10:
        risk += 0.3
    elif items > 5:
        risk += 0.1
    if risk > 1.0:
        risk = 1.0
    return risk


def score_many(amounts: np.ndarray, items: np.ndarray) -> np.ndarray:
    """:func:`score` of each row (the generator's twin; the same float operations)."""
    risk = amounts / 2000.0
    risk = risk + np.where(items > 10, 0.3, np.where(items > 5, 0.1, 0.0))
    return np.minimum(risk, 1.0)


def charge(order_id: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Charge each order; returns the amount charged. Raises ``ConnectionError`` when the
    gateway of any row fails (see the module docstring)."""
    results = np.asarray(amount, dtype=np.float64).copy()
    failed = gateway_fails(np.asarray(order_id))
    if failed.any():
        ids = np.asarray(order_id).tolist()
        errors = [_dropped(i) if bad else None for i, bad in zip(ids, failed.tolist())]
        exc = _dropped(ids[int(np.argmax(failed))], int(failed.sum()) - 1)
        exc.failed = failed  # type: ignore[attr-defined]
        exc.results = results  # type: ignore[attr-defined]
        exc.errors = errors  # type: ignore[attr-defined]
        raise exc
    return results


def _dropped(order_id: int, more: int = 0) -> ConnectionError:
    return ConnectionError(f"payment gateway dropped the connection while charging order {order_id}"
                           + (f" and {more} more" if more else ""))


def gateway_fails(order_ids: np.ndarray) -> np.ndarray:
    """Whether the gateway fails for each order id (a hash of the id: splitmix64)."""
    z = order_ids.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(10_000)) < np.uint64(FAILING_PER_10K)


def gateway_fails_one(order_id: int) -> bool:
    """:func:`gateway_fails` of one id, in plain Python (for the peers)."""
    z = (order_id + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    z ^= z >> 31
    return z % 10_000 < FAILING_PER_10K
