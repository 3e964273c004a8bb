"""Handlers of the interpreter tests. ``CALLS`` records every call (name, arguments,
idempotency key when the function takes one); the tests reset it."""

from __future__ import annotations

import numpy as np

CALLS: list[tuple] = []
FAILURES: dict[str, int] = {}
"""Tag → how many more calls of ``flaky`` with that tag fail."""


class Unavailable(ConnectionRefusedError):
    """A subclass of ConnectionError, for policies that name a base class."""


def reset() -> None:
    CALLS.clear()
    FAILURES.clear()


def echo(x):
    CALLS.append(("echo", x))
    return x


def double(x):
    CALLS.append(("double", x))
    return x * 2


def record(x) -> bool:
    CALLS.append(("record", x))
    return True


def keyed(x, *, idempotency_key: str):
    CALLS.append(("keyed", x, idempotency_key))
    return x


def flaky(tag, *, idempotency_key: str):
    """Fails with ConnectionError while FAILURES[tag] > 0."""
    CALLS.append(("flaky", tag, idempotency_key))
    left = FAILURES.get(tag, 0)
    if left > 0:
        FAILURES[tag] = left - 1
        raise ConnectionError(f"{tag} unreachable")
    return f"{tag} ok"


def refuse(x):
    CALLS.append(("refuse", x))
    raise PermissionError(f"no access to {x}")


def unavailable(x):
    CALLS.append(("unavailable", x))
    raise Unavailable(f"{x} is down")


def slow(x):
    CALLS.append(("slow", x))
    raise TimeoutError(f"{x} took too long")


def twice_batch(x: np.ndarray) -> np.ndarray:
    CALLS.append(("twice_batch", type(x).__name__, x.dtype.kind, len(x)))
    return x * 2


def words_batch(s: np.ndarray, n: np.ndarray) -> np.ndarray:
    CALLS.append(("words_batch", s.dtype.kind, n.dtype.kind))
    return np.array([f"{a}x{b}" for a, b in zip(s, n)], dtype=object)


def scalar_batch(x):
    return 3


def square_jit(x: float) -> float:
    return x * x


NOT_A_FUNCTION = 42


async def later(x):
    CALLS.append(("later", x))
    if x == "bad":
        raise LookupError("no such thing")
    return f"awaited {x}"
