"""The event log's writer and reader side by side with those of an earlier revision (a frame
per record, log format 2, by default), on the same records.

    python -m benchmarks.log_framing [--orders N] [--runs N] [--before REV]

The records are those of a real interpreter recording of the orders workload, packed once;
each run appends all of them with each writer in turn (alternating, so both see the same
machine), then reads each log back. The earlier ``runtime/eventlog/log.py`` is taken from git
(``git show REV:...``) and imported beside the current one; its frames and records modules are
the current ones, which its writer uses unchanged.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.eventlog import record  # noqa: E402
from benchmarks.report import machine  # noqa: E402
from benchmarks.workloads.orders.generate import PROGRAM, generate  # noqa: E402
from coordlang.ir.compile import compile_file  # noqa: E402
from coordlang.runtime.eventlog import log as current  # noqa: E402
from coordlang.runtime.eventlog import records  # noqa: E402
from coordlang.runtime.eventlog.frames import scan, segments  # noqa: E402

BEFORE = "a0ffa3f"
"""The last revision that framed each record alone."""


def earlier_log_module(revision: str, folder: Path):
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:runtime/eventlog/log.py"],
                            capture_output=True, text=True, check=True).stdout
    path = folder / "earlier_log.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("earlier_log", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def append_rate(module, payloads: list[bytes], fsync: str, folder: Path, header: dict) -> float:
    writer = module.LogWriter(folder, header, fsync=fsync)
    began = time.perf_counter()
    for payload in payloads:
        writer.append_packed(payload)
    writer.close()
    return len(payloads) / (time.perf_counter() - began)


def frames_read_rate(folder: Path, batched: bool) -> float:
    """Records/s scanning a log's frames (checksums checked) and decoding them: what reading
    costs whatever the header says (the earlier reader refuses this version's headers)."""
    began = time.perf_counter()
    count = 0
    for segment in segments(folder):
        for payload in scan(segment.read_bytes()).payloads[1:]:
            count += len(records.unpack_batch(payload)) if batched else (records.unpack(payload) is not None)
    return count / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", default=BEFORE, help="the earlier revision (default %(default)s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coord-log-framing-") as tmp:
        tmp = Path(tmp)
        earlier = earlier_log_module(args.before, tmp)
        program = compile_file(PROGRAM)
        record(program, generate(args.orders).table, tmp / "recording")
        payloads = [records.pack(r) for r in current.read_log(tmp / "recording").records]
        head = {"format": "coordlog", "coordlang": records.__version__, "program": "bench", "file": "bench"}
        writers = {"before": (earlier, {**head, "version": 2}), "now": (current, {**head, "version": 3})}
        rates: dict[tuple[str, str], list[float]] = {}
        for run in range(args.runs):
            for fsync in ("batch", "never"):
                for name, (module, header) in writers.items():
                    rates.setdefault((name, fsync), []).append(
                        append_rate(module, payloads, fsync, tmp / f"{name}-{fsync}-{run}", header))
        reads = {name: statistics.median(frames_read_rate(tmp / f"{name}-never-0", name == "now")
                                         for _ in range(args.runs)) for name in writers}
        read_log = statistics.median(
            len(payloads) / _seconds(lambda: current.read_log(tmp / "now-never-0")) for _ in range(args.runs))
        size = {name: sum(p.stat().st_size for p in segments(tmp / f"{name}-never-0")) / len(payloads)
                for name in writers}
    about = machine()
    print(f"{len(payloads):,} records of {args.orders:,} orders; {about['cores']}-core {about['cpu']}, Python "
          f"{about['python']}; medians of {args.runs} runs")
    print(f"{'figure':44} {'before (' + args.before + ')':>18} {'now':>12} {'ratio':>7}")
    for fsync in ("batch", "never"):
        before, now = (statistics.median(rates[(n, fsync)]) / 1e6 for n in writers)
        print(f"{'append M records/s, --fsync ' + fsync:44} {before:18.2f} {now:12.2f} {now / before:6.1f}x")
    print(f"{'scan + decode M records/s':44} {reads['before'] / 1e6:18.2f} {reads['now'] / 1e6:12.2f} "
          f"{reads['now'] / reads['before']:6.1f}x")
    print(f"{'read_log M records/s (now)':44} {'':18} {read_log / 1e6:12.2f}")
    print(f"{'bytes on disk per record':44} {size['before']:18.1f} {size['now']:12.1f}")
    return 0


def _seconds(call) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


if __name__ == "__main__":
    sys.exit(main())
