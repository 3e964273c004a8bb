"""The orders workload's input: N orders and what happens to each, as an event table.

Deterministic for a given (instances, seed): numpy's PCG64 generator, no wall clock. Besides
the events, the generator knows what every executor must report (:attr:`Orders.expected`,
:attr:`Orders.status`), so a peer can be checked without running the interpreter.

What happens to the orders (shares of the orders that are neither rejected nor hit a failing
gateway, unless stated):

| share | events | outcome |
| --- | --- | --- |
| about 1% of all orders | risk > 0.9 (:func:`orders_handlers.score`) | `failed`, nothing else sent |
| 3% of the rest | the gateway keeps failing: 5 attempts, 1.5 s of backoff | `failed` |
| 90% | `PaymentOk` within 5 s – 50 min, then one `ItemPacked` per item | `completed` (the amount) |
| of those, 1% | one `ItemPacked` never comes | `running` |
| of those, 2% | a `PaymentOk` for half the amount first | `rejected` +1 |
| of those, 1% | the `PaymentOk` is delivered twice (the copy waits in the inbox) | |
| 4% | `PaymentFailed` | `failed` |
| 3% | no answer | `failed` when the 1 h timer fires |
| 3% | `PaymentOk` 2 – 30 min after the timeout | `failed`; the answer is `unrouted` |
| 1% | `OrderPlaced` again, 1 – 4 s later | `duplicate_start` +1 |
| 6.5% of `ItemPacked` and of on-time `PaymentOk` | delivered 1 – 120 s late (their `time` is older than the clock) | |
| 4% of all events, added | `PaymentOk`, `PaymentFailed` or `ItemPacked` for an order id never placed | `unrouted` |

About 10 events per order, 10% of them late or unroutable. Every time that decides an outcome
is at least half a second away from the times it races against (timers, other events), so
executors that differ by a few milliseconds in when a wait starts still agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.workloads.columns import EventTable
from benchmarks.workloads.orders.orders_handlers import gateway_fails, score_many

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "orders.coord"

T0 = 1_767_225_600.0
"""2026-01-01T00:00:00Z."""
SPACING = 0.01
"""Mean seconds between two orders: 1 M orders arrive over about 3 hours, so hundreds of
thousands are running at once."""
TIMEOUT = 3600.0
REASONS = ("insufficient funds", "card expired", "suspected fraud")

TYPES = ("OrderPlaced", "PaymentOk", "PaymentFailed", "ItemPacked")
FIELDS = {
    "OrderPlaced": (("order_id", "int"), ("amount", "float"), ("items", "int")),
    "PaymentOk": (("order_id", "int"), ("amount", "float")),
    "PaymentFailed": (("order_id", "int"), ("reason", "str")),
    "ItemPacked": (("order_id", "int"), ("sku", "int")),
}
PLACED, OK, DECLINED, PACKED = range(4)


@dataclass(slots=True)
class Orders:
    """The generated input and what must come out of it."""

    table: EventTable
    instances: int
    expected: dict[str, int]
    """The counters of ``STATS.json`` (LANGUAGE.md section 3) and ``events``."""
    status: np.ndarray
    """Per order (index = order id - 1): the expected final status, as an index into
    :data:`STATUSES`."""
    amount: np.ndarray
    """Per order: its amount (a completed order's value)."""
    seed: int

    @property
    def ident(self) -> str:
        """A name for files of this input: size, seed and a hash of the generator's source."""
        return f"orders-{self.instances}-{self.seed}-{_source_hash()}"


STATUSES = ("completed", "failed", "running")


def generate(instances: int, seed: int = 1) -> Orders:
    """``instances`` orders (ids 1..instances) and everything that happens to them."""
    rng = np.random.default_rng([seed, instances])
    n = instances
    order_id = np.arange(1, n + 1, dtype=np.int64)
    start = _ms(T0 + np.cumsum(rng.exponential(SPACING, n)))
    amount = np.maximum(np.round(rng.lognormal(np.log(80.0), 1.3, n), 2), 1.0)
    items = np.minimum(1 + rng.poisson(8.0, n), 15).astype(np.int64)

    rejected = score_many(amount, items) > 0.9
    gateway_down = gateway_fails(order_id) & ~rejected
    normal = ~rejected & ~gateway_down
    fate = rng.random(n)
    ok = normal & (fate < 0.90)
    declined = normal & (fate >= 0.90) & (fate < 0.94)
    silent = normal & (fate >= 0.94) & (fate < 0.97)
    too_late = normal & (fate >= 0.97)
    answer = _ms(start + rng.uniform(5.0, 3000.0, n))
    late_answer = _ms(start + TIMEOUT + rng.uniform(120.0, 1800.0, n))

    short = ok & (rng.random(n) < 0.02)
    redelivered = ok & (rng.random(n) < 0.01)
    missing = ok & (rng.random(n) < 0.01)
    duplicate = normal & (rng.random(n) < 0.01)
    # A redelivered answer may overtake the original; the original must then still find the
    # order running, so it is never the one delivered late.
    answer_delay = np.where(~redelivered & (rng.random(n) < 0.065), rng.uniform(1.0, 120.0, n), 0.0)

    parts: list[dict[str, np.ndarray]] = []

    def add(kind: int, mask: np.ndarray, time: np.ndarray, arrival: np.ndarray | None = None, *,
            amount_: np.ndarray | None = None, items_: np.ndarray | None = None,
            reason: np.ndarray | None = None, sku: np.ndarray | None = None,
            ids: np.ndarray | None = None) -> None:
        idx = np.flatnonzero(mask)
        rows = len(idx)
        parts.append({
            "type": np.full(rows, kind, dtype=np.uint8),
            "time": time[idx],
            "arrival": (time if arrival is None else arrival)[idx],
            "order_id": (order_id if ids is None else ids)[idx],
            "amount": np.zeros(rows) if amount_ is None else amount_[idx],
            "items": np.zeros(rows, dtype=np.int64) if items_ is None else items_[idx],
            "reason": np.zeros(rows, dtype=np.int64) if reason is None else reason[idx],
            "sku": np.zeros(rows, dtype=np.int64) if sku is None else sku[idx],
        })

    everyone = np.ones(n, dtype=bool)
    add(PLACED, everyone, start, amount_=amount, items_=items)
    add(PLACED, duplicate, _ms(start + rng.uniform(1.0, 4.0, n)), amount_=amount, items_=items)
    add(OK, short, _ms(answer - rng.uniform(0.5, 4.0, n)), amount_=np.round(amount * 0.5, 2))
    add(OK, ok, answer, _ms(answer + answer_delay), amount_=amount)
    add(OK, redelivered, _ms(answer + rng.uniform(0.5, 1.0, n)), amount_=amount)
    add(DECLINED, declined, answer, reason=rng.integers(0, len(REASONS), n))
    add(OK, too_late, late_answer, amount_=amount)

    # One ItemPacked per item (one fewer for the orders missing one), a minute apart on
    # average, from 2 s after the answer.
    packs = np.where(ok, items - missing, 0)
    owner = np.repeat(np.arange(n), packs)
    elapsed = np.cumsum(rng.exponential(60.0, len(owner)))
    before = np.concatenate(([0.0], elapsed))[np.cumsum(packs) - packs]  # elapsed before each order's first
    within = elapsed - np.repeat(before, packs)
    pack_time = _ms(answer[owner] + 2.0 + within)
    pack_delay = np.where(rng.random(len(owner)) < 0.065, rng.uniform(1.0, 120.0, len(owner)), 0.0)
    every_pack = np.ones(len(owner), dtype=bool)
    add(PACKED, every_pack, pack_time, _ms(pack_time + pack_delay), ids=order_id[owner],
        sku=rng.integers(1, 100_000, len(owner)))

    known = sum(len(p["type"]) for p in parts)
    unknown = int(round(known * 0.04 / 0.96))
    if unknown:
        span_end = max(float(np.max(p["arrival"])) for p in parts if len(p["arrival"]))
        when = _ms(rng.uniform(T0, span_end, unknown))
        kinds = rng.choice(np.array([OK, DECLINED, PACKED], dtype=np.uint8), unknown, p=[0.3, 0.1, 0.6])
        stray = np.arange(n + 1, n + 1 + unknown, dtype=np.int64) + rng.integers(0, 1_000_000, unknown)
        parts.append({"type": kinds, "time": when, "arrival": when, "order_id": stray,
                      "amount": np.round(rng.uniform(1.0, 500.0, unknown), 2),
                      "items": np.zeros(unknown, dtype=np.int64),
                      "reason": rng.integers(0, len(REASONS), unknown),
                      "sku": rng.integers(1, 100_000, unknown)})

    merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(merged["arrival"], kind="stable")
    table = EventTable(
        TYPES, dict(FIELDS), merged["type"][order], merged["time"][order],
        {"order_id": merged["order_id"][order], "amount": merged["amount"][order],
         "items": merged["items"][order], "reason": merged["reason"][order].astype(np.uint8),
         "sku": merged["sku"][order]},
        {"reason": REASONS},
    )

    status = np.full(n, STATUSES.index("failed"), dtype=np.uint8)
    status[ok & ~missing] = STATUSES.index("completed")
    status[ok & missing] = STATUSES.index("running")
    expected = {
        "completed": int((ok & ~missing).sum()),
        "failed": int((rejected | gateway_down | declined | silent | too_late).sum()),
        "compensated": 0,
        "cancelled": 0,
        "running": int((ok & missing).sum()),
        "duplicate_start": int(duplicate.sum()),
        "rejected": int(short.sum()),
        "unrouted": unknown + int(too_late.sum()),
        "inbox_dropped": 0,
        "events": len(table),
    }
    return Orders(table, n, expected, status, amount, seed)


def _ms(seconds: np.ndarray) -> np.ndarray:
    """Times to the millisecond, as an events file holds them."""
    return np.round(seconds, 3)


def _source_hash() -> str:
    text = Path(__file__).read_bytes() + (HERE / "orders_handlers.py").read_bytes()
    return hashlib.sha256(text).hexdigest()[:10]
