"""Benchmark: search latency on a 100,000-claim store shaped like the real one (bench/storegen.py).

Run: `.venv/bin/python bench/bench_search.py [--claims 100000] [--rounds 3]`.
Prints one JSON line: store load time, index build time, and per round the latency (median, p99) of
`SearchIndex.search` over a mix of queries (speakers, outlets, English and French phrases, accents,
typos, a query matching nothing), of `/brief QUERY` through the Briefer (search plus the results
view), and of a reference measured in the same run: a plain scan of every claim for the folded query
(what a search without an index costs). BENCHMARKS.md records the figures.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.storegen import generate  # noqa: E402
from bot.core.briefer import Briefer, prepare  # noqa: E402
from bot.core.search import SearchIndex  # noqa: E402
from bot.core.store import Store, load_store  # noqa: E402
from bot.core.topics import normalise  # noqa: E402

QUERIES = [
    "Lavrov", "zakharova", "Nabiullina", "Wang Yi", "lavorv", "nabiulina", "peskvo",  # speakers, typos
    "wall street journal", "Les Échos", "les echos", "kommersant", "bloomberg",  # outlets, accents
    "price cap on russian crude", "power of siberia", "sanctions on russian banks",  # English phrases
    "selon des sources proches du dossier", "élites mondialistes", "elites mondialistes",  # French
    "terres rares de Sibérie", "terres rares de siberie", "gazprm", "grain corridor", "qqqzzzx",
]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values) * 1000, 3), "p99_ms": round(percentile(values, 99) * 1000, 3)}


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        for q in QUERIES:
            start = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - start)
    return out


def scan_reference(store: Store):  # type: ignore[no-untyped-def]
    """A search without an index: every claim's folded text checked for every folded query word."""
    texts = [normalise(f"{e.claim.statement} {e.claim.quote} {e.claim.speaker or ''}") for e in store.claims.values()]

    def scan(query: str) -> int:
        words = normalise(query).split()
        return sum(1 for t in texts if all(w in t for w in words))

    return scan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10, help="passes over the query mix per round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "briefs"
        generate(root, claims=args.claims, seed=7)
        start = time.perf_counter()
        store = load_store(root)
        load_s = time.perf_counter() - start
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    index = SearchIndex(store)
    build_s = time.perf_counter() - start
    prepared = prepare(store, warm=False)
    object.__setattr__(prepared.views, "_search", index)  # the same index, so /brief does not build another
    briefer = Briefer(prepared)
    scan = scan_reference(store)
    hits = {q: len(index.search(q)) for q in QUERIES}
    rounds = []
    for _ in range(args.rounds):
        search = timed(index.search, args.repeat)
        command = timed(lambda q: briefer.answer(q), args.repeat)
        reference = timed(scan, 1)
        rounds.append({"search": ms(search), "brief_command": ms(command), "scan_reference": ms(reference),
                       "ratio_search_to_scan_median": round(statistics.median(search) / statistics.median(reference), 4)})
    print(json.dumps({
        "claims": len(store.claims), "sources": len(store.sources), "queries": len(QUERIES),
        "load_s": round(load_s, 2), "index_build_s": round(build_s, 2),
        "index_rss_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1),
        "results_per_query": hits, "rounds": rounds,
    }))


if __name__ == "__main__":
    main()
