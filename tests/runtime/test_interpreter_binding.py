"""Binding handlers before any event runs: clear errors, the import path, the idempotency key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from irkit import HANDLERS, handler, machine, program

from coordlang.errors import CoordError
from coordlang.ir import nodes as ir
from coordlang.runtime.handlers import HandlerBindingError, bind_handlers, convert_result
from coordlang.runtime.interpreter import Interpreter
from coordlang.source import Span


def with_span(h: ir.HandlerDef, path: Path, text: str) -> ir.Program:
    path.write_text(text)
    declared = ir.HandlerDef(h.name, h.target, h.params, h.returns, h.timeout, h.idempotent, h.mode, h.directory, 0)
    start = text.index("handler")
    return ir.Program((), (declared,), (), (machine("W", [ir.Complete(None)]),), (), (),
                      (ir.SourceRef(path, Span(start, start + 7)),))


def test_a_missing_module_is_an_error_naming_the_handler_target_and_place(tmp_path):
    prog = with_span(handler("charge", "x"), tmp_path / "shop.coord", "# shop\n\nhandler charge() = \"nowhere:x\"\n")
    prog = ir.Program(prog.events, (ir.HandlerDef("charge", "nowhere_at_all:charge", (), "none", None, False, "plain",
                                                  tmp_path, 0),), (), prog.machines, (), (), prog.spans)
    with pytest.raises(HandlerBindingError) as caught:
        Interpreter(prog)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'shop.coord'}:3:1: handler charge: cannot import module 'nowhere_at_all'")
    assert "nowhere_at_all:charge" in message and isinstance(caught.value, CoordError)


def test_a_missing_function_and_a_non_function_are_errors(tmp_path):
    for function, words in (("absent", "does not exist"), ("NOT_A_FUNCTION", "is not callable")):
        prog = program(handlers=(handler("h", function),))
        with pytest.raises(HandlerBindingError, match=f"handler h: '{function}' in module 'rt_handlers' {words}"):
            bind_handlers(prog)


def test_a_target_without_a_function_is_an_error():
    prog = program(handlers=(ir.HandlerDef("h", "rt_handlers", (), "none", None, False, "plain", HANDLERS),))
    with pytest.raises(HandlerBindingError, match="is not 'module:function'"):
        bind_handlers(prog)


def test_binding_restores_the_import_path():
    before = list(sys.path)
    bind_handlers(program())
    assert sys.path == before


def test_a_module_of_the_same_name_from_the_declaring_folder_wins(tmp_path):
    for name, value in (("one", 1), ("two", 2)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "samename_handlers.py").write_text(f"def get():\n    return {value}\n")

    def getter(folder: str) -> ir.HandlerDef:
        return ir.HandlerDef("g", "samename_handlers:get", (), "int", None, False, "plain", tmp_path / folder)

    first = bind_handlers(program(handlers=(getter("one"),)))
    second = bind_handlers(program(handlers=(getter("two"),)))
    assert first["g"].function() == 1 and second["g"].function() == 2
    sys.modules.pop("samename_handlers", None)


def test_the_idempotency_key_is_passed_only_to_functions_that_take_it():
    bound = bind_handlers(program())
    assert bound["keyed"].accepts_key and not bound["echo"].accepts_key
    assert bound["keyed"].call(("x",), "k:1:1") == "x"


def test_results_are_converted_to_their_declared_types():
    import numpy as np
    assert convert_result(np.float64(2.5), "float") == 2.5 and type(convert_result(np.float64(2.5), "float")) is float
    assert type(convert_result(np.bool_(True), "bool")) is bool
    assert convert_result(3, "float") == 3.0 and type(convert_result(3, "float")) is float
    assert convert_result("anything", "none") is None


def test_a_coroutine_function_is_awaited_and_its_exception_is_the_call_s():
    bound = bind_handlers(program(handlers=(handler("later"),)))["later"]
    assert bound.call(("x",), "k") == "awaited x"
    with pytest.raises(LookupError):
        bound.call(("bad",), "k")
