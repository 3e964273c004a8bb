"""Numba source for the program: routing events to lanes, the timer loop, and resuming
instances the host has answered, all in one entry point, ``kernel``.

A *lane* is (workflow, key): at most one running instance each. An input event of type ``T``
visits each lane it concerns (a workflow it starts, or one whose machine awaits ``T`` and whose
key field ``T`` has), as the interpreter's router does: a start (or ``duplicate_start``), else
a delivery to the lane's instance (an instance never receives the event that started it).
When the lane's instance is parked (the host owes it an answer), the event is deferred to it
and replayed, in input order and at its own clock, when it resumes; whether the event reached
anyone (``unrouted``) is then settled per input event by a counter of its pending lanes.

Only ``kernel`` and the machines' run loops call ``run_k``: helpers (a lane, a delivery, a
timer) return the instance and pc to run, and ``kernel`` runs it. numba compiles every function
to machine code together with all it calls, so a run loop reachable from many functions was
compiled many times over (a minute for a 50-instruction machine; now a few seconds).
"""

from __future__ import annotations

from coordlang.runtime.compiled.forks import has_threads, thread_rows
from coordlang.runtime.compiled.lines import NJIT, Lines
from coordlang.runtime.compiled.plan import MAX_STARTERS, Plan


def _threaded(plan: Plan) -> list[int]:
    """The machines with threads (parallel/race)."""
    return [lay.index for lay in plan.machines if has_threads(lay.machine)]


def generate(plan: Plan) -> str:
    w = Lines()
    machines = plan.machines
    events = plan.events
    threaded = _threaded(plan)
    # ------------------------------------------------------------ lanes
    for name, lanes in plan.lanes.items():
        event = events[name]
        starters = plan.starters.get(name, [])
        for k in lanes:
            lay = machines[k]
            _, col = event.columns[lay.machine.key]
            w(0, NJIT)
            w(0, f"def lane_{k}_{event.index}(st, srcI, srcF, r, now, ordinal, grp):")
            w(1, '"""(0 not reached / 1 reached / 2 deferred, instance to run or -1, its pc)."""')
            w(1, f"key = srcI[r, {col}]")
            w(1, f"occ = tb_get(st, int64({lay.wf}), key)")
            w(1, "if occ >= 0 and st.I[occ, STATE] == T_PARKED:")
            w(2, f"df_append(st, occ, r, now, grp, int64({lay.wf}), key)")
            w(2, "return 2, -1, NO_RUN")
            reached = "0"
            if k in starters:
                w(1, "if occ >= 0:")
                w(2, "st.CT[C_DUPLICATE] += 1")
                w(1, "else:")
                w(2, f"i = start_{k}(st, key, srcI, srcF, r, ordinal * {MAX_STARTERS} + {starters.index(k)})")
                w(2, "return 1, i, 0")
                reached = "1"
            if name in lay.awaits:
                w(1, "if occ >= 0:")
                if k in threaded:
                    w(2, f"p = deliver_{k}(st, occ, int64({event.index}), srcI, srcF, r, now)")
                    w(2, "return 1, st.SI[S_RUNT], p")
                else:
                    w(2, f"return 1, occ, deliver_{k}(st, occ, int64({event.index}), srcI, srcF, r, now)")
            w(1, f"return {reached}, -1, NO_RUN")
            w(0, "")
    w(0, NJIT)
    w(0, "def lane(st, k, T, srcI, srcF, r, now, ordinal, grp):")
    for name, lanes in plan.lanes.items():
        index = events[name].index
        for k in lanes:
            w(1, f"if k == {machines[k].wf} and T == {index}:")
            w(2, f"return lane_{k}_{index}(st, srcI, srcF, r, now, ordinal, grp)")
    w(1, "return 0, -1, NO_RUN")
    w(0, "")
    _small(w, plan, threaded)
    most_lanes = max([len(v) for v in plan.lanes.values()], default=0)
    w(0, f"MOST_LANES = {most_lanes}")
    rows = max([thread_rows(lay.machine, lay.facts) for lay in machines if lay.index in threaded], default=1)
    w(0, f"ROWS = {rows}  # the most rows one instance takes (its threads)")
    w(0, "")
    _kernel(w, plan, most_lanes)
    return w.text()


def _small(w: Lines, plan: Plan, threaded: list[int]) -> None:
    """Per-instance helpers that pick the machine's function (none of them runs code)."""
    catch = ("catch_any", "st, i, t, pc", "catch_{k}(st, i, t, pc)", "PC_ESCAPE") if threaded else (
        "catch_any", "st, i, pc", "catch_{k}(st, i, pc)", "PC_ESCAPE")
    specs = [
        catch,
        ("fire_any", "st, i", "fire_{k}(st, i)", "NO_RUN"),
        ("end_any", "st, i, status, now, pc", "end_{k}(st, i, status, now, pc)", None),
    ]
    for name, params, call, default in specs:
        w(0, NJIT)
        w(0, f"def {name}({params}):")
        w(1, "m = st.I[i, MACH]")
        for lay in plan.machines:
            w(1, f"if m == {lay.index}:")
            text = call.format(k=lay.index)
            if lay.index not in threaded:
                text = text.replace("st, i, t, pc", "st, i, pc")
            w(2, "return " + text)
        w(1, f"return {default}" if default else "return")
        w(0, "")
    if threaded:
        w(0, NJIT)
        w(0, "def due_any(st, i, clock):")
        w(1, '"""The row of instance i whose timer is due first by ``clock``, or -1."""')
        w(1, "m = st.I[i, MACH]")
        for lay in plan.machines:
            if lay.index in threaded:
                w(1, f"if m == {lay.index}:")
                w(2, "return th_due(st, i, clock)")
        w(1, "if st.I[i, TSEQ] >= 0 and st.F[i, DEADLINE] <= clock:")
        w(2, "return i")
        w(1, "return int64(-1)")
        w(0, "")


def _run(w: Lines, depth: int, plan: Plan, i: str, now: str, act: str, pc: str) -> None:
    """Run instance ``i`` (a block of source: only ``kernel`` runs instances)."""
    w(depth, f"if {pc} != NO_RUN:")
    w(depth + 1, f"m = st.I[{i}, MACH]")
    for n, lay in enumerate(plan.machines):
        w(depth + 1, f"{'if' if n == 0 else 'elif'} m == {lay.index}:")
        w(depth + 2, f"run_{lay.index}(st, {i}, {now}, {act}, {pc})")


def _fire_until(w: Lines, depth: int, plan: Plan, horizon: str) -> None:
    w(depth, "while True:")
    w(depth + 1, "j = heap_top(st)")
    w(depth + 1, f"if j < 0 or st.hp_dl[0] > {horizon}:")
    w(depth + 2, "break")
    w(depth + 1, "dl = st.hp_dl[0]")
    w(depth + 1, "heap_pop(st)")
    if _threaded(plan):
        # A thread's timer due while its instance is parked waits for the instance's resumption.
        w(depth + 1, "if st.I[j, STATUS] == ST_THREAD and st.I[st.C[j, OWNER], STATE] == T_PARKED:")
        w(depth + 2, "st.C[j, HELD] = 1")
        w(depth + 2, "continue")
    w(depth + 1, "heap_remove(st, j)")
    w(depth + 1, "p = fire_any(st, j)")
    _run(w, depth + 1, plan, "j", "dl", "int64(0)", "p")


def _kernel(w: Lines, plan: Plan, most_lanes: int) -> None:
    events = plan.events
    w(0, NJIT)
    w(0, "def kernel(st, op, ev_type, ev_time, ev_I, ev_F, base, start, ids, horizon):")
    w(1, '"""OP_PROCESS: route input events from ``start`` (returns where it stopped: short of the')
    w(1, "end when the arrays need room first); OP_RESUME: resume the answered instances ``ids``")
    w(1, 'and replay their deferred events; then (and for OP_FIRE) fire timers due by ``horizon``."""')
    w(1, "if op == OP_PROCESS:")
    w(2, "n = len(ev_type)")
    w(2, "room = MOST_LANES + 1")
    w(2, "for e in range(start, n):")
    w(3, "if (len(st.I) - st.SI[S_ROWS] < room * ROWS or len(st.ib_next) - st.SI[S_IB_USED] < room")
    w(5, "or len(st.df_next) - st.SI[S_DF_USED] < room or len(st.gp_pending) - st.SI[S_GP] < 1")
    w(5, "or (st.SI[S_TB_USED] + room) * 10 > len(st.tb) * 6):")
    w(4, "return e")
    w(3, "t = ev_time[e]")
    w(3, "if t > st.SF[SF_CLOCK]:")
    w(4, "st.SF[SF_CLOCK] = t")
    w(3, "now = st.SF[SF_CLOCK]")
    _fire_until(w, 3, plan, "now")
    w(3, "T = ev_type[e]")
    w(3, "ordinal = base + e")
    w(3, "grp = st.SI[S_GP]")
    w(3, "deferred = 0")
    w(3, "reached = 0")
    for name, lanes in plan.lanes.items():
        index = events[name].index
        w(3, f"if T == {index}:")
        if plan.starters.get(name):
            w(4, "reached = 1")
        for k in lanes:
            w(4, f"x, j, p = lane_{k}_{index}(st, ev_I, ev_F, e, now, ordinal, grp)")
            w(4, "if x == 2:")
            w(5, "deferred += 1")
            w(4, "elif x == 1:")
            w(5, "reached = 1")
            _run(w, 4, plan, "j", "now", "int64(0)", "p")
    w(3, "if deferred > 0:")
    w(4, "st.gp_pending[grp] = deferred")
    w(4, "st.gp_reached[grp] = reached")
    w(4, "st.SI[S_GP] = grp + 1")
    w(3, "elif reached == 0:")
    w(4, "st.CT[C_UNROUTED] += 1")
    w(2, "return n")
    w(1, "if op == OP_RESUME:")
    w(2, "for jj in range(len(ids)):")
    w(3, "i = ids[jj]")
    _resume(w, 3, plan)
    _replay(w, 3, plan)
    _fire_until(w, 1, plan, "horizon")
    w(1, "return 0")
    w(0, "")


def _resume(w: Lines, depth: int, plan: Plan) -> None:
    """Apply the host's answer to parked instance ``i`` and run it on."""
    w(depth, "act = st.C[i, ACTION]")
    w(depth, "st.C[i, ACTION] = A_NONE")
    w(depth, "st.C[i, PARK] = 0")
    w(depth, "st.I[i, STATE] = T_RUN")
    w(depth, "now = st.FC[i, PARK_T]")
    w(depth, "p = st.I[i, PC]")
    threaded = bool(_threaded(plan))
    if threaded:
        # A parked thread row: its instance (o) resumes with it.
        w(depth, "o = st.C[i, OWNER] if st.I[i, STATUS] == ST_THREAD else i")
        w(depth, "if o != i:")
        w(depth + 1, "th_unpark(st, o, i)")
    w(depth, "if act == A_RAISE:")
    w(depth + 1, "p = catch_any(st, o, i, p)" if threaded else "p = catch_any(st, i, p)")
    w(depth + 1, "act = 0")
    w(depth, "elif act == A_BACKOFF:")
    w(depth + 1, "st.I[i, STATE] = T_BACKOFF")
    w(depth + 1, "heap_push(st, i, st.FC[i, RESUME_AT], int64(TK_BACKOFF))")
    w(depth + 1, "p = PC_NEXT if o != i else NO_RUN" if threaded else "p = NO_RUN")
    w(depth, "elif act == A_COMPLETE:")
    w(depth + 1, f"end_any(st, {'o' if threaded else 'i'}, int64(ST_COMPLETED), now, p)")
    w(depth + 1, "p = NO_RUN")
    w(depth, "elif act == A_CONTINUE:")
    w(depth + 1, "act = 0")
    _run(w, depth, plan, "i", "now", "act", "p")
    if threaded:
        w(depth, "i = o")


def _replay(w: Lines, depth: int, plan: Plan) -> None:
    """The events deferred while ``i`` was parked, in input order, each at its own clock."""
    w(depth, "d = st.C[i, DEFH]")
    w(depth, "st.C[i, DEFH] = -1")
    w(depth, "st.C[i, DEFT] = -1")
    w(depth, "while d >= 0:")
    b = depth + 1
    w(b, "nxt = st.df_next[d]")
    w(b, "k = st.df_wf[d]")
    w(b, "key = st.df_key[d]")
    w(b, "r = st.df_row[d]")
    w(b, "c = st.df_clock[d]")
    w(b, "g = st.df_grp[d]")
    w(b, "occ = tb_get(st, k, key)")
    # The lane's instance first fires its own timers due by the event's clock.
    if _threaded(plan):
        w(b, "while occ >= 0 and st.I[occ, STATE] != T_PARKED:")
        w(b + 1, "j = due_any(st, occ, c)")
        w(b + 1, "if j < 0:")
        w(b + 2, "break")
        w(b + 1, "dl = st.F[j, DEADLINE]")
        w(b + 1, "heap_remove(st, j)")
        w(b + 1, "p = fire_any(st, j)")
        _run(w, b + 1, plan, "j", "dl", "int64(0)", "p")
        w(b + 1, "occ = tb_get(st, k, key)")
    else:
        w(b, "while occ >= 0 and st.I[occ, STATE] != T_PARKED and st.I[occ, TSEQ] >= 0 "
             "and st.F[occ, DEADLINE] <= c:")
        w(b + 1, "dl = st.F[occ, DEADLINE]")
        w(b + 1, "heap_remove(st, occ)")
        w(b + 1, "p = fire_any(st, occ)")
        _run(w, b + 1, plan, "occ", "dl", "int64(0)", "p")
        w(b + 1, "occ = tb_get(st, k, key)")
    w(b, "if occ >= 0 and st.I[occ, STATE] == T_PARKED:")
    w(b + 1, "df_link(st, occ, d)")
    w(b + 1, "d = nxt")
    w(b + 1, "continue")
    w(b, "x, j, p = lane(st, k, ev_type[r], ev_I, ev_F, r, c, base + r, g)")
    _run(w, b, plan, "j", "c", "int64(0)", "p")
    w(b, "if g >= 0 and x != 2:")
    w(b + 1, "if x == 1:")
    w(b + 2, "st.gp_reached[g] = 1")
    w(b + 1, "st.gp_pending[g] -= 1")
    w(b + 1, "if st.gp_pending[g] == 0 and st.gp_reached[g] == 0:")
    w(b + 2, "st.CT[C_UNROUTED] += 1")
    w(b, "df_release(st, d)")
    w(b, "d = nxt")
