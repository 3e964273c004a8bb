"""The compiled backend's state: numpy arrays in one named tuple that kernels take whole.

Arrays grow on the host, between kernel calls (a kernel stops before an event it has no room
for, or parks an instance that needs a compensation entry): rows keep their numbers, so growing
is a copy into larger arrays, and the free lists of the arenas take the new rows.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from coordlang.runtime.compiled import columns as K

State = namedtuple("State", [
    "I", "F",                  # instance rows: what every event touches
    "C", "FC",                 # instance rows: what parking, errors and the end touch
    "SI", "SF", "CT", "ERR",   # scalars, counters, an expression's error
    "hp_dl", "hp_seq", "hp_inst",  # timer heap entries: deadline, sequence, instance
    "tb",                      # routing table: rows of (workflow, key, instance)
    "ib_I", "ib_F", "ib_next",    # inbox arena (events, in the event column layout)
    "cp_I", "cp_F", "cp_next",    # compensation arena
    "df_row", "df_clock", "df_grp", "df_wf", "df_key", "df_next",  # deferred events
    "df_ord",                  # ... and the sequence number of their routing
    "gp_pending", "gp_reached",   # per deferred input event: lanes pending, whether one took it
    "pk",                      # parked instances, in parking order
    "em_I", "em_F", "em_type", "em_next", "em_ref",  # emitted events (the event column layout)
    "rq_i", "rq_p", "rq_key",  # the run queue: instance, pc, order among one routing's recipients
    "sv_val", "sv_next",       # stream values kept for stddev, a list per window
    "fq_dl", "fq_seq", "fq_inst", "fq_ht",  # window timers of tumbling and session streams: a
                               # ring per stream (deadline, sequence, window), its (head, tail)
    "tr_I", "tr_F",            # the step trace (when SI[S_TRACE]): (row, code, arg, machine), time;
                               # grown by the kernel itself (see kernel_lib.tr)
])


def _free_list(size: int, start: int = 0) -> np.ndarray:
    nxt = np.arange(1, size + 1, dtype=np.int64)
    nxt[-1] = -1
    return nxt


def new_state(widths: tuple[int, int], event_widths: tuple[int, int], comp_widths: tuple[int, int],
              inbox: int, rows: int = 1024, rq: int = 64, fifos: int = 0) -> State:
    wi, wf = widths
    ewi, ewf = event_widths
    cwi, cwf = comp_widths
    arena = 256
    si = np.zeros(K.N_SI, dtype=np.int64)
    si[K.S_INBOX] = inbox
    si[K.S_IB_FREE] = 0
    si[K.S_CP_FREE] = 0
    si[K.S_DF_FREE] = 0
    si[K.S_EM_FREE] = 0
    si[K.S_EM_HEAD] = -1
    si[K.S_EM_TAIL] = -1
    si[K.S_ROW_FREE] = -1
    si[K.S_SV_FREE] = 0
    sf = np.zeros(K.N_SF, dtype=np.float64)
    sf[K.SF_CLOCK] = -np.inf
    table = 1024
    return State(
        I=np.zeros((rows, wi), dtype=np.int64), F=np.zeros((rows, wf), dtype=np.float64),
        C=np.zeros((rows, K.N_C), dtype=np.int64), FC=np.zeros((rows, K.N_FC), dtype=np.float64),
        SI=si, SF=sf, CT=np.zeros(K.N_COUNTERS, dtype=np.int64), ERR=np.zeros(4, dtype=np.int64),
        hp_dl=np.zeros(2 * rows, dtype=np.float64), hp_seq=np.zeros(2 * rows, dtype=np.int64),
        hp_inst=np.zeros(2 * rows, dtype=np.int64),
        tb=_empty_table(table),
        ib_I=np.zeros((arena, max(ewi, 1)), dtype=np.int64), ib_F=np.zeros((arena, max(ewf, 1)), dtype=np.float64),
        ib_next=_free_list(arena),
        cp_I=np.zeros((arena, cwi), dtype=np.int64), cp_F=np.zeros((arena, max(cwf, 1)), dtype=np.float64),
        cp_next=_free_list(arena),
        df_row=np.zeros(arena, dtype=np.int64), df_clock=np.zeros(arena, dtype=np.float64),
        df_grp=np.zeros(arena, dtype=np.int64), df_wf=np.zeros(arena, dtype=np.int64),
        df_key=np.zeros(arena, dtype=np.int64), df_next=_free_list(arena), df_ord=np.zeros(arena, dtype=np.int64),
        gp_pending=np.zeros(arena, dtype=np.int64), gp_reached=np.zeros(arena, dtype=np.int64),
        pk=np.zeros(rows, dtype=np.int64),
        em_I=np.zeros((arena, max(ewi, 1)), dtype=np.int64), em_F=np.zeros((arena, max(ewf, 1)), dtype=np.float64),
        em_type=np.zeros(arena, dtype=np.int64), em_next=_free_list(arena), em_ref=np.zeros(arena, dtype=np.int64),
        rq_i=np.zeros(rq, dtype=np.int64), rq_p=np.zeros(rq, dtype=np.int64), rq_key=np.zeros(rq, dtype=np.int64),
        sv_val=np.zeros(arena, dtype=np.float64), sv_next=_free_list(arena),
        fq_dl=np.zeros((max(fifos, 1), arena), dtype=np.float64), fq_seq=np.zeros((max(fifos, 1), arena), dtype=np.int64),
        fq_inst=np.zeros((max(fifos, 1), arena), dtype=np.int64), fq_ht=np.zeros((max(fifos, 1), 2), dtype=np.int64),
        tr_I=np.zeros((1, 4), dtype=np.int64), tr_F=np.zeros(1, dtype=np.float64),
    )


def _grow_rows(array: np.ndarray, size: int, fill: float = 0) -> np.ndarray:
    shape = (size,) + array.shape[1:]
    out = np.full(shape, fill, dtype=array.dtype) if fill else np.zeros(shape, dtype=array.dtype)
    out[:len(array)] = array
    return out


def _grow_arena(st: State, names: tuple[str, ...], next_name: str, free_slot: int, need: int) -> dict:
    """Enlarge an arena so that ``need`` more rows are free; new rows join the free list."""
    if need <= 0:
        return {}
    nxt = getattr(st, next_name)
    size = len(nxt)
    used_slot = {"ib_next": K.S_IB_USED, "cp_next": K.S_CP_USED, "df_next": K.S_DF_USED, "em_next": K.S_EM_USED,
                 "sv_next": K.S_SV_USED}[next_name]
    used = int(st.SI[used_slot])
    if size - used >= need:
        return {}
    new_size = size
    while new_size - used < need:
        new_size *= 2
    changes = {name: _grow_rows(getattr(st, name), new_size) for name in names}
    new_next = _grow_rows(nxt, new_size)
    chain = np.arange(size + 1, new_size + 1, dtype=np.int64)
    chain[-1] = st.SI[free_slot]  # the old free list continues after the new rows
    new_next[size:] = chain
    st.SI[free_slot] = size
    changes[next_name] = new_next
    return changes


def ensure(st: State, *, rows: int = 0, inbox: int = 0, deferred: int = 0, comp: int = 0,
           groups: int = 0, lanes: int = 0, emitted: int = 0, values: int = 0, timers: int = 0) -> State:
    """A state with room for that many more of each (the same state when it has it)."""
    changes: dict = {}
    changes.update(_grow_fifos(st, timers))
    used_rows = int(st.SI[K.S_ROWS])
    size = len(st.I)
    if size - used_rows < rows:
        new = size
        while new - used_rows < rows:
            new *= 2
        changes.update(I=_grow_rows(st.I, new), F=_grow_rows(st.F, new), C=_grow_rows(st.C, new),
                       FC=_grow_rows(st.FC, new), pk=_grow_rows(st.pk, new),
                       hp_dl=_grow_rows(st.hp_dl, 2 * new), hp_seq=_grow_rows(st.hp_seq, 2 * new),
                       hp_inst=_grow_rows(st.hp_inst, 2 * new))
    changes.update(_grow_arena(st, ("ib_I", "ib_F"), "ib_next", K.S_IB_FREE, inbox))
    changes.update(_grow_arena(st, ("cp_I", "cp_F"), "cp_next", K.S_CP_FREE, comp))
    changes.update(_grow_arena(st, ("df_row", "df_clock", "df_grp", "df_wf", "df_key", "df_ord"), "df_next",
                               K.S_DF_FREE, deferred))
    changes.update(_grow_arena(st, ("em_I", "em_F", "em_type", "em_ref"), "em_next", K.S_EM_FREE, emitted))
    changes.update(_grow_arena(st, ("sv_val",), "sv_next", K.S_SV_FREE, values))
    if len(st.gp_pending) - int(st.SI[K.S_GP]) < groups:
        new = len(st.gp_pending)
        while new - int(st.SI[K.S_GP]) < groups:
            new *= 2
        changes.update(gp_pending=_grow_rows(st.gp_pending, new), gp_reached=_grow_rows(st.gp_reached, new))
    if changes:
        st = st._replace(**changes)
    if (int(st.SI[K.S_TB_USED]) + lanes) * 10 > len(st.tb) * 6:
        st = rebuild_table(st, lanes)
    return st


def grow_queue(st: State, size: int) -> State:
    """A run queue of at least ``size`` entries (its entries keep their places)."""
    if len(st.rq_i) >= size:
        return st
    size = max(size, 2 * len(st.rq_i))
    return st._replace(rq_i=_grow_rows(st.rq_i, size), rq_p=_grow_rows(st.rq_p, size),
                       rq_key=_grow_rows(st.rq_key, size))


def _grow_fifos(st: State, need: int) -> dict:
    """Room for ``need`` more entries in every window-timer ring. An entry's slot is its
    counter modulo the (power of two) capacity, so a larger ring keeps every counter."""
    if need <= 0:
        return {}
    cap = st.fq_dl.shape[1]
    used = int((st.fq_ht[:, 1] - st.fq_ht[:, 0]).max())
    if cap - used >= need:
        return {}
    new = cap
    while new - used < need:
        new *= 2
    out = {}
    rows = st.fq_dl.shape[0]
    for name in ("fq_dl", "fq_seq", "fq_inst"):
        old = getattr(st, name)
        grown = np.zeros((rows, new), dtype=old.dtype)
        for f in range(rows):
            counters = np.arange(st.fq_ht[f, 0], st.fq_ht[f, 1], dtype=np.int64)
            grown[f, counters & (new - 1)] = old[f, counters & (cap - 1)]
        out[name] = grown
    return out


def _empty_table(size: int) -> np.ndarray:
    table = np.zeros((size, 3), dtype=np.int64)
    table[:, 2] = -1
    return table


def rebuild_table(st: State, lanes: int) -> State:
    from coordlang.runtime.compiled.kernel_lib import tb_rebuild

    live = int(st.SI[K.S_TB_LIVE])
    size = len(st.tb)
    while (live + lanes) * 10 > size * 4:
        size *= 2
    new = _empty_table(size)
    count = tb_rebuild(st.tb, new)
    st.SI[K.S_TB_USED] = count
    st.SI[K.S_TB_LIVE] = count
    return st._replace(tb=new)
