"""Exactly-once digests under faults, as an operator would run them: `briefbot run` processes against the fake
Slack (20 channels, multi-page digests), killed with SIGKILL at seeded random points and restarted, two
instances on one PostgreSQL with one killed, and PostgreSQL stopped for 3 s mid fan-out; plus the in-process
fault matrix through the real adapters with random HTTP faults.

Prints one JSON object per trial and a Markdown table for BENCHMARKS.md:

    .venv/bin/python bench/bench_faults.py --restart 8 --discord 4 --two 4 --default-lease 2 --db-stop 3 --matrix 4
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.runtime.crash_trials import PostgresCluster, TrialResult, run_trial  # noqa: E402


async def matrix_trial(seed: int, platform: str) -> TrialResult:
    """Random HTTP faults (p = 0.3, at most 8) on 10 channels through the real adapter."""
    from tests.digests.test_fault_matrix import DIGEST, PERIOD, Rig, discord_rig, slack_rig  # noqa: F401
    from tests.digests import test_fault_matrix as fm
    from bot.core.briefer import Briefer
    from bot.core.config import Channel, Platform
    from bot.core.store import load_store
    from bot.digests.ledger import delivery_key
    from tests.fakes.faults import Fault

    result = TrialResult(f"matrix-{platform}", seed)
    briefer = Briefer(load_store(ROOT / "tests" / "fixtures" / "briefs"))
    maker = slack_rig if platform == "slack" else discord_rig
    with tempfile.TemporaryDirectory() as tmp:
        async with maker(Path(tmp), briefer) as rig:
            prefix = "C1" if platform == "slack" else "3000000000000000200"
            rig.channels = [Channel(id=f"r{n}", platform=Platform(platform), channel_id=f"{prefix}{n:02d}")
                            for n in range(10)]
            rig.deliverer = fm.make_deliverer(rig.ledger, rig.adapter, rig.sleeps, attempts=10)
            path = rig.post_path
            menu = [Fault("POST", path, status=503), Fault("POST", path, status=500, when="after"),
                    Fault("POST", path, kind="reset", when="after"), Fault("POST", path, kind="reset"),
                    Fault("POST", path, kind="stall", when="after", stall=fm.STALL),
                    Fault("POST", path, status=429, retry_after=1)]
            rig.plan.random(seed, "POST", path, p=0.3, menu=menu, limit=8)
            await rig.run()
            result.db_outages = 0
            result.kills = len(rig.plan.fired)  # faults injected
            pages = rig.pages()
            result.pages_expected = pages
            for channel in rig.channels:
                key = delivery_key(DIGEST, channel.address, PERIOD)
                got = rig.received(channel)
                result.delivered += len(set(got))
                result.duplicated += len(got) - len(set(got))
                result.lost += len({(key, n) for n in range(1, pages + 1)} - set(got))
    return result


def table(results: list[TrialResult]) -> str:
    rows = ["| scenario | lease | trials | faults injected | pages delivered | lost | duplicated | failed rows | "
            "takeover after a kill (median / max) | takeover ÷ lease (median) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for scenario, lease in dict.fromkeys((r.scenario, r.lease) for r in results):
        group = [r for r in results if (r.scenario, r.lease) == (scenario, lease)]
        faults = sum(r.kills + r.db_outages for r in group)
        takeovers = [t for r in group for t in r.takeovers]
        took = f"{statistics.median(takeovers):.2f} s / {max(takeovers):.2f} s" if takeovers else "–"
        ratio = f"{statistics.median(takeovers) / lease:.2f}" if takeovers else "–"
        shown = f"{lease:g} s" if not scenario.startswith("matrix") else "–"
        rows.append(f"| {scenario} | {shown} | {len(group)} | {faults} | {sum(r.delivered for r in group)} | "
                    f"{sum(r.lost for r in group)} | {sum(r.duplicated for r in group)} | "
                    f"{sum(r.failed_rows for r in group)} | {took} | {ratio} |")
    return "\n".join(rows)


async def main(args: argparse.Namespace) -> None:
    logging.disable(logging.WARNING)  # the retries' warnings are expected here
    results: list[TrialResult] = []

    def keep(result: TrialResult) -> None:
        results.append(result)
        print(json.dumps(asdict(result)), flush=True)

    for seed in range(args.restart):
        keep(await run_trial("restart", 100 + seed, kills=2))
    for seed in range(args.discord):
        keep(await run_trial("restart", 150 + seed, kills=2, platform="discord"))
    cluster = PostgresCluster() if args.two or args.db_stop or args.default_lease or args.discord else None
    try:
        for seed in range(args.two):
            keep(await run_trial("two", 200 + seed, database_url=cluster.url))  # type: ignore[union-attr]
        for seed in range(args.discord):
            keep(await run_trial("two", 220 + seed, database_url=cluster.url, platform="discord"))  # type: ignore[union-attr]
        for seed in range(args.default_lease):  # the shipped lease: what an operator waits after a crash
            keep(await run_trial("two", 250 + seed, database_url=cluster.url, lease="20"))  # type: ignore[union-attr]
        for seed in range(args.db_stop):
            keep(await run_trial("db-stop", 300 + seed, database_url=cluster.url, cluster=cluster))  # type: ignore[union-attr]
    finally:
        if cluster is not None:
            cluster.destroy()
    for seed in range(args.matrix):
        for platform in ("slack", "discord"):
            keep(await matrix_trial(400 + seed, platform))
    print()
    print(table(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--restart", type=int, default=8, help="trials of kill -9 and restart (2 kills each)")
    parser.add_argument("--discord", type=int, default=4, help="trials of restart and of two instances, on Discord")
    parser.add_argument("--two", type=int, default=4, help="trials of two instances on PostgreSQL, one killed")
    parser.add_argument("--default-lease", type=int, default=2,
                        help="trials of two instances with the default 20 s lease, one killed")
    parser.add_argument("--db-stop", type=int, default=3, help="trials of PostgreSQL stopped for 3 s mid fan-out")
    parser.add_argument("--matrix", type=int, default=4, help="trials of random HTTP faults per platform")
    asyncio.run(main(parser.parse_args()))
