"""``coord check`` as a user runs it: a subprocess, its output and exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BROKEN = "event E { id: str }\nworkflow W on E as e key id {\n    let x = = 1\n    complete\n}\n"


def coord(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coordlang", *args], capture_output=True, text=True,
                          cwd=cwd, input=stdin, timeout=120)


def test_errors_print_place_code_and_excerpt(tmp_path: Path) -> None:
    f = tmp_path / "broken.coord"
    f.write_text(BROKEN)
    result = coord("check", str(f))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first == f"{f}:3:13: error P101 unexpected '='; expected an expression"
    assert "    3 |     let x = = 1" in result.stdout
    assert "^" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_format(tmp_path: Path) -> None:
    f = tmp_path / "broken.coord"
    f.write_text(BROKEN)
    result = coord("check", "--format", "json", str(f))
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert items[0] == {"file": str(f), "line": 3, "column": 13, "end_line": 3, "end_column": 14,
                        "severity": "error", "code": "P101", "message": "unexpected '='; expected an expression"}


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    f = tmp_path / "ok.coord"
    f.write_text("event E { id: str }\n")
    assert coord("check", str(f)).returncode == 0


def test_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = coord("check", str(tmp_path / "nope.coord"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"coord: {tmp_path / 'nope.coord'}: no such file"


def test_directory_without_coord_files(tmp_path: Path) -> None:
    result = coord("check", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"coord: {tmp_path}: no .coord files in this directory"


def test_unreadable_bytes(tmp_path: Path) -> None:
    f = tmp_path / "latin.coord"
    f.write_bytes(b"event E { id: str }\n# caf\xe9\n")
    result = coord("check", str(f))
    assert result.returncode == 2
    assert result.stderr.strip() == f"coord: {f}:2:6: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    assert "Traceback" not in result.stderr


def test_directory_expands_to_its_coord_files(tmp_path: Path) -> None:
    (tmp_path / "a.coord").write_text("event A { id: str }\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.coord").write_text(BROKEN)
    result = coord("check", str(tmp_path))
    assert result.returncode == 1
    assert "b.coord:3:13" in result.stdout


def test_fmt_check_lists_files_that_would_change(tmp_path: Path) -> None:
    f = tmp_path / "a.coord"
    f.write_text("event   E {id:str}\n")
    result = coord("fmt", "--check", str(f))
    assert result.returncode == 1
    assert result.stdout.strip() == f"would reformat {f}"
    assert f.read_text() == "event   E {id:str}\n", "--check changes nothing"


def test_fmt_rewrites_in_place_and_is_then_clean(tmp_path: Path) -> None:
    f = tmp_path / "a.coord"
    f.write_text("event   E {id:str}\n")
    assert coord("fmt", str(f)).returncode == 0
    assert f.read_text() == "event E { id: str }\n"
    assert coord("fmt", "--check", str(f)).returncode == 0


def test_fmt_stdin_to_stdout() -> None:
    result = coord("fmt", "-", stdin="event   E {id:str}\n")
    assert (result.returncode, result.stdout) == (0, "event E { id: str }\n")


def test_fmt_refuses_a_file_with_syntax_errors(tmp_path: Path) -> None:
    f = tmp_path / "broken.coord"
    f.write_text(BROKEN)
    result = coord("fmt", str(f))
    assert result.returncode == 1
    assert f.read_text() == BROKEN, "a broken file is never rewritten"
    assert "not formatted" in result.stderr and "P101" in result.stderr


def test_examples_are_canonically_formatted() -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    result = coord("fmt", "--check", str(examples))
    assert result.returncode == 0, result.stdout


def test_examples_check_clean() -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    result = coord("check", "--format", "json", str(examples))
    assert result.returncode == 0
    assert [d for d in json.loads(result.stdout) if d["severity"] in ("error", "warning")] == []
