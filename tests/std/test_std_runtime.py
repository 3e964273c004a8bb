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

T0 = 1_000_000.0
"""The start time of every test; times in the tests are seconds after it."""


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


def run(name: str, *events: Event, until: float | None = None) -> Run:
    interpreter = Interpreter(program(name))
    H.clock = lambda: interpreter.state.clock - T0
    interpreter.feed(list(events))
    result = interpreter.finish(None if until is None else T0 + until)
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


def test_saga_with_a_compensation_that_fails_for_good_ends_failed():
    H.PLAN["charge", "o5"] = fails(H.Rejected("card declined"))
    H.PLAN["release_stock", "o5"] = fails(H.Rejected("warehouse gone"))
    r = run("saga", ev("OrderPlaced", 0, order_id="o5", amount=9.0))
    assert [name for name, _ in calls()] == ["reserve_stock", "charge_card", "charge", "refund_card",
                                              "release_stock"]
    assert r["Order", "o5"] == ("failed", "saga order aborted: card declined")


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
    # Three actions (0, 10, 20), then the instance ends; the ticks after 30s start a new one.
    assert H.times("refresh_dashboard")[:3] == [0, 10, 20]
    assert r.order[0] == ("Ticker", "t1") and r.order[1] == ("Ticker", "t1")
    assert H.times("refresh_dashboard")[3] == 30


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
