"""The outcomes of a compiled run, read from the columns at the end.

Instances are listed in start order (the input event that started each, then the order of the
workflows it starts), whatever order parking made them start in. A completed value is in VAL or
VAL_F, or is rendered now from the slots (which do not change after an instance ends); a
failure's message is an interned string, or ``-(pc + 2)``: the ``fail`` at pc, rendered from
the slots with the clock of the moment it ran.
"""

from __future__ import annotations

import numpy as np

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled import columns as K
from coordlang.runtime.compiled.codec import Codec, key_value
from coordlang.runtime.compiled.plan import Plan
from coordlang.runtime.executor import Outcome
from coordlang.runtime.interpreter.values import json_value

_STATUS = {K.ST_RUNNING: "running", K.ST_COMPENSATING: "running", K.ST_COMPLETED: "completed",
           K.ST_FAILED: "failed", K.ST_COMPENSATED: "compensated"}


def outcomes(st, plan: Plan, codec: Codec, host) -> list[Outcome]:
    host.st = st
    rows = int(st.SI[K.S_ROWS])
    if rows == 0:
        return []
    I = st.I[:rows]
    order = np.argsort(I[:, K.START], kind="stable")
    texts = codec.strings.texts
    names = [(lay.machine.name, lay.machine.version) for lay in plan.machines]
    key_kinds = host.key_kinds
    machine_col = I[:, K.MACH].tolist()
    status_col = I[:, K.STATUS].tolist()
    key_col = I[:, K.KEY].tolist()
    endpc_col = I[:, K.ENDPC].tolist()
    errm_col = I[:, K.ERRM].tolist()
    val_col = I[:, K.VAL].tolist()
    valf_col = st.F[:rows, K.VAL_F].tolist()
    out: list[Outcome] = []
    for i in order.tolist():
        m = machine_col[i]
        workflow, version = names[m]
        key = key_value(codec.strings, key_kinds[m], key_col[i])
        status = _STATUS[status_col[i]]
        value = None
        message = None
        if status == "completed":
            if i in host.completed:
                value = json_value(host.completed[i])
            else:
                kind = plan.complete_kinds.get((m, endpc_col[i]))
                if kind == "f":
                    value = valf_col[i]
                elif kind == "i":
                    value = val_col[i]
                elif kind == "b":
                    value = bool(val_col[i])
                elif kind == "s":
                    value = texts[val_col[i]]
                elif kind == "render":
                    instr = plan.machines[m].machine.code[endpc_col[i]]
                    assert isinstance(instr, ir.Complete) and instr.value is not None
                    value = json_value(host.evaluate(i, instr.value, float(st.F[i, K.END_T])))
        elif status in ("failed", "compensated"):
            code = errm_col[i]
            if code >= 0:
                message = texts[code]
            else:
                instr = plan.machines[m].machine.code[-code - 2]
                assert isinstance(instr, ir.FailWith)
                message = str(host.evaluate(i, instr.message, float(st.F[i, K.ERR_T])))
        out.append(Outcome(workflow, version, key, status, value, message))
    return out
