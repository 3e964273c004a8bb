"""Where everything lives in the compiled backend's columns.

Values are int64 or float64: ``int``, ``bool`` (0/1) and ``str`` (an id in the host's intern
table) in ``I``; ``float``, ``duration`` and ``time`` in ``F``. An input event is a row of its
own columns (``ev_I``/``ev_F``: each type numbers its fields from 0), and an inbox holds rows
in that same layout. An instance row holds, after the fixed columns of ``kernel_lib``: per
awaited event type its inbox list (head, tail, count), per ``do`` step how often it started
(idempotency keys), the current step's arguments, and the slots: an event slot as a presence
flag and one column per field the code reads from it, an error slot as (kind, message, type).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import flow
from coordlang.runtime.compiled.columns import NFIX_F, NFIX_I
from coordlang.runtime.compiled.forks import thread_rows

KINDS = {"int": "i", "bool": "b", "str": "s", "float": "f", "duration": "f", "time": "f"}
"""Value type → column kind: i (int64), b (bool as int64), s (string id), f (float64)."""

ERROR_KINDS = ("Timeout", "HandlerError", "ChildFailed", "Cancelled", "Failed")
FIXED_STRINGS = ERROR_KINDS + ("ZeroDivisionError", "NoValue", "")


def kind_of(type_: str) -> str | None:
    return KINDS.get(type_)


def is_float(kind: str) -> bool:
    return kind == "f"


class Strings:
    """The intern table: ids in first-seen order, constants first (so generated code can name
    them), then whatever the host meets (event fields, handler results, messages)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.texts: list[str] = []
        self._array = None
        self._filled = 0
        for text in FIXED_STRINGS:
            self.intern(text)

    def intern(self, text: str) -> int:
        found = self.ids.get(text)
        if found is None:
            found = self.ids[text] = len(self.texts)
            self.texts.append(text)
        return found

    def __len__(self) -> int:
        return len(self.texts)

    def truncate(self, size: int) -> None:
        """Forget every string interned after the first ``size``."""
        for text in self.texts[size:]:
            del self.ids[text]
        del self.texts[size:]
        self._filled = min(self._filled, size)

    def array(self):
        """The texts as a numpy object array (for indexing by columns of ids), kept in step
        (grown by doubling, so a run with many strings does not copy them all each time)."""
        import numpy as np

        cached = self._array
        count = len(self.texts)
        if cached is None or len(cached) < count:
            grown = np.empty(max(count, 2 * len(cached) if cached is not None else 64), dtype=object)
            filled = self._filled if cached is not None else 0
            if filled:
                grown[:filled] = cached[:filled]
            self._array = cached = grown
        else:
            filled = self._filled
        if filled < count:
            cached[filled:count] = self.texts[filled:count]
            self._filled = count
        return cached


@dataclass(frozen=True, slots=True)
class EventLayout:
    index: int
    definition: ir.EventDef
    columns: dict[str, tuple[str, int]]
    """Field → ("I" or "F", column)."""
    kinds: dict[str, str]


@dataclass(slots=True)
class SlotLayout:
    slot: ir.Slot
    kind: str | None
    """i b s f, ``event``, ``error``, or None (a type the backend does not keep)."""
    col: int = -1
    """The I or F column of a value slot; the presence column of an event slot; the kind
    column of an error slot (message and type follow)."""
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    """An event slot's fields kept: field → ("I" or "F", column)."""


@dataclass(slots=True)
class MachineLayout:
    index: int
    machine: ir.Machine
    wf: int
    """The workflow name's id (routing lanes are per workflow name, over versions)."""
    facts: flow.Facts
    awaits: tuple[str, ...]
    rows: int = 1
    """The rows one instance takes: itself and its threads at most alive at once
    (``forks.thread_rows``)."""
    inbox: dict[str, int] = field(default_factory=dict)
    """Awaited event type → first of its (head, tail, count) columns."""
    runs: dict[int, int] = field(default_factory=dict)
    """Step → the column counting its starts."""
    arg_i: int = 0
    arg_f: int = 0
    """First columns of the current step's int and float arguments."""
    slots: list[SlotLayout] = field(default_factory=list)
    width_i: int = 0
    width_f: int = 0
    unit: str = ""
    """The interpreter's name for the code (``W@1``, ``reaction#0``, ``stream#0``): the host
    evaluates in it."""
    aggs: list[tuple[str, int]] = field(default_factory=list)
    """A stream's close code: each aggregate's value (kind, column) when its window closes."""
    key_kind: str | None = None
    """A stream's close code: the kind of ``key`` (in the KEY column)."""

    def __post_init__(self) -> None:
        if not self.unit:
            self.unit = self.machine.id


def expressions(instr: ir.Instr):
    """Every expression an instruction evaluates (top level)."""
    if isinstance(instr, ir.Assign):
        yield instr.value
    elif isinstance(instr, ir.Do):
        yield from instr.args
        if instr.compensation is not None:
            yield from instr.compensation.args
    elif isinstance(instr, ir.CallChild):
        yield from instr.args
    elif isinstance(instr, ir.Wait):
        for clause in instr.clauses:
            if clause.guard is not None:
                yield clause.guard
        if instr.timer is not None:
            yield instr.timer.delay
    elif isinstance(instr, ir.Branch):
        yield instr.cond
    elif isinstance(instr, ir.Emit):
        for _, expr in instr.fields:
            yield expr
    elif isinstance(instr, ir.Complete):
        if instr.value is not None:
            yield instr.value
    elif isinstance(instr, ir.FailWith):
        yield instr.message


def walk(expr: ir.Expr):
    """An expression and every expression inside it."""
    yield expr
    if isinstance(expr, ir.GetField):
        yield from walk(expr.obj)
    elif isinstance(expr, ir.Binary):
        yield from walk(expr.left)
        yield from walk(expr.right)
    elif isinstance(expr, ir.Unary):
        yield from walk(expr.operand)
    elif isinstance(expr, ir.Interpolate):
        for part in expr.parts:
            if not isinstance(part, str):
                yield from walk(part)
    elif isinstance(expr, ir.Builtin):
        for arg in expr.args:
            yield from walk(arg)


def event_layouts(program: ir.Program) -> tuple[dict[str, EventLayout], int, int]:
    layouts: dict[str, EventLayout] = {}
    width_i = width_f = 0
    for index, event in enumerate(program.events):
        columns: dict[str, tuple[str, int]] = {}
        kinds: dict[str, str] = {}
        ni = nf = 0
        for name, type_ in event.fields:
            kind = kind_of(type_) or "?"
            kinds[name] = kind
            if kind == "f":
                columns[name] = ("F", nf)
                nf += 1
            else:
                columns[name] = ("I", ni)
                ni += 1
        layouts[event.name] = EventLayout(index, event, columns, kinds)
        width_i, width_f = max(width_i, ni), max(width_f, nf)
    return layouts, width_i, width_f


def machine_layout(index: int, machine: ir.Machine, wf: int, program: ir.Program,
                   events: dict[str, EventLayout]) -> MachineLayout:
    facts = flow.analyse(machine)
    awaits: list[str] = []
    for instr in machine.code:
        if isinstance(instr, ir.Wait):
            for clause in instr.clauses:
                if clause.event not in awaits:
                    awaits.append(clause.event)
    layout = MachineLayout(index, machine, wf, facts, tuple(awaits), thread_rows(machine, facts))
    ci, cf = NFIX_I, NFIX_F
    read: dict[int, set[str]] = {}
    for instr in machine.code:
        for top in expressions(instr):
            for expr in walk(top):
                if isinstance(expr, ir.GetField) and isinstance(expr.obj, ir.Load):
                    read.setdefault(expr.obj.slot, set()).add(expr.name)
    whole = whole_loads(machine)
    for number, slot in enumerate(machine.slots):
        kind = "event" if slot.type == "event" else "error" if slot.type == "error" else kind_of(slot.type)
        entry = SlotLayout(slot, kind)
        if kind == "event":
            entry.col = ci
            ci += 1
            event = events.get(slot.event or "")
            if event is not None:
                names = [n for n, _ in event.definition.fields
                         if number in whole or n in read.get(number, ())]
                for name in names:
                    if event.kinds[name] == "f":
                        entry.fields[name] = ("F", cf)
                        cf += 1
                    else:
                        entry.fields[name] = ("I", ci)
                        ci += 1
        elif kind == "error":
            entry.col = ci
            ci += 3
        elif kind == "f":
            entry.col = cf
            cf += 1
        elif kind is not None:
            entry.col = ci
            ci += 1
        layout.slots.append(entry)
    # After the slots (what the run loop reads most), the inbox lists, the steps' start counts
    # and the arguments of the current step (argument n in int column arg_i + n or float column
    # arg_f + n, by its kind).
    for event in awaits:
        layout.inbox[event] = ci
        ci += 3
    for instr in machine.code:
        if isinstance(instr, ir.Do) and instr.step not in layout.runs:
            layout.runs[instr.step] = ci
            ci += 1
    most = max([len(instr.args) for instr in machine.code if isinstance(instr, (ir.Do, ir.CallChild))]
               + [len(instr.fields) for instr in machine.code if isinstance(instr, ir.Emit)], default=0)
    layout.arg_i, layout.arg_f = ci, cf
    ci += most
    cf += most
    layout.width_i, layout.width_f = ci, cf
    return layout


def whole_loads(machine: ir.Machine) -> set[int]:
    """Slots loaded as a whole value (not only to read a field)."""
    out: set[int] = set()

    def visit(expr: ir.Expr, under_field: bool) -> None:
        if isinstance(expr, ir.Load):
            if not under_field:
                out.add(expr.slot)
        elif isinstance(expr, ir.GetField):
            visit(expr.obj, True)
        elif isinstance(expr, ir.Binary):
            visit(expr.left, False)
            visit(expr.right, False)
        elif isinstance(expr, ir.Unary):
            visit(expr.operand, False)
        elif isinstance(expr, ir.Interpolate):
            for part in expr.parts:
                if not isinstance(part, str):
                    visit(part, False)
        elif isinstance(expr, ir.Builtin):
            for arg in expr.args:
                visit(arg, False)

    for instr in machine.code:
        for top in expressions(instr):
            visit(top, False)
    return out
