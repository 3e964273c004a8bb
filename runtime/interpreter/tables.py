"""What the interpreter looks up while routing, computed once per program."""

from __future__ import annotations

from dataclasses import dataclass

from coordlang.ir import nodes as ir


@dataclass(frozen=True, slots=True)
class Unit:
    """The code an instance runs: a machine, a reaction or a stream's window code."""

    id: str
    slots: tuple[ir.Slot, ...]
    code: tuple[ir.Instr, ...]
    aggregates: tuple[ir.Aggregate, ...] = ()
    key_type: str = "any"
    """The type of ``key`` in a stream's code."""
    returns: str = "any"
    """A machine's result type."""


class Tables:
    """Indexes over a :class:`~coordlang.ir.nodes.Program`."""

    def __init__(self, program: ir.Program) -> None:
        self.program = program
        self.units: dict[str, Unit] = {}
        self.machines: dict[str, ir.Machine] = {}
        self.latest: dict[str, ir.Machine] = {}
        """Workflow name → its highest version."""
        self.events = {e.name: e for e in program.events}
        self.policies = dict(program.policies)
        self.starters: dict[str, list[ir.Machine]] = {}
        """Event type → the highest version of each workflow it starts, in declaration order."""
        self.awaits: dict[str, frozenset[str]] = {}
        """Machine id → the event types any of its waits takes."""
        self.key_fields: dict[str, list[str]] = {}
        """Event type → key fields of the machines that await it (each once, in order)."""
        self.reactions: dict[str, list[int]] = {}
        self.streams: dict[str, list[int]] = {}
        for machine in program.machines:
            self.machines[machine.id] = machine
            self.units[machine.id] = Unit(machine.id, machine.slots, machine.code, returns=machine.returns)
            current = self.latest.get(machine.name)
            if current is None or machine.version > current.version:
                self.latest[machine.name] = machine
            taken = frozenset(c.event for instr in machine.code if isinstance(instr, ir.Wait) for c in instr.clauses)
            self.awaits[machine.id] = taken
            for event in taken:
                fields = self.key_fields.setdefault(event, [])
                if machine.key not in fields:
                    fields.append(machine.key)
        for machine in self.latest.values():
            if machine.trigger is not None:
                self.starters.setdefault(machine.trigger, []).append(machine)
        for index, reaction in enumerate(program.reactions):
            self.units[f"reaction#{index}"] = Unit(f"reaction#{index}", reaction.slots, reaction.code)
            self.reactions.setdefault(reaction.event, []).append(index)
        for index, stream in enumerate(program.streams):
            event = self.events.get(stream.event)
            key_type = (event.field_type(stream.by) if event else None) or "any"
            self.units[f"stream#{index}"] = Unit(f"stream#{index}", stream.slots, stream.code, stream.aggregates,
                                                 key_type)
            self.streams.setdefault(stream.event, []).append(index)

