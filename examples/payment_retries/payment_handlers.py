"""Handlers for the payment retries example: a fake exchange-rate cache, card network and ledger.

Deterministic: each failure depends only on the arguments (the payment id, the card number,
the amount or the currency), so a payment that fails once fails on every attempt and the retry
policy runs out. That is what the example shows; `coord simulate` injects transient faults.
"""

from __future__ import annotations

# EUR per unit of each currency.
RATES = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05}

CARD_LIMIT = 10_000.0
DECLINED_CARDS = {"4000-0000-0000-0002"}

# Payments whose card network connection keeps dropping.
NETWORK_DOWN = {"p-2004"}
# Payments whose ledger write keeps timing out during a failover.
LEDGER_FAILOVER = {"p-2005"}


class CardDeclined(Exception):
    """The issuer said no; retrying does not change its mind."""


def convert(amount: float, currency: str) -> float:
    """The amount in EUR, rounded to cents."""
    rate = RATES.get(currency)
    if rate is None:
        raise ValueError(f"no exchange rate for {currency}")
    return round(amount * rate, 2)


def authorize(payment_id: str, card: str, amount: float) -> str:
    """Reserve the amount on the card; returns the authorization code."""
    if payment_id in NETWORK_DOWN:
        raise ConnectionError(f"card network connection reset while authorizing {payment_id}")
    if card in DECLINED_CARDS:
        raise CardDeclined(f"card ending {card[-4:]} declined: insufficient funds")
    if amount > CARD_LIMIT:
        raise CardDeclined(f"{amount:.2f} EUR is over the card limit of {CARD_LIMIT:.2f}")
    return f"AUTH-{payment_id}-{card[-4:]}"


def void_auth(payment_id: str, auth_code: str) -> bool:
    """Release an authorization. Idempotent: voiding twice is a no-op."""
    return auth_code.startswith("AUTH-")


def capture(payment_id: str, auth_code: str, amount: float) -> float:
    """Write the charge to the ledger; returns the captured amount."""
    if payment_id in LEDGER_FAILOVER:
        raise TimeoutError(f"ledger write for {payment_id} timed out (failover in progress)")
    return round(amount, 2)


def notify_merchant(merchant: str, text: str) -> bool:
    return bool(merchant) and bool(text)
