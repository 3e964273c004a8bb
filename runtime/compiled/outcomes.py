"""The outcomes of a compiled run, read from the columns at the end.

Instances are listed in start order (the input event that started each, then the order of the
workflows it starts), whatever order parking made them start in. A completed value is in VAL or
VAL_F, or is rendered now from the slots (which do not change after an instance ends); a
failure's message is an interned string, or ``-(pc + 2)``: the ``fail`` at pc, rendered from
the slots with the clock of the moment it ran. Rendering is the interpreter's
(``format_value`` of each part, by its static type), a column at a time for the usual
interpolations of variables and event fields, else through the interpreter's evaluator.
"""

from __future__ import annotations

import numpy as np

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import columns as K
from coordlang.runtime.compiled.codec import Codec
from coordlang.runtime.compiled.plan import Plan
from coordlang.runtime.executor import Outcome
from coordlang.runtime.interpreter.values import format_value, json_value

STATUS_NAMES = {K.ST_RUNNING: "running", K.ST_COMPENSATING: "running", K.ST_COMPLETED: "completed",
           K.ST_FAILED: "failed", K.ST_COMPENSATED: "compensated", K.ST_CANCELLED: "cancelled"}


def outcomes(st, plan: Plan, codec: Codec, host) -> list[Outcome]:
    host.st = st
    rows = int(st.SI[K.S_ROWS])
    if rows == 0:
        return []
    I = st.I[:rows]
    C = st.C[:rows]
    texts = codec.strings.texts
    machine_col = I[:, K.MACH]
    status_col = I[:, K.STATUS]
    endpc_col = C[:, K.ENDPC]
    errm_col = C[:, K.ERRM]
    values: list = [None] * rows
    messages: list = [None] * rows
    workflow = machine_col < plan.workflow_count
    completed = np.flatnonzero((status_col == K.ST_COMPLETED) & workflow)
    for (m, pc), group in _groups(machine_col, endpc_col, completed):
        kind = plan.complete_kinds.get((m, pc))
        if kind == "f":
            found = st.FC[group, K.VAL_F].tolist()
        elif kind == "i":
            found = C[group, K.VAL].tolist()
        elif kind == "b":
            found = [bool(v) for v in C[group, K.VAL].tolist()]
        elif kind == "s":
            found = [texts[v] for v in C[group, K.VAL].tolist()]
        elif kind == "render":
            instr = plan.machines[m].machine.code[pc]
            assert isinstance(instr, ir.Complete) and instr.value is not None
            found = [json_value(v) for v in render(host, m, instr.value, group, st.FC[group, K.END_T])]
        else:
            found = [None] * len(group)
        for i, value in zip(group.tolist(), found):
            values[i] = value
    for i, value in host.completed.items():
        values[i] = json_value(value)
    ended = np.flatnonzero(((status_col == K.ST_FAILED) | (status_col == K.ST_COMPENSATED)) & workflow)
    interned = ended[errm_col[ended] >= 0]
    for i, code in zip(interned.tolist(), errm_col[interned].tolist()):
        messages[i] = texts[code]
    drawn = ended[errm_col[ended] < 0]
    for (m, code), group in _groups(machine_col, errm_col, drawn):
        instr = plan.machines[m].machine.code[-code - 2]
        assert isinstance(instr, ir.FailWith)
        for i, text in zip(group.tolist(), render(host, m, instr.message, group, st.FC[group, K.ERR_T])):
            messages[i] = str(text)
    for i in np.flatnonzero(status_col == K.ST_CANCELLED).tolist():
        messages[i] = cancel_message(host, i)
    names = [(lay.machine.name, lay.machine.version) for lay in plan.machines]
    key_of = [_keys(host.key_kinds[m], texts) for m in range(len(plan.machines))]
    out = []
    keys = I[:, K.KEY].tolist()
    machines = machine_col.tolist()
    status_list = status_col.tolist()
    workflows = plan.workflow_count
    for i in np.argsort(C[:, K.START], kind="stable").tolist():
        if status_list[i] == K.ST_THREAD:
            continue  # a thread row of an instance
        m = machines[i]
        if m >= workflows:
            continue  # a reaction's run, or a free row
        workflow, version = names[m]
        out.append(Outcome(workflow, version, key_of[m](keys[i]), STATUS_NAMES[status_list[i]], values[i], messages[i]))
    return out


def completed_value(host, i: int) -> object:
    """The value instance row ``i`` completed with (a child's, for its caller)."""
    if i in host.completed:
        return host.completed[i]
    st = host.st
    m = int(st.I[i, K.MACH])
    pc = int(st.C[i, K.ENDPC])
    kind = host.plan.complete_kinds.get((m, pc))
    if kind == "f":
        return float(st.FC[i, K.VAL_F])
    if kind == "i":
        return int(st.C[i, K.VAL])
    if kind == "b":
        return bool(st.C[i, K.VAL])
    if kind == "s":
        return host.codec.strings.texts[int(st.C[i, K.VAL])]
    if kind == "render":
        instr = host.plan.machines[m].machine.code[pc]
        assert isinstance(instr, ir.Complete) and instr.value is not None
        return render(host, m, instr.value, np.array([i]), st.FC[[i], K.END_T])[0]
    return None


def end_message(host, i: int) -> str | None:
    """The message instance row ``i`` failed with (for ``ChildFailed``), as in its outcome."""
    st = host.st
    code = int(st.C[i, K.ERRM])
    if code >= 0:
        return host.codec.strings.texts[code]
    if code == -1:
        return None
    m = int(st.I[i, K.MACH])
    instr = host.plan.machines[m].machine.code[-code - 2]
    assert isinstance(instr, ir.FailWith)
    return str(render(host, m, instr.message, np.array([i]), st.FC[[i], K.ERR_T])[0])


def cancel_message(host, i: int) -> str:
    """A cancelled child's message: the interpreter's, naming its caller's instance."""
    parent = host.owner(int(host.st.C[i, K.CALLER]) - 1)
    name = host.plan.machines[int(host.st.I[parent, K.MACH])].machine.name
    return f"cancelled: its parent {name} {host.key(parent)!r} stopped waiting for it"


def _keys(kind: str, texts: list[str]):
    if kind == "s":
        return texts.__getitem__
    if kind == "b":
        return bool
    return int


def _groups(machines: np.ndarray, codes: np.ndarray, rows: np.ndarray):
    """Rows grouped by (machine, code)."""
    if len(rows) == 0:
        return
    combined = machines[rows] * (1 << 32) + (codes[rows] & 0xFFFFFFFF)
    for value in np.unique(combined).tolist():
        group = rows[combined == value]
        yield (int(machines[group[0]]), int(codes[group[0]])), group


def render(host, m: int, expr: ir.Expr, rows: np.ndarray, clocks: np.ndarray) -> list:
    """The value of ``expr`` (evaluated after the instance stopped changing) for each row."""
    parts = _simple(host, m, expr)
    if parts is None:
        return [host.evaluate(i, expr, clock) for i, clock in zip(rows.tolist(), clocks.tolist())]
    st = host.st
    texts = host.codec.strings.texts
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append([part] * len(rows))
            continue
        kind, where, col, type_ = part
        raw = (st.F if where == "F" else st.I)[rows, col].tolist()
        if kind == "s":
            decoded = [texts[v] for v in raw]
        elif kind == "b":
            decoded = [bool(v) for v in raw]
        else:
            decoded = raw
        pieces.append([format_value(v, type_) for v in decoded])
    return ["".join(row) for row in zip(*pieces)] if pieces else [""] * len(rows)


def _simple(host, m: int, expr: ir.Expr):
    """An interpolation of constants, variables and fields of (surely present) events, as its
    parts: strings, or (kind, "I"/"F", column, type to format by); else None."""
    if not isinstance(expr, ir.Interpolate):
        return None
    layout = host.plan.machines[m]
    unit = host.tables.units[layout.machine.id]
    out: list = []
    for part in expr.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        type_ = host.evaluator.type_of(part, unit)
        if isinstance(part, ir.Const):
            out.append(format_value(part.value, type_))
        elif isinstance(part, ir.Load) and layout.slots[part.slot].kind in ("i", "f", "b", "s"):
            entry = layout.slots[part.slot]
            out.append((entry.kind, "F" if entry.kind == "f" else "I", entry.col, type_))
        elif (isinstance(part, ir.GetField) and isinstance(part.obj, ir.Load)
              and layout.slots[part.obj.slot].kind == "event"):
            entry = layout.slots[part.obj.slot]
            where, col = entry.fields[part.name]
            kind = host.plan.events[entry.slot.event or ""].kinds[part.name]
            out.append((kind, where, col, type_))
        else:
            return None
    return out
