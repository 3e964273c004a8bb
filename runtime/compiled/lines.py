"""Source text, line by line, for the code generators."""

from __future__ import annotations

NJIT = "@njit(cache=True)"


class Lines:
    def __init__(self) -> None:
        self.out: list[str] = []

    def __call__(self, depth: int, text: str) -> None:
        self.out.append("    " * depth + text)

    def text(self) -> str:
        """The source, with ``st.I``/``st.F`` bound to locals in every function that takes the
        state: read from the StructRef at each use, the arrays' descriptors would be reloaded
        after every store (LLVM cannot tell that a store into ``I`` leaves ``st`` unchanged)."""
        out: list[str] = []
        lines = self.out
        n = 0
        while n < len(lines):
            line = lines[n]
            out.append(line)
            n += 1
            if line.startswith("def ") and "(st," in line:
                if n < len(lines) and lines[n].strip().startswith('"""'):
                    while True:  # the docstring stays first
                        out.append(lines[n])
                        n += 1
                        if out[-1].rstrip().endswith('"""') and (out[-1].count('"""') == 2 or
                                                                 not out[-1].strip().startswith('"""')):
                            break
                out.append("    I = st.I")
                out.append("    F = st.F")
                out.append("    C = st.C")
                out.append("    FC = st.FC")
        text = "\n".join(out) + "\n"
        for name in ("I", "F", "C", "FC"):
            text = text.replace(f"st.{name}[", f"{name}[")
        return text
