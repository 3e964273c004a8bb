"""The compiler: golden IR listings of every example, and the lowering of each construct."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordlang.analysis import analyze
from coordlang.ir import nodes as ir
from coordlang.ir.compile import CompileError, compile_file, compile_program
from coordlang.ir.dump import dump

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*/*.coord") if p.stem == p.parent.name)
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_ir(path: Path, golden) -> None:
    golden.check(GOLDEN / f"{path.parent.name}.ir", dump(compile_file(path)))


def test_every_example_is_covered() -> None:
    assert len(EXAMPLES) >= 8


def compile_text(text: str, tmp_path: Path) -> ir.Program:
    path = tmp_path / "main.coord"
    path.write_text(text)
    return compile_program(analyze(text, path))


HEADER = '''event Start { id: str, n: int }
event Ping { id: str, ok: bool }
handler work(id: str) -> int = "h:work"
handler undo(id: str) -> bool = "h:undo"
policy p = retry(attempts: 3, backoff: fixed(1s))
'''


def test_programs_with_errors_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="run coord check"):
        compile_text("workflow W on Nope as n key id { }\n", tmp_path)


def test_await_with_else_and_without(tmp_path: Path) -> None:
    program = compile_text(HEADER + '''workflow W on Start as s key id {
    await Ping as a where a.ok within 5s else { fail "late" }
    await Ping as b within 1m
    complete a.ok
}
''', tmp_path)
    code = program.machine("W").code
    first = code[0]
    assert isinstance(first, ir.Wait) and first.kind == "await"
    assert first.clauses[0].event == "Ping" and first.clauses[0].guard is not None
    assert isinstance(code[first.timer.target], ir.FailWith)
    assert first.clauses[0].target == first.timer.target + 2  # past the else block and its jump
    second = code[first.clauses[0].target]
    assert isinstance(code[second.timer.target], ir.Raise) and code[second.timer.target].kind == "Timeout"


def test_for_loop_counts_up_to_the_excluded_bound(tmp_path: Path) -> None:
    program = compile_text(HEADER + '''workflow W on Start as s key id {
    let total = 0
    for i in 0..s.n { total = total + i }
    complete total
}
''', tmp_path)
    listing = dump(program)
    assert "if not ($i < $i$stop):bool goto" in listing
    assert "$i = ($i + 1):int" in listing


def test_pattern_expansion_is_hygienic(tmp_path: Path) -> None:
    program = compile_text(HEADER + '''pattern twice(h: handler, id: str, body: block) {
    let x = do h(id)
    body
    let y = do h(id)
}
workflow W on Start as s key id {
    let x = 10
    use twice(work, s.id, { x = x + 1 })
    complete x
}
''', tmp_path)
    m = program.machine("W")
    names = [slot.name for slot in m.slots]
    assert names.count("x") == 2, "the pattern's x is a slot of its own"
    caller_x = names.index("x")
    assigns = [i for i in m.code if isinstance(i, ir.Assign)]
    assert assigns[-1].slot == caller_x, "the block argument assigns the caller's x"
    steps = [i.step for i in m.code if isinstance(i, ir.Do)]
    assert steps == [0, 1], "each expanded call is a step of its own"


def test_compensation_and_parallel(tmp_path: Path) -> None:
    program = compile_text(HEADER + '''workflow W on Start as s key id {
    let r = do work(s.id) with p compensate undo(s.id)
    parallel {
        { do work(s.id) }
        { emit Ping { id: s.id, ok: true } }
    }
    complete r
}
''', tmp_path)
    code = program.machine("W").code
    do = code[0]
    assert do.compensation.handler == "undo" and do.policy == "p"
    fork = next(i for i in code if isinstance(i, ir.Fork))
    assert not fork.race and len(fork.branches) == 2
    assert all(isinstance(code[b - 1], (ir.Fork, ir.EndBranch)) for b in fork.branches)
    assert isinstance(code[fork.join - 1], ir.EndBranch)


def test_spans_point_at_source(tmp_path: Path) -> None:
    text = HEADER + "workflow W on Start as s key id {\n    fail \"no\"\n}\n"
    program = compile_text(text, tmp_path)
    fail = program.machine("W").code[0]
    ref = program.spans[fail.sid]
    assert text[ref.span.start:ref.span.end] == 'fail "no"'
    assert ref.path == tmp_path / "main.coord"
