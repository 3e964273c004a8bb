"""Numba source for the program: routing events to lanes and reactions, the agenda (run queue,
timers, emitted events, input events), and resuming instances the host has answered, all in
one entry point, ``kernel``.

A *lane* is (workflow, key): at most one running instance each. An event of type ``T`` (input
or emitted) visits each lane it concerns (a workflow it starts, or one whose machine awaits
``T`` and whose key field ``T`` has), as the interpreter's router does: a start (or
``duplicate_start``), else a delivery to the lane's instance (an instance never receives the
event that started it); then each reaction on ``T`` whose guard holds gets a run. The
recipients are queued and run in the interpreter's order (starts, then deliveries by key field
and start order, then reactions). When the lane's instance is parked (the host owes it an
answer), the event is deferred to it and replayed, in routing order and at its own clock, when
it resumes; whether the event reached anyone (``unrouted``) is then settled per event by a
counter of its pending lanes.

The agenda is the interpreter's: queued runs first; then a timer due by the next event (the
next emitted event, at the clock, else the next input event); then the next emitted event;
then the next input event. An instance whose machine emits and that parks is a *barrier*: the
kernel stops at once (``S_STOP``), the host answers it and it runs on before anything else, so
what it emits is queued exactly where the interpreter queues it.

A machine with ``parallel``/``race`` (see ``forks.py``) runs threads, each a row: a delivery
returns the thread row that takes the event (``S_RUNT``), which is queued like an instance; a
thread's timer that comes due while its instance is parked is held out of the heap until the
instance resumes; each instance takes ``ROWS`` rows.

Only ``kernel`` and the machines' run loops call ``run_k``: helpers (a lane, a delivery, a
timer) return the instance and pc to run, and ``kernel`` runs it. numba compiles every function
to machine code together with all it calls, so a run loop reachable from many functions was
compiled many times over (a minute for a 50-instruction machine; now a few seconds).
"""
from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.compiled.forks import has_threads
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
            w(0, f"def lane_{k}_{event.index}(st, srcI, srcF, r, tag, now, ordinal, grp):")
            w(1, '"""(0 not reached / 1 delivered / 2 deferred / 3 started, instance to run or -1, its pc)."""')
            w(1, f"key = srcI[r, {col}]")
            w(1, f"occ = tb_get(st, int64({lay.wf}), key)")
            w(1, "if occ >= 0 and st.I[occ, STATE] == T_PARKED:")
            w(2, f"df_append(st, occ, tag, now, grp, int64({lay.wf}), key, ordinal)")
            w(2, "return 2, -1, NO_RUN")
            reached = "0"
            if k in starters:
                w(1, "if occ >= 0:")
                w(2, "st.CT[C_DUPLICATE] += 1")
                w(1, "else:")
                order = "start_order(st)" if plan.calls else f"ordinal * {MAX_STARTERS} + {starters.index(k)}"
                w(2, f"i = start_{k}(st, key, srcI, srcF, r, {order})")
                w(2, f"tr(st, i, int64(TR_START), int64({k}), now)")
                w(2, "return 3, i, 0")
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
    w(0, "def lane(st, k, T, srcI, srcF, r, tag, now, ordinal, grp):")
    for name, lanes in plan.lanes.items():
        index = events[name].index
        for k in lanes:
            w(1, f"if k == {machines[k].wf} and T == {index}:")
            w(2, f"return lane_{k}_{index}(st, srcI, srcF, r, tag, now, ordinal, grp)")
    w(1, "return 0, -1, NO_RUN")
    w(0, "")
    _route(w, plan, threaded)
    _small(w, plan, threaded)
    most_lanes = max([len(v) for v in plan.lanes.values()], default=0)
    runs = [len(plan.lanes.get(name, ())) + len(plan.reactions.get(name, ()))
            + sum(win.per_event for win in plan.streams_on.get(name, ())) + 1 for name in plan.events]
    values = [sum(win.values for win in plan.streams_on.get(name, ())) for name in plan.events]
    w(0, f"MOST_LANES = {most_lanes}")
    w(0, f"MOST_RUNS = {max(runs, default=1)}")
    w(0, f"MOST_VALUES = {max(values, default=0)}")
    w(0, f"N_FIFOS = {sum(1 for win in plan.windows if win.fifo >= 0)}")
    w(0, f"ROWS = {plan.rows}  # the most rows one instance takes (its threads)")
    w(0, "")
    if plan.calls:
        _cancel(w)
    _room(w)
    _kernel(w, plan, threaded)
    return w.text()


def _callees(plan: Plan) -> set[int]:
    """The machines that ``call`` starts (several instances of one may share a key)."""
    return {plan.workflows[instr.workflow] for lay in plan.machines for instr in lay.machine.code
            if isinstance(instr, ir.CallChild)}


def _cancel(w: Lines) -> None:
    """``cancel_children``: end the children whose callers stopped waiting (``drop_child``),
    and theirs in turn, ``cancelled``, before anything else runs: the interpreter cancels them
    at once."""
    w(0, NJIT)
    w(0, "def cancel_children(st, now):")
    w(1, "while st.SI[S_CANCEL] != 0:")
    w(2, "c = st.SI[S_CANCEL] - 1")
    w(2, "st.SI[S_CANCEL] = st.C[c, CNEXT]")
    w(2, "if st.I[c, STATE] != T_DONE:")
    w(3, "end_any(st, c, int64(ST_CANCELLED), now, int64(-1))")
    w(0, "")


def _key_fields(plan: Plan) -> dict[str, list[str]]:
    """Event type → the key fields of the machines awaiting it, as the interpreter orders its
    deliveries (every machine of the program, in order)."""
    out: dict[str, list[str]] = {}
    for machine in plan.program.machines:
        for instr in machine.code:
            if isinstance(instr, ir.Wait):
                for clause in instr.clauses:
                    fields = out.setdefault(clause.event, [])
                    if machine.key not in fields:
                        fields.append(machine.key)
    return out


def _route(w: Lines, plan: Plan, threaded: list[int]) -> None:
    """``route``: an event's recipients, chosen first and queued to run in the interpreter's
    order: the instances it starts (in the order of their workflows), the instances it reaches
    (by key field, then in start order), then its reactions."""
    machines = plan.machines
    key_fields = _key_fields(plan)
    callees = _callees(plan)
    w(0, NJIT)
    w(0, "def route(st, T, srcI, srcF, r, tag, now, ordinal, grp):")
    w(1, '"""Queue the recipients of an event; returns (lanes deferred, whether it reached any)."""')
    w(1, "deferred = 0")
    w(1, "reached = 0")
    w(1, "first = st.SI[S_RQ_TAIL]")
    for name, event in plan.events.items():
        lanes = plan.lanes.get(name, [])
        reactions = plan.reactions.get(name, [])
        windows = plan.streams_on.get(name, [])
        if not lanes and not reactions and not windows:
            continue
        w(1, f"if T == {event.index}:")
        if plan.starters.get(name):
            w(2, "reached = 1")
        starters = plan.starters.get(name, [])
        fields = key_fields.get(name, [])
        for k in lanes:
            w(2, f"x, j, p = lane_{k}_{event.index}(st, srcI, srcF, r, tag, now, ordinal, grp)")
            w(2, "if x == 2:")
            w(3, "deferred += 1")
            w(2, "elif x != 0:")
            w(3, "reached = 1")
            w(3, "if x == 3:")
            w(4, f"rq_push(st, j, p, int64({starters.index(k) if k in starters else 0}))")
            w(3, "elif p != NO_RUN:")
            field = machines[k].machine.key
            rank = fields.index(field) + 1 if field in fields else len(fields) + 1
            # A thread row is ordered by its instance's start.
            start = "st.C[st.C[j, OWNER], START]" if k in threaded else "st.C[j, START]"
            w(4, f"rq_push(st, j, p, int64({rank << 56}) + {start})")
            if k in callees and name in machines[k].awaits:
                # The lane's other instances (children share keys), in start order.
                _, col = event.columns[field]
                w(2, "if x == 1:")
                w(3, f"c = st.C[tb_get(st, int64({machines[k].wf}), srcI[r, {col}]), LNEXT] - 1")
                w(3, "while c >= 0:")
                w(4, "nxt = st.C[c, LNEXT] - 1")
                w(4, f"p = deliver_{k}(st, c, int64({event.index}), srcI, srcF, r, now)")
                w(4, "if p != NO_RUN:")
                if k in threaded:
                    w(5, "j = st.SI[S_RUNT]")
                    w(5, f"rq_push(st, j, p, int64({rank << 56}) + st.C[c, START])")
                else:
                    w(5, f"rq_push(st, c, p, int64({rank << 56}) + st.C[c, START])")
                w(4, "c = nxt")
        if len(lanes) > 1:
            w(2, "rq_sort(st, first)")
        for k in reactions:
            w(2, "reached = 1")
            w(2, f"j = react_{k}(st, srcI, srcF, r, ordinal)")
            w(2, "if j >= 0:")
            w(3, "rq_push(st, j, int64(0), int64(0))")
        for win in windows:
            w(2, "reached = 1")
            w(2, f"j = acc_{win.machine}(st, srcI, srcF, r, now)")
            w(2, "if j >= 0:")
            w(3, "rq_push(st, j, int64(0), int64(0))")
    w(1, "return deferred, reached")
    w(0, "")


def _room(w: Lines) -> None:
    w(0, NJIT)
    w(0, "def room(st):")
    w(1, '"""How many more events the arrays have room to route (each takes at most MOST_RUNS rows,')
    w(1, "inbox and deferred entries, routing-table slots, MOST_VALUES stddev values, a group and a")
    w(1, "window timer per ring; nothing else takes them between two kernel calls): checked once per")
    w(1, 'budget, not per event, since each read of the state\'s arrays costs reference counting."""')
    w(1, "need = MOST_RUNS")
    w(1, "n = (len(st.I) - st.SI[S_ROWS]) // (need * ROWS)")
    w(1, "n = min(n, (len(st.ib_next) - st.SI[S_IB_USED]) // need)")
    w(1, "n = min(n, (len(st.df_next) - st.SI[S_DF_USED]) // need)")
    w(1, "n = min(n, len(st.gp_pending) - st.SI[S_GP])")
    w(1, "n = min(n, (len(st.tb) * 6 // 10 - st.SI[S_TB_USED]) // need)")
    w(1, "if MOST_VALUES > 0:")
    w(2, "n = min(n, (len(st.sv_next) - st.SI[S_SV_USED]) // MOST_VALUES)")
    w(1, "for f in range(N_FIFOS):")
    w(2, "n = min(n, st.fq_dl.shape[1] - (st.fq_ht[f, 1] - st.fq_ht[f, 0]))")
    w(1, "if len(st.rq_i) - st.SI[S_RQ_TAIL] < need:")
    w(2, "n = 0")
    w(1, "return n")
    w(0, "")


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


def _kernel(w: Lines, plan: Plan, threaded: list[int]) -> None:
    w(0, NJIT)
    w(0, "def kernel(st, op, ev_type, ev_time, ev_I, ev_F, base, start, ids, horizon):")
    w(1, '"""The interpreter\'s agenda: run the queued instances; else fire the next timer due by the')
    w(1, "next event (an emitted one, or the next input event; OP_FIRE: by ``horizon``); else route")
    w(1, "the next emitted event; else (OP_PROCESS) the next input event from ``start``. Returns the")
    w(1, "next input event's position; S_STOP says why it stopped short (a barrier parked, or the")
    w(1, 'arrays need room). OP_RESUME: resume the answered instances ``ids``, replay their events."""')
    w(1, "if op == OP_RESUME:")
    w(2, "for jj in range(len(ids)):")
    w(3, "i = ids[jj]")
    _resume(w, 3, plan)
    if plan.calls:
        w(3, "cancel_children(st, now)")
    _replay(w, 3, plan)
    w(2, "return 0")
    # The state's arrays the loop reads at every event, as locals: each read of a StructRef's
    # field costs a reference count (they do not change within a call: arrays grow between calls).
    w(1, "SI = st.SI")
    w(1, "SF = st.SF")
    w(1, "CT = st.CT")
    w(1, "rq_i = st.rq_i")
    w(1, "rq_p = st.rq_p")
    w(1, "gp_pending = st.gp_pending")
    w(1, "gp_reached = st.gp_reached")
    w(1, "n = len(ev_type) if op == OP_PROCESS else 0")
    w(1, "e = start")
    w(1, "budget = 0")
    w(1, "while True:")
    if plan.calls:
        w(2, "if SI[S_CANCEL] != 0:")
        w(3, "cancel_children(st, SF[SF_RUN_T])")
    w(2, "h = SI[S_RQ_HEAD]")
    w(2, "if h < SI[S_RQ_TAIL]:")
    w(3, "j = rq_i[h]")
    w(3, "p = rq_p[h]")
    w(3, "if h + 1 == SI[S_RQ_TAIL]:")
    w(4, "SI[S_RQ_HEAD] = 0")
    w(4, "SI[S_RQ_TAIL] = 0")
    w(3, "else:")
    w(4, "SI[S_RQ_HEAD] = h + 1")
    w(3, "now = SF[SF_RUN_T]")
    act = "int64(0)"
    if set(threaded) & plan.barriers or plan.calls:
        # Threads of machines that emit wait here too (forks.py): a cancelled one leaves -1.
        w(3, "if j < 0:")
        w(4, "continue")
        if plan.calls:
            # A child cancelled before its first turn; a caller queued with its child's value.
            w(3, "if st.I[j, STATE] == T_DONE:")
            w(4, "continue")
            w(3, "act = st.C[j, ACTION]")
            w(3, "st.C[j, ACTION] = A_NONE")
            act = "act"
        w(3, "if st.I[j, STATE] == T_READY:")
        w(4, "st.I[j, STATE] = T_RUN")
    _run(w, 3, plan, "j", "now", act, "p")
    w(3, "if SI[S_STOP] != STOP_NONE:")
    w(4, "return e")
    w(3, "continue")
    w(2, "clock = SF[SF_CLOCK]")
    w(2, "emitted = SI[S_EM_HEAD] >= 0")
    w(2, "if emitted:")
    w(3, "due = clock")
    w(2, "elif e < n:")
    w(3, "due = max(clock, ev_time[e])")
    w(2, "elif op == OP_PROCESS:")
    w(3, "due = clock")
    w(2, "else:")
    w(3, "due = horizon")
    w(2, "j, dl, src = timer_top(st, N_FIFOS)")
    w(2, "if j >= 0 and dl <= due:")
    w(3, "timer_pop(st, src)")
    if threaded:
        # A thread's timer due while its instance is parked waits for the instance's resumption.
        w(3, "if st.I[j, STATUS] == ST_THREAD and st.I[st.C[j, OWNER], STATE] == T_PARKED:")
        w(4, "st.C[j, HELD] = 1")
        w(4, "continue")
    w(3, "heap_remove(st, j)")
    w(3, "if dl > clock:")
    w(4, "SF[SF_CLOCK] = dl")
    w(3, "SF[SF_RUN_T] = dl")
    w(3, "p = fire_any(st, j)")
    w(3, "if p != NO_RUN:")
    w(4, "rq_push(st, j, p, int64(0))")
    w(3, "continue")
    w(2, "if not emitted and e >= n:")
    w(3, "return e")
    w(2, "if budget <= 0:")
    w(3, "budget = room(st)")
    w(3, "if budget <= 0:")
    w(4, "SI[S_STOP] = STOP_ROOM")
    w(4, "return e")
    w(2, "budget -= 1")
    w(2, "ordinal = SI[S_ROUTED] + 1")
    w(2, "SI[S_ROUTED] = ordinal")
    w(2, "grp = SI[S_GP]")
    w(2, "if emitted:")
    w(3, "SF[SF_RUN_T] = clock")
    w(3, "r = em_pop(st)")
    w(3, "deferred, reached = route(st, st.em_type[r], st.em_I, st.em_F, r, -r - 1, clock, ordinal, grp)")
    w(3, "em_release(st, r)")
    w(2, "else:")
    w(3, "clock = max(clock, ev_time[e])")
    w(3, "SF[SF_CLOCK] = clock")
    w(3, "SF[SF_RUN_T] = clock")
    w(3, "deferred, reached = route(st, ev_type[e], ev_I, ev_F, e, e, clock, ordinal, grp)")
    w(3, "e += 1")
    w(2, "if deferred > 0:")
    w(3, "gp_pending[grp] = deferred")
    w(3, "gp_reached[grp] = reached")
    w(3, "SI[S_GP] = grp + 1")
    w(2, "elif reached == 0:")
    w(3, "CT[C_UNROUTED] += 1")
    w(0, "")


def _resume(w: Lines, depth: int, plan: Plan) -> None:
    """Apply the host's answer to parked instance ``i`` and run it on."""
    w(depth, "act = st.C[i, ACTION]")
    w(depth, "st.C[i, ACTION] = A_NONE")
    if plan.calls:
        w(depth, "parked = st.C[i, PARK]")
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
    if plan.calls:
        # A child's end wakes its caller, last in the run queue, as the interpreter's does;
        # an error its caller does not catch acts at once (raised on, or the instance fails).
        w(depth + 1, "if parked == P_CHILD and p != PC_ESCAPE:")
        w(depth + 2, "st.I[i, STATE] = T_READY")
        w(depth + 2, "rq_push(st, i, p, int64(0))")
        w(depth + 2, "p = NO_RUN")
        w(depth, "elif act == A_CHILD:")
        w(depth + 1, "st.C[i, ACTION] = A_CHILD")
        w(depth + 1, "st.I[i, STATE] = T_READY")
        w(depth + 1, "rq_push(st, i, p, int64(0))")
        w(depth + 1, "p = NO_RUN")
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
    """The events deferred while ``i`` was parked, in routing order, each at its own clock (an
    emitted event's row is released once replayed)."""
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
    w(b, "if r >= 0:")
    w(b + 1, "x, j, p = lane(st, k, ev_type[r], ev_I, ev_F, r, r, c, st.df_ord[d], g)")
    w(b, "else:")
    w(b + 1, "x, j, p = lane(st, k, st.em_type[-r - 1], st.em_I, st.em_F, -r - 1, r, c, st.df_ord[d], g)")
    w(b + 1, "em_release(st, -r - 1)")
    _run(w, b, plan, "j", "c", "int64(0)", "p")
    w(b, "if g >= 0 and x != 2:")
    w(b + 1, "if x == 1 or x == 3:")
    w(b + 2, "st.gp_reached[g] = 1")
    w(b + 1, "st.gp_pending[g] -= 1")
    w(b + 1, "if st.gp_pending[g] == 0 and st.gp_reached[g] == 0:")
    w(b + 2, "st.CT[C_UNROUTED] += 1")
    w(b, "df_release(st, d)")
    w(b, "d = nxt")
