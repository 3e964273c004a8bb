"""The plan of a compiled program: which machines run, their layouts, what the host does at
each step that leaves the kernel, and the kernel's source.

Only the highest version of each workflow started by an event gets instances in a run (the
interpreter starts nothing else without ``call``), so only those machines are compiled and
checked; the rest of the program is never executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled.layout import EventLayout, MachineLayout, Strings, event_layouts, kind_of

MAX_STARTERS = 64


@dataclass(slots=True)
class CompSite:
    """A ``compensate h(args)`` registered by the ``do`` at (machine, pc)."""

    handler: ir.HandlerDef
    policy: str | None
    args: list[tuple[str, str, int]]
    """Per argument: (kind, "I" or "F", column in the compensation arena)."""


@dataclass(slots=True)
class DoSite:
    machine: int
    pc: int
    instr: ir.Do
    handler: ir.HandlerDef
    args: list[tuple[str, str, int]] | None
    """Per argument (kind, "I" or "F", instance column) when the kernel evaluates them; None
    when the host does (string interpolation)."""
    result: str | None
    """The result's kind when stored in a slot."""
    comp: CompSite | None = None


@dataclass(slots=True)
class Plan:
    program: ir.Program
    strings: Strings
    events: dict[str, EventLayout]
    event_width: tuple[int, int]
    machines: list[MachineLayout]
    workflows: dict[str, int]
    """Workflow name → id, for the compiled machines."""
    width: tuple[int, int] = (0, 0)
    comp_width: tuple[int, int] = (3, 1)
    do_sites: dict[tuple[int, int], DoSite] = field(default_factory=dict)
    host_steps: dict[tuple[int, int], str] = field(default_factory=dict)
    """(machine, pc) → what the host evaluates there: ``assign``, ``branch``, ``fail``, ``complete``."""
    complete_kinds: dict[tuple[int, int], str | None] = field(default_factory=dict)
    """(machine, pc) of a ``complete`` → its value's kind in VAL/VAL_F, ``render`` (the host
    evaluates it at the end) or None (no value)."""
    jit_handlers: dict[str, str] = field(default_factory=dict)
    """Handler name → the kernel's global name for its numba function."""
    starters: dict[str, list[int]] = field(default_factory=dict)
    """Event type → the machines it starts, in the interpreter's order."""
    lanes: dict[str, list[int]] = field(default_factory=dict)
    """Event type → the machines it starts or is delivered to."""
    source: str = ""

    def handler(self, name: str) -> ir.HandlerDef:
        return self.program.handler(name)


def running_machines(program: ir.Program) -> list[ir.Machine]:
    """The machines a run can instantiate: the highest version of each triggered workflow, in
    the interpreter's order (first appearance of the workflow's name)."""
    latest: dict[str, ir.Machine] = {}
    for machine in program.machines:
        current = latest.get(machine.name)
        if current is None or machine.version > current.version:
            latest[machine.name] = machine
    return [m for m in latest.values() if m.trigger is not None]


def new_plan(program: ir.Program) -> Plan:
    from coordlang.runtime.compiled.layout import machine_layout

    events, ewi, ewf = event_layouts(program)
    machines = running_machines(program)
    workflows = {m.name: n for n, m in enumerate(machines)}
    layouts = [machine_layout(n, m, workflows[m.name], program, events) for n, m in enumerate(machines)]
    plan = Plan(program, Strings(), events, (ewi, ewf), layouts, workflows)
    plan.width = (max([lay.width_i for lay in layouts], default=0), max([lay.width_f for lay in layouts], default=0))
    most = 0
    for lay in layouts:
        for instr in lay.machine.code:
            if isinstance(instr, ir.Do) and instr.compensation is not None:
                most = max(most, len(instr.compensation.args))
    plan.comp_width = (3 + most, max(most, 1))
    for lay in layouts:
        machine = lay.machine
        plan.starters.setdefault(machine.trigger or "", []).append(lay.index)
    for name, event in events.items():
        lanes = list(plan.starters.get(name, ()))
        for lay in layouts:
            if lay.index not in lanes and name in lay.awaits and lay.machine.key in event.columns:
                lanes.append(lay.index)
        if lanes:
            plan.lanes[name] = sorted(lanes)
    for handler in program.handlers:
        if handler.mode == "jit":
            plan.jit_handlers[handler.name] = f"h_{len(plan.jit_handlers)}_{_ident(handler.name)}"
    return plan


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def result_kind(handler: ir.HandlerDef) -> str | None:
    return kind_of(handler.returns)
