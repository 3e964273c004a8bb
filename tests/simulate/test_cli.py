"""``coord simulate`` end to end, in process, on the examples' specs."""

from __future__ import annotations

import json

import pytest
from simkit import EXAMPLES, PROGRAMS

from coordlang.cli import main

ORDER_SAGA = EXAMPLES / "order_saga" / "order_saga.coord"
PAYMENTS = EXAMPLES / "payment_retries" / "payment_retries.coord"


def simulate(capsys, *args: str) -> tuple[int, str]:
    code = main(["simulate", *args])
    return code, capsys.readouterr().err


def test_order_saga_with_its_spec(tmp_path, capsys):
    out = tmp_path / "result.json"
    code, err = simulate(capsys, str(ORDER_SAGA), "--universes", "3", "--out", str(out))
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["program"], doc["spec"], doc["engine"], doc["seed"], doc["universes"]) == (
        "order_saga.coord", "simulate.toml", "interpreter", 2026, 3)
    order = doc["workflows"]["Order"]
    assert order["instances"] == doc["events"]["total"] - _followups(doc)
    assert set(order["statuses"]) == {"completed", "failed", "compensated", "cancelled", "running"}
    assert order["statuses"]["completed"] > order["statuses"]["compensated"] > 0
    # A paid order waits days for its delivery; Notify only mails.
    assert order["completion_by_status"]["completed"]["p50"] > 86_400
    assert doc["workflows"]["Notify"]["completion"]["max"] < 60
    charge = doc["handlers"]["charge"]
    assert set(charge["injected"]) == {"ConnectionError", "TimeoutError"}
    assert charge["timed_out"] > 0  # its lognormal tail passes its 5s timeout
    steps = {(s["workflow"], s["kind"], s["name"]) for s in doc["steps"]}
    assert {("Order", "do", "charge"), ("Order", "wait", "wait_payment"), ("Order", "call", "Notify"),
            ("Order", "compensate", "refund"), ("Notify", "do", "send_mail")} <= steps
    for heading in ("outcomes per universe", "completion time per workflow", "time per step", "handlers"):
        assert heading in err
    assert "universes/s" in err


def _followups(doc) -> int:
    """Input events that start no Order: confirmations, declines and deliveries."""
    routed = sum(s["statuses"].get("ok", 0) for s in doc["steps"] if s["kind"] == "wait")
    return doc["events"]["total"] - doc["workflows"]["Order"]["instances"] if routed else 0


def test_payment_retries_with_its_spec_and_flags(tmp_path, capsys):
    out = tmp_path / "result.json"
    code, _ = simulate(capsys, str(PAYMENTS), "--spec", str(PAYMENTS.parent / "simulate.toml"), "--universes", "2",
                       "--seed", "3", "--out", str(out), "--instances")
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["seed"] == 3
    # 2 per minute for 2 hours, evenly spaced: exactly 240 payments per universe.
    assert [u["counters"]["completed"] + u["counters"]["failed"] + u["counters"]["compensated"]
            + u["counters"]["running"] for u in doc["per_universe"]] == [240, 240]
    assert all(len(u["instances"]) == 240 for u in doc["per_universe"])
    assert doc["handlers"]["authorize"]["injected"]["ConnectionError"] > 0


def test_an_error_rate_of_1_without_a_retry_fails_every_order(tmp_path, capsys):
    spec = tmp_path / "all_fail.toml"
    spec.write_text('''
[simulation]
universes = 2

[arrivals.OrderPlaced]
process = "fixed"
rate = "1/min"
span = "30m"
fields = { order_id = { kind = "sequence", prefix = "o-" }, customer = "c", amount = 10.0, items = 1, vip = false }

[faults.charge]
errors = { ValueError = 1.0 }
''', encoding="utf-8")
    out = tmp_path / "result.json"
    assert simulate(capsys, str(ORDER_SAGA), "--spec", str(spec), "--out", str(out))[0] == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["events"]["min"] == doc["events"]["max"] == 30
    # ValueError is not in the policy's `on`, so one attempt each; nothing was charged, so there
    # is nothing to refund: failed, not compensated.
    assert doc["outcomes"]["failed"]["total"] == 60
    assert doc["outcomes"]["completed"]["total"] == doc["outcomes"]["compensated"]["total"] == 0
    assert doc["handlers"]["charge"]["attempts"] == doc["handlers"]["charge"]["injected"]["ValueError"] == 60


def test_the_json_is_the_same_for_any_number_of_workers(tmp_path, capsys):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for out, workers in ((one, "1"), (two, "2")):
        assert simulate(capsys, str(PAYMENTS), "--universes", "4", "--workers", workers, "--out", str(out))[0] == 0
    assert one.read_bytes() == two.read_bytes()


def test_a_bad_spec_is_one_line_and_exit_2(tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text("[arrivals.OrderPlaced]\nrate = 1\ncount = 1\nfields = { order_id = \"o\", customer = \"c\", "
                    "amount = 1.0, items = 1, vip = false }\n[faults.charg]\nlatency = 1\n", encoding="utf-8")
    code, err = simulate(capsys, str(ORDER_SAGA), "--spec", str(spec))
    assert code == 2
    assert err.strip().splitlines() == [
        f"coord: {spec}: faults.charg: the program declares no handler 'charg' (did you mean 'charge'?); its handlers "
        "are score, charge, refund, ship, send_mail"]


def test_no_spec_beside_the_program(tmp_path, capsys):
    program = tmp_path / "p.coord"
    program.write_text((PROGRAMS / "latency.coord").read_text(encoding="utf-8"), encoding="utf-8")
    code, err = simulate(capsys, str(program))
    assert code == 2 and "no --spec given and no simulate.toml beside it" in err


@pytest.mark.parametrize("flag, value", [("--universes", "0"), ("--workers", "0"), ("--seed", "-1")])
def test_bad_flags(capsys, flag, value):
    code, err = simulate(capsys, str(ORDER_SAGA), flag, value)
    assert code == 2 and flag in err


def test_a_program_with_errors_does_not_run(tmp_path, capsys):
    program = tmp_path / "broken.coord"
    program.write_text("workflow W on Nothing as n key id {\n    complete\n}\n", encoding="utf-8")
    (tmp_path / "simulate.toml").write_text("", encoding="utf-8")
    code, err = simulate(capsys, str(program))
    assert code == 1 and "not run" in err


def test_the_json_to_standard_output(capsys):
    assert main(["simulate", str(PAYMENTS), "--universes", "1", "--out", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["universes"] == 1 and doc["per_universe"][0]["universe"] == 0
