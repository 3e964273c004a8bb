"""Trees compared without their spans: the formatter's promise is that the meaning, the tree
of the text it prints, is the tree of the text it read."""

from __future__ import annotations

import dataclasses

from coordlang.syntax import ast

_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name != "span")
    return names


def strip_spans(node: object) -> tuple:
    """A span-free, comparable encoding of an AST: its nodes in pre-order, each as
    ``("node", class name)`` followed by its fields (``("field", name)`` then the plain value or
    the encoding of the child), tuples as ``("tuple", length)``. Two texts mean the same when
    ``strip_spans(parse(a).module) == strip_spans(parse(b).module)``.

    The encoding is flat on purpose: comparing nested tuples recurses, and a long chain of
    ``+`` is a tree thousands of levels deep."""
    out: list[object] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Node):
            names = _fields(type(item))
            out.append(("node", type(item).__name__))
            for name in reversed(names):
                stack.append(getattr(item, name))
                stack.append(_Label(name))
        elif isinstance(item, tuple):
            out.append(("tuple", len(item)))
            stack.extend(reversed(item))
        elif isinstance(item, _Label):
            out.append(("field", item.name))
        else:
            out.append(item)
    return tuple(out)


@dataclasses.dataclass(frozen=True, slots=True)
class _Label:
    name: str
