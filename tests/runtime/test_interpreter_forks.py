"""parallel and race: joins, a failing branch cancelling its siblings, the first branch to end
winning a race."""

from __future__ import annotations

from irkit import (NOW, T0, c, calls, complete, do, ev, fail, field, load, machine, on, program, rows, run, sleep,
                   wait)

from coordlang.ir import nodes as ir


def fork(race: bool, branches: list[list[ir.Instr]], then: list[ir.Instr], base: int = 0) -> list[ir.Instr]:
    """``Fork`` at ``base``, each branch followed by ``EndBranch``, then ``then``. Branch code
    uses targets relative to its own start via :func:`at`."""
    code: list[ir.Instr] = [ir.Fork((), -1, race)]
    entries = []
    for branch in branches:
        entries.append(base + len(code))
        code.extend(branch)
        code.append(ir.EndBranch())
    join = base + len(code)
    code[0] = ir.Fork(tuple(entries), join, race)
    return code + then


def test_parallel_joins_when_every_branch_has_ended_and_branches_share_slots():
    code = fork(False, [
        [sleep(10, 2), ir.Assign(1, ir.Binary("+", load(1), c(1), "int"))],   # pcs 1, 2
        [ir.Assign(1, ir.Binary("+", load(1), c(10), "int"))],                 # pc 4
    ], [complete(ir.Interpolate((load(1), "@", ir.Binary("-", NOW, c(T0, "time"), "duration"))))])
    w = machine("W", [ir.Assign(1, c(0)), *[shift(i, 1) for i in code]], ("s:Start", "n:int"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "11@10s")]


def shift(instr: ir.Instr, by: int) -> ir.Instr:
    """Move an instruction's targets by ``by`` (the code was built as if at pc 0)."""
    from dataclasses import replace
    if isinstance(instr, ir.Fork):
        return replace(instr, branches=tuple(b + by for b in instr.branches), join=instr.join + by)
    if isinstance(instr, ir.Wait):
        timer = replace(instr.timer, target=instr.timer.target + by) if instr.timer else None
        return replace(instr, clauses=tuple(replace(c_, target=c_.target + by) for c_ in instr.clauses), timer=timer)
    if isinstance(instr, ir.Jump):
        return replace(instr, target=instr.target + by)
    if isinstance(instr, ir.Branch):
        return replace(instr, otherwise=instr.otherwise + by)
    if isinstance(instr, ir.TryEnter):
        return replace(instr, catches=tuple(replace(k, target=k.target + by) for k in instr.catches))
    return instr


def test_a_failing_branch_cancels_its_siblings_and_raises_at_the_fork():
    # Branch 1 waits for a Ping (with a timer); branch 2 fails after 5s. The try around the
    # parallel catches; the cancelled wait never resumes and its timer is gone.
    code = [
        ir.TryEnter((ir.Catch(None, 2, 9),)),                     # 0
        ir.Fork((2, 5), 7, False),                                # 1
        wait(on("Ping", 1, 3), after=100, timeout_target=3),      # 2
        do("record", c("branch 1 resumed")),                      # 3
        ir.EndBranch(),                                           # 4
        sleep(5, 6),                                              # 5
        fail("branch 2 failed"),                                  # 6
        ir.TryExit(),                                             # 7
        complete(c("joined")),                                    # 8
        complete(ir.Interpolate((field(2, "message"), "@", ir.Binary("-", NOW, c(T0, "time"), "duration")))),  # 9
    ]
    w = machine("W", code, ("s:Start", "p:Ping", "e:error"))
    interpreter, result = run(program(w), [ev("Start", 0, id="a", n=0), ev("Ping", 50, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "branch 2 failed@5s")]
    assert calls("record") == []
    assert interpreter.state.timers.pending() == []
    assert result.counters["unrouted"] == 1  # the instance had ended by then


def test_an_uncaught_branch_failure_fails_the_instance():
    w = machine("W", [
        ir.Fork((1, 3), 5, False),
        sleep(100, 2), ir.EndBranch(),
        fail("nope"), ir.EndBranch(),
        complete(c("joined")),
    ])
    interpreter, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "failed", "nope")]
    assert interpreter.state.clock == T0  # the sleep was cancelled: no timer left to run on


def test_the_first_branch_of_a_race_to_end_wins_and_the_others_never_resume():
    w = machine("W", [
        ir.Fork((1, 4), 7, True),
        wait(on("Ping", 1, 2)), ir.Assign(2, c("ping")), ir.EndBranch(),      # 1..3
        sleep(30, 5), ir.Assign(2, c("timer")), ir.EndBranch(),               # 4..6
        do("record", load(2)),                                                # 7
        sleep(60, 9),                                                         # 8
        complete(load(2)),                                                    # 9
    ], ("s:Start", "p:Ping", "who"))
    _, fast = run(program(w), [ev("Start", 0, id="a", n=0), ev("Ping", 10, id="a", n=0)])
    assert rows(fast) == [("W", "a", "completed", "ping")]
    _, slow = run(program(w), [ev("Start", 0, id="b", n=0), ev("Ping", 40, id="b", n=0)])
    # The Ping after the race goes to the inbox (the code awaits Ping), never to the lost branch.
    assert rows(slow) == [("W", "b", "completed", "timer")]
    assert slow.counters["unrouted"] == 0


def test_a_failing_race_branch_fails_the_race():
    w = machine("W", [
        ir.TryEnter((ir.Catch("HandlerError", 1, 8),)),
        ir.Fork((2, 4), 6, True),
        sleep(30, 3), ir.EndBranch(),
        do("refuse", c("x")), ir.EndBranch(),
        ir.TryExit(),
        complete(c("raced")),
        complete(field(1, "message")),
    ], ("s:Start", "e:error"))
    interpreter, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "no access to x")]
    assert interpreter.state.timers.pending() == []


def test_complete_in_a_branch_ends_the_instance_and_every_thread():
    w = machine("W", [
        ir.Fork((1, 3), 5, False),
        sleep(30, 2), ir.EndBranch(),
        complete(c("early")), ir.EndBranch(),
        complete(c("joined")),
    ])
    interpreter, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "early")]
    assert interpreter.state.timers.pending() == [] and interpreter.state.instances[1].threads == {}


def test_nested_forks_are_cancelled_with_their_parent_branch():
    w = machine("W", [
        ir.Fork((1, 8), 10, True),                          # 0: race
        ir.Fork((2, 4), 6, False),                          # 1: a parallel inside branch 1
        sleep(100, 3), ir.EndBranch(),                      # 2, 3
        sleep(200, 5), ir.EndBranch(),                      # 4, 5
        do("record", c("inner joined")), ir.EndBranch(),    # 6, 7
        sleep(10, 9), ir.EndBranch(),                       # 8, 9
        complete(ir.Binary("-", NOW, c(T0, "time"), "duration")),  # 10
    ])
    interpreter, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", 10.0)]
    assert calls("record") == [] and interpreter.state.timers.pending() == []


def test_an_empty_fork_joins_at_once():
    w = machine("W", [ir.Fork((), 1, False), complete(c("ok"))])
    _, result = run(program(w), [ev("Start", 0, id="a", n=0)])
    assert rows(result) == [("W", "a", "completed", "ok")]


def test_events_go_to_the_first_waiting_branch_that_takes_them():
    w = machine("W", [
        ir.Fork((1, 4), 7, False),
        wait(on("Ping", 1, 2)), do("record", ir.Interpolate(("one ", field(1, "n")))), ir.EndBranch(),
        wait(on("Ping", 2, 5)), do("record", ir.Interpolate(("two ", field(2, "n")))), ir.EndBranch(),
        complete(),
    ], ("s:Start", "p:Ping", "q:Ping"))
    _, result = run(program(w), [ev("Start", 0, id="a", n=0), ev("Ping", 1, id="a", n=1), ev("Ping", 2, id="a", n=2)])
    assert [x for _, x in calls("record")] == ["one 1", "two 2"]
    assert rows(result)[0][2] == "completed"
