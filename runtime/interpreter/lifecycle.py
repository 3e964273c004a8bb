"""Instances and threads from start to end: starting, errors and their catching, retries,
compensation, cancellation, and a child's end reaching its parent."""

from __future__ import annotations

from coordlang.ir import nodes as ir
from coordlang.runtime.interpreter.core import Core
from coordlang.runtime.interpreter.effects import Attempt, landing
from coordlang.runtime.interpreter.state import Attempts, Instance, Thread
from coordlang.runtime.interpreter.values import (ErrorValue, coerce, error, retries_on,
                                                  retry_delay)
from coordlang.semantics.constants import format_seconds


class Lifecycle(Core):
    # ---------------------------------------------------------------- starting

    def start_workflow(self, machine: ir.Machine, key: object, parent: tuple[int, int] | None = None) -> Instance:
        """A new instance of ``machine``, its main thread ready; the caller fills the trigger
        or parameter slots."""
        s = self.state
        inst = Instance(s.new_id(), "workflow", machine.id, machine.name, machine.version, key, machine.key,
                        [None] * len(machine.slots), parent=parent)
        s.instances[inst.id] = inst
        s.started.append(inst.id)
        s.index.setdefault((machine.key, key), []).append(inst.id)
        self.new_thread(inst, 0)
        self.effects.instance_started(inst, s.clock)
        return inst

    def start_activation(self, kind: str, index: int, key: object, slots: list) -> Instance:
        """A reaction's or a stream window's run: an instance that is never in the outcomes."""
        s = self.state
        unit = f"{kind}#{index}"
        inst = Instance(s.new_id(), kind, unit, unit, 0, key, "", slots)
        s.instances[inst.id] = inst
        self.new_thread(inst, 0)
        return inst

    def new_thread(self, inst: Instance, pc: int, parent: int | None = None) -> Thread:
        thread = Thread(self.state.new_id(), pc, state="blocked", parent=parent)
        inst.threads[thread.id] = thread
        self.wake(inst, thread)
        return thread

    def running(self, workflow: str, key_field: str, key: object) -> bool:
        """Whether an instance of ``workflow`` (any version) with this key has not ended."""
        instances = self.state.instances
        return any(instances[i].workflow == workflow for i in self.state.index.get((key_field, key), ()))

    def step_label(self, inst: Instance, step: int) -> str:
        """A step's name in idempotency keys: ``3``, and ``3.2`` on its second run (a loop), so
        two different calls never share a key."""
        runs = inst.runs[step] = inst.runs.get(step, 0) + 1
        return str(step) if runs == 1 else f"{step}.{runs}"

    # ---------------------------------------------------------------- handler attempts

    def answer(self, inst: Instance, thread: Thread, attempts: Attempts, handler: str,
               step_timeout: float | None) -> Attempt | None:
        """The answer the step takes now: the attempt whose latency timer just fired, or a new
        attempt's when it takes no virtual time. A new attempt with latency parks the thread
        (``calling``) on a ``latency`` timer and gives None; the answer then comes early, as a
        ``Timeout``, when the handler's ``timeout`` or the step's runs out first."""
        landed = attempts.landing
        if landed is not None:
            attempts.landing = None
            return landed
        attempts.attempt += 1
        bound = self.handlers[handler]
        outcome = self.effects.attempt(bound, attempts.args, f"{inst.key}:{attempts.label}:{attempts.attempt}",
                                       self.handler_loop, inst.workflow)
        if outcome.wall is not None:
            attempts.wall = outcome.wall + (attempts.wall or 0.0)
        if outcome.latency <= 0.0:
            return outcome
        due, outcome = landing(outcome, handler, self.state.clock, bound.definition.timeout, attempts.started,
                               step_timeout, attempts.attempt)
        attempts.landing = outcome
        thread.timer = self.state.timers.thread_timer(due, inst.id, thread.id, "latency")
        thread.state = "calling"
        return None

    # ---------------------------------------------------------------- errors

    def retry_or_raise(self, inst: Instance, thread: Thread, err: ErrorValue, policy_name: str | None,
                       step: object, timeout: float | None, what: str) -> None:
        """After a failed attempt of ``thread.step``: wait for the policy's next attempt, or
        raise (the attempts are spent, the policy does not cover ``err``, or the next attempt
        would start after the step's ``timeout``)."""
        attempts = thread.step
        assert attempts is not None
        policy = self.tables.policies.get(policy_name) if policy_name is not None else None
        if policy is not None and attempts.attempt < policy.attempts and retries_on(policy, err):
            delay = retry_delay(policy, attempts.attempt - 1, (inst.key, step, attempts.attempt + 1))
            resume = self.state.clock + delay
            if timeout is not None and resume > attempts.started + timeout:
                self.effects.step_finished(inst, thread, self.state.clock, "error")
                thread.step = None
                self.raise_error(inst, thread, error(
                    "Timeout", f"{what}: step timeout of {format_seconds(timeout)} reached after "
                    f"{attempts.attempt} attempt(s); last error: {err.kind}: {err.message}"))
                return
            thread.timer = self.state.timers.thread_timer(resume, inst.id, thread.id, "backoff")
            thread.state = "backoff"
            return
        self.effects.step_finished(inst, thread, self.state.clock, "error")
        thread.step = None
        self.raise_error(inst, thread, err)

    def raise_error(self, inst: Instance, thread: Thread, err: ErrorValue) -> None:
        """``err`` happened in ``thread``: the innermost try region of the thread with a
        matching catch takes it; else a branch fails its whole fork (raised in the forking
        thread), and the main thread lets it escape the instance."""
        code = self.unit_of(inst).code
        self.stop(inst, thread)
        while thread.tries:
            enter = code[thread.tries.pop()]
            assert isinstance(enter, ir.TryEnter)
            for catch in enter.catches:
                if catch.kind is None or catch.kind == err.kind:
                    if catch.slot is not None:
                        inst.slots[catch.slot] = err
                    thread.pc = catch.target
                    self.wake(inst, thread)
                    return
        if thread.parent is not None:
            parent = inst.threads[thread.parent]
            self.cancel_thread(inst, thread)
            self.stop(inst, parent)  # cancels the sibling branches
            self.raise_error(inst, parent, err)
            return
        self.escape(inst, err)

    def stop(self, inst: Instance, thread: Thread) -> None:
        """End whatever ``thread`` waits for: its timer, its step, its child, its branches."""
        if thread.step is not None or thread.state == "waiting":
            self.effects.step_finished(inst, thread, self.state.clock, "cancelled")
        self.state.timers.cancel(thread.timer)
        thread.timer = None
        thread.step = None
        if thread.child is not None:
            child = self.state.instances[thread.child]
            thread.child = None
            if not child.ended:
                self.end(child, "cancelled", message=f"cancelled: its parent {inst.workflow} {inst.key!r} "
                         "stopped waiting for it")
        if thread.join is not None:
            branches, thread.join = thread.join.branches, None
            for branch in branches:
                if branch in inst.threads:
                    self.cancel_thread(inst, inst.threads[branch])
        if thread.state != "running":
            thread.state = "blocked"

    def cancel_thread(self, inst: Instance, thread: Thread) -> None:
        """A cancelled thread never resumes: its timers, waits, branches and child go too."""
        self.stop(inst, thread)
        thread.state = "cancelled"
        inst.threads.pop(thread.id, None)

    def escape(self, inst: Instance, err: ErrorValue) -> None:
        """An error left the instance: compensate (a thread of its own runs the registered
        compensations, newest first), or fail at once when there are none."""
        for thread in list(inst.threads.values()):
            self.cancel_thread(inst, thread)
        if not inst.undo:
            self.end(inst, "failed", message=err.message)
            return
        inst.status = "compensating"
        inst.error = err
        self.new_thread(inst, -1).compensating = True

    def compensate(self, inst: Instance, thread: Thread) -> None:
        """One attempt of the newest compensation left; every one runs even when another one
        failed, and the instance then ends ``failed`` instead of ``compensated``."""
        assert inst.error is not None
        if not inst.undo:
            self.end(inst, "failed" if inst.undo_failed else "compensated", message=inst.error.message)
            return
        undo = inst.undo[-1]
        attempts = thread.step
        if attempts is None:
            attempts = thread.step = Attempts(-1, undo.args, self.state.clock, 0, undo.label)
            self.effects.step_began(inst, thread, -1, "compensate", undo.handler, self.state.clock)
        outcome = self.answer(inst, thread, attempts, undo.handler, None)
        if outcome is None:
            return
        if outcome.error is not None:  # the handler's failure is the program's, whatever its class
            err = outcome.error
            policy = self.tables.policies.get(undo.policy) if undo.policy is not None else None
            if policy is not None and attempts.attempt < policy.attempts and retries_on(policy, err):
                delay = retry_delay(policy, attempts.attempt - 1, (inst.key, undo.label, attempts.attempt + 1))
                thread.timer = self.state.timers.thread_timer(self.state.clock + delay, inst.id, thread.id, "backoff")
                thread.state = "backoff"
                return
            inst.undo_failed = True
            self.state.faults.append(f"{inst.workflow} {inst.key!r}: compensation {undo.handler} failed after "
                                     f"{attempts.attempt} attempt(s): {err.type}: {err.message}")
        self.effects.step_finished(inst, thread, self.state.clock, "error" if outcome.error is not None else "ok")
        inst.undo.pop()
        thread.step = None

    # ---------------------------------------------------------------- ending

    def end(self, inst: Instance, status: str, value: object = None, message: str | None = None) -> None:
        for thread in list(inst.threads.values()):
            self.cancel_thread(inst, thread)
        inst.status = status
        inst.value = value
        inst.message = message
        inst.inbox.clear()
        inst.error = None
        s = self.state
        if inst.kind != "workflow":
            del s.instances[inst.id]
            if status != "completed":
                s.faults.append(f"{inst.unit} ({inst.key}): {status}: {message}")
            return
        self.effects.instance_ended(inst, s.clock)
        members = s.index.get((inst.key_field, inst.key))
        if members is not None:
            members.remove(inst.id)
            if not members:
                del s.index[(inst.key_field, inst.key)]
        if inst.parent is not None:
            self.child_ended(inst)

    def child_ended(self, child: Instance) -> None:
        """A ``call`` gets the child's value, or ``ChildFailed`` (retried by its policy)."""
        assert child.parent is not None
        parent_id, thread_id = child.parent
        parent = self.state.instances[parent_id]
        thread = parent.threads.get(thread_id)
        if parent.ended or thread is None or thread.child != child.id:
            return  # the parent stopped waiting (and cancelled this child)
        thread.child = None
        call = self.unit_of(parent).code[thread.pc]
        assert isinstance(call, ir.CallChild)
        if child.status == "completed":
            self.effects.step_finished(parent, thread, self.state.clock, "ok")
            thread.step = None
            if call.target is not None:
                parent.slots[call.target] = coerce(child.value, self.unit_of(parent).slots[call.target].type)
            thread.pc += 1
            self.wake(parent, thread)
        elif child.status == "cancelled":
            self.raise_error(parent, thread, error("Cancelled", child.message or "cancelled"))
        else:
            err = error("ChildFailed", child.message or child.status)
            self.retry_or_raise(parent, thread, err, call.policy, call.step, None, f"call {call.workflow}")
