"""The orders workflow written with the ``transitions`` library, as a Python user would.

One :class:`transitions.Machine` drives every order (``Machine(model=None)`` and ``add_model``
per order, the library's pattern for many models), with its models kept in a set rather than
the default list, as its maintainers advise for many models (pytransitions issue #146: the
list makes ``add_model`` and ``remove_model`` linear). Finished orders are removed from the
machine.

The logic is the coord program's, written out by hand: the risk guard (the same ``score``),
the charge with five attempts and 100/200/400/800 ms of backoff (the same deterministic
gateway), the payment wait with its guard and a 1 h timeout, the packing loop; events for an
order that is not waiting for them wait in its inbox (16 per type); timers (retries and
timeouts) sit in one heap and fire in deadline order before each event, on the event-time
clock. It implements the executor protocol, so the harness feeds it exactly like coord's
executors.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from typing import Sequence

from transitions import Machine

from benchmarks.workloads.orders.orders_handlers import gateway_fails_one, score
from coordlang.runtime.executor import COUNTERS, Event, Outcome, RunResult

ATTEMPTS = 5
BACKOFF = (0.1, 0.2, 0.4, 0.8)
TIMEOUT = 3600.0
INBOX = 16

STATES = ["new", "charging", "awaiting_payment", "packing", "completed", "failed"]
TRANSITIONS = [
    {"trigger": "place", "source": "new", "dest": "failed", "conditions": "is_risky"},
    {"trigger": "place", "source": "new", "dest": "charging"},
    {"trigger": "charge_failed", "source": "charging", "dest": None, "conditions": "may_retry"},
    {"trigger": "charge_failed", "source": "charging", "dest": "failed"},
    {"trigger": "charged", "source": "charging", "dest": "awaiting_payment"},
    {"trigger": "payment_ok", "source": "awaiting_payment", "dest": "packing", "conditions": "covers"},
    {"trigger": "payment_failed", "source": "awaiting_payment", "dest": "failed"},
    {"trigger": "timeout", "source": "awaiting_payment", "dest": "failed"},
    {"trigger": "item_packed", "source": "packing", "dest": "completed", "conditions": "last_item"},
    {"trigger": "item_packed", "source": "packing", "dest": None},
]
# Which event each waiting state takes.
ACCEPTS = {"awaiting_payment": ("PaymentOk", "PaymentFailed"), "packing": ("ItemPacked",)}


class _ModelSet(set):
    """``Machine.models`` as a set: constant-time membership for ``add_model``."""

    def append(self, model: object) -> None:
        self.add(model)


class Order:
    """One order: the model the machine drives."""

    def __init__(self, seq: int, key: int, amount: float, items: int) -> None:
        self.seq = seq
        self.key = key
        self.amount = amount
        self.items = items
        self.attempts = 0
        self.paid = 0.0
        self.packed = 0
        self.timer = -1
        self.message: str | None = None
        self.inbox: deque | None = None

    # conditions
    def is_risky(self) -> bool:
        risk = score(self.amount, self.items)
        if risk > 0.9:
            self.message = f"order {self.key} rejected: risk {risk}"
            return True
        return False

    def may_retry(self) -> bool:
        return self.attempts < ATTEMPTS

    def covers(self, amount: float) -> bool:
        return amount >= self.paid

    def last_item(self) -> bool:
        self.packed += 1
        return self.packed >= self.items


class TransitionsOrders:
    """The orders workflow on ``transitions``, behind the executor protocol."""

    def __init__(self) -> None:
        self.machine = Machine(model=None, states=STATES, transitions=TRANSITIONS, initial="new",
                               auto_transitions=False, send_event=False)
        self.machine.models = _ModelSet()
        self.live: dict[int, Order] = {}
        self.ended: list[tuple[int, int, str, object, str | None]] = []
        self.timers: list[tuple[float, int, int, str]] = []
        self.timer_seq = 0
        self.clock = float("-inf")
        self.started = 0
        self.arrivals = 0
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.events = 0
        self.seconds = 0.0

    # ------------------------------------------------------------ the protocol
    def feed(self, events: Sequence[Event]) -> None:
        began = time.perf_counter()
        for event in events:
            when = event.time
            if when > self.clock:
                self._fire_until(when)
                self.clock = when
            self._deliver(event)
        self.events += len(events)
        self.seconds += time.perf_counter() - began

    def finish(self, until: float | None = None) -> RunResult:
        began = time.perf_counter()
        self._fire_until(float("inf") if until is None else until)
        for order in self.live.values():
            self.ended.append((order.seq, order.key, "running", None, None))
        self.counters["running"] = len(self.live)
        self.ended.sort()
        outcomes = [Outcome("Order", 1, key, status, value, message)
                    for _, key, status, value, message in self.ended]
        self.seconds += time.perf_counter() - began
        return RunResult(outcomes, dict(self.counters), self.events, self.seconds)

    # ------------------------------------------------------------ events
    def _deliver(self, event: Event) -> None:
        kind = event.type
        fields = event.fields
        key = fields["order_id"]
        order = self.live.get(key)
        if kind == "OrderPlaced":
            if order is not None:
                self.counters["duplicate_start"] += 1
                return
            self._start(key, fields)
            return
        if order is None:
            self.counters["unrouted"] += 1
            return
        if kind in ACCEPTS.get(order.state, ()):
            self._take(order, kind, fields)
        else:
            self._keep(order, kind, fields)

    def _start(self, key: int, fields: dict) -> None:
        order = Order(self.started, key, fields["amount"], fields["items"])
        self.started += 1
        self.machine.add_model(order)
        self.live[key] = order
        order.place()
        if order.state == "failed":
            self._end(order, "failed")
        else:
            self._charge(order)

    def _charge(self, order: Order) -> None:
        order.attempts += 1
        if not gateway_fails_one(order.key):
            order.paid = order.amount
            order.charged()
            self._wait(order, TIMEOUT)
            return
        order.message = f"payment gateway dropped the connection while charging order {order.key}"
        order.charge_failed()
        if order.state == "failed":
            self._end(order, "failed")
        else:
            self._timer(order, BACKOFF[order.attempts - 1], "retry")

    def _take(self, order: Order, kind: str, fields: dict) -> None:
        if kind == "PaymentOk":
            if not order.payment_ok(fields["amount"]):
                self.counters["rejected"] += 1
                return
            order.timer = -1
            self._wait(order, None)
        elif kind == "PaymentFailed":
            order.message = f"order {order.key}: payment declined: {fields['reason']}"
            order.payment_failed()
            self._end(order, "failed")
        else:
            order.item_packed()
            if order.state == "completed":
                self._end(order, "completed", order.paid)

    def _keep(self, order: Order, kind: str, fields: dict) -> None:
        """An event the order is not waiting for: into its inbox (16 per type, oldest dropped)."""
        if order.inbox is None:
            order.inbox = deque()
        same = [entry for entry in order.inbox if entry[0] == kind]
        if len(same) >= INBOX:
            order.inbox.remove(same[0])
            self.counters["inbox_dropped"] += 1
        order.inbox.append((kind, fields))

    def _wait(self, order: Order, timeout: float | None) -> None:
        """The order waits in its new state: take what its inbox holds, then start its timer."""
        while order.inbox:
            accepts = ACCEPTS.get(order.state, ())
            entry = next((e for e in order.inbox if e[0] in accepts), None)
            if entry is None:
                break
            order.inbox.remove(entry)
            state = order.state
            self._take(order, *entry)
            if order.state != state or order.key not in self.live:
                return  # _take moved on (and waited again) or ended the order
        if timeout is not None and order.key in self.live:
            self._timer(order, timeout, "timeout")

    # ------------------------------------------------------------ timers
    def _timer(self, order: Order, delay: float, kind: str) -> None:
        self.timer_seq += 1
        order.timer = self.timer_seq
        heapq.heappush(self.timers, (self.clock + delay, self.timer_seq, order.key, kind))

    def _fire_until(self, when: float) -> None:
        timers = self.timers
        while timers and timers[0][0] <= when:
            deadline, seq, key, kind = heapq.heappop(timers)
            order = self.live.get(key)
            if order is None or order.timer != seq:
                continue  # cancelled: the order moved on
            self.clock = max(self.clock, deadline)
            order.timer = -1
            if kind == "retry":
                self._charge(order)
            else:
                order.message = f"order {key}: payment not confirmed within 1h"
                order.timeout()
                self._end(order, "failed")

    def _end(self, order: Order, status: str, value: object = None) -> None:
        del self.live[order.key]
        self.machine.remove_model(order)
        self.ended.append((order.seq, order.key, status, value, None if status == "completed" else order.message))
        self.counters[status] += 1
