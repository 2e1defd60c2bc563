"""Benchmark: signed `/brief` requests over loopback to briefbot's HTTP-mode Slack app and to a bare bolt app.

Each server runs in its own process (so the load generator does not share its event loop), next to a
fake Slack that takes the replies. The script reports ack latency (median, p99: until the HTTP answer
to the command, the only thing the bare app sends) and throughput for both apps in the same run, their
ratio, and checks that every briefbot reply reached the fake. For briefbot it also reports how long
the reply itself took to arrive (command sent → last page taken by the fake's response_url), which
the ratios do not include. Both apps use bolt's defaults; briefbot logs as in production
(`bot.runtime.logs.setup_logging`, INFO, to /dev/null).

    python bench/bench_slack.py [--requests 10000] [--rounds 4] [--concurrency 16] [--briefs DIR] [--out FILE]

A second bare app, identical to the first, measures the A/A noise floor in the same run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import BOT_TOKEN, FakeSlackAPI  # noqa: E402
from tests.fakes.slack_requests import SIGNING_SECRET, signed_headers, slash_command_body  # noqa: E402

TOPICS = ("china", "russia", "chine public", "help", "nope")


async def serve_fake() -> None:
    """The fake Slack, plus /stats (replies received) for the load generator."""
    fake = FakeSlackAPI()

    arrivals: dict[str, float] = {}  # hook -> when its latest page was taken (CLOCK_MONOTONIC, machine-wide)

    @web.middleware
    async def stamp(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        if request.path.startswith("/hooks/") and response.status == 200:
            arrivals[request.match_info["hook"]] = time.monotonic()
        return response

    async def stats(_: web.Request) -> web.Response:
        return web.json_response({"replies": len(fake.replies), "refused": len(fake.refused)})

    async def arrived(request: web.Request) -> web.Response:
        prefix = request.query["prefix"]
        return web.json_response({k: v for k, v in arrivals.items() if k.startswith(prefix)})

    fake.app.middlewares.append(stamp)
    fake.app.router.add_get("/stats", stats)
    fake.app.router.add_get("/arrivals", arrived)
    await fake.start()
    await _announce(fake.base.rsplit(":", 1)[1])


async def serve_briefbot(api_url: str, briefs: Path) -> None:
    """briefbot's SlackAdapter in HTTP mode, logging as `briefbot run` does (INFO, secrets masked, no
    access lines), to /dev/null."""
    from bot.adapters.slack.adapter import SlackAdapter
    from bot.core.briefer import Briefer
    from bot.core.store import load_store
    from bot.runtime.logs import setup_logging

    setup_logging("text", "INFO", (BOT_TOKEN, SIGNING_SECRET))
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115
    adapter = SlackAdapter(Briefer(load_store(briefs)), bot_token=BOT_TOKEN, mode="http",
                           signing_secret=SIGNING_SECRET, api_url=api_url, host="127.0.0.1", port=0)
    await adapter.start()
    await _announce(str(adapter.port))


async def serve_bare(api_url: str) -> None:
    """A bolt app that only acks `/brief`: the floor for bolt's own verification and dispatch."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url), signing_secret=SIGNING_SECRET)

    @app.command("/brief")
    async def ack_only(ack: Any) -> None:
        await ack()

    async def handle(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await _announce(str(site._server.sockets[0].getsockname()[1]))  # type: ignore[union-attr]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _announce(port: str) -> None:
    """Tell the parent the port, then serve until the parent closes our stdin."""
    print(f"PORT {port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def spawn(*args: str) -> tuple[subprocess.Popen[str], int]:
    """Start this script in a serving role; return the process and the port it listens on."""
    proc = subprocess.Popen([sys.executable, __file__, "--serve", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise SystemExit(f"server {args[0]} did not start")
    return proc, int(line.split()[1])


async def load(url: str, fake_base: str, tag: str, count: int, concurrency: int) -> dict[str, Any]:
    """Send `count` signed commands with `concurrency` in flight; latency of each until its HTTP ack."""
    bodies = [(f"{tag}-{i}", slash_command_body(TOPICS[i % len(TOPICS)], f"{fake_base}/hooks/{tag}-{i}"))
              for i in range(count)]
    latencies: list[float] = []
    sent: dict[str, float] = {}  # hook -> when its command was sent (CLOCK_MONOTONIC)
    errors = 0
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)

    async def worker(http: aiohttp.ClientSession) -> None:
        nonlocal errors
        while not queue.empty():
            hook, body = queue.get_nowait()
            headers = signed_headers(body)
            sent[hook] = time.monotonic()
            t0 = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as resp:
                await resp.read()
                if resp.status != 200:
                    errors += 1
            latencies.append((time.perf_counter() - t0) * 1000)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": count, "errors": errors,
        "median_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 3),
        "throughput_rps": round(count / elapsed, 1), "_sent": sent,
    }


async def wait_replies(fake_base: str, expected: int, timeout: float = 60.0) -> dict[str, int]:
    """Poll the fake until it has `expected` replies (or the timeout passes)."""
    end = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(f"{fake_base}/stats") as resp:
                stats = await resp.json()
            if stats["replies"] >= expected or time.monotonic() > end:
                return stats
            await asyncio.sleep(0.05)


async def reply_latency(fake_base: str, prefix: str, sent: dict[str, float]) -> dict[str, float]:
    """Command sent → its last reply page taken by the fake, for the hooks starting with `prefix`."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake_base}/arrivals", params={"prefix": prefix}) as resp:
            arrivals: dict[str, float] = await resp.json()
    waits = sorted((arrivals[hook] - t) * 1000 for hook, t in sent.items() if hook in arrivals)
    if not waits:
        return {"replies": 0}
    return {"replies": len(waits), "median_ms": round(statistics.median(waits), 3),
            "p99_ms": round(waits[int(0.99 * (len(waits) - 1))], 3)}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the fake and both apps, warm them up, measure alternating rounds, and summarise."""
    procs = []
    try:
        fake, fake_port = spawn("fake")
        procs.append(fake)
        fake_base = f"http://127.0.0.1:{fake_port}"
        ours, ours_port = spawn("briefbot", f"{fake_base}/api/", str(args.briefs))
        bare, bare_port = spawn("bare", f"{fake_base}/api/")
        twin, twin_port = spawn("bare", f"{fake_base}/api/")  # A/A: how far two identical apps differ
        procs += [ours, bare, twin]
        urls = {"briefbot": f"http://127.0.0.1:{ours_port}/slack/events",
                "bare_bolt": f"http://127.0.0.1:{bare_port}/slack/events",
                "bare_bolt_twin": f"http://127.0.0.1:{twin_port}/slack/events"}
        for name, url in urls.items():
            await load(url, fake_base, f"warm-{name}", 100, args.concurrency)
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in urls}
        per_round = args.requests // args.rounds
        pids = {"briefbot": ours.pid, "bare_bolt": bare.pid, "bare_bolt_twin": twin.pid}
        for r in range(args.rounds):
            for name, url in urls.items():
                before = cpu_seconds(pids[name]), cpu_seconds(fake.pid)
                result = await load(url, fake_base, f"{name}-{r}", per_round, args.concurrency)
                if name == "briefbot":  # let this round's replies land before reading the fake's CPU
                    await wait_replies(fake_base, 100 + per_round * (r + 1), timeout=30)
                result["cpu_us_per_request"] = round((cpu_seconds(pids[name]) - before[0]) / per_round * 1e6)
                result["fake_cpu_us_per_request"] = round((cpu_seconds(fake.pid) - before[1]) / per_round * 1e6)
                results[name].append(result)
        stats = await wait_replies(fake_base, 100 + per_round * args.rounds)
        sent = {hook: t for result in results["briefbot"] for hook, t in result["_sent"].items()}
        reply = await reply_latency(fake_base, "briefbot-", sent)
    finally:
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=10)
    summary = {name: _merge(rounds) for name, rounds in results.items()}
    ours_s, bare_s, twin_s = summary["briefbot"], summary["bare_bolt"], summary["bare_bolt_twin"]
    return {
        "concurrency": args.concurrency, "rounds": args.rounds, "briefs": str(args.briefs), **summary,
        "ratio_briefbot_over_bare": _ratios(ours_s, bare_s),
        "ratio_twin_over_bare (A/A noise)": _ratios(twin_s, bare_s),
        "briefbot_reply_arrival (not in the ratios)": reply,
        "briefbot_replies_delivered": stats["replies"], "briefbot_replies_expected": 100 + per_round * args.rounds,
        "replies_refused_by_fake": stats["refused"],
    }


def _ratios(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    return {"median": round(a["median_ms"] / b["median_ms"], 2), "p99": round(a["p99_ms"] / b["p99_ms"], 2),
            "throughput": round(a["throughput_rps"] / b["throughput_rps"], 2),
            "cpu_per_request": round(a["cpu_us_per_request"] / max(b["cpu_us_per_request"], 1), 2)}


def _merge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one target: medians of the per-round figures, summed requests and errors."""
    return {
        "requests": sum(r["requests"] for r in rounds), "errors": sum(r["errors"] for r in rounds),
        "median_ms": round(statistics.median(r["median_ms"] for r in rounds), 3),
        "p99_ms": round(max(r["p99_ms"] for r in rounds), 3),
        "throughput_rps": round(statistics.median(r["throughput_rps"] for r in rounds), 1),
        "cpu_us_per_request": round(statistics.median(r["cpu_us_per_request"] for r in rounds)),
        "fake_slack_cpu_us_per_request": round(statistics.median(r["fake_cpu_us_per_request"] for r in rounds)),
    }


def main() -> None:
    """Parse arguments: either a serving role (internal) or the benchmark itself."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--briefs", type=Path, default=ROOT / "tests" / "fixtures" / "briefs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.serve:
        role, *rest = args.serve
        coro = {"fake": lambda: serve_fake(), "briefbot": lambda: serve_briefbot(rest[0], Path(rest[1])),
                "bare": lambda: serve_bare(rest[0])}[role]()
        asyncio.run(coro)
        return
    report = asyncio.run(run(args))
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
