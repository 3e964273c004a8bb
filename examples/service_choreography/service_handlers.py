"""Handlers for the service choreography: fake inventory, payment, shipping and mail services.

Stateless and deterministic: stock levels are a fixed table, so a reservation depends only on
the order's sku and quantity (and a retried or repeated call gives the same answer).
"""

from __future__ import annotations

STOCK = {"kettle": 40, "toaster": 12, "espresso": 2, "grinder": 0}

# Customers whose card the payment provider refuses.
BLOCKED_CUSTOMERS = {"mallory"}
PAYMENT_LIMIT = 2_000.0

CARRIERS = {"DE": "dhl", "FR": "colissimo", "NL": "postnl"}


def reserve_stock(order_id: str, sku: str, qty: int) -> bool:
    """Hold `qty` units of `sku` for the order; False when there are not enough."""
    return qty <= STOCK.get(sku, 0)


def release_stock(order_id: str, sku: str, qty: int) -> bool:
    """Give back a reservation. Idempotent: keyed by order id."""
    return sku in STOCK


def capture_payment(order_id: str, customer: str, amount: float) -> str:
    """Capture the order amount: "ok", or why not."""
    if customer in BLOCKED_CUSTOMERS:
        return "card blocked by the issuer"
    if amount > PAYMENT_LIMIT:
        return f"{amount:.2f} is over the limit of {PAYMENT_LIMIT:.2f}"
    return "ok"


def pick_carrier(country: str, amount: float) -> str:
    if amount > 500.0:
        return "express"
    return CARRIERS.get(country, "ups")


def send_notice(customer: str, text: str) -> bool:
    return bool(customer) and bool(text)
