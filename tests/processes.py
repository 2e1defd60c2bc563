"""`python -m bot run` as a real subprocess for tests: environment, stderr capture, readiness, signals."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 40.0  # an upper bound: a loaded 2-core machine can take many seconds to start two processes
EXIT_TIMEOUT = 20.0
# Whatever the developer's shell or .env sets must not leak into a test process.
CLEARED = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_MODE", "SLACK_API_URL",
           "DISCORD_TOKEN", "DISCORD_GUILD_ID", "DISCORD_API_URL", "DISCORD_GATEWAY_URL", "DISCORD_SHARD_ID",
           "DISCORD_SHARD_COUNT", "DATABASE_URL", "PORT", "HOST", "LOG_FORMAT", "LOG_LEVEL", "CONSOLE",
           "BRIEFS_DIR", "CONFIG_DIR", "STATE_DIR")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(**values: str) -> dict[str, str]:
    """The process environment: ours minus briefbot's variables, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


async def http_get(base: str, path: str) -> tuple[int, str]:
    """GET a path on a fresh connection."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        async with http.get(base + path, timeout=aiohttp.ClientTimeout(total=5)) as resp:
            return resp.status, await resp.text()


async def wait_until_ready(base: str, timeout: float = START_TIMEOUT) -> None:
    """Poll `base`/readyz until it answers 200."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if (await http_get(base, "/readyz"))[0] == 200:
                return
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"{base} not ready within {timeout} s")


@dataclass
class BotProcess:
    """One running `python -m bot run`; its stderr lines are collected as they come."""

    proc: asyncio.subprocess.Process
    port: int | None
    lines: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)
    _reader: asyncio.Task[None] = field(init=False)

    @classmethod
    async def start(cls, env: dict[str, str], *args: str, cwd: Path | None = None) -> BotProcess:
        """Spawn the process (stdin closed, stdout discarded) with `env` as its whole environment."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *args, env=env, cwd=cwd or ROOT,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        port = env.get("PORT", "")
        bot = cls(proc, int(port) if port.isdigit() else None)
        bot._reader = asyncio.create_task(bot._read())
        return bot

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    @property
    def url(self) -> str:
        """The base URL of its HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        """Everything it wrote to stderr so far."""
        return "\n".join(self.lines)

    async def get(self, path: str) -> tuple[int, str]:
        """GET a path on its HTTP server, on a fresh connection."""
        return await http_get(self.url, path)

    async def wait_ready(self, timeout: float = START_TIMEOUT) -> float:
        """Poll /readyz until 200; the seconds since spawn. Fails with its stderr if it exits or times out."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.returncode is not None:
                await self._reader
                raise AssertionError(f"briefbot exited with {self.proc.returncode}:\n{self.output}")
            try:
                status, _ = await self.get("/readyz")
                if status == 200:
                    return time.monotonic() - self.started_at
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.05)
        raise AssertionError(f"briefbot not ready within {timeout} s:\n{self.output}")

    async def wait_for_line(self, text: str, timeout: float = 10.0) -> None:
        """Wait until a stderr line contains `text`."""
        end = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < end, f"no line with {text!r} within {timeout} s:\n{self.output}"
            assert self.proc.returncode is None, f"briefbot exited:\n{self.output}"
            await asyncio.sleep(0.02)

    def signal(self, sig: int = signal.SIGTERM) -> None:
        """Send a signal."""
        self.proc.send_signal(sig)

    async def wait_exit(self, timeout: float = EXIT_TIMEOUT) -> int:
        """Its exit code, once it has exited and its stderr is read to the end."""
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code

    async def kill(self) -> None:
        """Make sure it is gone (for `finally`)."""
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if not self._reader.done():
            self._reader.cancel()


async def run_to_exit(env: dict[str, str], *args: str, timeout: float = EXIT_TIMEOUT) -> tuple[int, str]:
    """Run `python -m bot run` to its end: exit code and stderr."""
    bot = await BotProcess.start(env, *args)
    try:
        return await bot.wait_exit(timeout), bot.output
    finally:
        await bot.kill()


async def stop_all(bots: list[BotProcess]) -> list[int]:
    """SIGTERM every process and return their exit codes (the caller still kills them in `finally`)."""
    for bot in bots:
        bot.signal()
    return [await bot.wait_exit() for bot in bots]
