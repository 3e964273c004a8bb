"""Source text, line by line, for the code generators."""

from __future__ import annotations

NJIT = "@njit(cache=True)"


class Lines:
    def __init__(self) -> None:
        self.out: list[str] = []

    def __call__(self, depth: int, text: str) -> None:
        self.out.append("    " * depth + text)

    def text(self) -> str:
        return "\n".join(self.out) + "\n"
