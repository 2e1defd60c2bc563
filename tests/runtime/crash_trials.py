"""Crash trials: real `briefbot run` processes fan a multi-page digest out to 20 Slack channels of the fake
Slack while the test kills them (`kill -9`), restarts them, or stops their PostgreSQL; afterwards every
channel must hold each page exactly once. Shared by tests/runtime/test_crash.py and bench/bench_faults.py."""
from __future__ import annotations

import asyncio
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.digests.ledger import Ledger, make_engine
from tests.fakes.digest_world import write_config
from tests.fakes.discord_api import FakeDiscordAPI
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.processes import ROOT, BotProcess, bot_env, free_port

CHANNELS = 20
LEASE_SECONDS = "2"
DONE_TIMEOUT = 45.0


@dataclass
class TrialResult:
    """What one trial did and what the channels hold afterwards."""

    scenario: str
    seed: int
    lease: float = float(LEASE_SECONDS)
    kills: int = 0
    db_outages: int = 0
    pages_expected: int = 0  # per channel
    delivered: int = 0  # distinct pages that reached a channel
    lost: int = 0
    duplicated: int = 0
    failed_rows: int = 0
    takeovers: list[float] = field(default_factory=list)  # seconds from a kill to its claims being taken over
    seconds: float = 0.0


DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAwMQ.GfakeX.fake-discord-token-for-crash-trials"
_FOOTER = re.compile(r"ref (\w+) · (\d+)/(\d+)$")


def channel_ids(platform: str) -> list[str]:
    return [f"chan{n}" if platform == "slack" else str(3000000000000000500 + n) for n in range(CHANNELS)]


def pages_in(platform: str, msgs: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(key or reference, page from 1, pages) of each digest message in a channel, in order."""
    out = []
    for msg in msgs:
        if platform == "slack":
            payload = msg["metadata"]["event_payload"]
            out.append((payload["key"], payload["page"], payload["pages"]))
            continue
        footer = ((msg.get("embeds") or [{}])[-1].get("footer") or {}).get("text", "")
        found = _FOOTER.search(footer)
        if found:
            out.append((found[1], int(found[2]), int(found[3])))
    return out


def count_pages(fake: Any, result: TrialResult, platform: str = "slack") -> None:
    """Fill in delivered, lost and duplicated from what each channel holds."""
    per_channel: dict[str, Counter[tuple[str, int]]] = {}
    totals: set[int] = set()
    for channel in channel_ids(platform):
        seen: Counter[tuple[str, int]] = Counter()
        for key, page, pages in pages_in(platform, fake.messages.get(channel, [])):
            seen[(key, page)] += 1
            totals.add(pages)
        per_channel[channel] = seen
    assert len(totals) <= 1, f"pages differ between channels: {totals}"
    pages = totals.pop() if totals else 0
    result.pages_expected = pages
    for seen in per_channel.values():
        keys = {key for key, _ in seen}
        result.duplicated += sum(c - 1 for c in seen.values()) + max(0, len(keys) - 1) * pages
        result.delivered += len(seen)
        wanted = {(key, p) for key in (keys or {"?"}) for p in range(1, pages + 1)}
        result.lost += len(wanted - set(seen))


def digest_config(folder: Path, platform: str = "slack") -> Path:
    """20 channels and an admin channel; one digest due now (this minute, today), all topics."""
    now = datetime.now(UTC)
    folder = write_config(folder, channels=CHANNELS, schedule=f'{{time: "{now:%H:%M}"}}', timezone="UTC",
                          platform=platform, topics="all", catch_up=360)
    if platform == "discord":  # Discord channel ids are snowflakes
        path = folder / "channels.yaml"
        text_ = path.read_text()
        for n, snowflake in reversed(list(enumerate(channel_ids("discord")))):
            text_ = text_.replace(f"channel_id: chan{n}\n", f'channel_id: "{snowflake}"\n')
        path.write_text(text_.replace("channel_id: admins", 'channel_id: "3000000000000000999"'))
    return folder


def owed_since(state: Path, database_url: str | None) -> None:
    """Record that the digest has been scheduled for an hour, so this minute's period is owed whenever the
    processes first look (periods from before a digest's first run never are)."""
    state.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url or f"sqlite:///{state / 'ledger.sqlite'}")
    Ledger(engine, lambda: datetime.now(UTC) - timedelta(hours=1)).schedule_since("daily")
    engine.dispose()


def env_for(fake: Any, config: Path, state: Path, database_url: str | None,
            lease: str = LEASE_SECONDS) -> dict[str, str]:
    extra = {"DATABASE_URL": database_url} if database_url else {}
    if isinstance(fake, FakeSlackAPI):
        extra |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url}
    else:
        extra |= {"DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_API_URL": fake.api_url,
                  "DISCORD_GATEWAY_URL": fake.gateway_url}
    return bot_env(PORT=str(free_port()), HOST="127.0.0.1", STATE_DIR=str(state), CONFIG_DIR=str(config),
                   BRIEFS_DIR=str(ROOT / "briefs"), DIGEST_LEASE_SECONDS=lease, **extra)


def posted_pages(fake: Any) -> int:
    return sum(len(msgs) for channel, msgs in fake.messages.items() if channel in _ALL_CHANNELS)


_ALL_CHANNELS = set(channel_ids("slack")) | set(channel_ids("discord"))


class LedgerView:
    """Reads the ledger the processes write (SQLite file or PostgreSQL), from outside."""

    def __init__(self, state: Path, database_url: str | None) -> None:
        self.state = state
        self.engine = create_engine(database_url) if database_url else None

    def rows(self) -> list[tuple[str, str, str]]:
        """(channel, status, claimed_by) of every delivery; empty while the database is unreachable."""
        query = "SELECT channel, status, claimed_by FROM deliveries"
        try:
            if self.engine is None:
                path = self.state / "ledger.sqlite"
                if not path.exists():
                    return []
                with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                    return db.execute(query).fetchall()
            with self.engine.connect() as db:
                return [tuple(r) for r in db.execute(text(query)).all()]  # type: ignore[misc]
        except Exception:  # noqa: BLE001 (not created yet, or the server is stopped)
            return []

    def reset(self) -> None:
        if self.engine is not None:
            with self.engine.begin() as db:
                db.execute(text("DROP TABLE IF EXISTS deliveries, digest_schedules, ledger_probe"))

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


async def wait_done(view: LedgerView, procs: list[BotProcess], timeout: float = DONE_TIMEOUT) -> None:
    """Until every channel's row is settled."""
    end = time.monotonic() + timeout
    while True:
        rows = [r for r in view.rows() if r[0].split(":", 1)[-1] in _ALL_CHANNELS]
        if len(rows) == CHANNELS and all(status != "claimed" for _, status, _ in rows):
            return
        if time.monotonic() > end:
            raise AssertionError(f"not settled in {timeout} s: {Counter(s for _, s, _ in rows)}\n"
                                 + "\n".join(p.output[-3000:] for p in procs))
        await asyncio.sleep(0.05)


async def wait_pages(fake: Any, at_least: int, procs: list[BotProcess], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while posted_pages(fake) < at_least:
        if time.monotonic() > end:
            raise AssertionError(f"only {posted_pages(fake)} pages posted\n" + "\n".join(p.output[-3000:] for p in procs))
        await asyncio.sleep(0.002)


async def takeover_time(view: LedgerView, pid: int, killed_at: float, procs: list[BotProcess],
                        timeout: float = 60.0) -> float | None:
    """Seconds from the kill until no claim is held by the killed process (None if it held none)."""
    marker = f":{pid}:"
    held = [r for r in view.rows() if r[1] == "claimed" and marker in r[2]]
    if not held:
        return None
    end = time.monotonic() + timeout
    while any(r[1] == "claimed" and marker in r[2] for r in view.rows()):
        assert time.monotonic() < end, "claims of the killed process never taken over:\n" + "\n".join(
            p.output[-6000:] for p in procs)
        await asyncio.sleep(0.02)
    return time.monotonic() - killed_at


def pid_of(bot: BotProcess) -> int:
    return bot.proc.pid


async def run_trial(scenario: str, seed: int, *, database_url: str | None = None,
                    cluster: PostgresCluster | None = None, kills: int = 1,
                    lease: str = LEASE_SECONDS, platform: str = "slack") -> TrialResult:
    """One trial of a scenario: 'restart' (one instance, kill -9 and start again, `kills` times), 'two'
    (two instances on PostgreSQL, one killed), 'db-stop' (PostgreSQL stopped for 3 s mid fan-out)."""
    rng = random.Random(seed)
    result = TrialResult(scenario if platform == "slack" else f"{scenario}-discord", seed, float(lease))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="briefbot-crash-"))
    fake: Any = await (FakeSlackAPI() if platform == "slack" else FakeDiscordAPI()).start()
    fake.post_delay = 0.01
    if platform == "discord":
        fake.nonce_window = 0  # exactly once must not lean on Discord's nonce dedup
    view = LedgerView(work / "state", database_url)
    view.reset()
    owed_since(work / "state", database_url)
    config = digest_config(work / "config", platform)
    procs: list[BotProcess] = []

    def start() -> asyncio.Future[BotProcess]:
        return asyncio.ensure_future(BotProcess.start(env_for(fake, config, work / "state", database_url, lease)))

    try:
        procs.append(await start())
        if scenario == "two":
            procs.append(await start())
        await wait_pages(fake, 1, procs)
        first = next(msgs for channel, msgs in fake.messages.items() if channel in _ALL_CHANNELS and msgs)
        total = CHANNELS * pages_in(platform, first)[0][2]
        if scenario in ("restart", "two"):
            for n in range(kills):
                left = total - 1 - posted_pages(fake)  # kill before the last page, at a seeded random point
                if left < 1:
                    break
                await wait_pages(fake, posted_pages(fake) + rng.randint(1, max(1, left // (kills - n))), procs)
                victim = procs[-1]
                if scenario == "two":  # kill one that holds claims (the other may have won them all)
                    alive = [p for p in procs if p.proc.returncode is None]
                    holders = [p for p in alive if any(r[1] == "claimed" and f":{p.proc.pid}:" in r[2]
                                                       for r in view.rows())]
                    victim = (holders or alive)[rng.randrange(len(holders or alive))]
                victim.signal(signal.SIGKILL)
                killed_at = time.monotonic()
                await victim.wait_exit()
                result.kills += 1
                if scenario == "restart":
                    procs.append(await start())
                else:
                    procs.remove(victim)
                    procs.append(victim)  # keep its output for failure messages
                    survivors = [p for p in procs if p.proc.returncode is None]
                    assert survivors, "\n".join(f"exit {p.proc.returncode}: {p.output[-2000:]}" for p in procs)
                took = await takeover_time(view, pid_of(victim), killed_at, procs)
                if took is not None:
                    result.takeovers.append(took)
        elif scenario == "db-stop":
            assert cluster is not None
            await wait_pages(fake, rng.randint(2, total // 2), procs)
            await asyncio.to_thread(cluster.stop)
            result.db_outages += 1
            await asyncio.sleep(3.0)
            await asyncio.to_thread(cluster.start)
        await wait_done(view, procs)
        await asyncio.sleep(0.3)  # a straggler that would post twice has had time to
        rows = view.rows()
        result.failed_rows = sum(1 for r in rows if r[1] == "failed")
        for bot in procs:
            if bot.proc.returncode is None:
                bot.signal()
        for bot in procs:
            if bot.proc.returncode is None:
                await bot.wait_exit()
    finally:
        for bot in procs:
            await bot.kill()
        await fake.stop()
        view.close()
        shutil.rmtree(work, ignore_errors=True)
    count_pages(fake, result, platform)
    result.seconds = time.monotonic() - started
    for bot in procs:
        assert "Traceback" not in bot.output, bot.output[-4000:]
    return result


class PostgresCluster:
    """A private PostgreSQL cluster the test may stop and start (the session one is shared)."""

    def __init__(self) -> None:
        from tests.conftest import _as_postgres_user, _free_port, _postgres_bin

        bindir = _postgres_bin()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries")
        self.bindir = bindir
        self.prefix = _as_postgres_user()
        self.data = Path(tempfile.mkdtemp(prefix="briefbot-pgstop-"))
        if self.prefix:
            shutil.chown(self.data, "postgres")
        self.port = _free_port()
        self._run("initdb", "-D", self.data / "db", "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: object) -> None:
        subprocess.run([*self.prefix, str(self.bindir / tool), *map(str, args)], check=True, capture_output=True,
                       timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", self.data / "db", "-l", self.data / "log", "-w", "-t", "60", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data / "db", "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data / "db"), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.data, ignore_errors=True)

