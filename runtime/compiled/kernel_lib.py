"""The fixed part of every compiled kernel: the column numbers every instance row shares, and
numba helpers for the timer heap, the routing table, the arenas (inboxes, compensations,
deferred events) and expression errors.

Generated kernels import this module with ``*``; its source hash is part of their content
address, because numba's on-disk cache of a kernel does not notice a change in a function it
calls from another module.

State lives in a :class:`~coordlang.runtime.compiled.state.State` named tuple of numpy arrays:
one row per instance in ``I`` (int64) and ``F`` (float64), fixed columns first (below), then
the machine's own (inboxes, step counters, arguments, slots: see ``layout.py``).
"""

from __future__ import annotations

import numpy as np
from numba import int64, njit, uint64
from numba.core import types
from numba.experimental import structref

from coordlang.runtime.compiled.state import State
from coordlang.runtime.compiled.columns import *  # noqa: F401,F403 (generated kernels use them)
from coordlang.runtime.compiled.columns import (CALLER, CHILD, CNEXT, LNEXT, OWNER, P_CHILD, S_CANCEL, S_STARTS,
                                               S_STOP, S_TR_USED, S_TRACE, ST_THREAD, STATUS, STOP_BARRIER,
                                               T_CHILD)
from coordlang.runtime.compiled.columns import (FREE_ROW, MACH, NEXT, S_EM_FREE, S_EM_HEAD, S_EM_TAIL, S_EM_USED,
                                               S_ROW_FREE, S_ROWS, S_RQ_HEAD, S_RQ_TAIL, S_SV_FREE, S_SV_USED)
from coordlang.runtime.compiled.columns import (C_DROPPED, DEADLINE, DEFH, DEFT, ERR_T, ERRK, ERRM, ERRT, PARK,
                                               PARK_T, PC, S_CP_FREE, S_CP_USED, S_DF_FREE, S_DF_USED, S_HEAP,
                                               S_IB_FREE, S_IB_USED, S_INBOX, S_PK, S_TB_LIVE, S_TB_USED, S_TSEQ,
                                               STATE, T_PARKED, TKIND, TSEQ, UNDO)

# ---------------------------------------------------------------- the state, as kernels see it
# A StructRef is passed as one pointer; a named tuple of 25 arrays would be passed as some 175
# scalars at every call, which made compiling a kernel several times slower.

@structref.register
class StateType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class StateRef(structref.StructRefProxy):
    """The kernels' view of a :class:`~coordlang.runtime.compiled.state.State`."""


structref.define_proxy(StateRef, StateType, list(State._fields))


@njit(cache=True)
def _new_ref(I, F, C, FC, SI, SF, CT, ERR, hp_dl, hp_seq, hp_inst, tb, ib_I, ib_F, ib_next, cp_I, cp_F, cp_next, df_row, df_clock, df_grp, df_wf, df_key, df_next, df_ord, gp_pending, gp_reached, pk, em_I, em_F, em_type, em_next, em_ref, rq_i, rq_p, rq_key, sv_val, sv_next, fq_dl, fq_seq, fq_inst, fq_ht, tr_I, tr_F):
    return StateRef(I, F, C, FC, SI, SF, CT, ERR, hp_dl, hp_seq, hp_inst, tb, ib_I, ib_F, ib_next, cp_I, cp_F, cp_next, df_row, df_clock, df_grp, df_wf, df_key, df_next, df_ord, gp_pending, gp_reached, pk, em_I, em_F, em_type, em_next, em_ref, rq_i, rq_p, rq_key, sv_val, sv_next, fq_dl, fq_seq, fq_inst, fq_ht, tr_I, tr_F)


def state_ref(st: State) -> StateRef:
    """The kernels' view of ``st`` (built by a cached function: the proxy's own constructor is
    compiled anew in every process)."""
    return _new_ref(*st)


# ---------------------------------------------------------------- the step trace

@njit(cache=True)
def tr(st, row, code, arg, now):
    """A trace record, when the trace is on (a simulation); the arrays double when full. The
    host reads the records after each kernel call, so they grow only as far as one call goes."""
    if st.SI[S_TRACE] == 0:
        return
    n = st.SI[S_TR_USED]
    if n == len(st.tr_F):
        grown_I = np.zeros((2 * n + 256, 4), dtype=np.int64)
        grown_F = np.zeros(2 * n + 256, dtype=np.float64)
        grown_I[:n] = st.tr_I[:n]
        grown_F[:n] = st.tr_F[:n]
        st.tr_I = grown_I
        st.tr_F = grown_F
    st.tr_I[n, 0] = row
    st.tr_I[n, 1] = code
    st.tr_I[n, 2] = arg
    st.tr_I[n, 3] = st.I[row, MACH]
    st.tr_F[n] = now
    st.SI[S_TR_USED] = n + 1


@njit(cache=True)
def trace_arrays(st):
    """The trace's arrays as the kernel left them (grown, perhaps)."""
    return st.tr_I, st.tr_F


# ---------------------------------------------------------------- expression errors

@njit(cache=True)
def kerr(err, msg, typ):
    """Record the first error of an expression (later ones are not reached in Python)."""
    if err[0] == 0:
        err[0] = 1
        err[1] = msg
        err[2] = typ


@njit(cache=True)
def kdiv(a, b, err, msg, typ):
    if b == 0:
        kerr(err, msg, typ)
        return 0.0
    return a / b


@njit(cache=True)
def kmod(a, b, err, msg, typ):
    if b == 0:
        kerr(err, msg, typ)
        return a - a
    return a % b


@njit(cache=True)
def kchk(flag, err, msg, typ):
    """Whether an event (or error) slot holds a value; records NoValue when not."""
    if flag == 0:
        kerr(err, msg, typ)
        return False
    return True


# ---------------------------------------------------------------- timers: a heap of entries
# (deadline, sequence, instance) ordered by (deadline, sequence), in arrays of their own: sifting
# never touches an instance's row. An instance's timer is the entry whose sequence is its TSEQ;
# cancelling sets TSEQ to -1 and leaves the entry, skipped when it comes up (a full heap is
# compacted first: the live entries are at most one per instance, half its size).

@njit(cache=True)
def _before(dl, seq, a, b):
    if dl[a] != dl[b]:
        return dl[a] < dl[b]
    return seq[a] < seq[b]


@njit(cache=True)
def _swap(st, a, b):
    dl = st.hp_dl
    seq = st.hp_seq
    inst = st.hp_inst
    dl[a], dl[b] = dl[b], dl[a]
    seq[a], seq[b] = seq[b], seq[a]
    inst[a], inst[b] = inst[b], inst[a]


@njit(cache=True)
def _sift_up(st, pos):
    dl = st.hp_dl
    seq = st.hp_seq
    while pos > 0:
        parent = (pos - 1) >> 1
        if not _before(dl, seq, pos, parent):
            break
        _swap(st, pos, parent)
        pos = parent


@njit(cache=True)
def _sift_down(st, pos):
    dl = st.hp_dl
    seq = st.hp_seq
    n = st.SI[S_HEAP]
    while True:
        child = 2 * pos + 1
        if child >= n:
            break
        if child + 1 < n and _before(dl, seq, child + 1, child):
            child += 1
        if not _before(dl, seq, child, pos):
            break
        _swap(st, pos, child)
        pos = child


@njit(cache=True)
def _compact(st):
    """Drop cancelled entries and restore the heap order."""
    I = st.I
    n = st.SI[S_HEAP]
    kept = 0
    for k in range(n):
        if I[st.hp_inst[k], TSEQ] == st.hp_seq[k]:
            st.hp_dl[kept] = st.hp_dl[k]
            st.hp_seq[kept] = st.hp_seq[k]
            st.hp_inst[kept] = st.hp_inst[k]
            kept += 1
    st.SI[S_HEAP] = kept
    for pos in range(kept // 2 - 1, -1, -1):
        _sift_down(st, pos)


@njit(cache=True)
def heap_push(st, i, deadline, kind):
    seq = st.SI[S_TSEQ]
    st.SI[S_TSEQ] = seq + 1
    st.F[i, DEADLINE] = deadline
    st.I[i, TSEQ] = seq
    st.I[i, TKIND] = kind
    if st.SI[S_HEAP] == len(st.hp_inst):
        _compact(st)
    n = st.SI[S_HEAP]
    st.SI[S_HEAP] = n + 1
    st.hp_dl[n] = deadline
    st.hp_seq[n] = seq
    st.hp_inst[n] = i
    _sift_up(st, n)


@njit(cache=True)
def heap_remove(st, i):
    """Cancel instance i's timer, if it has one (its entry is skipped when it comes up)."""
    st.I[i, TSEQ] = -1


@njit(cache=True)
def heap_top(st):
    """The instance whose timer is due first (its deadline is ``st.hp_dl[0]``), or -1."""
    while st.SI[S_HEAP] > 0:
        i = st.hp_inst[0]
        if st.I[i, TSEQ] == st.hp_seq[0]:
            return i
        heap_pop(st)
    return -1


@njit(cache=True)
def heap_pop(st):
    """Remove the first entry (the caller cancels the instance's TSEQ when it fires it)."""
    n = st.SI[S_HEAP] - 1
    st.SI[S_HEAP] = n
    if n > 0:
        _swap(st, 0, n)
        _sift_down(st, 0)


# ---------------------------------------------------------------- routing: open addressing
# from a lane (workflow id, key) to its running instance. One row per slot of ``tb``: (workflow,
# key, instance), so a probe reads one cache line; instance -1 is empty, -2 deleted.

@njit(cache=True)
def _hash(wf, key):
    x = uint64(key) ^ (uint64(wf + 1) * uint64(0x9E3779B97F4A7C15))
    x = (x ^ (x >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> uint64(27))) * uint64(0x94D049BB133111EB)
    x = x ^ (x >> uint64(31))
    return int64(x >> uint64(1))


@njit(cache=True)
def _tb_slot(st, wf, key):
    """The table slot holding (wf, key), or -1: probing stops at a never-used slot (-1) and
    steps over deleted ones (-2)."""
    tb = st.tb
    mask = len(tb) - 1
    idx = _hash(wf, key) & mask
    while True:
        v = tb[idx, 2]
        if v == -1:
            return -1
        if v >= 0 and tb[idx, 1] == key and tb[idx, 0] == wf:
            return idx
        idx = (idx + 1) & mask


@njit(cache=True)
def tb_get(st, wf, key):
    idx = _tb_slot(st, wf, key)
    return -1 if idx < 0 else st.tb[idx, 2]


@njit(cache=True)
def tb_put(st, wf, key, inst):
    """Insert a lane known to be absent."""
    tb = st.tb
    mask = len(tb) - 1
    idx = _hash(wf, key) & mask
    while tb[idx, 2] >= 0:
        idx = (idx + 1) & mask
    if tb[idx, 2] == -1:
        st.SI[S_TB_USED] += 1
    tb[idx, 0] = wf
    tb[idx, 1] = key
    tb[idx, 2] = inst
    st.SI[S_TB_LIVE] += 1


@njit(cache=True)
def tb_del(st, wf, key):
    idx = _tb_slot(st, wf, key)
    if idx >= 0:
        st.tb[idx, 2] = -2
        st.SI[S_TB_LIVE] -= 1


@njit(cache=True)
def tb_rebuild(tb, new):
    """Re-insert the live lanes into a fresh table (instance column all -1); returns their count."""
    mask = len(new) - 1
    live = 0
    for j in range(len(tb)):
        if tb[j, 2] >= 0:
            idx = _hash(tb[j, 0], tb[j, 1]) & mask
            while new[idx, 2] >= 0:
                idx = (idx + 1) & mask
            new[idx, 0] = tb[j, 0]
            new[idx, 1] = tb[j, 1]
            new[idx, 2] = tb[j, 2]
            live += 1
    return live


# ---------------------------------------------------------------- inboxes: per (instance, event
# type) a FIFO list of arena rows, columns (head, tail, count) at ``base``.

@njit(cache=True)
def ib_pop(st, i, base):
    r = st.I[i, base]
    nxt = st.ib_next[r]
    st.I[i, base] = nxt
    if nxt < 0:
        st.I[i, base + 1] = -1
    st.I[i, base + 2] -= 1
    return r


@njit(cache=True)
def ib_free(st, r):
    st.ib_next[r] = st.SI[S_IB_FREE]
    st.SI[S_IB_FREE] = r
    st.SI[S_IB_USED] -= 1


@njit(cache=True)
def ib_push(st, i, base, srcI, srcF, row):
    cap = st.SI[S_INBOX]
    if cap <= 0:
        st.CT[C_DROPPED] += 1
        return
    if st.I[i, base + 2] >= cap:
        ib_free(st, ib_pop(st, i, base))
        st.CT[C_DROPPED] += 1
    r = st.SI[S_IB_FREE]
    st.SI[S_IB_FREE] = st.ib_next[r]
    st.SI[S_IB_USED] += 1
    st.ib_next[r] = -1
    for k in range(srcI.shape[1]):
        st.ib_I[r, k] = srcI[row, k]
    for k in range(srcF.shape[1]):
        st.ib_F[r, k] = srcF[row, k]
    tail = st.I[i, base + 1]
    if tail < 0:
        st.I[i, base] = r
    else:
        st.ib_next[tail] = r
    st.I[i, base + 1] = r
    st.I[i, base + 2] += 1


@njit(cache=True)
def ib_clear(st, i, base):
    while st.I[i, base + 2] > 0:
        ib_free(st, ib_pop(st, i, base))


# ---------------------------------------------------------------- compensations: a stack per
# instance in an arena; cp_I columns: handler, step, runs, then int arguments.

@njit(cache=True)
def cp_push(st, i):
    r = st.SI[S_CP_FREE]
    st.SI[S_CP_FREE] = st.cp_next[r]
    st.SI[S_CP_USED] += 1
    st.cp_next[r] = st.C[i, UNDO]
    st.C[i, UNDO] = r
    return r


@njit(cache=True)
def cp_pop(st, i):
    r = st.C[i, UNDO]
    st.C[i, UNDO] = st.cp_next[r]
    st.cp_next[r] = st.SI[S_CP_FREE]
    st.SI[S_CP_FREE] = r
    st.SI[S_CP_USED] -= 1


@njit(cache=True)
def cp_room(st):
    return st.SI[S_CP_USED] < len(st.cp_next)


@njit(cache=True)
def cp_clear(st, i):
    while st.C[i, UNDO] >= 0:
        cp_pop(st, i)


# ---------------------------------------------------------------- events deferred for a parked
# instance's lane, replayed in input order when it resumes.

@njit(cache=True)
def df_append(st, i, row, clock, grp, wf, key, ordinal):
    """Defer an event for parked instance i's lane; ``row`` is an input row, or -(r + 1) for
    row r of the emitted events (held until the replay)."""
    d = st.SI[S_DF_FREE]
    st.SI[S_DF_FREE] = st.df_next[d]
    st.SI[S_DF_USED] += 1
    if row < 0:
        st.em_ref[-row - 1] += 1
    st.df_row[d] = row
    st.df_ord[d] = ordinal
    st.df_clock[d] = clock
    st.df_grp[d] = grp
    st.df_wf[d] = wf
    st.df_key[d] = key
    df_link(st, i, d)


@njit(cache=True)
def df_link(st, i, d):
    st.df_next[d] = -1
    tail = st.C[i, DEFT]
    if tail < 0:
        st.C[i, DEFH] = d
    else:
        st.df_next[tail] = d
    st.C[i, DEFT] = d


@njit(cache=True)
def df_release(st, d):
    st.df_next[d] = st.SI[S_DF_FREE]
    st.SI[S_DF_FREE] = d
    st.SI[S_DF_USED] -= 1


# ---------------------------------------------------------------- parking

@njit(cache=True)
def park(st, i, kind, now, pc):
    st.C[i, PARK] = kind
    st.I[i, STATE] = T_PARKED
    st.I[i, PC] = pc
    st.FC[i, PARK_T] = now
    st.pk[st.SI[S_PK]] = i
    st.SI[S_PK] += 1


@njit(cache=True)
def raise_pending(st, i, now):
    """Move an expression's recorded error (``ERR``) to the instance as a ``Failed`` error."""
    err = st.ERR
    st.C[i, ERRK] = err[3]
    st.C[i, ERRM] = err[1]
    st.C[i, ERRT] = err[2]
    st.FC[i, ERR_T] = now
    err[0] = 0


@njit(cache=True)
def set_error(st, i, kind, msg, typ, now):
    st.C[i, ERRK] = kind
    st.C[i, ERRM] = msg
    st.C[i, ERRT] = typ
    st.FC[i, ERR_T] = now



# ---------------------------------------------------------------- rows: reactions and stream
# windows end often, so their rows go to a free list (MACH = FREE_ROW) and are used again.

@njit(cache=True)
def row_new(st):
    i = st.SI[S_ROW_FREE]
    if i >= 0:
        st.SI[S_ROW_FREE] = st.C[i, NEXT]
        return i
    i = st.SI[S_ROWS]
    st.SI[S_ROWS] = i + 1
    return i


@njit(cache=True)
def row_free(st, i):
    st.I[i, MACH] = FREE_ROW
    st.I[i, TSEQ] = -1
    st.C[i, NEXT] = st.SI[S_ROW_FREE]
    st.SI[S_ROW_FREE] = i


# ---------------------------------------------------------------- emitted events: rows of an
# arena in the event column layout, queued first in first out; a row is freed when its routing
# and every replay of it (deferred to a parked lane) are done.

@njit(cache=True)
def em_room(st):
    return st.SI[S_EM_USED] < len(st.em_next)


@njit(cache=True)
def em_push(st, T):
    r = st.SI[S_EM_FREE]
    st.SI[S_EM_FREE] = st.em_next[r]
    st.SI[S_EM_USED] += 1
    st.em_next[r] = -1
    st.em_type[r] = T
    st.em_ref[r] = 1
    tail = st.SI[S_EM_TAIL]
    if tail < 0:
        st.SI[S_EM_HEAD] = r
    else:
        st.em_next[tail] = r
    st.SI[S_EM_TAIL] = r
    return r


@njit(cache=True)
def em_pop(st):
    r = st.SI[S_EM_HEAD]
    nxt = st.em_next[r]
    st.SI[S_EM_HEAD] = nxt
    if nxt < 0:
        st.SI[S_EM_TAIL] = -1
    return r


@njit(cache=True)
def em_release(st, r):
    st.em_ref[r] -= 1
    if st.em_ref[r] == 0:
        st.em_next[r] = st.SI[S_EM_FREE]
        st.SI[S_EM_FREE] = r
        st.SI[S_EM_USED] -= 1


# ---------------------------------------------------------------- the run queue: the
# instances one routing (or one timer) made ready, run in the interpreter's order.

@njit(cache=True)
def rq_push(st, i, pc, key):
    t = st.SI[S_RQ_TAIL]
    if t == len(st.rq_i):
        # Threads made ready while the queue drains: the entries still waiting move to the front.
        h = st.SI[S_RQ_HEAD]
        if h == 0:
            raise IndexError("the kernel's run queue is full")
        for a in range(h, t):
            st.rq_i[a - h] = st.rq_i[a]
            st.rq_p[a - h] = st.rq_p[a]
            st.rq_key[a - h] = st.rq_key[a]
        t -= h
        st.SI[S_RQ_HEAD] = 0
    st.rq_i[t] = i
    st.rq_p[t] = pc
    st.rq_key[t] = key
    st.SI[S_RQ_TAIL] = t + 1


@njit(cache=True)
def rq_sort(st, start):
    """Order the entries pushed since ``start`` by key (stable: an insertion sort of a few)."""
    end = st.SI[S_RQ_TAIL]
    for a in range(start + 1, end):
        i = st.rq_i[a]
        p = st.rq_p[a]
        key = st.rq_key[a]
        b = a - 1
        while b >= start and st.rq_key[b] > key:
            st.rq_i[b + 1] = st.rq_i[b]
            st.rq_p[b + 1] = st.rq_p[b]
            st.rq_key[b + 1] = st.rq_key[b]
            b -= 1
        st.rq_i[b + 1] = i
        st.rq_p[b + 1] = p
        st.rq_key[b + 1] = key


# ---------------------------------------------------------------- stream values (stddev)

@njit(cache=True)
def sv_room(st):
    return st.SI[S_SV_USED] < len(st.sv_next)


@njit(cache=True)
def sv_push(st, head, tail, value):
    """Append ``value`` to the list (head, tail); returns the new (head, tail)."""
    r = st.SI[S_SV_FREE]
    st.SI[S_SV_FREE] = st.sv_next[r]
    st.SI[S_SV_USED] += 1
    st.sv_next[r] = -1
    st.sv_val[r] = value
    if tail < 0:
        return r, r
    st.sv_next[tail] = r
    return head, r


@njit(cache=True)
def sv_clear(st, head):
    r = head
    while r >= 0:
        nxt = st.sv_next[r]
        st.sv_next[r] = st.SI[S_SV_FREE]
        st.SI[S_SV_FREE] = r
        st.SI[S_SV_USED] -= 1
        r = nxt


@njit(cache=True)
def tb_set(st, wf, key, inst):
    """Point a lane known to be present at another instance (a stream key's newest window)."""
    st.tb[_tb_slot(st, wf, key), 2] = inst


# ---------------------------------------------------------------- children (``call``): a lane
# holds every running instance of its workflow and key, in start order (LNEXT), since children
# are not deduplicated; the table points at the first.

@njit(cache=True)
def lane_link(st, wf, key, i):
    """Instance ``i`` joins its lane, last."""
    st.C[i, LNEXT] = 0
    h = tb_get(st, wf, key)
    if h < 0:
        tb_put(st, wf, key, i)
        return
    while st.C[h, LNEXT] != 0:
        h = st.C[h, LNEXT] - 1
    st.C[h, LNEXT] = i + 1


@njit(cache=True)
def lane_unlink(st, wf, key, i):
    """Instance ``i`` leaves its lane."""
    h = tb_get(st, wf, key)
    if h == i:
        if st.C[i, LNEXT] != 0:
            tb_set(st, wf, key, st.C[i, LNEXT] - 1)
        else:
            tb_del(st, wf, key)
        return
    while h >= 0:
        n = st.C[h, LNEXT] - 1
        if n == i:
            st.C[h, LNEXT] = st.C[i, LNEXT]
            return
        h = n


@njit(cache=True)
def start_order(st):
    """The next start's place in the outcomes, in a program with calls: the interpreter's start
    order, since such a program runs in the interpreter's order (every park is a barrier)."""
    st.SI[S_STARTS] += 1
    return st.SI[S_STARTS]


@njit(cache=True)
def child_room(st, rows):
    """Whether a child of ``rows`` rows fits without growing the arrays."""
    return (st.SI[S_ROWS] + rows <= len(st.I) and (st.SI[S_TB_USED] + 1) * 10 < len(st.tb) * 6
            and st.SI[S_RQ_TAIL] - st.SI[S_RQ_HEAD] < len(st.rq_i))


@njit(cache=True)
def drop_child(st, t):
    """Thread row ``t`` stops waiting for its child (cancelled, or its instance ended): the
    child goes to the list the kernel cancels before anything else runs."""
    c = st.C[t, CHILD] - 1
    if c >= 0:
        st.C[t, CHILD] = 0
        st.C[c, CNEXT] = st.SI[S_CANCEL]
        st.SI[S_CANCEL] = c + 1


@njit(cache=True)
def child_done(st, c, now):
    """Child ``c`` ended: the thread waiting for it parks for the host, which decides at once
    (the child's value, or ``ChildFailed`` retried or raised), as the interpreter does at the
    child's end. A caller that stopped waiting (it cancelled ``c``) is not told."""
    t = st.C[c, CALLER] - 1
    if t >= 0 and st.C[t, CHILD] == c + 1 and st.I[t, STATE] == T_CHILD:
        park(st, t, P_CHILD, now, st.I[t, PC])
        if st.I[t, STATUS] == ST_THREAD:
            st.I[st.C[t, OWNER], STATE] = T_PARKED
        st.SI[S_STOP] = STOP_BARRIER


# ---------------------------------------------------------------- window timers of tumbling and
# session streams: their deadlines never decrease in the order they are set (the clock does not
# go back and the window's length is fixed), so each stream's are a ring, first in first out,
# beside the heap: pushing and popping cost nothing like a heap's sifting through every window
# of a period (which share one deadline). Cancelled entries are skipped at the head, as in the
# heap; the next timer is the least (deadline, sequence) of the heap's top and each ring's head.

@njit(cache=True)
def fq_push(st, f, i, deadline, kind):
    seq = st.SI[S_TSEQ]
    st.SI[S_TSEQ] = seq + 1
    st.F[i, DEADLINE] = deadline
    st.I[i, TSEQ] = seq
    st.I[i, TKIND] = kind
    t = st.fq_ht[f, 1]
    slot = t & (st.fq_dl.shape[1] - 1)
    st.fq_dl[f, slot] = deadline
    st.fq_seq[f, slot] = seq
    st.fq_inst[f, slot] = i
    st.fq_ht[f, 1] = t + 1


@njit(cache=True)
def fq_top(st, f):
    """The slot of ring f's first live entry, or -1 (cancelled ones are dropped)."""
    mask = st.fq_dl.shape[1] - 1
    h = st.fq_ht[f, 0]
    t = st.fq_ht[f, 1]
    while h < t:
        slot = h & mask
        if st.I[st.fq_inst[f, slot], TSEQ] == st.fq_seq[f, slot]:
            st.fq_ht[f, 0] = h
            return slot
        h += 1
    st.fq_ht[f, 0] = h
    return -1


@njit(cache=True)
def timer_top(st, fifos):
    """(instance, deadline, source) of the next timer: source -1 is the heap, else a ring;
    instance -1 when there is none."""
    j = heap_top(st)
    best_dl = 0.0
    best_seq = 0
    src = -1
    if j >= 0:
        best_dl = st.hp_dl[0]
        best_seq = st.hp_seq[0]
    for f in range(fifos):
        slot = fq_top(st, f)
        if slot < 0:
            continue
        dl = st.fq_dl[f, slot]
        seq = st.fq_seq[f, slot]
        if j < 0 or dl < best_dl or (dl == best_dl and seq < best_seq):
            j = st.fq_inst[f, slot]
            best_dl = dl
            best_seq = seq
            src = f
    return j, best_dl, src


@njit(cache=True)
def timer_pop(st, src):
    if src < 0:
        heap_pop(st)
    else:
        st.fq_ht[src, 0] += 1


@njit(cache=True)
def fq_room(st, fifos, need):
    for f in range(fifos):
        if st.fq_ht[f, 1] - st.fq_ht[f, 0] + need > st.fq_dl.shape[1]:
            return False
    return True
