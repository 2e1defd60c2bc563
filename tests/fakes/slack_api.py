"""A fake of Slack on 127.0.0.1: Web API methods, response_url, Socket Mode; records and can fail on purpose."""
from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from tests.fakes.faults import FaultPlan

# Slack's documented limits, checked independently of bot/adapters/slack_blocks.py.
MAX_BLOCKS = 50
RESPONSE_URL_USES = 5
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-AFAKE-1-fake"


@dataclass
class ApiCall:
    """One Web API call as the fake received it."""

    method: str
    params: dict[str, Any]
    auth: str | None


@dataclass
class Reply:
    """One message Slack accepted on a response_url."""

    hook: str
    body: dict[str, Any]


@dataclass
class Failure:
    """A programmed error answer."""

    status: int
    retry_after: int | None = None


def block_problems(blocks: list[dict[str, Any]]) -> list[str]:
    """Why Slack would refuse these blocks (count, per-block limits via slack_sdk's own models)."""
    problems = [f"{len(blocks)} blocks, more than {MAX_BLOCKS}"] if len(blocks) > MAX_BLOCKS else []
    for i, raw in enumerate(blocks):
        block = Block.parse(raw)
        if block is None:
            problems.append(f"block {i}: unknown type {raw.get('type')}")
            continue
        try:
            block.validate_json()
        except SlackObjectFormationError as exc:
            problems.append(f"block {i} ({raw.get('type')}): {exc}")
        text = (raw.get("text") or {}).get("text", "")
        if raw.get("type") in ("section", "header") and not text:
            problems.append(f"block {i}: empty text")
    return problems


@dataclass
class FakeSlackAPI:
    """aiohttp app playing Slack; `fail(target, status)` queues error answers for a method or 'response_url'."""

    calls: list[ApiCall] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    refused: list[str] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    base: str = ""
    # Seconds each response_url answer waits before Slack takes it (a slow reply, to test shutdown).
    reply_delay: float = 0.0
    post_delay: float = 0.0  # the same for chat.postMessage (a digest post under way)
    received: list[str] = field(default_factory=list)
    # The client address (host, port) of each response_url request: one port for many replies is one
    # kept-alive connection.
    reply_peers: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._failures: dict[str, list[Failure]] = defaultdict(list)
        self._hook_uses: dict[str, int] = defaultdict(int)
        self._envelopes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._runner: web.AppRunner | None = None
        self._socket_ws: web.WebSocketResponse | None = None
        self.sockets_opened = 0
        # HTTP-level faults (errors, resets, stalls, before or after the call is handled): `faults.add(Fault(…))`.
        self.faults = FaultPlan(error=slack_error)
        self.app = web.Application(middlewares=[self.faults.middleware()])
        self.app.router.add_route("*", "/api/{method}", self._api)
        self.app.router.add_post("/hooks/{hook}", self._response_url)
        self.app.router.add_get("/link", self._socket)

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be."""
        return f"{self.base}/api/"

    def response_url(self, hook: str = "T1/1/abc") -> str:
        """A response_url pointing at this fake."""
        return f"{self.base}/hooks/{hook.replace('/', '-')}"

    def fail(self, target: str, status: int, *, retry_after: int | None = None, times: int = 1) -> None:
        """Answer the next `times` requests to `target` (a method or 'response_url') with `status`."""
        self._failures[target] += [Failure(status, retry_after)] * times

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected app."""
        self._envelopes.put_nowait(envelope)

    async def drop_socket(self) -> None:
        """Close the Socket Mode connection from Slack's side (as Slack does on a refresh or an outage)."""
        assert self._socket_ws is not None, "no Socket Mode connection"
        await self._socket_ws.close()

    def methods(self) -> list[str]:
        """The Web API methods called, in order."""
        return [c.method for c in self.calls]

    async def start(self) -> FakeSlackAPI:
        """Listen on 127.0.0.1, a free port."""
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll until `condition()` holds; AssertionError after `timeout` seconds."""
        end = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < end, "timed out waiting for the fake Slack"
            await asyncio.sleep(0.005)

    def _programmed(self, target: str) -> web.Response | None:
        self.attempts[target] += 1
        if not self._failures[target]:
            return None
        failure = self._failures[target].pop(0)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        error = "ratelimited" if failure.status == 429 else "internal_error"
        return web.json_response({"ok": False, "error": error}, status=failure.status, headers=headers)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls.append(ApiCall(method, params, request.headers.get("Authorization")))
        if method == "chat.postMessage" and self.post_delay:
            await asyncio.sleep(self.post_delay)
        failed = self._programmed(method)
        if failed is not None:
            return failed
        handler = {
            "auth.test": self._auth_test, "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_message, "conversations.history": self._history,
            "apps.connections.open": self._connections_open,
        }.get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return handler(params, request.headers.get("Authorization"))

    def _auth_test(self, params: dict[str, Any], auth: str | None) -> web.Response:
        if auth != f"Bearer {BOT_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "briefbot",
                                  "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0BOT"})

    def _post_message(self, params: dict[str, Any], auth: str | None) -> web.Response:
        blocks = _json_field(params.get("blocks")) or []
        problems = block_problems(blocks)
        if problems:
            self.refused += problems
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": problems})
        channel = str(params.get("channel"))
        ts = f"{time.time():.6f}{len(self.calls):04d}"
        msg = {"type": "message", "ts": ts, "text": params.get("text"), "blocks": blocks}
        if params.get("metadata"):
            msg["metadata"] = _json_field(params["metadata"])
        self.messages[channel].append(msg)
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": msg})

    def _history(self, params: dict[str, Any], auth: str | None) -> web.Response:
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = min(int(params.get("limit", 100)), 999)
        oldest = float(params.get("oldest") or 0)
        start = int(params.get("cursor") or 0)
        newest_first = [m for m in reversed(self.messages[str(params.get("channel"))]) if float(m["ts"]) > oldest]
        page = newest_first[start:start + limit]
        shown = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(newest_first)
        return web.json_response({"ok": True, "messages": shown, "has_more": more,
                                  "response_metadata": {"next_cursor": str(start + limit) if more else ""}})

    def _connections_open(self, params: dict[str, Any], auth: str | None) -> web.Response:
        if auth != f"Bearer {APP_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": self.base.replace("http", "ws", 1) + "/link?ticket=fake"})

    async def _response_url(self, request: web.Request) -> web.Response:
        hook = request.match_info["hook"]
        self.received.append(hook)
        self.reply_peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        failed = self._programmed("response_url")
        if failed is not None:
            return failed
        self._hook_uses[hook] += 1
        if self._hook_uses[hook] > RESPONSE_URL_USES:
            self.refused.append(f"response_url {hook} used more than {RESPONSE_URL_USES} times")
            return web.Response(status=404, text="used_url")
        body = await request.json()
        problems = block_problems(body.get("blocks") or [])
        if problems:
            self.refused += problems
            return web.Response(status=400, text="invalid_blocks")
        self.replies.append(Reply(hook, body))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket_ws = ws
        self.sockets_opened += 1
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": "A0001"}})

        async def pump() -> None:
            while True:
                await ws.send_json(await self._envelopes.get())

        sender = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(msg.data))
        finally:
            sender.cancel()
        return ws


def slack_error(status: int, retry_after: float | None) -> web.Response:
    """An error answer as Slack's Web API gives it."""
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
    error = "ratelimited" if status == 429 else "internal_error"
    return web.json_response({"ok": False, "error": error}, status=status, headers=headers)


async def _params(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments, from JSON, a form or the query string."""
    params: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if raw:
        if "json" in request.headers.get("Content-Type", ""):
            params.update(json.loads(raw))
        else:
            params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
    return params


def _json_field(value: Any) -> Any:
    """A field slack_sdk may send as a JSON string (form bodies) or as JSON itself."""
    return json.loads(value) if isinstance(value, str) else value
