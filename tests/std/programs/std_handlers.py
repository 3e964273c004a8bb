"""Handlers of the std runtime tests (``tests/std/test_std_runtime.py``).

Every handler is deterministic: it records its call in ``CALLS`` as ``(name, arguments, at)``
(``at`` is the virtual time of the call, relative to the test's start time, when the test has
set ``clock``) and then does what ``PLAN`` says for its name and first argument, in order: an
exception instance is raised, any other value is returned; the last entry repeats. Without a
plan a handler returns its default (``True`` for the actions, a ticket for ``put_blob``, ...).
The tests reset both before each run.
"""

from __future__ import annotations

from typing import Callable

CALLS: list[tuple[str, tuple, float | None]] = []
PLAN: dict[tuple[str, object], list] = {}
clock: Callable[[], float] | None = None
"""Set by the test: the interpreter's virtual clock, relative to the test's start time."""


class Unreachable(ConnectionError):
    """A transient failure: the std test policies retry ConnectionError."""


class Rejected(ValueError):
    """A permanent failure: no std test policy retries it (the ``patient`` one excepted)."""


def reset() -> None:
    global clock
    CALLS.clear()
    PLAN.clear()
    clock = None


def names(name: str | None = None) -> list:
    """The recorded calls as ``(name, first argument)``, or the first arguments of ``name``."""
    if name is None:
        return [(n, args[0] if len(args) == 1 else args) for n, args, _ in CALLS]
    return [args[0] if len(args) == 1 else args for n, args, _ in CALLS if n == name]


def times(name: str) -> list[float | None]:
    """When ``name`` was called, in virtual seconds after the test's start time."""
    return [at for n, _, at in CALLS if n == name]


def _handler(name: str, default: object | Callable[..., object]) -> Callable[..., object]:
    def handler(*args: object) -> object:
        CALLS.append((name, args, None if clock is None else clock()))
        plan = PLAN.get((name, args[0] if args else None))
        if plan:
            outcome = plan.pop(0) if len(plan) > 1 else plan[0]
        else:
            outcome = default(*args) if callable(default) else default
        if isinstance(outcome, BaseException):
            raise type(outcome)(*outcome.args)
        return outcome

    handler.__name__ = name
    return handler


# Actions of the patterns: `(str) -> T`, called with the work item's id or an item reference.
_ACTIONS = (
    # std.saga
    "reserve_stock", "release_stock", "charge_card", "refund_card", "ship_by_id",
    # std.circuit_breaker
    "charge_by_id", "queue_for_later", "sync",
    # std.bulkhead
    "crm_touch", "send_mail",
    # std.rate_limit
    "send_reminder",
    # std.debounce, std.throttle
    "reindex", "reprice", "refresh_dashboard",
    # std.scatter_gather
    "register",
    # std.router
    "ship_de", "ship_us", "page_team", "open_ticket", "send_faq", "bill_de", "bill_us",
    # std.splitter
    "pick",
    # std.resequencer
    "append_chunk",
    # std.dead_letter
    "render_invoice", "page_oncall",
    # std.idempotent_receiver
    "apply_deposit",
    # std.claim_check
    "ocr_blob", "delete_blob", "classify",
    # std.retry_with_fallback
    "charge_primary", "charge_backup", "reserve", "release",
    # std.watchdog, std.timeout
    "fulfil",
)
for _name in _ACTIONS:
    globals()[_name] = _handler(_name, True)

# Handlers with another default or another shape.
charge = _handler("charge", lambda order_id, amount: float(amount))
refund = _handler("refund", True)
put_blob = _handler("put_blob", lambda doc_id: f"blob-{doc_id}")
export_done = _handler("export_done", False)
report_ready = _handler("report_ready", False)
quote_dhl = _handler("quote_dhl", 10.0)
quote_ups = _handler("quote_ups", 12.5)
quote_fedex = _handler("quote_fedex", 9.0)
seen = _handler("seen", True)
"""Called by the test programs' reactions with an event's type and fields."""
