"""`briefbot run` as a real process against the fake platforms: readiness, metrics, commands, SIGTERM, errors."""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.digest_world import write_config
from tests.fakes.discord_api import FakeDiscordAPI, interaction, option
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body
from tests.processes import ROOT, BotProcess, bot_env, free_port, run_to_exit, stop_all

BRIEFS = ROOT / "briefs"
FIXTURE_BRIEFS = ROOT / "tests" / "fixtures" / "briefs"
DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAwMQ.GfakeX.fake-discord-token-for-tests-only-0123"


def briefs_with_china() -> Path:
    """The curated store when it has the topic `china`, else the fixture store."""
    return BRIEFS if (BRIEFS / "topics" / "china.yaml").is_file() else FIXTURE_BRIEFS


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    fake = await FakeSlackAPI().start()
    yield fake
    await fake.stop()


def slack_env(fake: FakeSlackAPI, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A Slack HTTP-mode process on a free port, with a per-minute digest to two Slack channels."""
    config = write_config(tmp_path / "config", channels=2, schedule='{cron: "* * * * *"}', timezone="UTC",
                          platform="slack", topics="[china]")
    return bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url,
                   PORT=str(free_port()), HOST="127.0.0.1", STATE_DIR=str(tmp_path / "state"),
                   CONFIG_DIR=str(config), BRIEFS_DIR=str(briefs_with_china()), **extra)


async def send_brief(bot: BotProcess | str, text: str, response_url: str) -> tuple[int, str]:
    """POST a signed `/brief` slash command to the process (or base URL), as Slack does."""
    body = slash_command_body(text, response_url)
    base = bot if isinstance(bot, str) else bot.url
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        async with http.post(base + "/slack/events", data=body, headers=signed_headers(body),
                             timeout=aiohttp.ClientTimeout(total=5)) as resp:
            return resp.status, await resp.text()


def metric(text: str, name: str, **labels: str) -> float:
    """One sample's value from the Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name):line.index("}") + 1]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def wait_for_metric(bot: BotProcess, name: str, at_least: float, timeout: float = 10.0, **labels: str) -> str:
    """Poll /metrics until the sample reaches `at_least`; the last exposition."""
    end = time.monotonic() + timeout
    while True:
        _, text = await bot.get("/metrics")
        if metric(text, name, **labels) >= at_least or time.monotonic() > end:
            assert metric(text, name, **labels) >= at_least, text
            return text
        await asyncio.sleep(0.05)


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until `condition()` holds."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        await asyncio.sleep(0.01)


def ledger_rows(state: Path) -> list[tuple[str, str, str]]:
    """(channel, period, status) of every row in the process's SQLite ledger."""
    with sqlite3.connect(state / "ledger.sqlite") as db:
        return db.execute("SELECT channel, period_key, status FROM deliveries").fetchall()


async def test_slack_process_serves_counts_and_stops_cleanly_mid_reply(slack: FakeSlackAPI, tmp_path: Path) -> None:
    env = slack_env(slack, tmp_path)
    bot = await BotProcess.start(env)
    try:
        ready_after = await bot.wait_ready()
        status, body = await bot.get("/readyz")
        checks = json.loads(body)["checks"]
        assert checks["adapters"]["detail"] == "connected: slack" and checks["database"]["detail"] == "sqlite: writable"

        for n in range(3):
            assert (await send_brief(bot, "china", slack.response_url(f"T1/{n}/ok")))[0] == 200
        await slack.wait_for(lambda: len(slack.replies) == 3)
        assert all("blocks" in r.body for r in slack.replies)
        # The start-up catch-up sends this minute's digest to both channels through the fake.
        metrics = await wait_for_metric(bot, "briefbot_digests_total", 2, platform="slack", result="delivered")
        assert {"chan0", "chan1"} <= set(slack.messages)
        assert metric(metrics, "briefbot_commands_total", platform="slack", topic="china", outcome="brief") == 3
        assert metric(metrics, "briefbot_command_latency_seconds_count", platform="slack") == 3

        slack.reply_delay = 1.5
        assert (await send_brief(bot, "china", slack.response_url("T1/slow/ok")))[0] == 200
        await slack.wait_for(lambda: "T1-slow-ok" in slack.received)  # the reply is in flight
        signalled = time.monotonic()
        bot.signal()
        refused = False  # it stops taking commands while the reply is still on its way
        while not refused and time.monotonic() - signalled < 1.0:
            try:
                await send_brief(bot, "china", slack.response_url("T1/late/ok"))
            except aiohttp.ClientConnectionError:
                refused = True
            await asyncio.sleep(0.02)
        assert refused
        assert not [r for r in slack.replies if r.hook == "T1-slow-ok"]  # not yet delivered when refusing
        assert await bot.wait_exit() == 0
        stopped_after = time.monotonic() - signalled
    finally:
        await bot.kill()

    assert [r.hook for r in slack.replies].count("T1-slow-ok") == 1
    assert "T1-late-ok" not in slack.received
    rows = ledger_rows(tmp_path / "state")
    assert rows and {status for _, _, status in rows} == {"posted"}
    assert "Traceback" not in bot.output and BOT_TOKEN not in bot.output and SIGNING_SECRET not in bot.output
    assert "briefbot stopped" in bot.output
    print(f"ready after {ready_after:.2f} s; stopped {stopped_after:.2f} s after SIGTERM (reply delay 1.5 s)")


async def test_sigterm_during_a_digest_post_leaves_no_claim(slack: FakeSlackAPI, tmp_path: Path) -> None:
    slack.post_delay = 1.0  # chat.postMessage takes a second: SIGTERM lands while the digest is being posted
    bot = await BotProcess.start(slack_env(slack, tmp_path))
    try:
        await slack.wait_for(lambda: "chat.postMessage" in slack.methods(), timeout=15)
        bot.signal()
        assert await bot.wait_exit() == 0
    finally:
        await bot.kill()
    rows = ledger_rows(tmp_path / "state")
    assert len(rows) == 2 and {status for _, _, status in rows} == {"posted"}, bot.output
    assert sorted(slack.messages) == ["chan0", "chan1"]
    assert all(len({m["metadata"]["event_payload"]["key"] for m in msgs}) == 1 for msgs in slack.messages.values())


async def test_json_logs_are_json_lines_without_tokens(slack: FakeSlackAPI, tmp_path: Path) -> None:
    env = slack_env(slack, tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    bot = await BotProcess.start(env)
    try:
        await bot.wait_ready()
        await send_brief(bot, "china", slack.response_url("T1/j/ok"))
        await send_brief(bot, "no-such-topic", slack.response_url("T1/k/ok"))
        await slack.wait_for(lambda: len(slack.replies) == 2)
        bot.signal()
        assert await bot.wait_exit() == 0
    finally:
        await bot.kill()
    assert len(bot.lines) > 5
    records = [json.loads(line) for line in bot.lines]  # every line parses
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any(r.get("platform") == "slack" and r.get("topic") == "china" for r in records)
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in bot.output


async def test_two_discord_shards_each_connect_and_answer(tmp_path: Path) -> None:
    fake = await FakeDiscordAPI().start()
    config = write_config(tmp_path / "config", channels=1, schedule='{time: "08:00"}', timezone="UTC")
    bots: list[BotProcess] = []
    try:
        for shard in ("0", "1"):
            env = bot_env(DISCORD_TOKEN=DISCORD_TOKEN, DISCORD_API_URL=fake.api_url,
                          DISCORD_GATEWAY_URL=fake.gateway_url, DISCORD_SHARD_ID=shard, DISCORD_SHARD_COUNT="2",
                          PORT=str(free_port()), HOST="127.0.0.1", STATE_DIR=str(tmp_path / f"state{shard}"),
                          CONFIG_DIR=str(config), BRIEFS_DIR=str(briefs_with_china()), CONSOLE="true")
            bots.append(await BotProcess.start(env))
        await asyncio.gather(*(bot.wait_ready() for bot in bots))
        for bot in bots:
            status, body = await bot.get("/readyz")
            assert status == 200 and json.loads(body)["checks"]["adapters"]["detail"] == "connected: console, discord"
        assert sorted(fake.shards) == [[0, 2], [1, 2]]
        assert fake.identify is not None and fake.identify["token"] == DISCORD_TOKEN
        command = interaction(2, "brief", [option("topic", "china")])
        await fake.dispatch("INTERACTION_CREATE", command)  # to the shard that connected last
        await wait_until(lambda: bool(fake.interactions[command["id"]].callbacks))
        assert fake.interactions[command["id"]].callbacks[0]["data"]["embeds"]
        answered = 0.0
        for bot in bots:
            exposition = (await bot.get("/metrics"))[1]
            answered += metric(exposition, "briefbot_commands_total", platform="discord", topic="china", outcome="brief")
        assert answered == 1
        assert await stop_all(bots) == [0, 0]
    finally:
        for bot in bots:
            await bot.kill()
        await fake.stop()
    for bot in bots:
        assert DISCORD_TOKEN not in bot.output and "Traceback" not in bot.output


BAD_SETTINGS = [
    ({"PORT": "eighty"}, "bad setting PORT='eighty'"),
    ({"LOG_FORMAT": "xml"}, "bad setting LOG_FORMAT='xml'"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET"),
    ({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN is not"),
    ({"DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_GUILD_ID": "my-server"}, "DISCORD_GUILD_ID must be a server id"),
    ({"DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"},
     "Set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together"),
    ({"DATABASE_URL": "mysql://bob:hunter2pass@db/briefbot"}, "DATABASE_URL must be a PostgreSQL URL"),
    ({"DATABASE_URL": f"postgresql://bob:hunter2pass@127.0.0.1:{free_port()}/briefbot"},
     "the database in DATABASE_URL cannot be used: connection failed"),
]


async def test_bad_settings_give_one_clear_line(tmp_path: Path) -> None:
    envs = [bot_env(STATE_DIR=str(tmp_path / "state"), BRIEFS_DIR=str(FIXTURE_BRIEFS), **setting)
            for setting, _ in BAD_SETTINGS]
    gate = asyncio.Semaphore(2)  # one process each, two at a time (each start is mostly CPU-bound imports)

    async def run(env: dict[str, str]) -> tuple[int, str]:
        async with gate:
            return await run_to_exit(env)

    results = await asyncio.gather(*(run(env) for env in envs))
    for (setting, said), (code, err) in zip(BAD_SETTINGS, results, strict=True):
        assert code == 2, (setting, err)
        assert len(err.splitlines()) == 1 and said in err, (setting, err)
        assert "Traceback" not in err
        for secret in (BOT_TOKEN, SIGNING_SECRET, DISCORD_TOKEN, "hunter2pass"):
            assert secret not in err


async def test_a_refused_token_is_a_start_up_error(slack: FakeSlackAPI, tmp_path: Path) -> None:
    env = slack_env(slack, tmp_path)
    env["SLACK_BOT_TOKEN"] = "xoxb-revoked-token-000000"
    code, err = await run_to_exit(env)
    assert code == 2 and "cannot start: Slack refused the bot token (auth.test: invalid_auth)" in err, err
    assert "Traceback" not in err and "xoxb-revoked-token-000000" not in err
