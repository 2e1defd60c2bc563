"""Benchmark: the claim store at 1k, 10k and 100k claims, each figure next to its reference in one run.

Run: `.venv/bin/python bench/bench_store.py [--sizes 1000,10000,100000] [--runs 3] [--edits 10]`.

For each size a realistic store (`bench/storegen.py`) is written once, then each phase runs in a fresh
process, alternating, `--runs` times:

- floor: PyYAML's C loader only composing every file (read included): the reference of the load figures;
- cold: `load_store` with an empty STATE_DIR (parse, validate, check; the snapshot is written behind,
  in a thread, and the time it still runs after prepare is reported), then `prepare` (every topic's
  brief built, signals computed and kept);
- warm: the same with the snapshot current;
- each load phase reports RSS after load + prepare;
- edit: a running Briefer + Reloader; one source file edited per round; time from the write until the
  Briefer serves the new version and the summary of the edited claim's topic is ready in it (the
  reloader builds the touched topics' summaries after serving; a command before that builds its own),
  `--edits` rounds.

Prints one JSON line per size and a markdown table of medians with the ratios BENCHMARKS.md records.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.edits import time_edit  # noqa: E402
from bench.storegen import generate  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return round(int(f.read().split()[1]) * resource.getpagesize() / 2**20, 1)


def phase_floor(root: Path) -> dict[str, float]:
    """The reference: compose every file with libyaml through PyYAML, nothing else."""
    import gc

    import yaml

    gc.disable()  # as the loader does
    loader = getattr(yaml, "CSafeLoader")
    start = time.perf_counter()
    for path in sorted(root.glob("*/*.yaml")):
        yaml.compose(path.read_text(encoding="utf-8"), Loader=loader)
    return {"floor_s": time.perf_counter() - start}


def phase_load(root: Path, state: Path) -> dict[str, float]:
    """load_store then prepare, as `briefbot run` starts."""
    from bot.core.briefer import prepare
    from bot.core.snapshot import wait_for_writes
    from bot.core.store import load_store

    start = time.perf_counter()
    store = load_store(root, state_dir=state)
    load_s = time.perf_counter() - start
    t0 = time.perf_counter()
    prepare(store)
    prepare_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    wait_for_writes()  # the snapshot is written behind the load; how long it still ran after prepare
    return {"load_s": load_s, "prepare_s": prepare_s, "write_wait_s": time.perf_counter() - t1,
            "parsed": len(store.parsed),
            "claims": len(store.claims), "rss_mb": _rss_mb(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


async def _edits(root: Path, state: Path, edits: int) -> dict[str, float]:
    from bot.core.briefer import Briefer, prepare
    from bot.core.store import load_store
    from bot.curation.reload import Reloader

    briefer = Briefer(prepare(load_store(root, state_dir=state)))
    reloader = Reloader(briefer, root, state_dir=state)
    await reloader.start()
    sources = sorted((root / "sources").glob("*.yaml"))
    latencies, reloads = [], []
    try:
        for n in range(edits):
            path = sources[(n * 7919) % len(sources)]
            text = path.read_text(encoding="utf-8")
            edited = text.replace('  statement: "', f'  statement: "(edit {n}) ', 1)
            topic = briefer.store.sources[path.stem].claims[0].topics[0]  # the edited claim's first topic
            latencies.append(await time_edit(briefer, path, edited, limit=60, topic=topic))
            reloads.append(reloader.last_store.seconds if reloader.last_store else float("nan"))
            _check_served(briefer, path.stem, n)
            async with reloader.settled():  # the next edit on a settled bot, not queued behind this one's rebuild
                pass
    finally:
        await reloader.stop()
    return {"edit_median_ms": statistics.median(latencies) * 1000, "edit_max_ms": max(latencies) * 1000,
            "reload_median_ms": statistics.median(reloads) * 1000}


def _check_served(briefer: object, source_id: str, n: int) -> None:
    """The edited claim is in the brief now served (outside the timing)."""
    from bot.core.briefer import Briefer

    assert isinstance(briefer, Briefer)
    store = briefer.store
    claim = store.sources[source_id].claims[0]
    assert claim.statement.startswith(f"(edit {n})"), claim.statement
    doc = briefer.prepared.document(store.topics[claim.topics[0]])  # the full brief of this snapshot
    assert f"(edit {n})" in repr(doc) or not claim.key, "edited claim missing from the served brief"


def phase_edit(root: Path, state: Path, edits: int) -> dict[str, float]:
    return asyncio.run(_edits(root, state, edits))


def _run(phase: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *args], capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure_size(claims: int, runs: int, edits: int, tmp: Path) -> dict[str, float]:
    root = tmp / f"store-{claims}" / "briefs"
    stats = generate(root, claims)
    floors, colds, warms = [], [], []
    for _ in range(runs):
        state = tmp / f"state-{claims}"
        shutil.rmtree(state, ignore_errors=True)
        floors.append(_run("floor", str(root)))
        colds.append(_run("load", str(root), str(state)))
        warms.append(_run("load", str(root), str(state)))
        assert warms[-1]["parsed"] == 0, "the warm load parsed files"
    edit = _run("edit", str(root), str(tmp / f"state-{claims}"), str(edits)) if edits else {}
    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    floor = med(floors, "floor_s")
    return {
        "claims": stats.claims, "sources": stats.sources, "topics": stats.topics, "mb": round(stats.bytes / 2**20, 1),
        "floor_s": round(floor, 3),
        "cold_load_s": round(med(colds, "load_s"), 3), "cold_ratio": round(med(colds, "load_s") / floor, 2),
        "warm_load_s": round(med(warms, "load_s"), 3), "warm_ratio": round(med(warms, "load_s") / floor, 2),
        "cold_prepare_s": round(med(colds, "prepare_s"), 3), "cold_write_wait_s": round(med(colds, "write_wait_s"), 3), "warm_prepare_s": round(med(warms, "prepare_s"), 3),
        "cold_rss_mb": med(colds, "rss_mb"), "warm_rss_mb": med(warms, "rss_mb"),
        "peak_mb": round(max(r["peak_mb"] for r in colds + warms), 1),
        **{k: round(v, 1) for k, v in edit.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        paths = [Path(a) for a in args.args]
        result = {"floor": lambda: phase_floor(paths[0]), "load": lambda: phase_load(paths[0], paths[1]),
                  "edit": lambda: phase_edit(paths[0], paths[1], int(args.args[2]))}[args.phase]()
        print(json.dumps(result))
        return
    bare = subprocess.run([sys.executable, "-c", "import bot.core.briefer, bot.curation.reload;"
                           "print(open('/proc/self/statm').read().split()[1])"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    bare_mb = round(int(bare.stdout) * resource.getpagesize() / 2**20, 1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            row = measure_size(size, args.runs, args.edits, Path(tmp))
            row["bare_rss_mb"] = bare_mb
            print(json.dumps(row), flush=True)
            rows.append(row)
    print("\n| claims | floor | cold load | cold / floor | warm load | warm / floor | prepare cold / warm |"
          " RSS after load+prepare (cold / warm) | edit → served, median (max) | reload in thread |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['claims']:,} | {r['floor_s']:.2f} s | {r['cold_load_s']:.2f} s | **{r['cold_ratio']:.2f}** |"
              f" {r['warm_load_s']:.2f} s | **{r['warm_ratio']:.2f}** | {r['cold_prepare_s']:.2f} s / {r['warm_prepare_s']:.2f} s |"
              f" {r['cold_rss_mb']:.0f} / {r['warm_rss_mb']:.0f} MB | {r.get('edit_median_ms', float('nan')):.0f} ms"
              f" ({r.get('edit_max_ms', float('nan')):.0f}) | {r.get('reload_median_ms', float('nan')):.0f} ms |")


if __name__ == "__main__":
    main()
