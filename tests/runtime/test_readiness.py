"""/readyz means able to deliver: a SQLite ledger deleted, read-only or corrupted under a running
`briefbot run`, or its PostgreSQL stopped, turns /readyz 503 with the reason at once, admins are told,
no digest is posted meanwhile, and everything resumes when the ledger is back."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from collections.abc import Iterator

import pytest

from tests.fakes.digest_world import write_config
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.processes import ROOT, BotProcess, bot_env, free_port
from tests.runtime.crash_trials import PostgresCluster

CHANNELS = 3


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    fake = await FakeSlackAPI().start()
    yield fake
    await fake.stop()


def not_due_config(folder: Path) -> Path:
    """A digest first scheduled now whose next run is later today: nothing due, nothing missed."""
    later = datetime.now(UTC) + timedelta(hours=3)
    return write_config(folder, channels=CHANNELS, schedule=f'{{time: "{later:%H:%M}"}}', timezone="UTC",
                        platform="slack", topics="[china]")


def make_due(config: Path) -> None:
    """Edit digests.yaml so the digest is due every minute (the running process reloads it)."""
    path = config / "digests.yaml"
    lines = [('    schedule: {cron: "* * * * *"}' if line.startswith("    schedule:") else line)
             for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")


async def readiness(bot: BotProcess) -> tuple[int, dict]:
    status, body = await bot.get("/readyz")
    return status, json.loads(body)["checks"]["database"]


async def wait_readiness(bot: BotProcess, status: int, timeout: float = 5.0) -> dict:
    end = time.monotonic() + timeout
    while True:
        got, check = await readiness(bot)
        if got == status:
            return check
        assert time.monotonic() < end, (got, check, bot.output[-3000:])
        await asyncio.sleep(0.05)


def digest_posts(fake: FakeSlackAPI) -> list[str]:
    return [c.params["channel"] for c in fake.calls if c.method == "chat.postMessage"
            and str(c.params.get("channel", "")).startswith("chan")]


def alerts(fake: FakeSlackAPI, title: str) -> int:
    return sum(1 for m in fake.messages.get("admins", []) if title in json.dumps(m.get("blocks", [])))


async def wait_until(condition: Callable[[], bool], bot: BotProcess, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, bot.output[-3000:]
        await asyncio.sleep(0.05)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the ledger file read-only for the bot: chmod for a normal user, the immutable flag for root."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        undo = lambda: path.chmod(0o644)  # noqa: E731
    else:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("running as root without chattr +i: cannot make a file read-only for root")
        undo = lambda: subprocess.run(["chattr", "-i", str(path)], check=True)  # noqa: E731
    try:
        yield
    finally:
        undo()


async def test_sqlite_ledger_deleted_read_only_or_corrupted(slack: FakeSlackAPI, tmp_path: Path) -> None:
    config = not_due_config(tmp_path / "config")
    state = tmp_path / "state"
    env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url,
                  PORT=str(free_port()), HOST="127.0.0.1", STATE_DIR=str(state), CONFIG_DIR=str(config),
                  BRIEFS_DIR=str(ROOT / "briefs"), DIGEST_LEASE_SECONDS="2")
    ledger, away = state / "ledger.sqlite", state / "moved-away.sqlite"
    bot = await BotProcess.start(env)
    try:
        await bot.wait_ready()
        assert (await readiness(bot))[1] == {"ok": True, "detail": "sqlite: writable"}

        # Deleted (moved away): noticed at once; a digest falling due meanwhile is not posted.
        ledger.rename(away)
        check = await wait_readiness(bot, 503)
        assert "is gone" in check["detail"] and str(ledger) in check["detail"]
        make_due(config)
        await wait_until(lambda: alerts(slack, "Digest ledger unavailable") == 1, bot)
        await asyncio.sleep(2.0)  # reloaded and swept a few times while the ledger is gone
        assert digest_posts(slack) == [] and not ledger.exists()  # nothing posted, no empty ledger made
        away.rename(ledger)
        await wait_readiness(bot, 200)
        await wait_until(lambda: len(set(digest_posts(slack))) == CHANNELS, bot)
        await wait_until(lambda: alerts(slack, "Digest ledger back") == 1, bot)

        # Read-only: the write probe fails although reads still work.
        with read_only(ledger):
            check = await wait_readiness(bot, 503)
            assert "readonly" in check["detail"] or "unable to open" in check["detail"], check
            await wait_until(lambda: alerts(slack, "Digest ledger unavailable") == 2, bot)
        await wait_readiness(bot, 200)
        await wait_until(lambda: alerts(slack, "Digest ledger back") == 2, bot)

        # Corrupted: its header overwritten.
        with ledger.open("r+b") as f:
            magic = f.read(16)
            f.seek(0)
            f.write(b"garbage garbage!")
        check = await wait_readiness(bot, 503)
        assert "not a database" in check["detail"], check
        await wait_until(lambda: alerts(slack, "Digest ledger unavailable") == 3, bot)
        with ledger.open("r+b") as f:
            f.write(magic)
        await wait_readiness(bot, 200)
        await wait_until(lambda: alerts(slack, "Digest ledger back") == 3, bot)

        bot.signal()
        assert await bot.wait_exit() == 0
    finally:
        await bot.kill()
    posts = [m["metadata"]["event_payload"] for n in range(CHANNELS) for m in slack.messages[f"chan{n}"]]
    per_key = {(p["key"], p["page"]) for p in posts}
    assert len(per_key) == len(posts)  # each page of each period once, despite the outages
    assert alerts(slack, "Digest ledger unavailable") == 3  # one per outage
    assert "Traceback" not in bot.output


@pytest.mark.postgres
async def test_postgres_stopped(slack: FakeSlackAPI, tmp_path: Path, stoppable_postgres: PostgresCluster) -> None:
    config = not_due_config(tmp_path / "config")
    env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack.api_url,
                  PORT=str(free_port()), HOST="127.0.0.1", STATE_DIR=str(tmp_path / "state"), CONFIG_DIR=str(config),
                  BRIEFS_DIR=str(ROOT / "briefs"), DIGEST_LEASE_SECONDS="2", DATABASE_URL=stoppable_postgres.url)
    bot = await BotProcess.start(env)
    try:
        await bot.wait_ready()
        assert (await readiness(bot))[1] == {"ok": True, "detail": "postgresql: writable"}
        await asyncio.to_thread(stoppable_postgres.stop)
        try:
            check = await wait_readiness(bot, 503)
            assert check["detail"].startswith("postgresql: OperationalError"), check
            await wait_until(lambda: alerts(slack, "Digest ledger unavailable") == 1, bot)
        finally:
            await asyncio.to_thread(stoppable_postgres.start)
        await wait_readiness(bot, 200, timeout=10)
        bot.signal()
        assert await bot.wait_exit() == 0
    finally:
        await bot.kill()
    assert "Traceback" not in bot.output
