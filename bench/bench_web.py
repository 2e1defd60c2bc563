"""Benchmark: the web pages over loopback on a realistic store (`bench/storegen.py`, 10,000 claims by default).

Run: `.venv/bin/python bench/bench_web.py [--claims N] [--seed S] [--rounds R]`.
Prints one JSON line per round. References measured in the same run: building the topic's JSON brief
(`briefbot brief --format json`, the same data), and `/healthz` on the same server.
Figures: a topic page rendered the first time in a snapshot and from the cache; claim and source
pages; `/healthz` latency while a big topic page renders (the pages render off the event loop).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession, web  # noqa: E402

from bench.storegen import generate  # noqa: E402
from bot.app import web_pages  # noqa: E402
from bot.core.briefing import brief  # noqa: E402
from bot.core.store import Store, load_store  # noqa: E402
from bot.runtime.health import health_routes  # noqa: E402
from bot.runtime.metrics import Metrics  # noqa: E402
from bot.runtime.settings import load_settings  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def timed_get(http: ClientSession, url: str) -> tuple[float, int, int]:
    t = time.perf_counter()
    async with http.get(url) as r:
        body = await r.read()
    return (time.perf_counter() - t) * 1000, r.status, len(body)


async def one_round(store: Store, samples: int) -> dict[str, float]:
    topic = max(store.topics, key=lambda t: len(store.claims_for(t)))
    t = time.perf_counter()
    brief(store, store.topics[topic]).model_dump_json()
    reference_ms = (time.perf_counter() - t) * 1000
    current = {"store": store}
    pages = web_pages(load_settings(web_signing_secret=SECRET, public_url="http://127.0.0.1"), {},
                      lambda: current["store"])
    app = web.Application()
    app.add_routes(health_routes(Metrics(), {}))
    app.add_routes(pages.routes())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    link = lambda path: base + str(pages.chat_link(path)).removeprefix("http://127.0.0.1")  # noqa: E731
    try:
        async with ClientSession() as http:
            health = [(await timed_get(http, base + "/healthz"))[0] for _ in range(samples)]
            render = asyncio.ensure_future(timed_get(http, link(f"/topics/{topic}")))
            during = []
            while not render.done():  # the loop keeps answering while the page renders in a thread
                during.append((await timed_get(http, base + "/healthz"))[0])
            first_ms, status, size = await render
            assert status == 200
            cached = [(await timed_get(http, link(f"/topics/{topic}")))[0] for _ in range(samples)]
            claims = sorted(store.claims)[:: max(1, len(store.claims) // samples)][:samples]
            claim_ms = [(await timed_get(http, link(f"/claims/{c}")))[0] for c in claims]
            sources = sorted(store.sources)[:: max(1, len(store.sources) // samples)][:samples]
            source_ms = [(await timed_get(http, link(f"/sources/{s}")))[0] for s in sources]
    finally:
        await runner.cleanup()
    return {
        "topic_claims": len(store.claims_for(topic)), "topic_page_mb": round(size / 1e6, 2),
        "json_brief_ms": round(reference_ms, 1), "topic_first_ms": round(first_ms, 1),
        "topic_first_vs_json_brief": round(first_ms / reference_ms, 2),
        "topic_cached_median_ms": round(statistics.median(cached), 1),
        "claim_page_median_ms": round(statistics.median(claim_ms), 2),
        "claim_page_p99_ms": round(percentile(claim_ms, 99), 2),
        "source_page_median_ms": round(statistics.median(source_ms), 2),
        "healthz_median_ms": round(statistics.median(health), 2),
        "healthz_during_render_p99_ms": round(percentile(during, 99), 2) if during else 0.0,
        "healthz_during_render_n": len(during),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "briefs", claims=args.claims, seed=args.seed)
        store = load_store(Path(tmp) / "briefs")
        for _ in range(args.rounds):
            print(json.dumps(asyncio.run(one_round(store, args.samples))), flush=True)


if __name__ == "__main__":
    main()
