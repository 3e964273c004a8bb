"""Handlers for the order saga.

Everything here is deterministic: a call's result depends only on its arguments, so the
interpreter and the compiled backend (and every replay) see the same outcomes.
"""

from __future__ import annotations

import numpy as np

# Order ids whose payment gateway connection always drops (to exercise the retry policy
# running out of attempts).
UNREACHABLE_GATEWAY = {"o-1013"}

# Parcels the carrier refuses: the delivery address is on an embargo list.
EMBARGOED = {"o-1006"}


def score(amount: float, items: int) -> float:
    """Risk of an order in [0, 1]; a `jit` handler, so plain numeric code only."""
    risk = amount / 2000.0
    if items > 10:
        risk += 0.3
    elif items > 5:
        risk += 0.1
    if risk > 1.0:
        risk = 1.0
    return risk


def charge(order_id: str, amount: float) -> float:
    """Charge the customer; returns the amount charged."""
    if order_id in UNREACHABLE_GATEWAY:
        raise ConnectionError(f"payment gateway unreachable while charging {order_id}")
    return round(float(amount), 2)


def refund(order_id: str, amount: float) -> bool:
    """Refund a charge. Idempotent: refunding the same order twice is a no-op at the gateway."""
    return amount >= 0.0


def ship_many(order_ids: np.ndarray) -> np.ndarray:
    """A `batch` handler: book a parcel for each order; False where the carrier refuses it."""
    return np.array([oid not in EMBARGOED for oid in order_ids], dtype=bool)


def send_mail(customer: str, text: str) -> bool:
    """Queue an e-mail to the customer."""
    return bool(customer) and bool(text)
