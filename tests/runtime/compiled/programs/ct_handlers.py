"""Handlers of the compiled backend's test programs: every result and every failure depends
only on the arguments (and on the attempt, read from the idempotency key), so both backends see
the same ones in whatever order they call them."""

from __future__ import annotations

import asyncio

import numpy as np


def _attempt(idempotency_key: str) -> int:
    return int(idempotency_key.rsplit(":", 1)[1])


def bump(n: int, x: float) -> float:
    """jit: plain numeric code."""
    return x * 2.0 + n


def risky(n: int) -> int:
    """jit: raises for some arguments (numba raises the same class and message)."""
    if n % 5 == 4:
        raise ValueError("risky refuses")
    return n * 3


def flaky(n: int, idempotency_key: str = "") -> int:
    """Fails its first n % 4 attempts with ConnectionError; KeyError for n % 9 == 8."""
    if n % 9 == 8:
        raise KeyError(f"no record {n}")
    if _attempt(idempotency_key) <= n % 4:
        raise ConnectionError(f"connection reset (attempt {_attempt(idempotency_key)})")
    return n + 100


def many(n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """batch: fails (the whole call) when any row has n % 6 == 5."""
    n = np.asarray(n)
    if (n % 6 == 5).any():
        raise RuntimeError(f"batch refuses {int(n[n % 6 == 5][0])}")
    return np.asarray(x, dtype=np.float64) / 2.0 + n


def name(id: str, n: int, idempotency_key: str = "") -> str:
    if n % 7 == 6 and _attempt(idempotency_key) < 2:
        raise TimeoutError(f"directory slow for {id}")
    return f"{id.upper()}-{n}"


def undo(id: str, n: int) -> bool:
    if n % 2 == 1:
        raise ConnectionError(f"cannot undo {id}")
    return True


def undo_fast(n: int) -> bool:
    """jit compensation: raises for some arguments."""
    if n % 4 == 1:
        raise RuntimeError("undo_fast failed")
    return True


def undo_many(n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """batch compensation: rows with n % 5 == 2 fail; the exception carries the failed mask and
    the other rows' results (not per-row errors: those rows are called again alone)."""
    n = np.asarray(n)
    results = n % 3 != 0
    failed = n % 5 == 2
    if failed.any():
        exc = ConnectionError(f"undo_many failed for {int(n[failed][0])}")
        exc.failed = failed
        exc.results = results
        raise exc
    return results


def slow(name: str, n: int) -> int:
    """Plain: negative for some arguments (the workflow then completes at once); raises for others."""
    if n == 7:
        raise ValueError(f"slow refuses {name}")
    return n - 2 if n % 3 else -n


def bulk(n: np.ndarray) -> np.ndarray:
    """batch: doubles; a row with n == 5 fails, and the exception carries the failed mask, the
    other rows' results and each failed row's own error (the orders workload's convention)."""
    n = np.asarray(n)
    failed = n == 5
    if failed.any():
        more = int(failed.sum()) - 1
        exc = LookupError("bulk refuses 5" + (f" and {more} more" if more else ""))
        exc.failed = failed
        exc.results = n * 2
        exc.errors = [LookupError("bulk refuses 5") if bad else None for bad in failed.tolist()]
        raise exc
    return n * 2


def tag(name: str) -> str:
    return f"tag-{name}"


def broken(n: int) -> int:
    """jit: numba cannot compile this (a name that does not exist)."""
    return n + undefined_name  # noqa: F821


IN_FLIGHT = {"now": 0, "most": 0}
"""Coroutine calls in flight at once (``reserve``), for the concurrency tests."""


async def reserve(id: str, n: int, idempotency_key: str = "") -> int:
    """async: a few scheduling points in flight; fails its first attempt when n % 3 == 1."""
    IN_FLIGHT["now"] += 1
    IN_FLIGHT["most"] = max(IN_FLIGHT["most"], IN_FLIGHT["now"])
    try:
        for _ in range(3):
            await asyncio.sleep(0)
        if n % 3 == 1 and _attempt(idempotency_key) == 1:
            raise ConnectionError(f"reserve {id}: try again")
        return n * 10
    finally:
        IN_FLIGHT["now"] -= 1


async def release(id: str) -> None:
    """async compensation: fails for ids ending in 'x'."""
    await asyncio.sleep(0)
    if id.endswith("x"):
        raise RuntimeError(f"release {id}: already gone")


async def quote(n: int, idempotency_key: str = "") -> float:
    """async with a 50 ms timeout: the first attempt for n % 4 == 3 takes far longer."""
    if n % 4 == 3 and _attempt(idempotency_key) == 1:
        await asyncio.sleep(5)
    return n * 1.5
