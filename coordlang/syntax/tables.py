"""coord's LALR table in plain dicts, and the few automaton operations the parser needs.

Lark keys its gotos by ``Token`` objects, whose ``__eq__`` dominated the profile of a parse;
here a shift is an ``int`` (the next state) and a reduction a tuple ``(size, nonterminal,
callback)``. ``fits`` decides on the table alone whether a token would be shifted (after any
reductions), so that a refused token leaves the parser's state as it was: LALR may reduce on
a lookahead before it finds out, and error recovery needs the state the token was refused in.
"""

from __future__ import annotations

from copy import copy

from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser_state import ParseConf, ParserState

from coordlang.syntax.tokens import Token


class Tables:
    """One start symbol's LALR table as plain dicts, each reduction with its callback at hand."""

    __slots__ = ("conf", "actions", "end_state", "units")

    def __init__(self, conf: ParseConf) -> None:
        self.conf = conf
        self.end_state = conf.end_state
        self.units: dict[tuple[int, int, str], int] = {}
        """Memo of ``_climb``, filled as parses go."""
        callbacks = conf.callbacks
        self.actions: dict[int, dict[str, object]] = {
            state: {str(sym): arg if action is Shift else (len(arg.expansion), str(arg.origin.name), _callback(arg, callbacks))
                    for sym, (action, arg) in row.items()}
            for state, row in conf.parse_table.states.items()}


def _callback(rule, callbacks):
    """The rule's callback, or None for a ``?rule`` reducing one child to itself: an atom goes
    up through every precedence level (``postfix`` to ``or_expr``) before it is an ``expr``, and
    a call per level was most of a parse. The caller keeps the value and only changes state."""
    if rule.options.expand1 and len(rule.expansion) == 1 and not rule.alias:
        return None
    return callbacks[rule]


def shift_target(actions: dict, stack: list, kind: str, end_state: object = None) -> int | None:
    """The state the automaton in ``stack`` reaches by shifting ``kind`` (after any
    reductions), or None; for ``$END``, the end state once it is reached. Decided on the
    table alone: the real stack is left as it is."""
    depth = len(stack)  # stack[:depth] is what is left of the real stack
    pushed: list = []  # states pushed by simulated reductions
    while True:
        action = actions[pushed[-1] if pushed else stack[depth - 1]].get(kind)
        if action is None:
            return None
        if action.__class__ is int:
            return action
        size = action[0]
        drop = min(size, len(pushed))
        del pushed[len(pushed) - drop:]
        depth -= size - drop
        goto = actions[pushed[-1] if pushed else stack[depth - 1]][action[1]]
        if kind == "$END" and goto == end_state:
            return goto
        pushed.append(goto)


def fits(actions: dict, stack: list, kind: str, end_state: object = None) -> bool:
    """Whether the automaton in ``stack`` shifts ``kind`` (after any reductions): the repairs
    ask this of candidate tokens without changing the state."""
    return shift_target(actions, stack, kind, end_state) is not None


def no_callbacks(conf: ParseConf) -> ParseConf:
    """A copy of ``conf`` that builds nothing: for probing what a token would do."""
    quiet = copy(conf)
    quiet.callbacks = {}
    return quiet


def try_feed(actions: dict, state: ParserState, kind: str, tok: Token, units: dict) -> bool:
    """Feed ``tok`` if the automaton shifts it (after any reductions) and return True; else
    undo the reductions made on its account, leaving the state as it was, and return False.

    One pass instead of ``fits`` then ``feed``: LALR reduces on a lookahead and only then may
    find it refused (lookaheads merged from other contexts), which is rare, so the reductions
    are undone in that case instead of being simulated every time.

    ``units`` memoizes runs of one-child reductions, which depend only on the state below,
    the state on top and the lookahead: an atom climbing every precedence level is one lookup.
    """
    stack = state.state_stack
    values = state.value_stack
    undo: list | None = None
    while True:
        top = stack[-1]
        action = actions[top].get(kind)
        if action is None:
            if undo:
                for step in reversed(undo):
                    del stack[-1]
                    if step.__class__ is int:  # one-child reductions: only the top state changed
                        stack.append(step)
                    else:
                        del values[-1]
                        stack.extend(step[0])
                        values.extend(step[1])
            return False
        if action.__class__ is int:
            stack.append(action)
            values.append(tok)
            return True
        if undo is None:
            undo = []
        size, origin, callback = action
        if callback is None:
            key = (stack[-2], top, kind)
            climbed = units.get(key)
            if climbed is None:
                climbed = units[key] = _climb(actions, stack[-2], top, kind)
            undo.append(top)
            stack[-1] = climbed
            continue
        if size:
            children = values[-size:]
            undo.append((stack[-size:], children))
            del stack[-size:]
            del values[-size:]
        else:
            children = []
            undo.append(((), ()))
        stack.append(actions[stack[-1]][origin])
        values.append(callback(children))


def _climb(actions: dict, below: int, top: int, kind: str) -> int:
    """The top state after every one-child reduction ``kind`` triggers over ``below``."""
    while True:
        action = actions[top].get(kind)
        if action is None or action.__class__ is int or action[2] is not None:
            return top
        top = actions[below][action[1]]
