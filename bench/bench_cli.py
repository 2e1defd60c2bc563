"""Benchmark: whole-process time of `briefbot brief china`, this checkout against another commit, side by side.

Run: `.venv/bin/python bench/bench_cli.py [--against REV] [--runs 15]` (REV defaults to HEAD~1). The
other commit is checked out in a temporary git worktree; both run with this venv's interpreter, on
the same `briefs/`, alternating, so the machine's load falls on both alike.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _time(checkout: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "--briefs", str(ROOT / "briefs"), *args], cwd=checkout, env=env,
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default="HEAD~1")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("command", nargs="*", default=["brief", "china"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "other"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), args.against],
                       check=True, capture_output=True)
        try:
            here, there = [], []
            for _ in range(args.runs):
                here.append(_time(ROOT, args.command))
                there.append(_time(other, args.command))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)], check=False)
    a, b = statistics.median(here), statistics.median(there)
    print(f"`briefbot {' '.join(args.command)}`, median of {args.runs}: this checkout {a * 1000:.0f} ms, "
          f"{args.against} {b * 1000:.0f} ms, ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
