"""Discord adapter figures: render time, and INTERACTION_CREATE → callback latency over loopback.

Run from the repository root: `python bench/discord_roundtrip.py [--n 200]`.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.discord.adapter import DiscordAdapter  # noqa: E402
from bot.adapters.discord.embeds import render_embeds  # noqa: E402
from bot.core.briefer import Briefer  # noqa: E402
from bot.core.store import load_store  # noqa: E402
from tests.fakes.discord_api import GUILD_ID, FakeDiscordAPI, interaction, option  # noqa: E402
from tests.fakes.documents import oversized_brief  # noqa: E402


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"


def bench_render(briefer: Briefer, n: int) -> None:
    for label, doc in (("fixture brief", briefer.answer("china")[0]), ("oversized brief", oversized_brief(briefer))):
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            pages = render_embeds(doc)
            samples.append((time.perf_counter() - start) * 1000)
        print(f"render_embeds {label} ({len(pages)} pages): {percentiles(samples)}")


async def bench_roundtrip(briefer: Briefer, n: int) -> None:
    fake = await FakeDiscordAPI().start()
    bot = DiscordAdapter(briefer, "bench-token", guild_id=int(GUILD_ID), api_url=fake.api_url,
                         gateway_url=fake.gateway_url, guild_ready_timeout=0.05)
    start = time.perf_counter()
    await bot.start()
    print(f"start (login, sync, gateway, ready): {(time.perf_counter() - start) * 1000:.0f} ms")
    try:
        for label, make in (("/brief china", lambda: interaction(2, "brief", [option("topic", "china")])),
                            ("autocomplete 'chi'", lambda: interaction(4, "brief", [option("topic", "chi", focused=True)]))):
            samples = []
            for _ in range(n):
                payload = make()
                start = time.perf_counter()
                await fake.dispatch("INTERACTION_CREATE", payload)
                record = fake.interactions[payload["id"]]
                while not record.callbacks:
                    await asyncio.sleep(0)
                samples.append((time.perf_counter() - start) * 1000)
            print(f"{label}: gateway event → callback recorded by the fake, n={n}: {percentiles(samples)}")
    finally:
        await bot.close()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--briefs", type=Path, default=ROOT / "tests" / "fixtures" / "briefs")
    args = parser.parse_args()
    briefer = Briefer(load_store(args.briefs))
    bench_render(briefer, args.n)
    asyncio.run(bench_roundtrip(briefer, args.n))


if __name__ == "__main__":
    main()
