"""Reading .coord files from disk for the command line: one clear error per bad input."""

from __future__ import annotations

from pathlib import Path

from coordlang.errors import SourceError


def unreadable(path: Path, exc: OSError, directory: str = "is a directory") -> str:
    """Why opening or reading ``path`` failed, in one line: ``PATH: no such file`` and the like
    (``directory`` says what a directory in its place is)."""
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: {directory}"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    return f"{path}: cannot read: {exc.strerror or exc}"


def read_source(path: Path) -> str:
    """The text of a .coord file; a SourceError naming the place and the fix otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(unreadable(path, exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(f"{path}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                          "save the file as UTF-8") from None


def expand_paths(args: list[str]) -> list[Path]:
    """Files named on the command line; a directory stands for the .coord files below it."""
    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.coord") if p.is_file())
            if not found:
                raise SourceError(f"{path}: no .coord files in this directory")
            out.extend(found)
        elif not path.exists():
            raise SourceError(f"{path}: no such file")
        else:
            out.append(path)
    return out
