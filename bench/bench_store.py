"""Benchmark: load a realistic store (`bench/storegen.py`, 100,000 claims by default) and time briefs on it.

Run: `.venv/bin/python bench/bench_store.py [--claims N] [--seed S] [--briefs B]`.
Prints, as one JSON line: load time; the time to build one topic's brief (done off the command path,
when a store is prepared); the time to prepare every brief; the latency of a `/brief` command through
the Briefer (median, p99); memory after load and at peak. BENCHMARKS.md records the figures.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.briefer import Briefer  # noqa: E402
from bot.core.briefing import brief  # noqa: E402
from bot.core.compose import compose_brief  # noqa: E402
from bot.core.store import load_store  # noqa: E402
from bench.storegen import generate  # noqa: E402

def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def measure(root: Path, briefs: int) -> dict[str, float]:
    """Load the store and time briefs in this process."""
    start = time.perf_counter()
    store = load_store(root)
    load_s = time.perf_counter() - start
    after_load = _rss_now_mb()
    t0 = time.perf_counter()
    briefer = Briefer(store)  # indexes and warms every topic's brief, as a reload does in its thread
    prepare_s = time.perf_counter() - t0
    build = []
    for topic in store.topics.values():  # what prepare() does for each topic, timed one by one
        t1 = time.perf_counter()
        compose_brief(brief(store, topic))
        build.append((time.perf_counter() - t1) * 1000)
    rng = random.Random(1)
    topic_ids = sorted(store.topics)
    commands = [_timed(briefer, rng.choice(topic_ids).upper()) for _ in range(briefs)]
    return {
        "claims": len(store.claims), "sources": len(store.sources), "load_s": round(load_s, 2),
        "prepare_s": round(prepare_s, 2),
        "brief_build_median_ms": round(statistics.median(build), 1), "brief_build_p99_ms": round(percentile(build, 99), 1),
        "command_median_ms": round(statistics.median(commands), 3), "command_p99_ms": round(percentile(commands, 99), 3),
        "rss_after_load_mb": after_load,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _rss_now_mb() -> float:
    """Resident memory now (Linux), after loading: the store itself plus the interpreter."""
    with open("/proc/self/statm") as f:
        return round(int(f.read().split()[1]) * resource.getpagesize() / 2**20, 1)


def _timed(briefer: Briefer, query: str) -> float:
    t0 = time.perf_counter()
    doc, _ = briefer.answer(query)
    assert doc.tone == "info", doc
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    """Generate, then measure in a fresh process so peak RSS counts only the store."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--briefs", type=int, default=400)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.briefs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "briefs"
        generate(root, args.claims, args.seed)
        baseline = subprocess.run([sys.executable, "-c", "import resource, bot.core.briefer;"
                                   "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                                  capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
        out = subprocess.run([sys.executable, __file__, "--measure", str(root), "--briefs", str(args.briefs)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        result["baseline_rss_mb"] = round(int(baseline.stdout) / 1024, 1)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
