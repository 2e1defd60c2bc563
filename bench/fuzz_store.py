"""Fuzz the loader with seeded mutations of the real claim store: crashes, hangs, broken stores accepted.

Usage: python bench/fuzz_store.py [--briefs briefs] [--count 4000] [--seed 14] [--hang 5]

Each mutation edits one file of a fresh copy of the store (text, bytes, or what the file is: a FIFO, a
symlink to /dev/zero, a folder, a huge file, a .yml name). The loader must refuse the store with
problems naming file and line, or accept a whole store. Exit 1 on any crash, hang or broken store.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.store import load_store  # noqa: E402
from tests.fuzzing import Tally, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefs", type=Path, default=Path("briefs"))
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--hang", type=float, default=5.0, help="seconds after which a load counts as a hang")
    args = parser.parse_args()

    reference: list[float] = []
    load_store(args.briefs)  # warm: imports and caches are not what is measured
    for _ in range(20):
        started = time.perf_counter()
        load_store(args.briefs)
        reference.append(time.perf_counter() - started)

    def progress(n: int, tally: Tally) -> None:
        if n % 500 == 0:
            print(f"  {n} mutations: {tally.counts}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tally = run(args.briefs, args.count, args.seed, Path(tmp), args.hang, progress)
    wall = time.perf_counter() - started
    for _ in range(20):  # again after the run: the machine is shared, so the reference spans it
        begun = time.perf_counter()
        load_store(args.briefs)
        reference.append(time.perf_counter() - begun)
    ref = statistics.median(reference)
    times = sorted(tally.times)
    print(f"mutations: {args.count} (seed {args.seed}) of {args.briefs} in {wall:.1f} s")
    for outcome in ("refused", "accepted", "crash", "hang", "broken-accepted"):
        print(f"  {outcome}: {tally.counts.get(outcome, 0)}")
    print(f"reference: load of the unmutated store, median {ref * 1000:.1f} ms (40 loads, before and after)")
    print(f"per mutated store: median {statistics.median(times) * 1000:.1f} ms "
          f"({statistics.median(times) / ref:.2f}x reference), p99 {times[int(len(times) * 0.99)] * 1000:.1f} ms, "
          f"slowest {tally.slowest * 1000:.1f} ms ({tally.slowest / ref:.1f}x reference)")
    for outcome, examples in tally.examples.items():
        print(f"{outcome} examples:")
        for line in examples[:10]:
            print(f"  {line}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
