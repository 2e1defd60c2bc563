"""The Procfile works as written: `honcho start` runs the worker and the Slack HTTP web process."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.digest_world import write_config
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.processes import ROOT, BotProcess, bot_env, http_get, wait_until_ready
from tests.runtime.test_run import briefs_with_china, send_brief

pytest.importorskip("honcho")


def free_pair() -> int:
    """A base port P with P and P+100 both free (honcho gives the n-th process P + 100·n)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        if base + 100 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", base + 100))
            except OSError:
                continue
        return base
    raise AssertionError("no free port pair")


def processes() -> dict[str, str]:
    """The Procfile's process types and commands."""
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_procfile_declares_the_worker_and_the_web_process() -> None:
    found = processes()
    assert list(found) == ["worker", "web"]
    assert "--only slack" in found["web"] and "--no-digests" in found["web"]


async def test_honcho_start_runs_both_processes(tmp_path: Path) -> None:
    fake = await FakeSlackAPI().start()
    base = free_pair()
    config = write_config(tmp_path / "config", channels=1, schedule='{cron: "* * * * *"}', timezone="UTC",
                          platform="slack", topics="[china]")
    env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url,
                  HOST="127.0.0.1", STATE_DIR=str(tmp_path / "state"), CONFIG_DIR=str(config),
                  BRIEFS_DIR=str(briefs_with_china()))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # `python` is this venv's
    honcho = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "honcho", "start", "-f", str(ROOT / "Procfile"), "-p", str(base), env=env, cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        worker, web = (f"http://127.0.0.1:{port}" for port in (base, base + 100))
        await asyncio.gather(wait_until_ready(worker), wait_until_ready(web))
        ready = {name: json.loads((await http_get(url, "/readyz"))[1])["checks"]["adapters"]["detail"]
                 for name, url in (("worker", worker), ("web", web))}
        assert ready == {"worker": "connected: slack", "web": "connected: slack"}
        assert (await send_brief(web, "china", fake.response_url("T1/web/x")))[0] == 200
        await fake.wait_for(lambda: [r.hook for r in fake.replies] == ["T1-web-x"])
        await fake.wait_for(lambda: bool(fake.messages.get("chan0")), timeout=10)  # the worker's digest
        honcho.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(honcho.communicate(), 20))[0].decode()
    finally:
        if honcho.returncode is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            await honcho.wait()
        await fake.stop()
    assert "worker.1 stopped (rc=0)" in output and "web.1 stopped (rc=0)" in output, output
    assert "digests off" in output and BOT_TOKEN not in output


async def test_web_process_without_slack_serves_health_only(tmp_path: Path) -> None:
    port = free_pair()
    bot = await BotProcess.start(bot_env(PORT=str(port), HOST="127.0.0.1", STATE_DIR=str(tmp_path / "state"),
                                         BRIEFS_DIR=str(briefs_with_china())), "--only", "slack", "--no-digests")
    try:
        await bot.wait_ready()
        async with aiohttp.ClientSession() as http, http.post(bot.url + "/slack/events", data="x") as resp:
            assert resp.status == 404  # no Slack endpoint: its variables are unset
        bot.signal()
        assert await bot.wait_exit() == 0
    finally:
        await bot.kill()
    assert "serving health only" in bot.output
