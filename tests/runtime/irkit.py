"""Building small IR programs by hand for the interpreter tests, and running them.

The programs are real :class:`~coordlang.ir.nodes.Program` values; these helpers only fill in
what every test would repeat (the common events, handler definitions pointing at
``handlers/rt_handlers.py``, slot tables).
"""

from __future__ import annotations

import sys
from pathlib import Path

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Event, RunResult
from coordlang.runtime.interpreter import Interpreter
from coordlang.semantics.policies import RetryPolicy

HANDLERS = Path(__file__).resolve().parent / "handlers"
T0 = 1_000_000.0
"""A start time (any will do; windows align on the epoch)."""

START = ir.EventDef("Start", (("id", "str"), ("n", "int")))
PING = ir.EventDef("Ping", (("id", "str"), ("n", "int")))
PONG = ir.EventDef("Pong", (("id", "str"), ("n", "int")))
NOTE = ir.EventDef("Note", (("id", "str"), ("text", "str")))
EVENTS = (START, PING, PONG, NOTE)


def handlers_module():
    """The test handlers module (CALLS, FAILURES), as the interpreter imports it."""
    if str(HANDLERS) not in sys.path:
        sys.path.insert(0, str(HANDLERS))
    import rt_handlers
    return rt_handlers


# ---------------------------------------------------------------- expressions

def c(value: object, type_: str | None = None) -> ir.Const:
    if type_ is None:
        type_ = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}[type(value)]
    return ir.Const(value, type_)


def load(slot: int) -> ir.Load:
    return ir.Load(slot)


def field(slot: int, name: str) -> ir.GetField:
    return ir.GetField(ir.Load(slot), name)


def binary(op: str, left: ir.Expr, right: ir.Expr, type_: str = "any") -> ir.Binary:
    return ir.Binary(op, left, right, type_)


def text(*parts) -> ir.Interpolate:
    return ir.Interpolate(tuple(parts))


NOW = ir.Builtin("now")


# ---------------------------------------------------------------- instructions

def do(handler: str, *args: ir.Expr, target: int | None = None, policy: str | None = None,
       timeout: float | None = None, compensation: ir.Compensation | None = None, step: int = 0) -> ir.Do:
    return ir.Do(handler, tuple(args), target, policy, timeout, compensation, step)


def undo(handler: str, *args: ir.Expr, policy: str | None = None) -> ir.Compensation:
    return ir.Compensation(handler, tuple(args), policy)


def on(event: str, slot: int, target: int, guard: ir.Expr | None = None) -> ir.Clause:
    return ir.Clause(event, slot, guard, target)


def wait(*clauses: ir.Clause, after: float | None = None, timeout_target: int = -1, kind: str = "select") -> ir.Wait:
    timer = ir.Timer(c(float(after), "duration"), timeout_target) if after is not None else None
    return ir.Wait(kind, tuple(clauses), timer, None)


def sleep(seconds: float, then: int) -> ir.Wait:
    return ir.Wait("sleep", (), ir.Timer(c(float(seconds), "duration"), then), None)


def emit(event: str, **fields: ir.Expr) -> ir.Emit:
    return ir.Emit(event, tuple(fields.items()))


def complete(value: ir.Expr | None = None) -> ir.Complete:
    return ir.Complete(value)


def fail(message: str | ir.Expr) -> ir.FailWith:
    return ir.FailWith(c(message) if isinstance(message, str) else message)


# ---------------------------------------------------------------- declarations

def handler(name: str, function: str | None = None, params: tuple[str, ...] = ("x",), mode: str = "plain",
            returns: str = "any", types: tuple[str, ...] | None = None,
            directory: Path | None = HANDLERS) -> ir.HandlerDef:
    kinds = types or ("any",) * len(params)
    return ir.HandlerDef(name, f"rt_handlers:{function or name}", tuple(zip(params, kinds)), returns, None, False,
                         mode, directory)


STANDARD_HANDLERS = tuple(handler(n) for n in ("echo", "double", "record", "keyed", "refuse", "unavailable", "slow"))
FLAKY = handler("flaky", params=("tag",))


def slots(*specs: str) -> tuple[ir.Slot, ...]:
    """``"s:Start"`` is an event slot; ``"x:int"`` a typed one; ``"x"`` an ``any`` slot."""
    out = []
    for spec in specs:
        name, _, kind = spec.partition(":")
        if kind and kind[0].isupper():
            out.append(ir.Slot(name, "event", kind))
        else:
            out.append(ir.Slot(name, kind or "any"))
    return tuple(out)


def machine(name: str, code: list[ir.Instr], slot_specs: tuple[str, ...] = ("s:Start",), *,
            trigger: str | None = "Start", key: str = "id", version: int = 1, params: tuple[int, ...] = (),
            labels: tuple[tuple[str, int], ...] = ()) -> ir.Machine:
    return ir.Machine(name, version, trigger, 0 if trigger else None, params, key, "str", "any",
                      slots(*slot_specs), tuple(code), labels)


def program(*machines: ir.Machine, handlers: tuple[ir.HandlerDef, ...] = STANDARD_HANDLERS + (FLAKY,),
            policies: dict[str, RetryPolicy] | None = None, reactions: tuple[ir.Reaction, ...] = (),
            streams: tuple[ir.Stream, ...] = (), events: tuple[ir.EventDef, ...] = EVENTS) -> ir.Program:
    return ir.Program(events, handlers, tuple((policies or {}).items()), tuple(machines), reactions, streams, ())


def ev(type_: str, at: float, **fields: object) -> Event:
    """An event ``at`` seconds after :data:`T0`."""
    return Event(type_, T0 + at, fields)


def run(prog: ir.Program, events: list[Event], until: float | None = None,
        **options) -> tuple[Interpreter, RunResult]:
    interpreter = Interpreter(prog, **options)
    interpreter.feed(events)
    result = interpreter.finish(None if until is None else T0 + until)
    return interpreter, result


def rows(result: RunResult) -> list[tuple]:
    """(workflow, key, status, value or message) per outcome."""
    return [(o.workflow, o.key, o.status, o.value if o.status == "completed" else o.message) for o in result.outcomes]


def calls(name: str | None = None) -> list[tuple]:
    recorded = handlers_module().CALLS
    return [call for call in recorded if name is None or call[0] == name]
