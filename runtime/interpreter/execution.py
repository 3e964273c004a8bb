"""Executing one instruction of one thread.

A thread runs until it blocks (a wait, a backoff, a child, a fork) or ends; the run queue is
first in, first out, so work runs in the order it became ready. One call of
:meth:`Execution.execute` is one instruction (one handler attempt for a ``do``): the grain a
debugger steps at.
"""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.executor import Event
from coordlang.runtime.interpreter.expressions import ExpressionError
from coordlang.runtime.interpreter.lifecycle import Lifecycle
from coordlang.runtime.interpreter.state import Attempts, Instance, Join, Thread, Undo
from coordlang.runtime.interpreter.values import coerce, error


class Execution(Lifecycle):
    def execute(self, inst: Instance, thread: Thread) -> None:
        if thread.compensating:
            self.compensate(inst, thread)
            return
        code = self.unit_of(inst).code
        if thread.pc >= len(code):
            # Reactions and stream code end by running off their end; a workflow's code always
            # ends with complete or fail, but an empty body has nothing at all.
            self.end(inst, "completed")
            return
        instr = code[thread.pc]
        try:
            self._dispatch[type(instr)](self, inst, thread, instr)
        except ExpressionError as exc:
            self.raise_error(inst, thread, self.expression_error(exc, instr.sid))

    # ---------------------------------------------------------------- plain control flow

    def _assign(self, inst: Instance, thread: Thread, instr: ir.Assign) -> None:
        inst.slots[instr.slot] = coerce(self.value(instr.value, inst), self.unit_of(inst).slots[instr.slot].type)
        thread.pc += 1

    def _jump(self, inst: Instance, thread: Thread, instr: ir.Jump) -> None:
        thread.pc = instr.target

    def _branch(self, inst: Instance, thread: Thread, instr: ir.Branch) -> None:
        thread.pc = thread.pc + 1 if self.value(instr.cond, inst) else instr.otherwise

    def _try_enter(self, inst: Instance, thread: Thread, instr: ir.TryEnter) -> None:
        thread.tries.append(thread.pc)
        thread.pc += 1

    def _try_exit(self, inst: Instance, thread: Thread, instr: ir.TryExit) -> None:
        thread.tries.pop()
        thread.pc += 1

    def _emit(self, inst: Instance, thread: Thread, instr: ir.Emit) -> None:
        declared = self.tables.events[instr.event]
        fields = {name: coerce(self.value(expr, inst), declared.field_type(name) or "any")
                  for name, expr in instr.fields}
        source = f"emit at {self.place(instr.sid)}"
        event = Event(instr.event, self.state.clock, fields, source)
        self.effects.emitted(event)
        self.state.emitted.append(event)
        thread.pc += 1

    def _complete(self, inst: Instance, thread: Thread, instr: ir.Complete) -> None:
        value = self.value(instr.value, inst) if instr.value is not None else None
        self.end(inst, "completed", coerce(value, self.unit_of(inst).returns))

    def _fail(self, inst: Instance, thread: Thread, instr: ir.FailWith) -> None:
        message = self.value(instr.message, inst)
        self.raise_error(inst, thread, error("Failed", str(message)))

    def _raise(self, inst: Instance, thread: Thread, instr: ir.Raise) -> None:
        self.raise_error(inst, thread, error(instr.kind, instr.message))

    # ---------------------------------------------------------------- waits

    def _wait(self, inst: Instance, thread: Thread, wait: ir.Wait) -> None:
        """Take the inbox first (clause order, then oldest first; an event no guard accepts is
        ``rejected``); else block for the events and the timer."""
        seen: set[str] = set()
        for clause in wait.clauses:
            if clause.event in seen:
                continue
            seen.add(clause.event)
            box = inst.inbox.get(clause.event)
            while box:
                event = box.popleft()
                target = self.match(inst, wait, event)
                if target is not None:
                    self.effects.step_began(inst, thread, wait.sid, "wait", wait.label or "", self.state.clock)
                    self.effects.step_finished(inst, thread, self.state.clock, "ok")
                    thread.pc = target
                    return
                self.count("rejected")
        self.effects.step_began(inst, thread, wait.sid, "wait", wait.label or "", self.state.clock)
        if wait.timer is not None:
            delay = self.value(wait.timer.delay, inst)
            deadline = self.state.clock + max(float(delay or 0.0), 0.0)
            thread.timer = self.state.timers.thread_timer(deadline, inst.id, thread.id, "wait")
        thread.state = "waiting"

    def match(self, inst: Instance, wait: ir.Wait, event: Event) -> int | None:
        """The target of the first clause for ``event`` whose guard holds, or None; the event
        stays in the clause's slot only when taken."""
        for clause in wait.clauses:
            if clause.event != event.type:
                continue
            before = inst.slots[clause.slot]
            inst.slots[clause.slot] = event
            try:
                taken = clause.guard is None or bool(self.value(clause.guard, inst))
            except ExpressionError:
                inst.slots[clause.slot] = before
                raise
            if taken:
                return clause.target
            inst.slots[clause.slot] = before
        return None

    # ---------------------------------------------------------------- steps

    def _do(self, inst: Instance, thread: Thread, instr: ir.Do) -> None:
        attempts = thread.step
        if attempts is None or attempts.pc != thread.pc:
            args = self.arguments(instr.args, self.handlers[instr.handler].definition.params, inst)
            attempts = thread.step = Attempts(thread.pc, args, self.state.clock, 0, self.step_label(inst, instr.step))
            self.effects.step_began(inst, thread, instr.sid, "do", instr.handler, self.state.clock)
        landed = attempts.landing is not None
        outcome = self.answer(inst, thread, attempts, instr.handler, instr.timeout)
        if outcome is None:
            return
        if outcome.error is not None:
            if landed and instr.timeout is not None and self.state.clock >= attempts.started + instr.timeout:
                # The step's time ran out while the attempt was in flight: no retry follows.
                self.effects.step_finished(inst, thread, self.state.clock, "error")
                thread.step = None
                self.raise_error(inst, thread, outcome.error)
                return
            self.retry_or_raise(inst, thread, outcome.error, instr.policy, instr.step, instr.timeout,
                                f"do {instr.handler}")
            return
        self.effects.step_finished(inst, thread, self.state.clock, "ok")
        thread.step = None
        if instr.target is not None:
            inst.slots[instr.target] = coerce(outcome.value, self.unit_of(inst).slots[instr.target].type)
        undo = instr.compensation
        if undo is not None:
            args = self.arguments(undo.args, self.handlers[undo.handler].definition.params, inst)
            inst.undo.append(Undo(undo.handler, args, undo.policy, f"{attempts.label}c"))
        thread.pc += 1

    def arguments(self, exprs: tuple[ir.Expr, ...], params: tuple[tuple[str, str], ...], inst: Instance) -> tuple:
        """A handler's arguments, each of its parameter's type."""
        kinds = [kind for _, kind in params]
        return tuple(coerce(self.value(e, inst), kinds[i] if i < len(kinds) else "any") for i, e in enumerate(exprs))

    def _call(self, inst: Instance, thread: Thread, instr: ir.CallChild) -> None:
        attempts = thread.step
        if attempts is None or attempts.pc != thread.pc:
            args = tuple(self.value(a, inst) for a in instr.args)
            attempts = thread.step = Attempts(thread.pc, args, self.state.clock, 0, self.step_label(inst, instr.step))
            self.effects.step_began(inst, thread, instr.sid, "call", instr.workflow, self.state.clock)
        attempts.attempt += 1
        machine = self.tables.latest[instr.workflow]
        child = self.start_workflow(machine, attempts.args[machine.key_param()], (inst.id, thread.id))
        for slot, value in zip(machine.params, attempts.args):
            child.slots[slot] = coerce(value, machine.slots[slot].type)
        thread.child = child.id
        thread.state = "child"

    # ---------------------------------------------------------------- forks

    def _fork(self, inst: Instance, thread: Thread, instr: ir.Fork) -> None:
        if not instr.branches:
            thread.pc = instr.join
            return
        branches = [self.new_thread(inst, entry, parent=thread.id).id for entry in instr.branches]
        thread.join = Join(thread.pc, branches, instr.race)
        thread.state = "join"

    def _end_branch(self, inst: Instance, thread: Thread, instr: ir.EndBranch) -> None:
        assert thread.parent is not None
        parent = inst.threads[thread.parent]
        join = parent.join
        assert join is not None
        join.branches.remove(thread.id)
        thread.state = "done"
        del inst.threads[thread.id]
        if join.race:
            # The first branch to finish wins; the others never resume.
            for branch in join.branches:
                if branch in inst.threads:
                    self.cancel_thread(inst, inst.threads[branch])
            join.branches.clear()
        if not join.branches:
            fork = self.unit_of(inst).code[join.fork_pc]
            assert isinstance(fork, ir.Fork)
            parent.join = None
            parent.pc = fork.join
            self.wake(inst, parent)

    _dispatch = {
        ir.Assign: _assign, ir.Jump: _jump, ir.Branch: _branch, ir.TryEnter: _try_enter, ir.TryExit: _try_exit,
        ir.Emit: _emit, ir.Complete: _complete, ir.FailWith: _fail, ir.Raise: _raise, ir.Wait: _wait,
        ir.Do: _do, ir.CallChild: _call, ir.Fork: _fork, ir.EndBranch: _end_branch,
    }
