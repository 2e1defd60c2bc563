"""Fan a digest out to many channels through a local fake platform that enforces Discord's documented limits.

The fake (aiohttp on 127.0.0.1) allows 50 requests in any 1-second window across the bot and 5 messages
per 5 seconds per channel, answering 429 with `retry_after` beyond that, and honours `nonce` +
`enforce_nonce` like Discord. It also injects faults: some posts fail with 500 before the message is
created, some with 503 after it was created (the case that would duplicate without find_post/nonce).
The run goes through the real ledger (SQLite in a temp folder), rate limiter, retries and Deliverer.

    python bench/bench_digest.py [--channels 1000] [--no-faults]

Prints JSON: elapsed seconds, the floor the limits allow, 429s seen, and lost / duplicated posts.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from collections import defaultdict, deque
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.base import PostError, Receipt  # noqa: E402
from bot.adapters.console import render_text  # noqa: E402
from bot.core.config import Channel, Config, Digest, Platform  # noqa: E402
from bot.core.document import Document  # noqa: E402
from bot.core.store import load_store  # noqa: E402
from bot.digests.delivery import Deliverer, RetryPolicy  # noqa: E402
from bot.digests.runner import DigestRunner  # noqa: E402
from bot.digests.ledger import Ledger, make_engine  # noqa: E402

GLOBAL_PER_SECOND = 50
CHANNEL_LIMIT, CHANNEL_WINDOW = 5, 5.0
MAX_CONTENT = 2000
PERIOD = "2025-05-05T08:00 Europe/Paris"


class FakeDiscord:
    """Channel messages endpoints with Discord's rate limits and nonce dedupe."""

    def __init__(self, faults: bool, seed: int = 7) -> None:
        self.faults = faults
        self.random = random.Random(seed)
        self.window: deque[float] = deque()
        self.per_channel: dict[str, deque[float]] = defaultdict(deque)
        self.messages: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.stats = {"requests": 0, "429": 0, "500-before": 0, "503-after": 0, "nonce-dedup": 0}
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/channels/{cid}/messages", self.post)
        app.router.add_get("/channels/{cid}/messages", self.history)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    def _limited(self, cid: str) -> float | None:
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if len(self.window) >= GLOBAL_PER_SECOND:
            return self.window[0] + 1.0 - now
        mine = self.per_channel[cid]
        while mine and mine[0] <= now - CHANNEL_WINDOW:
            mine.popleft()
        if len(mine) >= CHANNEL_LIMIT:
            return mine[0] + CHANNEL_WINDOW - now
        self.window.append(now)
        mine.append(now)
        return None

    async def post(self, request: web.Request) -> web.Response:
        self.stats["requests"] += 1
        cid = request.match_info["cid"]
        body = await request.json()
        wait = self._limited(cid)
        if wait is not None:
            self.stats["429"] += 1
            return web.json_response({"message": "You are being rate limited.", "retry_after": round(wait, 3),
                                      "global": False}, status=429, headers={"Retry-After": f"{wait:.3f}"})
        if len(body.get("content", "")) > MAX_CONTENT:
            return web.json_response({"message": "content too long"}, status=400)
        if self.faults and self.random.random() < 0.01:
            self.stats["500-before"] += 1
            return web.json_response({"message": "500: Internal Server Error"}, status=500)
        nonce = body.get("nonce")
        existing = next((m for m in self.messages[cid] if nonce and m["nonce"] == nonce), None)
        if existing and body.get("enforce_nonce"):
            self.stats["nonce-dedup"] += 1
            return web.json_response(existing)
        message = {"id": f"{cid}-{len(self.messages[cid]) + 1}", "nonce": nonce or "", "channel_id": cid}
        self.messages[cid].append(message)
        if self.faults and self.random.random() < 0.005:
            self.stats["503-after"] += 1
            return web.json_response({"message": "503: Service Unavailable"}, status=503)
        return web.json_response(message)

    async def history(self, request: web.Request) -> web.Response:
        return web.json_response(list(reversed(self.messages[request.match_info["cid"]]))[:50])


class FakeDiscordAdapter:
    """Just enough of a Discord adapter for the bench: one message per post, nonce = the ledger key."""

    name = "discord"

    def __init__(self, base: str) -> None:
        self.base = base
        self.session: ClientSession | None = None

    async def start(self) -> None:
        self.session = ClientSession(timeout=ClientTimeout(total=10))

    async def close(self) -> None:
        if self.session:
            await self.session.close()

    async def post(self, channel: str, doc: Document, *, key: str) -> Receipt:
        assert self.session is not None
        content = render_text(doc)[:MAX_CONTENT]
        async with self.session.post(f"{self.base}/channels/{channel}/messages",
                                     json={"content": content, "nonce": key, "enforce_nonce": True}) as resp:
            data = await resp.json()
            if resp.status == 429:
                raise PostError("429 rate limited", status=429, retry_after=float(data["retry_after"]))
            if resp.status >= 400:
                raise PostError(f"{resp.status} {data.get('message')}", status=resp.status, landed=resp.status >= 500)
            return Receipt(self.name, channel, [data["id"]])

    async def find_post(self, channel: str, key: str) -> Receipt | None:
        assert self.session is not None
        async with self.session.get(f"{self.base}/channels/{channel}/messages?limit=50") as resp:
            for message in await resp.json():
                if message["nonce"] == key:
                    return Receipt(self.name, channel, [message["id"]])
        return None


def build_config(n: int) -> Config:
    channels = {f"c{i}": Channel(id=f"c{i}", platform=Platform.DISCORD, channel_id=str(10_000 + i)) for i in range(n)}
    digest = Digest.model_validate({
        "id": "bench", "platform": "discord", "channels": list(channels), "topics": ["china"],
        "schedule": {"time": "08:00"}, "timezone": "Europe/Paris",
        "include": {"positions": True, "changes": True, "flagged": False},
    })
    return Config(channels=channels, digests={"bench": digest})


async def bench(n: int, faults: bool) -> dict[str, object]:
    fake = FakeDiscord(faults)
    await fake.start()
    adapter = FakeDiscordAdapter(fake.base)
    await adapter.start()
    store = load_store(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "briefs")
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(make_engine(f"sqlite:///{tmp}/ledger.sqlite"))
        deliverer = Deliverer(ledger, {"discord": adapter}, owner="bench",
                              policy=RetryPolicy(attempts=6, base=0.5, timeout=10.0), concurrency=64)
        config = build_config(n)
        runner = DigestRunner(config, lambda: store, ledger, deliverer)
        digest, targets = config.digests["bench"], config.targets(config.digests["bench"])
        compose = runner.composer(digest, datetime.now(UTC))
        started = time.monotonic()
        outcomes = await deliverer.fan_out("bench", PERIOD, targets, compose)
        elapsed = time.monotonic() - started
        again = await deliverer.fan_out("bench", PERIOD, targets, compose)  # the same period again: nothing
        rows = ledger.rows()
    await adapter.close()
    await fake.stop()
    counts = [len(fake.messages[str(10_000 + i)]) for i in range(n)]
    floor = max(0.0, (n - GLOBAL_PER_SECOND) / GLOBAL_PER_SECOND)
    return {
        "channels": n, "faults": faults, "elapsed_s": round(elapsed, 2), "floor_s": round(floor, 2),
        "elapsed_over_floor": round(elapsed / floor, 3) if floor else None,
        "posted": sum(1 for r in rows if r.status == "posted"),
        "failed": sum(1 for r in rows if r.status == "failed"),
        "lost": sum(1 for c in counts if c == 0), "duplicated": sum(1 for c in counts if c > 1),
        "outcomes": {s: sum(1 for o in outcomes if o.status == s) for s in sorted({o.status for o in outcomes})},
        "second_run_posts": sum(1 for o in again if o.status in ("posted", "recovered")), "platform": fake.stats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--no-faults", action="store_true", help="no injected 500/503 errors")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(bench(args.channels, not args.no_faults)), indent=2))


if __name__ == "__main__":
    main()
