"""The standard pattern library, end to end: each std module's patterns used by a small
program (``tests/std/programs/NAME.coord``), compiled, and run by the reference interpreter on
events built here, with the deterministic handlers of ``programs/std_handlers.py``.

Each test asserts what the module's header comment and ``docs/std.md`` promise: outcomes
(status, value, message), the events a pattern publishes (seen by a consumer workflow, by a
reaction that calls the ``seen`` handler, or counted as ``unrouted`` when nothing consumes
them), the order and the virtual time of handler calls (compensations newest first, retries,
fallbacks, timers of deadlines, polls, watchdogs, debounce, throttle and rate limits).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from coordlang.ir import nodes as ir
from coordlang.ir.compile import compile_file
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter import Interpreter

PROGRAMS = Path(__file__).resolve().parent / "programs"
if str(PROGRAMS) not in sys.path:
    sys.path.insert(0, str(PROGRAMS))

import std_handlers as H  # noqa: E402  (the module the programs' handlers are bound to)

T0 = 1_800_000.0
"""The start time of every test; times in the tests are seconds after it. A whole number of
minutes since the epoch, so that a stream's `tumbling(1m)` windows start at T0."""


@pytest.fixture(autouse=True)
def fresh_handlers():
    H.reset()
    yield
    H.reset()


@functools.cache
def program(name: str) -> ir.Program:
    return compile_file(PROGRAMS / f"{name}.coord")


def ev(type_: str, at: float, **fields: object) -> Event:
    """An event ``at`` seconds after :data:`T0`."""
    return Event(type_, T0 + at, fields)


def fails(error: BaseException, times: int = 1, then: object = None) -> list:
    """A plan: raise ``error`` ``times`` times, then return ``then`` (raise for ever if
    ``then`` is None)."""
    return [error] * times + ([then] if then is not None else [])


@dataclass
class Run:
    outcomes: dict[tuple[str, object], tuple[str, object]]
    """(workflow, key) -> (status, value when completed, else message)."""
    order: list[tuple[str, object]]
    """(workflow, key) in start order."""
    counters: dict[str, int]
    faults: list[str]
    clock: float
    """The virtual clock at the end, after T0."""

    def __getitem__(self, workflow_and_key: tuple[str, object]) -> tuple[str, object]:
        return self.outcomes[workflow_and_key]


class Observed(Interpreter):
    """The interpreter, noting in ``log`` every event it routes (input and emitted) with the
    clock; nothing else changes."""

    def __init__(self, prog: ir.Program, log: list[tuple[str, dict, float]]) -> None:
        super().__init__(prog)
        self.log = log

    def route(self, event: Event) -> None:
        self.log.append((event.type, dict(event.fields), self.state.clock - T0))
        super().route(event)


LOG: list[tuple[str, dict, float]] = []
"""The events the last run routed: (type, fields, when)."""


def published(what: str) -> list[tuple]:
    """The ``what`` events the last run routed, as their field values and the time."""
    return [(*fields.values(), at) for type_, fields, at in LOG if type_ == what]


def run(name: str, *events: Event) -> Run:
    """Run program ``name`` over ``events``, then let virtual time run out."""
    LOG[:] = []
    interpreter = Observed(program(name), LOG)
    H.clock = lambda: interpreter.state.clock - T0
    interpreter.feed(list(events))
    result = interpreter.finish()
    outcomes = {(o.workflow, o.key): (o.status, o.value if o.status == "completed" else o.message)
                for o in result.outcomes}
    return Run(outcomes, [(o.workflow, o.key) for o in result.outcomes], result.counters,
               list(interpreter.state.faults), interpreter.state.clock - T0)


def seen(what: str) -> list[tuple]:
    """The fields (after the type) of every ``what`` event a reaction reported, with the time
    it was routed: ``[(field, ..., at), ...]``."""
    return [(*args[1:], at) for name, args, at in H.CALLS if name == "seen" and args[0] == what]


def calls() -> list[tuple[str, object]]:
    """Every handler call but the reactions' ``seen``, as (name, first argument or arguments)."""
    return [call for call in H.names() if call[0] != "seen"]


# ---------------------------------------------------------------- std.saga

def test_saga_completes_emits_saga_completed_and_compensates_nothing():
    r = run("saga", ev("OrderPlaced", 0, order_id="o1", amount=25.0))
    assert r["Order", "o1"] == ("completed", "shipped")
    assert r["Completed", "o1"] == ("completed", "order")  # SagaCompleted started the consumer
    assert calls() == [("reserve_stock", "o1"), ("charge_card", "o1"), ("charge", ("o1", 25.0)),
                       ("ship_by_id", "o1")]
    assert seen("SagaAborted") == []
    assert r.counters["unrouted"] == 0 and r.faults == []


def test_saga_aborts_emits_saga_aborted_and_compensates_newest_first():
    H.PLAN["ship_by_id", "o2"] = fails(H.Unreachable("carrier unreachable"))
    r = run("saga", ev("OrderPlaced", 0, order_id="o2", amount=40.0))
    assert H.times("ship_by_id") == [0, 1, 2]  # the step's policy: 3 attempts, 1s apart
    assert seen("SagaAborted") == [("order", "o2", "HandlerError", "carrier unreachable", 2)]
    # The compensations of the completed steps, newest first: the direct step's refund gets
    # the value its action returned; each std step's undo gets the id.
    assert calls()[-3:] == [("refund", ("o2", 40.0)), ("refund_card", "o2"), ("release_stock", "o2")]
    assert r["Order", "o2"] == ("compensated", "saga order aborted: carrier unreachable")
    assert ("Completed", "o2") not in r.outcomes  # no SagaCompleted
    assert r.counters["compensated"] == 1 and r.counters["unrouted"] == 0


def test_saga_aborted_before_any_step_completed_fails_without_compensations():
    H.PLAN["reserve_stock", "o3"] = fails(H.Rejected("out of stock"))
    r = run("saga", ev("OrderPlaced", 0, order_id="o3", amount=5.0))
    assert calls() == [("reserve_stock", "o3")]  # transient does not retry a ValueError
    assert seen("SagaAborted") == [("order", "o3", "HandlerError", "out of stock", 0)]
    assert r["Order", "o3"] == ("failed", "saga order aborted: out of stock")


def test_saga_step_with_retries_its_undo_under_its_own_policy():
    H.PLAN["charge", "o4"] = fails(H.Rejected("card declined"))
    H.PLAN["refund_card", "o4"] = fails(H.Rejected("ledger locked"), 2, then=True)
    r = run("saga", ev("OrderPlaced", 0, order_id="o4", amount=9.0))
    # refund_card's policy is `patient` (4 attempts, 10s apart, on HandlerError), not the
    # action's `transient` (which would not retry a ValueError).
    assert H.times("refund_card") == [0, 10, 20]
    assert H.times("release_stock") == [20]  # the next compensation waits for it
    assert r["Order", "o4"] == ("compensated", "saga order aborted: card declined")


def test_saga_abort_also_runs_the_compensations_registered_before_it():
    H.PLAN["ship_by_id", "t1"] = fails(H.Rejected("no carrier"))
    r = run("saga", ev("TripBooked", 0, order_id="t1"))
    assert calls() == [("reserve_stock", "t1"), ("charge_card", "t1"), ("ship_by_id", "t1"),
                       ("refund_card", "t1"), ("release_stock", "t1")]
    assert seen("SagaAborted") == [("trip", "t1", "HandlerError", "no carrier", 0)]
    assert r["Trip", "t1"] == ("compensated", "saga trip aborted: no carrier")


def test_saga_with_a_compensation_that_fails_for_good_ends_failed():
    H.PLAN["charge", "o5"] = fails(H.Rejected("card declined"))
    H.PLAN["release_stock", "o5"] = fails(H.Rejected("warehouse gone"))
    r = run("saga", ev("OrderPlaced", 0, order_id="o5", amount=9.0))
    assert [name for name, _ in calls()] == ["reserve_stock", "charge_card", "charge", "refund_card",
                                              "release_stock"]
    assert r["Order", "o5"] == ("failed", "saga order aborted: card declined")
    assert len(r.faults) == 1 and "warehouse gone" in r.faults[0]


# ---------------------------------------------------------------- std.circuit_breaker

def test_circuit_breaker_closed_calls_once_and_never_trips():
    r = run("circuit_breaker", ev("OrderPlaced", 0, order_id="o1", amount=1.0))
    assert calls() == [("charge_by_id", "o1")]
    assert seen("CircuitTripped") == []
    assert r["Payment", "o1"] == ("completed", "paid")


def test_circuit_breaker_opens_after_the_retries_waits_the_cooldown_and_a_good_probe_closes_it():
    H.PLAN["charge_by_id", "o2"] = fails(H.Unreachable("gateway down"), 3, then=True)
    r = run("circuit_breaker", ev("OrderPlaced", 0, order_id="o2", amount=1.0))
    assert H.times("charge_by_id") == [0, 1, 2, 32]  # 3 attempts, 30s open, one probe
    assert seen("CircuitTripped") == [("payments", "o2", "HandlerError", "gateway down", 2)]
    assert H.names("queue_for_later") == []
    assert r["Payment", "o2"] == ("completed", "paid")


def test_circuit_breaker_probes_once_without_retries_then_falls_back():
    H.PLAN["charge_by_id", "o3"] = fails(H.Unreachable("gateway down"), 4, then=True)
    r = run("circuit_breaker", ev("OrderPlaced", 0, order_id="o3", amount=1.0))
    # The 4th call is the probe: it fails, and is not retried although a 5th call would succeed.
    assert H.times("charge_by_id") == [0, 1, 2, 32]
    assert H.names("queue_for_later") == ["o3"] and H.times("queue_for_later") == [32]
    assert r["Payment", "o3"] == ("completed", "paid")


def test_circuit_breaker_fallback_error_raises_after_its_retries():
    H.PLAN["charge_by_id", "o4"] = fails(H.Rejected("card blocked"))
    H.PLAN["queue_for_later", "o4"] = fails(H.Unreachable("queue full"))
    r = run("circuit_breaker", ev("OrderPlaced", 0, order_id="o4", amount=1.0))
    assert H.times("charge_by_id") == [0, 30]  # a ValueError is not retried; the probe is at 30s
    assert seen("CircuitTripped") == [("payments", "o4", "HandlerError", "card blocked", 0)]
    assert H.times("queue_for_later") == [30, 31, 32]  # `do fallback(id) with p`
    assert r["Payment", "o4"] == ("failed", "queue full")


def test_circuit_tripped_counted_across_instances_by_the_headers_stream():
    for n in range(25):
        H.PLAN["charge_by_id", f"p{n}"] = fails(H.Rejected("gateway rejects everything"))
    r = run("circuit_breaker", *[ev("OrderPlaced", n, order_id=f"p{n}", amount=1.0) for n in range(25)])
    assert len(seen("CircuitTripped")) == 25
    # The window [0, 1m) closes with 25 trips of the "payments" breaker.
    assert seen("DependencyDown") == [("payments", 25, 60)]
    assert H.names("queue_for_later") == [f"p{n}" for n in range(25)]  # each instance fell back
    assert r.counters["completed"] == 25


def test_circuit_tripped_below_the_streams_threshold_raises_nothing():
    for n in range(19):
        H.PLAN["charge_by_id", f"p{n}"] = fails(H.Rejected("gateway rejects everything"))
    run("circuit_breaker", *[ev("OrderPlaced", n, order_id=f"p{n}", amount=1.0) for n in range(19)])
    assert len(seen("CircuitTripped")) == 19 and seen("DependencyDown") == []


def test_circuit_block_reruns_the_whole_block_when_it_probes():
    H.PLAN["sync", "c1"] = fails(H.Rejected("crm busy"), 1, then=True)
    r = run("circuit_breaker", ev("CustomerChanged", 0, id="c1", plan="gold"))
    assert seen("CircuitTripped") == [("crm", "c1", "HandlerError", "crm busy", 0)]
    # The statement before the failing one runs again on the probe (the header's warning).
    assert calls() == [("reserve", "c1"), ("sync", ("c1", "gold")), ("reserve", "c1"), ("sync", ("c1", "gold"))]
    assert H.times("sync") == [0, 60]
    assert r["Crm", "c1"] == ("completed", "synced")


def test_circuit_block_runs_the_fallback_block_when_the_probe_fails():
    H.PLAN["sync", "c2"] = fails(H.Rejected("crm busy"))
    r = run("circuit_breaker", ev("CustomerChanged", 0, id="c2", plan="free"))
    assert H.times("sync") == [0, 60]
    assert r["Crm", "c2"] == ("failed", "crm down")
    assert r.clock == 60


# ---------------------------------------------------------------- std.bulkhead

def test_bulkhead_compartments_that_succeed_publish_nothing():
    r = run("bulkhead", ev("OrderPlaced", 0, order_id="o1", customer="ann", amount=1.0),
            ev("Confirmed", 50, order_id="o1"))
    assert calls() == [("send_mail", ("ann", "thanks")), ("crm_touch", "o1"), ("reserve", "o1")]
    assert seen("CompartmentFailed") == []
    assert r["Order", "o1"] == ("completed", "done") and r.clock == 50


def test_bulkhead_an_error_in_one_compartment_is_published_and_the_others_go_on():
    H.PLAN["send_mail", "bob"] = fails(H.Rejected("mailbox full"))
    r = run("bulkhead", ev("OrderPlaced", 0, order_id="o2", customer="bob", amount=1.0),
            ev("Confirmed", 50, order_id="o2"))
    assert seen("CompartmentFailed") == [("mail", "o2", "HandlerError", "mailbox full", 0)]
    assert H.names("reserve") == ["o2"] and H.names("crm_touch") == ["o2"]  # not cancelled
    assert r["Order", "o2"] == ("completed", "done")


def test_bulkhead_limit_cuts_off_a_waiting_compartment():
    r = run("bulkhead", ev("OrderPlaced", 0, order_id="o3", customer="cy", amount=1.0),
            ev("Confirmed", 130, order_id="o3"))
    assert seen("CompartmentFailed") == [
        ("confirm", "o3", "Failed", "compartment confirm ran out of time (2m)", 120)]
    assert H.names("reserve") == []  # cancelled at 2m; the late Confirmed is unrouted
    assert r["Order", "o3"] == ("completed", "done") and r.counters["unrouted"] == 1


def test_isolated_limit_cuts_off_the_retries_of_its_call():
    H.PLAN["crm_touch", "o4"] = fails(H.Unreachable("crm unreachable"))
    r = run("bulkhead", ev("OrderPlaced", 0, order_id="o4", customer="di", amount=1.0),
            ev("Confirmed", 10, order_id="o4"))
    assert H.times("crm_touch") == [0, 40]  # the attempt due at 80s is never made
    assert seen("CompartmentFailed") == [("crm", "o4", "Failed", "compartment crm ran out of time (1m)", 60)]
    assert r["Order", "o4"] == ("completed", "done") and r.clock == 60


def test_isolated_publishes_the_error_of_its_call_when_the_retries_are_spent():
    H.PLAN["crm_touch", "o5"] = fails(H.Rejected("no such customer"))
    r = run("bulkhead", ev("OrderPlaced", 0, order_id="o5", customer="ed", amount=1.0),
            ev("Confirmed", 10, order_id="o5"))
    assert seen("CompartmentFailed") == [("crm", "o5", "HandlerError", "no such customer", 0)]
    assert r["Order", "o5"] == ("completed", "done") and r.clock == 10


# ---------------------------------------------------------------- std.rate_limit

def test_rate_limit_calls_every_item_in_order_at_most_limit_per_period():
    r = run("rate_limit", ev("CampaignStarted", 0, campaign_id="c1", recipients=25))
    assert H.names("send_reminder") == [f"c1/{i}" for i in range(25)]
    assert H.times("send_reminder") == [0] * 10 + [1] * 10 + [2] * 5
    at = H.times("send_reminder")
    assert all(sum(1 for t in at if start <= t < start + 1) <= 10 for start in at)
    assert r["Campaign", "c1"] == ("completed", None)


def test_rate_limit_with_no_items_calls_nothing():
    r = run("rate_limit", ev("CampaignStarted", 0, campaign_id="c0", recipients=0))
    assert calls() == [] and r["Campaign", "c0"] == ("completed", None)


def test_rate_limit_stops_at_a_call_that_fails_for_good():
    H.PLAN["send_reminder", "c2/3"] = fails(H.Unreachable("mail api down"))
    r = run("rate_limit", ev("CampaignStarted", 0, campaign_id="c2", recipients=12))
    assert H.names("send_reminder") == ["c2/0", "c2/1", "c2/2", "c2/3", "c2/3", "c2/3"]
    assert r["Campaign", "c2"] == ("failed", "mail api down")


def test_paced_leaves_the_gap_between_any_two_calls():
    r = run("rate_limit", ev("DripStarted", 0, campaign_id="d1", recipients=4))
    assert H.names("send_reminder") == ["d1/0", "d1/1", "d1/2", "d1/3"]
    assert H.times("send_reminder") == pytest.approx([0, 0.1, 0.2, 0.3])
    assert r["Drip", "d1"] == ("completed", None)


# ---------------------------------------------------------------- std.debounce

def test_debounce_acts_once_when_the_burst_goes_quiet():
    saves = [ev("DocumentSaved", t, doc_id="d1") for t in (0, 10, 20, 35)]
    r = run("debounce", *saves)
    assert H.names("reindex") == ["d1"] and H.times("reindex") == [65]  # 30s after the last save
    assert r["Reindex", "d1"] == ("completed", None)
    # The saves after the first reached the running instance (as duplicate starts).
    assert r.counters["duplicate_start"] == 3 and r.counters["unrouted"] == 0


def test_debounce_acts_at_max_wait_when_the_burst_never_pauses():
    saves = [ev("DocumentSaved", t, doc_id="d2") for t in range(0, 400, 20)]
    r = run("debounce", *saves)
    # 5m after the start; the saves after it start a new burst, acted on 30s after its last.
    assert H.times("reindex") == [300, 380 + 30]
    assert r.order == [("Reindex", "d2"), ("Reindex", "d2")]


def test_debounce_bursts_of_different_keys_are_independent():
    r = run("debounce", ev("DocumentSaved", 0, doc_id="a"), ev("DocumentSaved", 5, doc_id="b"),
            ev("DocumentSaved", 20, doc_id="a"))
    assert H.CALLS == [("reindex", ("b",), 35), ("reindex", ("a",), 50)]
    assert r.counters["completed"] == 2


def test_debounced_runs_its_block_after_the_quiet_period():
    edits = [ev("CartEdited", t, cart_id="k1", currency="EUR") for t in (0, 30, 70)]
    r = run("debounce", *edits)
    assert H.CALLS == [("reprice", ("k1", "EUR"), 130)]
    assert r["Reprice", "k1"] == ("completed", None)


def test_debounced_runs_its_block_at_max_wait():
    edits = [ev("CartEdited", t, cart_id="k2", currency="USD") for t in range(0, 700, 50)]
    run("debounce", *edits)
    assert H.times("reprice")[0] == 600


# ---------------------------------------------------------------- std.throttle

def test_throttle_acts_at_once_then_once_per_interval_and_stops_when_idle():
    readings = [ev("Reading", t, sensor="s1", value=1.0) for t in (0, 2, 5, 12, 13, 100)]
    r = run("throttle", *readings)
    # 0: leading edge; 2 and 5 fold into 10; 12 and 13 into 20; nothing in [20, 30), so it
    # waits up to 5m for the next reading and acts on it (100), then [100, 110) is quiet and
    # no reading comes for 5m: the throttle stops.
    assert H.times("refresh_dashboard") == [0, 10, 20, 100]
    assert H.names("refresh_dashboard") == ["s1"] * 4
    assert r["Dashboard", "s1"] == ("completed", None) and r.clock == 110 + 300


def test_throttle_keeps_the_trailing_edge():
    r = run("throttle", ev("Reading", 0, sensor="s2", value=1.0), ev("Reading", 9.5, sensor="s2", value=2.0))
    assert H.times("refresh_dashboard") == [0, 10]  # the reading at 9.5s is not lost
    assert r["Dashboard", "s2"] == ("completed", None)


def test_throttle_stops_after_its_rounds():
    ticks = [ev("Tick", t, sensor="t1") for t in range(0, 60, 2)]
    r = run("throttle", *ticks)
    # Three actions (0, 10, 20); the last one still waits out its interval, swallowing the
    # ticks of [20, 30) without a trailing action (the header's limit), then the instance
    # ends. The tick at 30s starts a new instance, which acts at once.
    assert H.times("refresh_dashboard")[:4] == [0, 10, 20, 30]
    assert r.order[:2] == [("Ticker", "t1"), ("Ticker", "t1")]


# ---------------------------------------------------------------- std.aggregator

def test_aggregator_completes_with_n_messages_and_sums_them_up():
    r = run("aggregator", ev("AuctionOpened", 0, auction_id="a1", bidders=3),
            ev("Bid", 10, auction_id="a1", value=5.0), ev("Bid", 20, auction_id="other", value=1.0),
            ev("Bid", 30, auction_id="a1", value=2.5), ev("Bid", 40, auction_id="a1", value=9.0),
            ev("Bid", 50, auction_id="a1", value=100.0))
    assert r["Auction", "a1"] == ("completed", None)
    assert r["Result", "a1"] == ("completed", "3/3 total 16.5 low 2.5 high 9.0 partial false")
    # The bid for another auction and the one after the aggregation reach no instance.
    assert r.counters["unrouted"] == 2
    assert r.clock == 50  # the span's timer was cancelled with its race


def test_aggregator_publishes_a_partial_result_when_the_span_ends():
    r = run("aggregator", ev("AuctionOpened", 0, auction_id="a2", bidders=4),
            ev("Bid", 60, auction_id="a2", value=7.0), ev("Bid", 120, auction_id="a2", value=3.0),
            ev("Bid", 601, auction_id="a2", value=1.0))
    assert r["Result", "a2"] == ("completed", "2/4 total 10.0 low 3.0 high 7.0 partial true")
    assert r.counters["unrouted"] == 1  # the bid after the 10m span


def test_aggregator_a_message_at_the_end_of_the_span_is_too_late():
    # Timers due at an event's time fire before it is delivered (LANGUAGE.md section 4).
    r = run("aggregator", ev("AuctionOpened", 0, auction_id="a5", bidders=2),
            ev("Bid", 10, auction_id="a5", value=1.0), ev("Bid", 600, auction_id="a5", value=2.0))
    assert r["Result", "a5"] == ("completed", "1/2 total 1.0 low 1.0 high 1.0 partial true")
    assert r.counters["unrouted"] == 1


def test_aggregator_with_no_messages_reports_zeros():
    r = run("aggregator", ev("AuctionOpened", 0, auction_id="a3", bidders=2))
    assert r["Result", "a3"] == ("completed", "0/2 total 0.0 low 0.0 high 0.0 partial true")
    assert r.clock == 600


def test_aggregator_counts_duplicates_twice():
    r = run("aggregator", ev("AuctionOpened", 0, auction_id="a4", bidders=2),
            ev("Bid", 1, auction_id="a4", value=4.0), ev("Bid", 1, auction_id="a4", value=4.0))
    assert r["Result", "a4"] == ("completed", "2/2 total 8.0 low 4.0 high 4.0 partial false")


# ---------------------------------------------------------------- std.scatter_gather

def test_scatter_gather_gathers_every_reply():
    r = run("scatter_gather", ev("QuoteWanted", 0, request_id="r1", weight=2.0),
            ev("Quote", 10, request_id="r1", value=15.0))
    # The scatter block's emit reached both carriers' reactions; their replies (20, 25) and the
    # third carrier's (15) are gathered.
    assert calls() == [("quote_dhl", "r1"), ("quote_ups", "r1")]
    assert r["Result", "r1"] == ("completed", "3/3 total 60.0 low 15.0 high 25.0 partial false")
    assert r["Shop", "r1"] == ("completed", None) and r.clock == 10


def test_scatter_gather_publishes_what_came_when_the_span_ends():
    r = run("scatter_gather", ev("QuoteWanted", 0, request_id="r2", weight=1.0),
            ev("Quote", 40, request_id="r2", value=1.0))
    assert r["Result", "r2"] == ("completed", "2/3 total 22.5 low 10.0 high 12.5 partial true")
    assert r.counters["unrouted"] == 1  # the reply after the 30s span


def test_scatter_gather_replies_that_come_before_the_gathering_wait_in_the_inbox():
    H.PLAN["register", "r3"] = fails(H.Unreachable("registry busy"), 1, then=True)
    r = run("scatter_gather", ev("SlowQuoteWanted", 0, request_id="r3", weight=1.0),
            ev("Quote", 0.5, request_id="r3", value=11.0))
    assert H.times("register") == [0, 1]  # the carriers' replies (t=0) and the input one (0.5) wait
    assert r["Result", "r3"] == ("completed", "3/3 total 33.5 low 10.0 high 12.5 partial false")
    assert r.counters["unrouted"] == 0 and r.counters["inbox_dropped"] == 0 and r.clock == 1


def test_best_of_gathers_the_three_quotes():
    r = run("scatter_gather", ev("BestWanted", 0, request_id="b1"))
    assert sorted(calls()) == [("quote_dhl", "b1"), ("quote_fedex", "b1"), ("quote_ups", "b1")]
    assert r["Result", "b1"] == ("completed", "3/3 total 31.5 low 9.0 high 12.5 partial false")
    assert r["Best", "b1"] == ("completed", None) and r.clock == 0


def test_best_of_a_failed_quote_gives_no_reply_and_retries_count():
    H.PLAN["quote_fedex", "b2"] = fails(H.Rejected("no service to this zone"))
    H.PLAN["quote_ups", "b2"] = fails(H.Unreachable("ups busy"), 1, then=14.0)
    r = run("scatter_gather", ev("BestWanted", 0, request_id="b2"))
    assert H.times("quote_ups") == [0, 1]
    assert r["Result", "b2"] == ("completed", "2/3 total 24.0 low 10.0 high 14.0 partial true")
    assert r.clock == 1


def test_best_of_span_cuts_off_retries_that_come_too_late():
    H.PLAN["quote_dhl", "b3"] = fails(H.Unreachable("dhl busy"), 2, then=1.0)
    r = run("scatter_gather", ev("SlowBestWanted", 0, request_id="b3"))
    assert H.times("quote_dhl") == [0, 20]  # the attempt due at 40s is after the 30s span
    assert r["Result", "b3"] == ("completed", "2/3 total 21.5 low 9.0 high 12.5 partial true")
    assert r["SlowBest", "b3"] == ("completed", None) and r.clock == 30


# ---------------------------------------------------------------- std.router

def test_router_calls_the_matching_route():
    r = run("router", ev("OrderPlaced", 0, order_id="o1", country="DE", amount=12.0))
    assert calls() == [("ship_de", "o1"), ("bill_de", ("o1", 12.0))]
    assert seen("NoRoute") == [] and r["Order", "o1"] == ("completed", "routed")
    assert r.counters["unrouted"] == 0


def test_router_second_route_and_routed_block_emitting_an_event_nobody_consumes():
    r = run("router", ev("OrderPlaced", 0, order_id="o2", country="US", amount=12.0))
    assert calls() == [("ship_us", "o2")]
    assert r["Order", "o2"] == ("completed", "routed")
    assert r.counters["unrouted"] == 1  # the routed block's Billed has no consumer


def test_router_publishes_no_route_when_nothing_matches():
    r = run("router", ev("OrderPlaced", 0, order_id="o3", country="FR", amount=12.0))
    assert calls() == []
    assert seen("NoRoute") == [("shipping", "o3", "FR", 0), ("billing", "o3", "FR", 0)]
    assert r["Order", "o3"] == ("completed", "routed")


def test_router_calls_its_route_under_the_policy():
    H.PLAN["ship_us", "o4"] = fails(H.Unreachable("carrier down"))
    r = run("router", ev("OrderPlaced", 0, order_id="o4", country="US", amount=1.0))
    assert H.times("ship_us") == [0, 1, 2]
    assert r["Order", "o4"] == ("failed", "carrier down")


@pytest.mark.parametrize("tier, route", [("gold", "page_team"), ("silver", "open_ticket"), ("free", "send_faq")])
def test_router3_calls_each_of_its_three_routes(tier: str, route: str):
    r = run("router", ev("TicketOpened", 0, ticket_id="t1", tier=tier))
    assert calls() == [(route, "t1")] and seen("NoRoute") == []
    assert r["Support", "t1"] == ("completed", None)


def test_router3_publishes_no_route_for_another_selector():
    run("router", ev("TicketOpened", 0, ticket_id="t2", tier="bronze"))
    assert calls() == [] and seen("NoRoute") == [("support", "t2", "bronze", 0)]


# ---------------------------------------------------------------- std.splitter

def test_splitter_starts_one_workflow_per_part():
    r = run("splitter", ev("OrderPlaced", 0, order_id="o1", items=3))
    assert r.order == [("Order", "o1"), ("PickLine", "o1/0"), ("PickLine", "o1/1"), ("PickLine", "o1/2")]
    assert [r["PickLine", f"o1/{i}"] for i in range(3)] == [
        ("completed", f"o1 {i} of 3") for i in range(3)]
    assert H.names("pick") == ["o1/0", "o1/1", "o1/2"]


def test_splitter_parts_have_outcomes_of_their_own():
    H.PLAN["pick", "o2/1"] = fails(H.Rejected("not in stock"))
    r = run("splitter", ev("OrderPlaced", 0, order_id="o2", items=3))
    assert r["PickLine", "o2/1"] == ("failed", "not in stock")
    assert r["PickLine", "o2/0"][0] == r["PickLine", "o2/2"][0] == "completed"
    assert r["Order", "o2"] == ("completed", None)


def test_split_each_processes_the_parts_in_order_in_this_instance():
    H.PLAN["pick", "b1/1"] = fails(H.Unreachable("scanner offline"), 2, then=True)
    r = run("splitter", ev("BatchPlaced", 0, batch_id="b1", items=3))
    assert calls() == [("pick", "b1/0"), ("pick", "b1/1"), ("pick", "b1/1"), ("pick", "b1/1"), ("pick", "b1/2")]
    assert H.times("pick") == [0, 0, 1, 2, 2]
    assert r.order == [("Batch", "b1")] and r["Batch", "b1"] == ("completed", None)


def test_split_each_stops_at_a_part_that_fails_for_good():
    H.PLAN["pick", "b2/0"] = fails(H.Rejected("bad item"))
    r = run("splitter", ev("BatchPlaced", 0, batch_id="b2", items=3))
    assert calls() == [("pick", "b2/0")]
    assert r["Batch", "b2"] == ("failed", "bad item")


# ---------------------------------------------------------------- std.resequencer

def test_resequencer_delivers_in_sequence_order_once_all_parts_are_in():
    r = run("resequencer", ev("UploadStarted", 0, upload_id="u1", chunks=3),
            ev("Chunk", 1, upload_id="u1", seq=2), ev("Chunk", 2, upload_id="u1", seq=0),
            ev("Chunk", 3, upload_id="u1", seq=1))
    assert H.names("append_chunk") == ["u1/0", "u1/1", "u1/2"]
    assert H.times("append_chunk") == [3, 3, 3]
    assert seen("SequenceIncomplete") == [] and r["Upload", "u1"] == ("completed", None)


def test_resequencer_rejects_a_part_outside_the_sequence():
    r = run("resequencer", ev("UploadStarted", 0, upload_id="u2", chunks=2),
            ev("Chunk", 1, upload_id="u2", seq=1), ev("Chunk", 2, upload_id="u2", seq=5),
            ev("Chunk", 3, upload_id="u2", seq=-1), ev("Chunk", 4, upload_id="u2", seq=0))
    assert r.counters["rejected"] == 2
    assert H.names("append_chunk") == ["u2/0", "u2/1"] and H.times("append_chunk") == [4, 4]


def test_resequencer_reports_missing_parts_at_the_end_of_the_span_and_still_delivers_in_order():
    r = run("resequencer", ev("UploadStarted", 0, upload_id="u3", chunks=3),
            ev("Chunk", 5, upload_id="u3", seq=2), ev("Chunk", 6, upload_id="u3", seq=0))
    assert seen("SequenceIncomplete") == [("u3", 3, 2, 600)]
    assert H.names("append_chunk") == ["u3/0", "u3/1", "u3/2"] and H.times("append_chunk") == [600] * 3
    assert r["Upload", "u3"] == ("completed", None)


def test_resequencer_counts_a_repeated_part_twice():
    # The header's limit: parts are counted, not identified; a repeat can stand in for a
    # missing part, and no SequenceIncomplete is published.
    r = run("resequencer", ev("UploadStarted", 0, upload_id="u5", chunks=2),
            ev("Chunk", 1, upload_id="u5", seq=0), ev("Chunk", 2, upload_id="u5", seq=0))
    assert seen("SequenceIncomplete") == [] and H.names("append_chunk") == ["u5/0", "u5/1"]
    assert H.times("append_chunk") == [2, 2] and r["Upload", "u5"] == ("completed", None)


def test_resequencer_parts_before_the_start_reach_no_instance():
    r = run("resequencer", ev("Chunk", 0, upload_id="u4", seq=0), ev("UploadStarted", 1, upload_id="u4", chunks=1),
            ev("Chunk", 2, upload_id="u4", seq=0))
    assert r.counters["unrouted"] == 1 and H.times("append_chunk") == [2]


# ---------------------------------------------------------------- std.dead_letter

def test_dead_letter_passes_a_message_that_is_processed():
    r = run("dead_letter", ev("OrderPlaced", 0, order_id="o1", amount=3.0))
    assert calls() == [("render_invoice", "o1"), ("charge", ("o1", 3.0))]
    assert r.order == [("Order", "o1")] and r["Order", "o1"] == ("completed", "done")


def test_dead_letter_sets_aside_a_message_that_fails_after_its_retries_and_goes_on():
    H.PLAN["render_invoice", "o2"] = fails(H.Unreachable("renderer down"))
    r = run("dead_letter", ev("OrderPlaced", 0, order_id="o2", amount=3.0))
    assert H.times("render_invoice") == [0, 1, 2]
    assert r["Repair", "o2"] == ("completed", "invoices: HandlerError: renderer down")
    assert H.times("charge") == [2]  # the workflow went on
    assert H.names("page_oncall") == []  # the reaction's guard is for payments
    assert r["Order", "o2"] == ("completed", "done")


def test_dead_letter_block_sets_aside_the_block_error_and_a_reaction_pages():
    H.PLAN["charge", "o3"] = fails(H.Rejected("card expired"))
    r = run("dead_letter", ev("OrderPlaced", 0, order_id="o3", amount=3.0))
    assert H.times("charge") == [0]  # a ValueError is not retried by transient
    assert H.names("page_oncall") == [("o3", "card expired")]
    assert r["Repair", "o3"] == ("completed", "payments: HandlerError: card expired")
    assert r["Order", "o3"] == ("completed", "done")


def test_dead_letter_each_failing_message_gets_its_own_letter():
    H.PLAN["render_invoice", "o4"] = fails(H.Rejected("template missing"))
    H.PLAN["charge", "o4"] = fails(H.Rejected("card expired"))
    r = run("dead_letter", ev("OrderPlaced", 0, order_id="o4", amount=3.0))
    # Both letters carry the same id; the first Repair instance has ended when the second comes.
    assert r.order == [("Order", "o4"), ("Repair", "o4"), ("Repair", "o4")]
    assert r.counters["duplicate_start"] == 0 and r["Order", "o4"] == ("completed", "done")


# ---------------------------------------------------------------- std.idempotent_receiver

def _deposits(account: str, *seqs: int) -> list[Event]:
    return [ev("Deposit", 10 + i, account=account, seq=seq, amount=1.0) for i, seq in enumerate(seqs)]


def test_idempotent_receiver_processes_each_message_once_and_rejects_repeats():
    r = run("idempotent_receiver", ev("AccountOpened", 0, account="a1"), *_deposits("a1", 0, 1, 1, 2, 0, 3))
    assert H.names("apply_deposit") == ["a1/0", "a1/1", "a1/2", "a1/3"]
    assert r.counters["rejected"] == 2  # the second 1 and the late 0
    # The input ended: 30 idle days after the last deposit the receiver stops.
    assert r["Account", "a1"] == ("completed", None) and r.clock == 15 + 30 * 86400


def test_idempotent_receiver_stops_when_idle():
    r = run("idempotent_receiver", ev("AccountOpened", 0, account="a2"), *_deposits("a2", 0),
            ev("Deposit", 40 * 86400, account="a2", seq=1, amount=1.0))
    assert H.names("apply_deposit") == ["a2/0"]
    assert r["Account", "a2"] == ("completed", None)
    assert r.counters["unrouted"] == 1  # the deposit after 30 idle days finds no instance


def test_idempotent_receiver_idle_counts_from_the_last_processed_message_not_from_a_repeat():
    day = 86400
    r = run("idempotent_receiver", ev("AccountOpened", 0, account="a3"), *_deposits("a3", 0),
            ev("Deposit", 10 + 29 * day, account="a3", seq=0, amount=1.0),
            ev("Deposit", 10 + 31 * day, account="a3", seq=1, amount=1.0))
    assert H.names("apply_deposit") == ["a3/0"]
    assert r.counters["rejected"] == 1 and r.counters["unrouted"] == 1  # stopped at 10s + 30d


def test_idempotent_receiver_drops_messages_beyond_the_inbox_while_an_action_backs_off():
    H.PLAN["apply_deposit", "a4/0"] = fails(H.Unreachable("ledger busy"), 1, then=True)
    burst = [ev("Deposit", 0.5 + i / 100, account="a4", seq=i + 1, amount=1.0) for i in range(20)]
    r = run("idempotent_receiver", ev("AccountOpened", 0, account="a4"),
            ev("Deposit", 0.1, account="a4", seq=0, amount=1.0), *burst)
    # During the 1s backoff 20 deposits arrive: the inbox keeps the newest 16, the 4 oldest
    # are dropped (and, being below the high-water mark, would be rejected if sent again).
    assert r.counters["inbox_dropped"] == 4
    assert H.names("apply_deposit") == ["a4/0", "a4/0"] + [f"a4/{i}" for i in range(5, 21)]


def test_idempotent_receiver_stops_after_n_processed_messages():
    r = run("idempotent_receiver", ev("TrialOpened", 0, account="t1"), *_deposits("t1", 0, 0, 1, 2))
    assert H.names("apply_deposit") == ["t1/0", "t1/1"]  # a rejected repeat does not count
    assert r["Trial", "t1"] == ("completed", None)
    assert r.counters["rejected"] == 1 and r.counters["unrouted"] == 1


def test_idempotent_receiver_a_failing_action_fails_the_instance():
    H.PLAN["apply_deposit", "t2/0"] = fails(H.Rejected("account frozen"))
    r = run("idempotent_receiver", ev("TrialOpened", 0, account="t2"), *_deposits("t2", 0, 1))
    assert r["Trial", "t2"] == ("failed", "account frozen") and r.counters["unrouted"] == 1


# ---------------------------------------------------------------- std.claim_check

def test_claim_check_stores_emits_the_ticket_and_redeem_fetches_then_discards():
    r = run("claim_check", ev("DocumentUploaded", 0, doc_id="d1", pages=3))
    assert calls() == [("put_blob", "d1"), ("ocr_blob", "blob-d1"), ("delete_blob", "blob-d1")]
    assert r["Intake", "d1"] == ("completed", None)
    assert r["Ocr", "blob-d1"] == ("completed", "d1")  # ClaimTicket { id, ticket } started it


def test_claim_check_discards_the_payload_when_its_instance_fails():
    r = run("claim_check", ev("DocumentUploaded", 0, doc_id="d2", pages=500))
    assert r["Intake", "d2"] == ("compensated", "d2: too many pages")
    # The compensation runs first (a ready thread runs before the emitted ticket is routed);
    # the ticket had been published, so its consumer still tries to redeem it (the header's
    # Limits say so).
    assert calls() == [("put_blob", "d2"), ("delete_blob", "blob-d2"), ("ocr_blob", "blob-d2"),
                       ("delete_blob", "blob-d2")]


def test_claim_check_store_retries_and_a_failed_store_publishes_no_ticket():
    H.PLAN["put_blob", "d3"] = fails(H.Unreachable("store down"), 2, then="blob-d3-retried")
    H.PLAN["put_blob", "d4"] = fails(H.Unreachable("store down"))
    r = run("claim_check", ev("DocumentUploaded", 0, doc_id="d3", pages=1),
            ev("DocumentUploaded", 10, doc_id="d4", pages=1))
    assert H.times("put_blob") == [0, 1, 2, 10, 11, 12]
    assert r["Ocr", "blob-d3-retried"] == ("completed", "d3")
    assert r["Intake", "d4"] == ("failed", "store down")  # nothing stored, nothing to discard
    assert ("delete_blob", "blob-d4") not in calls() and len(r.order) == 3


def test_redeem_discards_only_after_the_fetch_succeeded():
    H.PLAN["ocr_blob", "blob-d5"] = fails(H.Rejected("unreadable scan"))
    r = run("claim_check", ev("DocumentUploaded", 0, doc_id="d5", pages=1))
    assert r["Ocr", "blob-d5"] == ("failed", "unreadable scan")
    assert calls() == [("put_blob", "d5"), ("ocr_blob", "blob-d5")]


# ---------------------------------------------------------------- std.retry_with_fallback

def test_retry_with_fallback_primary_that_succeeds_takes_no_fallback():
    H.PLAN["charge_primary", "o1"] = fails(H.Unreachable("gateway busy"), 2, then=True)
    r = run("retry_with_fallback", ev("OrderPlaced", 0, order_id="o1", amount=1.0))
    assert H.times("charge_primary") == [0, 1, 2] and H.names("charge_backup") == []
    assert r["Order", "o1"] == ("completed", "charged") and r.counters["unrouted"] == 0


def test_retry_with_fallback_takes_the_fallback_after_the_retries_and_emits_fell_back():
    H.PLAN["charge_primary", "o2"] = fails(H.Unreachable("gateway down"))
    r = run("retry_with_fallback", ev("OrderPlaced", 0, order_id="o2", amount=1.0))
    assert H.times("charge_primary") == [0, 1, 2] and H.times("charge_backup") == [2]
    assert r["Order", "o2"] == ("completed", "charged")
    assert published("FellBack") == [("o2", "HandlerError", "gateway down", 2)]
    assert r.counters["unrouted"] == 1  # FellBack, which nothing here consumes


def test_retry_with_fallback_an_error_the_policy_does_not_retry_goes_straight_to_the_fallback():
    H.PLAN["charge_primary", "o3"] = fails(H.Rejected("card blocked"))
    r = run("retry_with_fallback", ev("OrderPlaced", 0, order_id="o3", amount=1.0))
    assert calls() == [("charge_primary", "o3"), ("charge_backup", "o3")]
    assert r["Order", "o3"] == ("completed", "charged")


def test_retry_with_fallback_a_failing_fallback_raises():
    H.PLAN["charge_primary", "o4"] = fails(H.Rejected("card blocked"))
    H.PLAN["charge_backup", "o4"] = fails(H.Unreachable("backup down"))
    r = run("retry_with_fallback", ev("OrderPlaced", 0, order_id="o4", amount=1.0))
    assert H.times("charge_backup") == [0, 1, 2]  # under the same policy
    assert r["Order", "o4"] == ("failed", "backup down")


def test_retry_block_reruns_the_whole_block_delay_apart():
    H.PLAN["charge", "b1"] = fails(H.Rejected("insufficient funds"), 2, then=5.0)
    r = run("retry_with_fallback", ev("Booking", 0, order_id="b1", amount=5.0))
    # The statement that succeeded before the failing one runs again on each try.
    assert H.times("reserve") == [0, 5, 10] and H.times("charge") == [0, 5, 10]
    assert H.names("release") == [] and r.counters["unrouted"] == 0
    assert r["Book", "b1"] == ("completed", "booked")


def test_retry_block_registers_a_compensation_on_every_run_of_its_block():
    H.PLAN["charge", "h1"] = fails(H.Rejected("insufficient funds"))
    r = run("retry_with_fallback", ev("Hold", 0, order_id="h1", amount=5.0))
    assert H.times("reserve") == [0, 5, 10]
    assert H.names("release") == ["h1", "h1", "h1"] and H.times("release") == [10, 10, 10]
    assert r["Holding", "h1"] == ("compensated", "gave up")


def test_retry_block_emits_fell_back_and_runs_the_fallback_block_when_every_try_fails():
    H.PLAN["charge", "b2"] = fails(H.Rejected("insufficient funds"))
    r = run("retry_with_fallback", ev("Booking", 0, order_id="b2", amount=5.0))
    assert H.times("charge") == [0, 5, 10] and H.times("release") == [10]
    assert r["Book", "b2"] == ("failed", "gave up")
    # FellBack carries the last try's error; nothing here consumes it.
    assert published("FellBack") == [("b2", "HandlerError", "insufficient funds", 10)]
    assert r.counters["unrouted"] == 1


# ---------------------------------------------------------------- std.poll

def test_poll_checks_now_and_every_interval_until_true():
    H.PLAN["export_done", "j1"] = [False, False, True]
    r = run("poll", ev("ExportStarted", 0, job_id="j1"))
    assert H.times("export_done") == [0, 30, 60]
    assert r["Export", "j1"] == ("completed", None)


def test_poll_fails_after_its_attempts():
    r = run("poll", ev("ExportStarted", 0, job_id="j2"))
    assert H.times("export_done") == [30 * i for i in range(20)]
    assert r["Export", "j2"] == ("failed", "j2: not done after 20 checks")


def test_poll_a_check_that_raises_ends_the_polling_with_its_error():
    H.PLAN["export_done", "j3"] = [False, H.Rejected("export j3 failed")]
    r = run("poll", ev("ExportStarted", 0, job_id="j3"))
    assert H.times("export_done") == [0, 30]
    assert r["Export", "j3"] == ("failed", "export j3 failed")


def test_poll_failure_is_a_failed_error_a_try_can_catch():
    r = run("poll", ev("PatientExport", 0, job_id="j4"))
    assert H.times("export_done") == [0, 60, 120]
    assert r["Patient", "j4"] == ("completed", "gave up: j4: not done after 3 checks")


def test_poll_backoff_grows_the_delay_up_to_its_cap():
    r = run("poll", ev("ReportRequested", 0, report_id="r1"))
    # Delays 5, 10, 20, 40, 80, 160, then capped at 5m.
    assert H.times("report_ready") == [0, 5, 15, 35, 75, 155, 315, 615, 915, 1215]
    assert r["Report", "r1"] == ("failed", "r1: not done after 10 checks")


def test_poll_backoff_ends_at_the_first_true():
    H.PLAN["report_ready", "r2"] = [False, False, False, True]
    r = run("poll", ev("ReportRequested", 0, report_id="r2"))
    assert H.times("report_ready") == [0, 5, 15, 35]
    assert r["Report", "r2"] == ("completed", None)


def test_await_or_poll_ends_at_the_done_event_checking_only_while_it_is_late():
    r = run("poll", ev("WatchedExport", 0, job_id="w1"), ev("ExportFinished", 150, job_id="w1"))
    assert H.times("export_done") == [60, 120]
    assert r["Watched", "w1"] == ("completed", None) and r.clock == 150


def test_await_or_poll_a_done_event_during_a_checks_backoff_waits_in_the_inbox():
    H.PLAN["export_done", "w4"] = [H.Unreachable("status api busy"), False]
    r = run("poll", ev("WatchedExport", 0, job_id="w4"), ev("ExportFinished", 60.5, job_id="w4"))
    assert H.times("export_done") == [60, 61]  # the retry answers "not done"; the event is in
    assert r["Watched", "w4"] == ("completed", None) and r.clock == 61
    assert r.counters["unrouted"] == 0


def test_await_or_poll_ends_at_the_first_true_check():
    H.PLAN["export_done", "w2"] = [False, False, True]
    r = run("poll", ev("WatchedExport", 0, job_id="w2"))
    assert H.times("export_done") == [60, 120, 180]
    assert r["Watched", "w2"] == ("completed", None)


def test_await_or_poll_fails_after_its_attempts():
    r = run("poll", ev("WatchedExport", 0, job_id="w3"))
    assert H.times("export_done") == [60 * (i + 1) for i in range(30)]
    assert r["Watched", "w3"] == ("failed", "w3: not done after 30 checks")


# ---------------------------------------------------------------- std.watchdog

def test_watchdog_expires_after_misses_intervals_in_a_row_without_a_beat():
    r = run("watchdog", ev("DeviceOnline", 0, device_id="d1"), ev("Reading", 30, device_id="d1", value=1.0),
            ev("Reading", 80, device_id="d1", value=1.0))
    assert seen("HeartbeatMissed") == [("telemetry", "d1", 1, 140), ("telemetry", "d1", 2, 200),
                                       ("telemetry", "d1", 3, 260)]
    assert seen("WatchdogExpired") == [("telemetry", "d1", 3, 260)]
    assert H.names("page_oncall") == ["d1"] and H.times("page_oncall") == [260]
    assert r["Device", "d1"] == ("completed", "watched")


def test_watchdog_a_beat_resets_the_count():
    beats = [ev("Reading", t, device_id="d2", value=1.0) for t in (90, 200, 310)]
    r = run("watchdog", ev("DeviceOnline", 0, device_id="d2"), *beats, ev("DeviceOffline", 400, device_id="d2"))
    # A miss at 60 (then a beat at 90), at 150 (beat at 200), at 260 (beat at 310), at 370.
    assert seen("HeartbeatMissed") == [("telemetry", "d2", 1, t) for t in (60, 150, 260, 370)]
    assert seen("WatchdogExpired") == [] and H.names("page_oncall") == []
    assert r["Device", "d2"] == ("completed", "watched") and r.clock == 400


def test_watchdog_stop_event_ends_the_watch_without_running_the_block():
    r = run("watchdog", ev("DeviceOnline", 0, device_id="d3"), ev("DeviceOffline", 150, device_id="d3"))
    assert seen("HeartbeatMissed") == [("telemetry", "d3", 1, 60), ("telemetry", "d3", 2, 120)]
    assert seen("WatchdogExpired") == [] and H.names("page_oncall") == []
    assert r["Device", "d3"] == ("completed", "watched") and r.clock == 150


# ---------------------------------------------------------------- std.timeout

def test_deadline_body_that_finishes_in_time_skips_the_expired_block():
    r = run("timeout", ev("OrderPlaced", 0, order_id="o1"), ev("Confirmed", 300, order_id="o1", by="ann"))
    assert calls() == [("reserve", "o1")]
    assert r["Order", "o1"] == ("completed", "confirmed") and r.clock == 300  # no timer left


def test_deadline_cancels_the_body_and_runs_the_expired_block():
    r = run("timeout", ev("OrderPlaced", 0, order_id="o2"), ev("Confirmed", 901, order_id="o2", by="bob"))
    assert calls() == [("reserve", "o2"), ("release", "o2")] and H.times("release") == [900]
    assert r["Order", "o2"] == ("failed", "order o2 not confirmed within 15 minutes")
    assert r.counters["unrouted"] == 1  # the late confirmation: the body was cancelled


def test_deadline_counts_the_retries_of_the_body_against_the_limit():
    H.PLAN["reserve", "o3"] = fails(H.Unreachable("stock service down"), 2, then=True)
    r = run("timeout", ev("OrderPlaced", 0, order_id="o3"), ev("Confirmed", 899, order_id="o3", by="cy"))
    assert H.times("reserve") == [0, 1, 2]
    assert r["Order", "o3"] == ("completed", "confirmed")


def test_deadline_body_assignment_is_kept_after_the_use():
    r = run("timeout", ev("QuoteAsked", 0, order_id="q1"))
    assert r["Quote", "q1"] == ("completed", "price 0.0") and r.clock == 60


def test_deadline_or_fail_lets_a_child_that_finishes_in_time_complete():
    r = run("timeout", ev("Fulfilment", 0, order_id="f1"), ev("Shipped", 1800, order_id="f1"))
    assert r["Fulfil", "f1"] == ("completed", "shipped")
    assert r["Ship", "f1"] == ("completed", "fulfilled")


def test_deadline_or_fail_fails_the_instance_cancels_the_child_and_compensates():
    r = run("timeout", ev("Fulfilment", 0, order_id="f2"))
    assert r["Ship", "f2"] == ("compensated", "deadline of 1h exceeded")
    assert r["Fulfil", "f2"] == ("cancelled", "cancelled: its parent Ship 'f2' stopped waiting for it")
    assert calls() == [("reserve", "f2"), ("release", "f2")] and H.times("release") == [3600]


def test_deadline_or_fail_is_a_failed_error_a_try_can_catch():
    r = run("timeout", ev("CarefulFulfilment", 0, order_id="f3"))
    assert r["CarefulShip", "f3"] == ("completed", "late: deadline of 1h exceeded")
    assert r["Fulfil", "f3"][0] == "cancelled"


# ---------------------------------------------------------------- blocks that assign

def test_block_arguments_assign_the_callers_variables_after_other_statements():
    """docs/std.md, "Blocks": a variable a block assigns keeps its value after the `use`;
    std.timeout's header: check a flag set as the body's last statement."""
    H.PLAN["charge", "b1"] = fails(H.Rejected("declined"), 1, then=7.5)
    r = run("block_assignment", ev("QuoteAsked", 0, order_id="q1"), ev("QuoteAsked", 0, order_id="q2"),
            ev("Booking", 0, order_id="b1", amount=5.0), ev("Answered", 10, order_id="q1", price=4.5))
    assert r["Quote", "q1"] == ("completed", "answered true price 4.5")
    assert r["Quote", "q2"] == ("completed", "answered false price 0.0")
    assert H.times("reserve") == [0, 5] and r["Book", "b1"] == ("completed", "paid 7.5")


# ---------------------------------------------------------------- awaiting the start event

def test_debounce_example_relies_on_duplicate_starts_reaching_the_running_instance():
    """docs/std.md, "What the library relies on": the debounce and throttle examples await
    their workflow's own start event. The runtime delivers it (see the debounce tests above)."""
    r = run("debounce", ev("DocumentSaved", 0, doc_id="d9"), ev("DocumentSaved", 20, doc_id="d9"))
    assert r.counters["duplicate_start"] == 1 and H.times("reindex") == [50]


def test_awaiting_the_own_start_event_is_not_reported_as_never_satisfied(tmp_path: Path):
    from coordlang.semantics import check_source

    text = ("event DocumentSaved { doc_id: str }\n"
            "workflow Reindex on DocumentSaved as d key doc_id {\n"
            "    try {\n"
            "        for _i in 0..1000000 {\n"
            "            await DocumentSaved as _e within 30s\n"
            "        }\n"
            "    } catch Timeout { }\n"
            "}\n")
    path = tmp_path / "reindex.coord"
    path.write_text(text, encoding="utf-8")
    _, model = check_source(text, path)
    assert [d.code for d in model.diagnostics if d.code == "W405"] == []
