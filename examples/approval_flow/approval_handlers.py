"""Handlers for the approval flow: notifications and the payout system (both fakes)."""

from __future__ import annotations


def notify(person: str, text: str) -> bool:
    """Send a chat message or an e-mail to a person; True when it was queued."""
    return bool(person) and bool(text)


def pay_out(request_id: str, employee: str, amount: float) -> str:
    """Book the reimbursement. Idempotent: the payout system dedupes by request id."""
    cents = int(round(amount * 100))
    return f"PAY-{request_id}-{employee}-{cents}"
