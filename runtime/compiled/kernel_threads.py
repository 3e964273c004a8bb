"""numba helpers for instances with threads (machines with ``parallel``/``race``).

An instance of such a machine owns a fixed run of rows: its own (the main thread, and
everything the instance holds: slots, inboxes, compensations) and ``n - 1`` thread rows right
after it, ``n`` being the machine's most threads alive at once (static). A thread row holds
what is a thread's own: pc, state, timer, the step in progress (attempts, arguments, result),
the error being raised. Live threads form a list in creation order from the instance row
(``TNEXT``), the order in which the interpreter offers an event to waiting threads. Threads
made ready wait in a per-instance FIFO (``RQH``/``RQT``/``RQN``), the interpreter's run queue
seen from one instance, when the machine never emits (nothing it does is seen by another
instance, so that is all of it); a machine that emits *shares* the kernel's run queue
(``rq_push``): its threads take their turns among every instance's runs, as the interpreter's.

Generated kernels import this module with ``*``; its source hash is part of their address.
"""

from __future__ import annotations

from numba import int64, njit

from coordlang.runtime.compiled.columns import (ACTION, ATTEMPT, DEADLINE, ERR_T, ERRK, ERRM, ERRT, HELD, KEY,
                                               MACH, NBR, OWNER, PARENT, PARK, PC, RQH, RQN, RQT, S_HEAP, S_RQ_HEAD,
                                               S_RQ_TAIL, ST_THREAD, STATE, STATUS, T_DOOMED, T_FREE, T_JOIN, T_READY,
                                               T_RUN, TNEXT, TSEQ, WF)
from coordlang.runtime.compiled.columns import TR_CANCEL
from coordlang.runtime.compiled.kernel_lib import _compact, _sift_up, drop_child, rq_push, tr


@njit(cache=True)
def tq_push(st, i, t):
    """Thread ``t`` of instance ``i`` is ready: last in its queue."""
    st.I[t, STATE] = T_READY
    st.C[t, RQN] = -1
    tail = st.C[i, RQT]
    if tail < 0:
        st.C[i, RQH] = t
    else:
        st.C[tail, RQN] = t
    st.C[i, RQT] = t


@njit(cache=True)
def tq_pop(st, i):
    """The next ready thread of instance ``i`` (now running), or -1."""
    t = st.C[i, RQH]
    if t < 0:
        return int64(-1)
    nxt = st.C[t, RQN]
    st.C[i, RQH] = nxt
    if nxt < 0:
        st.C[i, RQT] = -1
    return t


@njit(cache=True)
def _tq_remove(st, i, t):
    prev = int64(-1)
    j = st.C[i, RQH]
    while j >= 0:
        nxt = st.C[j, RQN]
        if j == t:
            if prev < 0:
                st.C[i, RQH] = nxt
            else:
                st.C[prev, RQN] = nxt
            if st.C[i, RQT] == t:
                st.C[i, RQT] = prev
            return
        prev = j
        j = nxt


@njit(cache=True)
def th_wake(st, i, t, pc, shared):
    """Thread ``t`` of instance ``i`` goes on at ``pc``, last in the run queue: the kernel's
    (``shared``) or its instance's."""
    st.I[t, PC] = pc
    if shared:
        st.I[t, STATE] = T_READY
        rq_push(st, t, pc, int64(0))
    else:
        tq_push(st, i, t)


@njit(cache=True)
def _unqueue(st, i, t):
    """A ready thread leaves the run queue it waits in (cancelled, or its instance ended): the
    kernel's queue keeps the entry, marked -1 (skipped when its turn comes)."""
    if st.I[t, STATE] != T_READY:
        return
    _tq_remove(st, i, t)
    for h in range(st.SI[S_RQ_HEAD], st.SI[S_RQ_TAIL]):
        if st.rq_i[h] == t:
            st.rq_i[h] = -1


@njit(cache=True)
def th_init(st, i, n, mach, key, wf):
    """Set up the thread rows of a new instance ``i`` (the caller counted them in S_ROWS)."""
    st.C[i, OWNER] = i
    st.C[i, TNEXT] = -1
    st.C[i, PARENT] = -1
    st.C[i, RQH] = -1
    st.C[i, RQT] = -1
    st.C[i, HELD] = 0
    for t in range(i + 1, i + n):
        st.I[t, MACH] = mach
        st.I[t, STATE] = T_FREE
        st.I[t, STATUS] = ST_THREAD
        st.I[t, KEY] = key
        st.I[t, WF] = wf
        st.I[t, TSEQ] = -1
        st.C[t, OWNER] = i
        st.C[t, HELD] = 0


@njit(cache=True)
def th_new(st, i, n, parent, pc, shared):
    """A new branch of ``parent`` starting at ``pc``: last in creation order and ready (in the
    kernel's run queue when ``shared``)."""
    t = int64(-1)
    for r in range(i + 1, i + n):
        if st.I[r, STATE] == T_FREE:
            t = r
            break
    st.I[t, PC] = pc
    st.I[t, TSEQ] = -1
    st.C[t, PARENT] = parent
    st.C[t, TNEXT] = -1
    st.C[t, ATTEMPT] = 0
    st.C[t, ACTION] = 0
    st.C[t, PARK] = 0
    st.C[t, HELD] = 0
    st.C[t, NBR] = 0
    last = i
    while st.C[last, TNEXT] >= 0:
        last = st.C[last, TNEXT]
    st.C[last, TNEXT] = t
    th_wake(st, i, t, pc, shared)
    return t


@njit(cache=True)
def th_free(st, i, t):
    """Thread ``t`` is gone: out of the thread list and the ready queue, its timer cancelled."""
    prev = i
    while st.C[prev, TNEXT] != t:
        prev = st.C[prev, TNEXT]
    st.C[prev, TNEXT] = st.C[t, TNEXT]
    _unqueue(st, i, t)
    drop_child(st, t)
    st.I[t, STATE] = T_FREE
    st.I[t, TSEQ] = -1
    st.C[t, HELD] = 0


@njit(cache=True)
def th_cancel_branches(st, i, p, now):
    """Cancel every branch of ``p`` and, with them, their own branches (children come after
    their parents in creation order, so one pass marks them all)."""
    j = st.C[i, TNEXT]
    while j >= 0:
        q = st.C[j, PARENT]
        if q == p or (q >= 0 and st.I[q, STATE] == T_DOOMED):
            _unqueue(st, i, j)
            st.I[j, STATE] = T_DOOMED
            tr(st, j, int64(TR_CANCEL), int64(0), now)
        j = st.C[j, TNEXT]
    prev = i
    j = st.C[i, TNEXT]
    while j >= 0:
        nxt = st.C[j, TNEXT]
        if st.I[j, STATE] == T_DOOMED:
            st.C[prev, TNEXT] = nxt
            drop_child(st, j)
            st.I[j, STATE] = T_FREE
            st.I[j, TSEQ] = -1
            st.C[j, HELD] = 0
        else:
            prev = j
        j = nxt
    st.C[p, NBR] = 0


@njit(cache=True)
def th_clear(st, i, n):
    """The instance ended: every thread row free, the queue empty."""
    for t in range(i + 1, i + n):
        _unqueue(st, i, t)
        drop_child(st, t)
        st.I[t, STATE] = T_FREE
        st.I[t, TSEQ] = -1
        st.C[t, HELD] = 0
    st.C[i, TNEXT] = -1
    st.C[i, RQH] = -1
    st.C[i, RQT] = -1


@njit(cache=True)
def th_raise_up(st, i, t, now):
    """An error no catch of branch ``t`` takes: the branch and its siblings are cancelled and
    the error is raised in the forking thread, which is returned (its pc is the fork's)."""
    p = st.C[t, PARENT]
    st.C[p, ERRK] = st.C[t, ERRK]
    st.C[p, ERRM] = st.C[t, ERRM]
    st.C[p, ERRT] = st.C[t, ERRT]
    st.FC[p, ERR_T] = st.FC[t, ERR_T]
    th_cancel_branches(st, i, p, now)
    st.I[p, STATE] = T_RUN
    return p


@njit(cache=True)
def th_due(st, i, clock):
    """The thread of ``i`` whose timer is due first by ``clock`` ((deadline, sequence) order),
    or -1."""
    best = int64(-1)
    j = i
    while j >= 0:
        if st.I[j, TSEQ] >= 0 and st.F[j, DEADLINE] <= clock:
            if best < 0 or st.F[j, DEADLINE] < st.F[best, DEADLINE] or (
                    st.F[j, DEADLINE] == st.F[best, DEADLINE] and st.I[j, TSEQ] < st.I[best, TSEQ]):
                best = j
        j = st.C[j, TNEXT]
    return best


@njit(cache=True)
def _reinsert(st, t):
    """Put a held timer back in the heap with its own deadline and sequence (so it keeps its
    place among timers of equal deadline)."""
    if st.SI[S_HEAP] == len(st.hp_inst):
        _compact(st)
    n = st.SI[S_HEAP]
    st.SI[S_HEAP] = n + 1
    st.hp_dl[n] = st.F[t, DEADLINE]
    st.hp_seq[n] = st.I[t, TSEQ]
    st.hp_inst[n] = t
    _sift_up(st, n)


@njit(cache=True)
def th_unpark(st, i, t):
    """Instance ``i`` resumes at thread ``t``: the main thread joins again when ``t`` is a
    branch, and the timers held while it was parked go back in the heap."""
    if t != i:
        st.I[i, STATE] = T_JOIN
    j = i
    while j >= 0:
        if st.C[j, HELD] != 0:
            st.C[j, HELD] = 0
            if st.I[j, TSEQ] >= 0:
                _reinsert(st, j)
        j = st.C[j, TNEXT]
