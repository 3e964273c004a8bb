"""Where the interpreter touches the world: each handler attempt, and the trace of what it did
(input events routed, timers fired, events emitted, the input's end).

:class:`Effects` calls handlers and records nothing. The event log's recorder writes the trace
down; its replayer serves recorded handler results instead of calling handlers, so a replay or
a debugger going back in time never runs a handler twice; a simulation injects faults.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING

from coordlang.runtime.interpreter.values import ErrorValue, error, from_exception
from coordlang.semantics.constants import format_seconds

if TYPE_CHECKING:
    from coordlang.runtime.executor import Event
    from coordlang.runtime.handlers import BoundHandler, HandlerLoop
    from coordlang.runtime.interpreter.state import Instance, Thread, ThreadTimer, WindowTimer


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one handler attempt gave: its value, or the error it raised, the virtual time it
    took, and the wall time its handler call took."""

    value: object = None
    error: ErrorValue | None = None
    latency: float = 0.0
    """Seconds of virtual time the attempt takes (a simulation's draw); its value or error
    reaches the workflow that much later. 0: at once, as every real call does."""
    wall: float | None = None
    """Seconds of wall time the handler call took (``time.perf_counter`` around it), which
    the virtual clock does not count; a replayed attempt has the one its log recorded. None:
    not measured (a simulation, a log written without it)."""


def landing(outcome: Attempt, handler: str, now: float, handler_timeout: float | None, started: float,
            step_timeout: float | None, attempt: int) -> tuple[float, Attempt]:
    """When an attempt with latency made at ``now`` answers, and what: its own answer after
    its latency, or a ``TimeoutError`` when the handler's ``timeout`` runs out first (what
    cutting off a live call raises, so policies see the same error), or the step's
    ``Timeout`` when the step's ``timeout`` (counted from ``started``) runs out first. Both
    engines take this rule, so their simulations agree."""
    due = now + outcome.latency
    if handler_timeout is not None and now + handler_timeout < due:
        due = now + handler_timeout
        outcome = Attempt(error=from_exception(TimeoutError(
            f"handler {handler} did not answer within its timeout of {format_seconds(handler_timeout)}")))
    if step_timeout is not None and started + step_timeout < due:
        due = max(now, started + step_timeout)
        outcome = Attempt(error=error("Timeout", f"do {handler}: step timeout of {format_seconds(step_timeout)} "
                                      f"reached during attempt {attempt}"))
    return due, outcome


class Effects:
    """Calls handlers; the trace hooks do nothing."""

    def attempt(self, handler: BoundHandler, args: tuple, idempotency_key: str, loop: HandlerLoop,
                workflow: str) -> Attempt:
        """One attempt of ``handler`` by an instance of ``workflow`` (a reaction's
        ``reaction#N``)."""
        began = perf_counter()
        try:
            value = handler.call(args, idempotency_key, loop)
        except Exception as exc:  # any exception of a handler is the program's HandlerError
            wall = perf_counter() - began
            return Attempt(error=from_exception(exc), wall=wall)
        return Attempt(value, wall=perf_counter() - began)

    def routed(self, event: Event) -> None:
        """An input event is about to be routed (at ``max(clock, its time)``)."""

    def fired(self, timer: ThreadTimer | WindowTimer) -> None:
        """A timer is about to fire."""

    def emitted(self, event: Event) -> None:
        """The program emitted an event (queued, routed after the current one)."""

    def finishing(self, until: float | None) -> None:
        """The input has ended; virtual time runs on to ``until`` (None: until no timer is left)."""

    def instance_started(self, inst: Instance, clock: float) -> None:
        """A workflow instance started (the outcomes list it in this order)."""

    def instance_ended(self, inst: Instance, clock: float) -> None:
        """A workflow instance ended (``inst.status`` says how)."""

    def step_began(self, inst: Instance, thread: Thread, sid: int, kind: str, name: str, clock: float) -> None:
        """``thread`` began a step: ``kind`` is ``do`` (``name`` its handler), ``call`` (the
        workflow), ``wait`` (its label, or empty) or ``compensate`` (the handler; ``sid`` -1).
        A thread runs one step at a time, so (instance, thread) names it until it finishes."""

    def step_finished(self, inst: Instance, thread: Thread, clock: float, status: str) -> None:
        """The step ``thread`` began last finished: ``ok``, ``error`` (raised after its retries),
        ``timer`` (a wait's timer fired: ``within``, ``after``, ``sleep``) or ``cancelled``
        (stopped from outside)."""
