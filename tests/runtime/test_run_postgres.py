"""Two `briefbot run` processes sharing one PostgreSQL ledger: both answer commands, each digest period goes out once."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.digest_world import write_config
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.processes import BotProcess, bot_env, free_port, stop_all
from tests.runtime.test_run import briefs_with_china, metric, send_brief, wait_for_metric

pytestmark = pytest.mark.postgres
CHANNELS = 6


async def test_two_processes_answer_commands_and_send_each_period_once(postgres_url: str, tmp_path: Path) -> None:
    engine = create_engine(postgres_url)
    with engine.begin() as db:  # a clean ledger: the cluster is shared by the session's postgres tests
        db.execute(text("DROP TABLE IF EXISTS deliveries, digest_schedules"))
    fake = await FakeSlackAPI().start()
    fake.post_delay = 1.0  # posts take a while, so the second process's catch-up meets claims still open
    # A digest every minute: each process's start-up catch-up and its per-minute jobs race for the same rows.
    config = write_config(tmp_path / "config", channels=CHANNELS, schedule='{cron: "* * * * *"}', timezone="UTC",
                          platform="slack", topics="[china]")
    bots: list[BotProcess] = []
    try:
        for name in ("a", "b"):
            env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url,
                          PORT=str(free_port()), HOST="127.0.0.1", STATE_DIR=str(tmp_path / f"state-{name}"),
                          CONFIG_DIR=str(config), BRIEFS_DIR=str(briefs_with_china()), DATABASE_URL=postgres_url)
            bots.append(await BotProcess.start(env))
        await asyncio.gather(*(bot.wait_ready() for bot in bots))
        for i, bot in enumerate(bots):
            for n in range(2):
                assert (await send_brief(bot, "china", fake.response_url(f"T1/{i}-{n}/x")))[0] == 200
        await fake.wait_for(lambda: len(fake.replies) == 4)
        for bot in bots:  # each process answered its own two, and reports its database
            await wait_for_metric(bot, "briefbot_commands_total", 2, platform="slack", topic="china", outcome="brief")
            assert '"detail": "postgresql: writable"' in (await bot.get("/readyz"))[1]
        results: Counter[str] = Counter()
        end = time.monotonic() + 15
        while results["delivered"] < CHANNELS:  # the first period, whoever sent it
            assert time.monotonic() < end, (results, [bot.output for bot in bots])
            await asyncio.sleep(0.1)
            results = await digest_outcomes(bots)
        assert await stop_all(bots) == [0, 0]
    finally:
        for bot in bots:
            await bot.kill()
        await fake.stop()

    with engine.connect() as db:
        rows = db.execute(text("SELECT channel, period_key, status, claimed_by FROM deliveries")).all()
    engine.dispose()
    assert {r.status for r in rows} == {"posted"}
    periods = {r.period_key for r in rows}
    assert len(rows) == CHANNELS * len(periods)  # every channel has every period once
    posts = Counter((channel, m["metadata"]["event_payload"]["key"], m["metadata"]["event_payload"]["page"])
                    for channel, msgs in fake.messages.items() for m in msgs)
    assert posts and max(posts.values()) == 1, posts  # no page of any period posted twice
    keys_per_channel = Counter(channel for channel, _, page in posts if page == 1)
    assert keys_per_channel == {f"chan{i}": len(periods) for i in range(CHANNELS)}
    owners = Counter(r.claimed_by.rsplit(":", 1)[0] for r in rows)
    assert results["failed"] == 0
    print(f"periods {sorted(periods)}; rows won per process {dict(owners)}; outcomes {dict(results)}")


async def digest_outcomes(bots: list[BotProcess]) -> Counter[str]:
    """Digest deliveries by result, summed over the processes' /metrics."""
    results: Counter[str] = Counter()
    for bot in bots:
        exposition = (await bot.get("/metrics"))[1]
        for result in ("delivered", "skipped", "failed"):
            results[result] += int(metric(exposition, "briefbot_digests_total", platform="slack", result=result))
    return results
