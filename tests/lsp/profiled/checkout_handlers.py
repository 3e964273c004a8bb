"""Handlers of checkout.coord, a copy of ``tests/eventlog/programs/checkout_handlers.py``.
Deterministic: what a call does depends only on its arguments and attempt."""

from __future__ import annotations

import os
import time

SLEEP = float(os.environ.get("COORD_TEST_HANDLER_SLEEP", "0"))


def _attempt(idempotency_key: str) -> int:
    return int(idempotency_key.rsplit(":", 1)[1])


def charge(id: str, amount: float, idempotency_key: str) -> float:
    if SLEEP:
        time.sleep(SLEEP)
    number = int(id[1:])
    if number % 7 == 0 and _attempt(idempotency_key) == 1:
        raise ConnectionError(f"payment service unreachable for {id}")
    if number % 11 == 0:
        raise ValueError(f"card of {id} refused")
    return round(amount * 1.1, 2)


def refund(id: str, amount: float) -> bool:
    return True


def thank(id: str) -> bool:
    if SLEEP:
        time.sleep(SLEEP)
    return True
