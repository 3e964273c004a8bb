"""A readable listing of a program's IR, for golden tests and ``coord`` debugging output."""

from __future__ import annotations

from coordlang.ir import nodes as ir


def expr_text(e: ir.Expr | None, slots: tuple[ir.Slot, ...] = ()) -> str:
    if e is None:
        return "-"
    if isinstance(e, ir.Const):
        return repr(e.value) if e.type != "duration" else f"{e.value:g}s"
    if isinstance(e, ir.Load):
        return f"${slots[e.slot].name}" if e.slot < len(slots) else f"$%{e.slot}"
    if isinstance(e, ir.GetField):
        return f"{expr_text(e.obj, slots)}.{e.name}"
    if isinstance(e, ir.Binary):
        return f"({expr_text(e.left, slots)} {e.op} {expr_text(e.right, slots)}):{e.type}"
    if isinstance(e, ir.Unary):
        return f"({e.op} {expr_text(e.operand, slots)})"
    if isinstance(e, ir.Interpolate):
        return "f\"" + "".join(p if isinstance(p, str) else "{" + expr_text(p, slots) + "}" for p in e.parts) + "\""
    if isinstance(e, ir.Builtin):
        return f"{e.name}({', '.join(expr_text(a, slots) for a in e.args)})"
    if isinstance(e, ir.AggregateRef):
        return f"agg#{e.index}"
    raise AssertionError(type(e).__name__)


def instr_text(i: ir.Instr, slots: tuple[ir.Slot, ...]) -> str:
    x = lambda e: expr_text(e, slots)  # noqa: E731
    args = lambda es: ", ".join(x(e) for e in es)  # noqa: E731
    slot = lambda s: "-" if s is None else f"${slots[s].name}"  # noqa: E731
    if isinstance(i, ir.Assign):
        return f"{slot(i.slot)} = {x(i.value)}"
    if isinstance(i, ir.Do):
        text = f"{slot(i.target)} = do#{i.step} {i.handler}({args(i.args)})"
        if i.policy:
            text += f" with {i.policy}"
        if i.timeout is not None:
            text += f" timeout {i.timeout:g}s"
        if i.compensation:
            c = i.compensation
            text += f" compensate {c.handler}({args(c.args)})" + (f" with {c.policy}" if c.policy else "")
        return text
    if isinstance(i, ir.CallChild):
        return f"{slot(i.target)} = call#{i.step} {i.workflow}({args(i.args)})" + (f" with {i.policy}" if i.policy else "")
    if isinstance(i, ir.Wait):
        parts = [f"on {c.event} -> {slot(c.slot)}" + (f" where {x(c.guard)}" if c.guard else "") + f" goto {c.target}"
                 for c in i.clauses]
        if i.timer:
            parts.append(f"after {x(i.timer.delay)} goto {i.timer.target}")
        label = f" label {i.label}" if i.label else ""
        return f"wait {i.kind}{label} [" + "; ".join(parts) + "]"
    if isinstance(i, ir.Jump):
        return f"jump {i.target}"
    if isinstance(i, ir.Branch):
        return f"if not {x(i.cond)} goto {i.otherwise}"
    if isinstance(i, ir.Fork):
        return f"fork {'race' if i.race else 'parallel'} {list(i.branches)} join {i.join}"
    if isinstance(i, ir.EndBranch):
        return "end branch"
    if isinstance(i, ir.Emit):
        return f"emit {i.event} {{ " + ", ".join(f"{n}: {x(e)}" for n, e in i.fields) + " }"
    if isinstance(i, ir.TryEnter):
        return "try [" + "; ".join(f"catch {c.kind or '*'} -> {slot(c.slot)} goto {c.target}" for c in i.catches) + "]"
    if isinstance(i, ir.TryExit):
        return "end try"
    if isinstance(i, ir.Complete):
        return f"complete {x(i.value)}"
    if isinstance(i, ir.FailWith):
        return f"fail {x(i.message)}"
    if isinstance(i, ir.Raise):
        return f"raise {i.kind} {i.message!r}"
    raise AssertionError(type(i).__name__)


def _code(code: tuple[ir.Instr, ...], slots: tuple[ir.Slot, ...]) -> list[str]:
    return [f"  {pc:3}: {instr_text(i, slots)}" for pc, i in enumerate(code)]


def _slots(slots: tuple[ir.Slot, ...]) -> str:
    return ", ".join(f"{s.name}: {s.event or s.type}" for s in slots)


def dump(program: ir.Program) -> str:
    out: list[str] = []
    for e in program.events:
        out.append(f"event {e.name} {{ " + ", ".join(f"{n}: {t}" for n, t in e.fields) + " }")
    for h in program.handlers:
        flags = [h.mode] + (["idempotent"] if h.idempotent else []) + ([f"timeout {h.timeout:g}s"] if h.timeout else [])
        out.append(f"handler {h.name}({', '.join(f'{n}: {t}' for n, t in h.params)}) -> {h.returns} = "
                   f"{h.target!r} {' '.join(flags)}")
    for name, p in program.policies:
        out.append(f"policy {name} = {p.describe()}")
    for m in program.machines:
        start = f"on {m.trigger}" if m.trigger else f"({', '.join(m.slots[s].name for s in m.params)})"
        out.append(f"machine {m.id} {start} key {m.key}: {m.key_type} -> {m.returns}")
        out.append(f"  slots: {_slots(m.slots)}")
        if m.labels:
            out.append("  labels: " + ", ".join(f"{n}@{pc}" for n, pc in m.labels))
        out += _code(m.code, m.slots)
    for r in program.reactions:
        out.append(f"reaction on {r.event}" + (f" where {expr_text(r.guard, r.slots)}" if r.guard else ""))
        out.append(f"  slots: {_slots(r.slots)}")
        out += _code(r.code, r.slots)
    for s in program.streams:
        every = f", every {s.every:g}s" if s.every is not None else ""
        out.append(f"stream {s.name} from {s.event} by {s.by} window {s.window}({s.size:g}{every})")
        for i, a in enumerate(s.aggregates):
            out.append(f"  agg#{i} = {a.kind}({expr_text(a.value, s.slots)})")
        out.append(f"  slots: {_slots(s.slots)}")
        out += _code(s.code, s.slots)
    return "\n".join(out) + "\n"
