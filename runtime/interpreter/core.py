"""What every part of the interpreter shares: the program's tables, the bound handlers, the
state, and small helpers (evaluate, wake a thread, count).

The interpreter is one class assembled from mixins, one per concern (``execution``,
``lifecycle``, ``routing``, ``streams``); each works on the same :class:`RunState`.
"""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.handlers import BoundHandler, HandlerLoop, place
from coordlang.runtime.interpreter.effects import Effects
from coordlang.runtime.interpreter.expressions import Evaluator, ExpressionError
from coordlang.runtime.interpreter.state import Instance, RunState, Thread
from coordlang.runtime.interpreter.tables import Tables, Unit
from coordlang.runtime.interpreter.values import ErrorValue


class Core:
    program: ir.Program
    tables: Tables
    evaluator: Evaluator
    handlers: dict[str, BoundHandler]
    handler_loop: HandlerLoop
    """Where coroutine handlers are awaited, one call at a time."""
    inbox_capacity: int
    state: RunState
    effects: Effects

    def unit_of(self, inst: Instance) -> Unit:
        return self.tables.units[inst.unit]

    def value(self, expr: ir.Expr, inst: Instance) -> object:
        return self.evaluator.value(expr, inst, self.tables.units[inst.unit], self.state.clock)

    def wake(self, inst: Instance, thread: Thread) -> None:
        """Make a thread runnable. The running thread just goes on (its pc is already set)."""
        if thread.state in ("ready", "running"):
            return
        thread.state = "ready"
        self.state.ready.append((inst.id, thread.id))

    def count(self, counter: str) -> None:
        self.state.counters[counter] = self.state.counters.get(counter, 0) + 1

    def place(self, sid: int) -> str:
        return place(self.program, sid)

    def expression_error(self, exc: ExpressionError, sid: int) -> ErrorValue:
        return ErrorValue("Failed", f"{exc.message} at {self.place(sid)}", exc.type)

    # Implemented by the mixins; declared here so each mixin can call the others.
    def raise_error(self, inst: Instance, thread: Thread, err: ErrorValue) -> None:
        raise NotImplementedError

    def end(self, inst: Instance, status: str, value: object = None, message: str | None = None) -> None:
        raise NotImplementedError

    def cancel_thread(self, inst: Instance, thread: Thread) -> None:
        raise NotImplementedError

    def match(self, inst: Instance, wait: ir.Wait, event) -> int | None:
        raise NotImplementedError
