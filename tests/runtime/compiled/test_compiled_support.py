"""What the compiled backend refuses, before any event, and how it says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coordlang.ir.compile import compile_file
from coordlang.runtime.compiled import CompiledExecutor, UnsupportedProgram, ensure_supported
from coordlang.runtime.compiled.support import ensure_supported as plan_of

HEAD = """
event Go { id: str, n: int, x: float }
event Ping { id: str, n: int }
handler bump(n: int, x: float) -> float = "ct_handlers:bump" jit
handler name(id: str, n: int) -> str = "ct_handlers:name"
handler broken(n: int) -> int = "ct_handlers:broken" jit
"""


def compiled_program(tmp_path: Path, body: str):
    path = tmp_path / "case.coord"
    path.write_text(HEAD + body, encoding="utf-8")
    return compile_file(path)


def refusal(tmp_path: Path, body: str) -> str:
    with pytest.raises(UnsupportedProgram) as caught:
        ensure_supported(compiled_program(tmp_path, body))
    return str(caught.value)


def test_a_call_in_a_branch_is_supported_and_its_callee_compiled(tmp_path: Path) -> None:
    plan = plan_of(compiled_program(tmp_path, """
workflow W on Go as g key id {
    parallel {
        { await Ping as p }
        { let n = call Child(id: g.id) }
    }
}
workflow Child(id: str) key id -> int {
    complete 1
}
"""))
    assert [lay.machine.name for lay in plan.machines] == ["W", "Child"]
    assert plan.calls and plan.barriers == {0, 1}


def test_a_float_key_of_a_called_workflow_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, """
workflow W on Go as g key id {
    let n = call Child(x: g.x)
}
workflow Child(x: float) key x -> int {
    complete 1
}
""")
    assert re.fullmatch(r"not supported by the compiled backend yet: a key of type float \(Child\) at "
                        r".*case\.coord:11:10", message), message


def test_parallel_and_race_are_supported(tmp_path: Path) -> None:
    plan = plan_of(compiled_program(tmp_path, """
workflow W on Go as g key id {
    race {
        { await Ping as p }
        {
            parallel {
                { await Ping as q }
                { sleep 1s }
            }
        }
    }
}
"""))
    # Rows per instance: the main thread, two race branches, the parallel's two branches.
    assert "ROWS = 5 " in plan.source


def test_the_first_construct_in_the_source_is_named(tmp_path: Path) -> None:
    # C is compiled last (it is called), V second; C comes first in the source.
    message = refusal(tmp_path, """
workflow C(x: float) key x -> int { complete 1 }
workflow W on Go as g key id {
    let n = call C(x: g.x)
}
workflow V on Go as v key x {
    complete
}
""")
    assert "a key of type float (C)" in message and message.endswith("case.coord:8:10"), message


def test_the_least_of_strings_in_a_stream_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, """
event Seen { id: int, n: int }
stream Names from Ping as p by n window count(3) {
    when min(p.id) == "a" emit Seen { id: key, n: 1 }
}
""")
    assert re.fullmatch(r"not supported by the compiled backend yet: min\(\) of strings in stream Names at "
                        r".*case\.coord:9:1", message), message


def test_a_string_built_in_a_reaction_guard_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, """
on Ping as p where "{p.n}" == "1" { emit Go { id: p.id, n: p.n, x: 1.0 } }
""")
    assert re.fullmatch(r"not supported by the compiled backend yet: string interpolation in the guard of a "
                        r"reaction at .*case\.coord:8:1", message), message


def test_an_int_stored_in_a_float_variable_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, """
workflow W on Go as g key id -> float {
    let x = 0.5
    x = g.n
    complete x
}
""")
    assert "an int value stored in 'x' of type float" in message


def test_a_string_built_in_a_guard_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, """
workflow W on Go as g key id {
    await Ping as p where "{p.n}" == "3"
}
""")
    assert "string interpolation here" in message


def test_a_float_key_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, """
workflow W on Go as g key x {
    complete
}
""")
    assert "a key of type float (W)" in message


def test_a_jit_handler_numba_cannot_compile_is_named(tmp_path: Path) -> None:
    program = compiled_program(tmp_path, """
workflow W on Go as g key id -> int {
    let n = do broken(g.n)
    complete n
}
""")
    ensure_supported(program)
    with pytest.raises(UnsupportedProgram, match=r"jit handler broken \('ct_handlers:broken', .*case\.coord:6:1\) "
                                                 r"does not compile with numba for \(int64\): NameError"):
        CompiledExecutor(program)


def test_what_is_never_run_is_not_checked(tmp_path: Path) -> None:
    # Version 1 and a workflow started only by call never run: their calls do not matter.
    ensure_supported(compiled_program(tmp_path, """
workflow W on Go as g key id version 1 {
    call Called(id: g.id)
}
workflow W on Go as g key id version 2 {
    complete
}
workflow Called(id: str) key id {
    call Leaf(id: id)
}
workflow Leaf(id: str) key id {
    complete
}
"""))
