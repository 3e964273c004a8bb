"""The plan of a compiled program: which machines run, their layouts, what the host does at
each step that leaves the kernel, and the kernel's source.

Only the highest version of each workflow started by an event, or called by a running machine,
gets instances in a run (the interpreter starts nothing else), so only those machines are
compiled and checked; the rest of the program is never executed.
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
    workflow_count: int = 0
    """The first ``workflow_count`` machines are workflows (with outcomes); reactions follow."""
    reactions: dict[str, list[int]] = field(default_factory=dict)
    """Event type → the machines of its reactions, in the interpreter's order."""
    barriers: set[int] = field(default_factory=set)
    """Machines whose parked instance is a barrier and whose threads share the kernel's run
    queue: those that emit, or, in a program with calls, all (a child's end acts on its caller
    at once, so every instance's turn shows)."""
    calls: bool = False
    """Whether a running machine calls a child workflow."""
    rows: int = 1
    """The most rows one instance takes (its threads): the kernel's ``ROWS``."""
    windows: list = field(default_factory=list)
    """The streams' :class:`~coordlang.runtime.compiled.streams.WindowLayout`, in order."""
    streams_on: dict[str, list] = field(default_factory=dict)
    """Event type → the window layouts of its streams, in the interpreter's order."""
    source: str = ""

    def handler(self, name: str) -> ir.HandlerDef:
        return self.program.handler(name)


def running_machines(program: ir.Program) -> list[ir.Machine]:
    """The machines a run can instantiate: the highest version of each triggered workflow, in
    the interpreter's order (first appearance of the workflow's name), then those they call
    (the highest version, as the interpreter's ``call``), in the order first called."""
    latest: dict[str, ir.Machine] = {}
    for machine in program.machines:
        current = latest.get(machine.name)
        if current is None or machine.version > current.version:
            latest[machine.name] = machine
    running = [m for m in latest.values() if m.trigger is not None]
    for machine in running:  # grows while it is read: the callees' callees
        for instr in machine.code:
            if isinstance(instr, ir.CallChild):
                if all(m.name != instr.workflow for m in running):
                    running.append(latest[instr.workflow])
    return running


def reaction_machine(index: int, reaction: ir.Reaction) -> ir.Machine:
    """A reaction as a machine the code generator compiles like a workflow's: its code, then a
    ``complete`` where it runs off its end (as the interpreter ends it)."""
    return ir.Machine(f"reaction#{index}", 0, reaction.event, reaction.slot, (), "", "int", "none",
                      reaction.slots, reaction.code + (ir.Complete(None, reaction.sid),), (), reaction.sid)


def new_plan(program: ir.Program) -> Plan:
    from coordlang.runtime.compiled.layout import machine_layout

    events, ewi, ewf = event_layouts(program)
    machines = running_machines(program)
    workflows = {m.name: n for n, m in enumerate(machines)}
    layouts = [machine_layout(n, m, workflows[m.name], program, events) for n, m in enumerate(machines)]
    count = len(layouts)
    for number, reaction in enumerate(program.reactions):
        lay = machine_layout(len(layouts), reaction_machine(number, reaction), -1, program, events)
        lay.unit = f"reaction#{number}"
        layouts.append(lay)
    strings = Strings()
    windows = []
    for number, stream in enumerate(program.streams):
        windows.append(_window(program, number, stream, layouts, events, strings))
    plan = Plan(program, strings, events, (ewi, ewf), layouts, workflows)
    plan.workflow_count = count
    plan.windows = windows
    for win in windows:
        if win.stream.window in ("tumbling", "session"):
            win.fifo = sum(1 for other in windows if other.fifo >= 0)
    for win in windows:
        plan.streams_on.setdefault(win.stream.event, []).append(win)
    for lay in layouts[count:count + len(program.reactions)]:
        plan.reactions.setdefault(lay.machine.trigger or "", []).append(lay.index)
    plan.calls = any(isinstance(instr, ir.CallChild) for lay in layouts for instr in lay.machine.code)
    for lay in layouts:
        if plan.calls or any(isinstance(instr, ir.Emit) for instr in lay.machine.code):
            plan.barriers.add(lay.index)
    plan.rows = max((lay.rows for lay in layouts), default=1)
    plan.width = (max([lay.width_i for lay in layouts], default=0), max([lay.width_f for lay in layouts], default=0))
    most = 0
    for lay in layouts:
        for instr in lay.machine.code:
            if isinstance(instr, ir.Do) and instr.compensation is not None:
                most = max(most, len(instr.compensation.args))
    plan.comp_width = (3 + most, max(most, 1))
    for lay in layouts[:count]:
        machine = lay.machine
        plan.starters.setdefault(machine.trigger or "", []).append(lay.index)
    for name, event in events.items():
        lanes = list(plan.starters.get(name, ()))
        for lay in layouts[:count]:
            if lay.index not in lanes and name in lay.awaits and lay.machine.key in event.columns:
                lanes.append(lay.index)
        if lanes:
            plan.lanes[name] = sorted(lanes)
    for handler in program.handlers:
        if handler.mode == "jit":
            plan.jit_handlers[handler.name] = f"h_{len(plan.jit_handlers)}_{_ident(handler.name)}"
    return plan


def _window(program: ir.Program, number: int, stream: ir.Stream, layouts: list, events, strings):
    """A stream's machine (its code) and its window's columns, appended to ``layouts``."""
    from coordlang.runtime.compiled.exprgen import Unsupported
    from coordlang.runtime.compiled.layout import machine_layout
    from coordlang.runtime.compiled.streams import stream_machine, window_layout
    from coordlang.runtime.handlers import place

    event = events.get(stream.event)
    key_type = (event.definition.field_type(stream.by) if event else None) or "any"
    lay = machine_layout(len(layouts), stream_machine(number, stream, key_type), -1, program, events)
    lay.unit = f"stream#{number}"
    layouts.append(lay)
    try:
        return window_layout(number, stream, lay, events, strings,
                             lambda text: strings.intern(f"{text} at {place(program, stream.sid)}"))
    except Unsupported as exc:
        exc.sid = stream.sid  # type: ignore[attr-defined]
        raise


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def result_kind(handler: ir.HandlerDef) -> str | None:
    return kind_of(handler.returns)
