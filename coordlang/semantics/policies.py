"""Policies: reading ``retry(...)`` into a :class:`RetryPolicy` and its worst-case time.

Defaults where the reference is silent (docs/language.md, "Checker rules"): ``attempts`` is
required; ``backoff`` defaults to ``exponential(1s, factor: 2.0, max: 100s)``; ``exponential``
takes ``factor`` 2.0 and no cap by default, ``linear`` a ``step`` equal to its initial delay and
no cap; ``jitter`` defaults to ``none``; ``on`` defaults to every retryable kind (``Timeout``,
``HandlerError``, ``ChildFailed``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from coordlang.diagnostics import Diagnostic, Severity, make, register
from coordlang.semantics.constants import Seconds, const_value, format_seconds
from coordlang.semantics.types import ERROR_KINDS
from coordlang.syntax import ast

register("W411", Severity.ERROR, "Malformed policy",
         "A policy is `retry(attempts: N, backoff: B, jitter: J, on: [KINDS])`: `backoff` is "
         "`fixed(D)`, `exponential(D, factor: F, max: D)` or `linear(D, step: D, max: D)`, `jitter` "
         "is `none`, `full` or `equal`, and `on` lists error kinds or Python exception class names "
         "as strings. Every value is a constant.",
         "policy p = retry(tries: 3)")
register("W412", Severity.ERROR, "Policy value out of range",
         "`attempts` counts the first try, so it is at least 1; delays are not negative; an "
         "exponential `factor` is at least 1; a `max` is not below the initial delay; a retry on "
         "`Cancelled` or `Failed` never happens (neither comes from a handler or a child).",
         "policy p = retry(attempts: 0, backoff: fixed(1s))")
register("N220", Severity.ERROR, "Unknown error kind",
         "Error kinds are `Timeout`, `HandlerError`, `ChildFailed`, `Cancelled` and `Failed`. A "
         "policy's `on:` may also name a Python exception class, as a string: `\"ConnectionError\"`.",
         "try { do h() } catch Timout { }")

RETRYABLE = ("Timeout", "HandlerError", "ChildFailed")
_EXCEPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_RETRY_ARGS = ("attempts", "backoff", "jitter", "on")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """A checked ``retry(...)``, with the defaults filled in."""

    attempts: int
    """Tries in all, the first included."""
    backoff: str = "exponential"
    """``fixed``, ``exponential`` or ``linear``."""
    initial: float = 1.0
    """The first delay, in seconds."""
    factor: float = 2.0
    """Exponential growth per retry."""
    step: float = 0.0
    """Linear growth per retry, in seconds."""
    max: float | None = 100.0
    """The cap on one delay, in seconds (None: no cap)."""
    jitter: str = "none"
    """``none``, ``full`` or ``equal``: jitter only shortens a delay, never lengthens it."""
    on_kinds: tuple[str, ...] = RETRYABLE
    on_exceptions: tuple[str, ...] = ()
    """Python exception class names (a ``HandlerError`` whose type is one of them)."""

    def delay(self, retry: int) -> float:
        """The delay before retry number ``retry`` (0 for the second attempt), before jitter."""
        if self.backoff == "fixed":
            value = self.initial
        elif self.backoff == "linear":
            value = self.initial + self.step * retry
        else:
            try:
                value = self.initial * self.factor ** retry
            except OverflowError:
                value = math.inf
        return min(value, self.max) if self.max is not None else value

    def first_delays(self, count: int = 6) -> tuple[float, ...]:
        """The first ``count`` delays between attempts, before jitter."""
        return tuple(self.delay(i) for i in range(min(max(self.attempts - 1, 0), count)))

    @property
    def worst_case_delay(self) -> float:
        """The sum of all delays between attempts (jitter never adds time), in closed form so a
        policy of a million attempts costs nothing to check."""
        retries = max(self.attempts - 1, 0)
        if retries == 0 or self.initial == 0 and (self.backoff != "linear" or self.step == 0):
            return 0.0
        cap = self.max if self.max is not None else math.inf
        if self.backoff == "fixed" or (self.backoff == "exponential" and self.factor == 1.0) or (
                self.backoff == "linear" and self.step == 0):
            return min(self.initial, cap) * retries
        if self.backoff == "linear":
            # Delays below the cap: initial + step*i for i < uncapped; the rest sit at the cap.
            uncapped = retries if cap == math.inf else min(retries, max(0, math.ceil((cap - self.initial) / self.step)))
            total = uncapped * self.initial + self.step * uncapped * (uncapped - 1) / 2
            return total + (retries - uncapped) * cap if retries > uncapped else total
        if self.initial == 0:
            return 0.0
        uncapped = retries
        if cap != math.inf:
            uncapped = min(retries, max(0, math.ceil(math.log(cap / self.initial) / math.log(self.factor))))
        try:
            total = self.initial * (self.factor ** uncapped - 1) / (self.factor - 1)
        except OverflowError:
            return math.inf
        return total + (retries - uncapped) * cap if retries > uncapped else total

    def worst_case(self, per_attempt: float | None) -> float:
        """Delays plus every attempt running to its per-attempt timeout (handlers without a
        ``timeout`` flag take no virtual time)."""
        return self.worst_case_delay + self.attempts * (per_attempt or 0.0)

    def describe(self) -> str:
        if self.backoff == "fixed":
            backoff = f"fixed({format_seconds(self.initial)})"
        elif self.backoff == "linear":
            backoff = f"linear({format_seconds(self.initial)}, step: {format_seconds(self.step)}"
            backoff += f", max: {format_seconds(self.max)})" if self.max is not None else ")"
        else:
            backoff = f"exponential({format_seconds(self.initial)}, factor: {self.factor:g}"
            backoff += f", max: {format_seconds(self.max)})" if self.max is not None else ")"
        on = [*self.on_kinds, *(f'"{e}"' for e in self.on_exceptions)]
        return (f"retry(attempts: {self.attempts}, backoff: {backoff}, jitter: {self.jitter}, "
                f"on: [{', '.join(on)}])")


Report = Callable[[Diagnostic], None]


def read_policy(expr: ast.Expr, report: Report) -> RetryPolicy | None:
    """The policy ``expr`` describes, or None (after reporting) when it cannot be read."""
    if isinstance(expr, ast.ErrorExpr):
        return None
    if not isinstance(expr, ast.CallExpr) or expr.func.name != "retry":
        report(make("W411", "a policy is retry(attempts: N, backoff: ..., jitter: ..., on: [...])", expr.span))
        return None
    args = _arguments(expr, _RETRY_ARGS, report)
    if args is None:
        return None
    ok = True
    attempts = 1
    if "attempts" not in args:
        if not any(isinstance(a.value, ast.ErrorExpr) for a in expr.args):
            report(make("W411", "retry needs attempts: N (the first try included)", expr.func.span))
        ok = False
    else:
        value = const_value(args["attempts"])
        if isinstance(value, bool) or not isinstance(value, int):
            if not isinstance(args["attempts"], ast.ErrorExpr):
                report(make("W411", "attempts is a constant integer", args["attempts"].span))
            ok = False
        elif value < 1:
            report(make("W412", f"attempts must be at least 1 (it counts the first try), not {value}",
                        args["attempts"].span))
            ok = False
        else:
            attempts = value
    fields: dict[str, object] = {}
    if "backoff" in args:
        backoff = _backoff(args["backoff"], report)
        if backoff is None:
            ok = False
        else:
            fields.update(backoff)
    if "jitter" in args:
        jitter = _jitter(args["jitter"], report)
        if jitter is None:
            ok = False
        else:
            fields["jitter"] = jitter
    if "on" in args:
        on = _on(args["on"], report)
        if on is None:
            ok = False
        else:
            fields["on_kinds"], fields["on_exceptions"] = on
    return RetryPolicy(attempts, **fields) if ok else None


def _arguments(call: ast.CallExpr, names: tuple[str, ...], report: Report) -> dict[str, ast.Expr] | None:
    """Positional then named arguments by parameter name, or None after a report."""
    out: dict[str, ast.Expr] = {}
    position = 0
    for arg in call.args:
        if isinstance(arg.value, ast.ErrorExpr):
            if arg.name is None:
                position += 1  # a damaged argument the parser reported: it holds its place
            continue
        if isinstance(arg.value, ast.Block):
            report(make("W411", f"{call.func.name} takes no block", arg.span))
            return None
        if arg.name is None:
            if position >= len(names):
                report(make("W411", f"{call.func.name} takes at most {len(names)} arguments: "
                            f"{', '.join(names)}", arg.span))
                return None
            name = names[position]
            position += 1
        else:
            name = arg.name.name
            if name not in names:
                report(make("W411", f"{call.func.name} has no argument '{name}': it takes {', '.join(names)}",
                            arg.name.span))
                return None
        if name in out:
            report(make("W411", f"argument '{name}' is given twice", arg.span))
            return None
        out[name] = arg.value
    return out


def _duration(expr: ast.Expr, what: str, report: Report) -> float | None:
    value = const_value(expr)
    if not isinstance(value, Seconds):
        if not isinstance(expr, ast.ErrorExpr):
            report(make("W411", f"{what} is a constant duration such as 500ms", expr.span))
        return None
    if value < 0:
        report(make("W412", f"{what} cannot be negative", expr.span))
        return None
    return float(value)


def _backoff(expr: ast.Expr, report: Report) -> dict[str, object] | None:
    if isinstance(expr, ast.ErrorExpr):
        return None
    shapes = {"fixed": ("initial",), "exponential": ("initial", "factor", "max"),
              "linear": ("initial", "step", "max")}
    if not isinstance(expr, ast.CallExpr) or expr.func.name not in shapes:
        report(make("W411", "backoff is fixed(D), exponential(D, factor: F, max: D) or linear(D, step: D, max: D)",
                    expr.span))
        return None
    kind = expr.func.name
    args = _arguments(expr, shapes[kind], report)
    if args is None:
        return None
    if "initial" not in args:
        if not any(isinstance(a.value, ast.ErrorExpr) for a in expr.args):
            report(make("W411", f"{kind} needs its initial delay: {kind}(500ms)", expr.span))
        return None
    initial = _duration(args["initial"], "the initial delay", report)
    if initial is None:
        return None
    out: dict[str, object] = {"backoff": kind, "initial": initial, "max": None}
    if kind == "linear":
        out["step"] = initial
    if "factor" in args:
        factor = const_value(args["factor"])
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or isinstance(factor, Seconds):
            report(make("W411", "factor is a constant number such as 2.0", args["factor"].span))
            return None
        if factor < 1:
            report(make("W412", f"an exponential factor below 1 shrinks the delays: use at least 1, not {factor:g}",
                        args["factor"].span))
            return None
        out["factor"] = float(factor)
    if "step" in args:
        step = _duration(args["step"], "step", report)
        if step is None:
            return None
        out["step"] = step
    if "max" in args:
        cap = _duration(args["max"], "max", report)
        if cap is None:
            return None
        if cap < initial:
            report(make("W412", f"max ({format_seconds(cap)}) is below the initial delay "
                        f"({format_seconds(initial)})", args["max"].span))
            return None
        out["max"] = cap
    return out


def _jitter(expr: ast.Expr, report: Report) -> str | None:
    if isinstance(expr, ast.NoneLit):
        return "none"
    if isinstance(expr, ast.Name) and expr.name in ("full", "equal"):
        return expr.name
    if not isinstance(expr, ast.ErrorExpr):
        report(make("W411", "jitter is none, full or equal", expr.span))
    return None


def _on(expr: ast.Expr, report: Report) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    if isinstance(expr, ast.ErrorExpr):
        return None
    if not isinstance(expr, ast.ListExpr):
        report(make("W411", "on is a list of error kinds or exception names: [Timeout, \"ConnectionError\"]",
                    expr.span))
        return None
    kinds: list[str] = []
    exceptions: list[str] = []
    ok = True
    for item in expr.items:
        if isinstance(item, ast.Name):
            if item.name not in ERROR_KINDS:
                report(make("N220", f"unknown error kind '{item.name}': use one of {', '.join(ERROR_KINDS)}, "
                            "or a Python exception name as a string", item.span))
                ok = False
            elif item.name not in RETRYABLE:
                report(make("W412", f"a {item.name} error is never retried: retry on {', '.join(RETRYABLE)}",
                            item.span))
                ok = False
            elif item.name not in kinds:
                kinds.append(item.name)
        elif isinstance(item, ast.StringLit) and item.is_plain and _EXCEPTION_NAME.match(item.text):
            if item.text not in exceptions:
                exceptions.append(item.text)
        elif not isinstance(item, ast.ErrorExpr):
            report(make("W411", "on lists error kinds (Timeout) or exception class names (\"ConnectionError\")",
                        item.span))
            ok = False
    return (tuple(kinds), tuple(exceptions)) if ok else None


def policy_summary(policy: RetryPolicy) -> str:
    """The hover line: how long the retries can wait in all."""
    delays = policy.first_delays(7)
    shown = ", ".join(format_seconds(d) for d in delays[:6]) + (", …" if len(delays) > 6 else "")
    return (f"{policy.attempts} attempts; waits up to {format_seconds(policy.worst_case_delay)} between them"
            + (f" ({shown})" if delays else ""))

