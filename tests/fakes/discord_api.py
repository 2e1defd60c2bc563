"""A fake of Discord's REST API (v10) and gateway on loopback, for driving the real discord.py client."""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.faults import FaultPlan

DISCORD_EPOCH_MS = 1420070400000

APP_ID = "1000000000000000001"
GUILD_ID = "2000000000000000001"
CHANNEL_ID = "3000000000000000001"
USER_ID = "4000000000000000001"
BOT_USER = {"id": APP_ID, "username": "briefbot", "discriminator": "0", "avatar": None, "bot": True,
            "global_name": None}
PERSON = {"id": USER_ID, "username": "ann", "discriminator": "0", "avatar": None, "global_name": "Ann"}

# Discord's embed limits, restated here so the fake refuses what Discord would refuse.
EMBED_LIMITS = {"title": 256, "description": 4096, "fields": 25, "field.name": 256, "field.value": 1024,
                "footer.text": 2048, "author.name": 256, "total": 6000, "embeds": 10}


@dataclass
class Recorded:
    """One request the fake received, and the status it answered with."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int = 0


@dataclass
class Fault:
    """Answer the next `count` requests matching `method` and `path` (a regex) with `status`."""

    method: str
    path: str
    status: int
    count: int = 1
    retry_after: float = 0.05


@dataclass
class Interaction:
    """An interaction the fake dispatched, and what the bot answered."""

    payload: dict[str, Any]
    sent_at: float
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)


def reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response; discord.py only decodes a Content-Type of exactly `application/json`."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def embed_errors(embeds: list[dict[str, Any]]) -> list[str]:
    """Why Discord would refuse these embeds in one message (empty when it would accept them)."""
    errors = [f"{len(embeds)} embeds"] if len(embeds) > EMBED_LIMITS["embeds"] else []
    total = 0
    for embed in embeds:
        fields = embed.get("fields") or []
        if len(fields) > EMBED_LIMITS["fields"]:
            errors.append(f"{len(fields)} fields")
        texts = [("title", embed.get("title")), ("description", embed.get("description")),
                 ("footer.text", (embed.get("footer") or {}).get("text")),
                 ("author.name", (embed.get("author") or {}).get("name"))]
        texts += [(f"field.{key}", f.get(key)) for f in fields for key in ("name", "value")]
        for key, text in texts:
            size = len(text or "")
            total += size
            if size > EMBED_LIMITS[key]:
                errors.append(f"{key} of {size}")
    if total > EMBED_LIMITS["total"]:
        errors.append(f"{total} characters in all")
    return errors


class FakeDiscordAPI:
    """Discord on 127.0.0.1:0: REST routes discord.py needs, a gateway websocket, faults on demand."""

    def __init__(self, guilds: tuple[str, ...] = (GUILD_ID,)) -> None:
        self.guilds = guilds
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.identify: dict[str, Any] | None = None
        self.interactions: dict[str, Interaction] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.ack_deadline = 3.0
        self.connected = asyncio.Event()
        self.identifies = 0
        self.shards: list[list[int]] = []  # the [shard_id, shard_count] of each IDENTIFY
        self.resumes = 0
        self.refuse_connections = 0  # answer this many gateway handshakes with 503 (an outage)
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._ids = itertools.count(1)
        # Discord dedupes a reused nonce (with enforce_nonce) for a few minutes; None: for ever. Tests of
        # exactly-once set 0, so nothing they check leans on the nonce.
        self.nonce_window: float | None = None
        self.post_delay = 0.0  # seconds each channel message POST takes (a fan-out under way, for crash tests)
        # HTTP-level faults (errors, resets, stalls, before or after the request is handled).
        self.faults_plan = FaultPlan(error=discord_error)
        self.app = web.Application(middlewares=[self.faults_plan.middleware()])
        self.app.router.add_get("/gateway", self._gateway)
        self.app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)

    @property
    def api_url(self) -> str:
        """What DISCORD_API_URL should be to reach this fake."""
        return f"{self.base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What DISCORD_GATEWAY_URL should be to reach this fake."""
        return self.base.replace("http://", "ws://") + "/gateway"

    async def start(self) -> FakeDiscordAPI:
        """Listen on a free loopback port."""
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        """Close the gateway and stop listening."""
        if self._ws is not None:
            await self._ws.close()
        await self._runner.cleanup()

    # --- the test's side -------------------------------------------------------------------------

    def fail(self, method: str, path: str, status: int, count: int = 1, retry_after: float = 0.05) -> None:
        """Answer the next `count` matching requests with `status` (429 comes with rate-limit headers)."""
        self.faults.append(Fault(method, path, status, count, retry_after))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH event down the gateway, as Discord does."""
        await asyncio.wait_for(self.connected.wait(), 5)
        assert self._ws is not None
        if event == "INTERACTION_CREATE":
            self.interactions[data["id"]] = Interaction(data, asyncio.get_running_loop().time())
        self._seq += 1
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def disconnect(self, code: int) -> None:
        """Close the gateway connection with a close code (4004: authentication failed; 4000: resumable)."""
        assert self._ws is not None
        await self._ws.close(code=code)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Poll until `condition()` holds; AssertionError after `timeout` seconds."""
        end = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < end, "timed out waiting for the fake Discord"
            await asyncio.sleep(0.005)

    def accepted(self, method: str, pattern: str) -> list[Recorded]:
        """Requests matching `pattern` that the fake accepted (2xx)."""
        return [r for r in self.requests
                if r.method == method and re.fullmatch(pattern, r.path) and 200 <= r.status < 300]

    def matching(self, method: str, pattern: str) -> list[Recorded]:
        """Every request matching `pattern`, whatever the answer."""
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    # --- gateway ---------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_connections > 0:
            self.refuse_connections -= 1
            return web.Response(status=503, text="gateway unavailable")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        # Text frames: discord.py asks for zlib-stream but also accepts plain JSON text.
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 2:
                self.identify = frame["d"]
                self.identifies += 1
                self.shards.append(frame["d"].get("shard", [0, 1]))
                await self._ready(ws)
            elif frame["op"] == 6:  # RESUME: replay nothing, confirm, carry on with the same session
                self.resumes += 1
                self._seq += 1
                await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}}))
                self._ws = ws
                self.connected.set()
            elif frame["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
        self.connected.clear()
        return ws

    async def _ready(self, ws: web.WebSocketResponse) -> None:
        shard = (self.identify or {}).get("shard", [0, 1])
        self._seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": self._seq, "d": {
            "v": 10, "user": BOT_USER, "session_id": "session-1", "shard": shard,
            "guilds": [{"id": g, "unavailable": True} for g in self.guilds],
            "resume_gateway_url": self.gateway_url, "application": {"id": APP_ID, "flags": 0}}}))
        for guild in self.guilds:
            self._seq += 1
            await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": self._seq, "d": guild_payload(guild)}))
        self._ws = ws
        self.connected.set()

    # --- REST ------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await _body(request)
        record = Recorded(request.method, path, dict(request.query), body, dict(request.headers))
        self.requests.append(record)
        if self.post_delay and request.method == "POST" and path.startswith("/channels/"):
            await asyncio.sleep(self.post_delay)
        response = self._fault(request.method, path) or self._route(request.method, path, body, request.query)
        record.status = response.status
        return response

    def _fault(self, method: str, path: str) -> web.Response | None:
        for fault in self.faults:
            if fault.count > 0 and fault.method == method and re.fullmatch(fault.path, path):
                fault.count -= 1
                if fault.status == 429:
                    return rate_limited(fault.retry_after)
                return reply({"message": "Internal Server Error", "code": 0}, status=fault.status)
        return None

    def _route(self, method: str, path: str, body: Any, query: Any) -> web.Response:
        parts = path.strip("/").split("/")
        if path == "/users/@me":
            return reply(BOT_USER)
        if path == "/oauth2/applications/@me":
            return reply(application())
        if path in ("/gateway", "/gateway/bot"):
            return reply({"url": self.gateway_url, "shards": 1,
                          "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                                  "max_concurrency": 1}})
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            return self._sync(parts, body)
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], body)
        if parts[0] == "webhooks":
            return self._webhook(method, parts, body)
        if parts[0] == "channels" and parts[-1] == "messages":
            if method == "POST":
                return self._create_message(parts[1], body)
            return reply(self._history(parts[1], query))
        return reply({"message": "404: Not Found", "code": 0}, status=404)

    def _sync(self, parts: list[str], body: list[dict[str, Any]]) -> web.Response:
        scope = parts[3] if len(parts) == 5 else "global"
        self.commands[scope] = body
        return reply([{**c, "id": str(7000000000000000000 + i), "application_id": APP_ID, "version": "1",
                       "default_member_permissions": None, **({"guild_id": scope} if scope != "global" else {})}
                      for i, c in enumerate(body)])

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> web.Response:
        seen = self.interactions.get(interaction_id)
        if seen is None:
            return reply({"message": "Unknown interaction", "code": 10062}, status=404)
        if asyncio.get_running_loop().time() - seen.sent_at > self.ack_deadline:
            return reply({"message": "Unknown interaction", "code": 10062}, status=404)
        if seen.callbacks:
            return reply({"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        errors = embed_errors((body.get("data") or {}).get("embeds") or [])
        if errors:
            return invalid_form(errors)
        seen.callbacks.append(body)
        return reply({"interaction": {"id": interaction_id, "type": seen.payload["type"],
                                      "response_message_loading": body.get("type") == 5,
                                      "response_message_ephemeral": bool((body.get("data") or {}).get("flags", 0) & 64)}})

    def _webhook(self, method: str, parts: list[str], body: dict[str, Any]) -> web.Response:
        token = parts[2]
        seen = next((i for i in self.interactions.values() if i.payload["token"] == token), None)
        if seen is None or not seen.callbacks:
            return reply({"message": "Unknown Webhook", "code": 10015}, status=404)
        errors = embed_errors(body.get("embeds") or [])
        if errors:
            return invalid_form(errors)
        if method == "POST":
            seen.followups.append(body)
        return reply(self._message(seen.payload["channel_id"], body))

    def _create_message(self, channel: str, body: dict[str, Any]) -> web.Response:
        errors = embed_errors(body.get("embeds") or [])
        if errors:
            return invalid_form(errors)
        posted = self.messages.setdefault(channel, [])
        if body.get("enforce_nonce") and body.get("nonce") and self.nonce_window != 0:
            # Discord: a nonce reused by the same author within minutes returns the first message.
            now = time.time()
            earlier = next((m for m in posted if m.get("nonce") == body["nonce"] and (
                self.nonce_window is None or now - m["_at"] < self.nonce_window)), None)
            if earlier is not None:
                return reply(earlier, headers=bucket_headers())
        message = self._message(channel, body)
        posted.append(message)
        return reply(message, headers=bucket_headers())

    def _history(self, channel: str, query: Any) -> list[dict[str, Any]]:
        """GET /channels/{id}/messages: newest first; `after` gives the oldest `limit` messages after an id."""
        limit = min(int(query.get("limit", 50)), 100)
        posted = self.messages.get(channel, [])
        if "after" in query:
            after = int(query["after"])
            return list(reversed([m for m in posted if int(m["id"]) > after][:limit]))
        if "before" in query:
            posted = [m for m in posted if int(m["id"]) < int(query["before"])]
        return list(reversed(posted))[:limit]

    def _snowflake(self) -> str:
        """A message id as Discord makes them: milliseconds since its epoch, then a counter."""
        return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) + (next(self._ids) & 0x3FFFFF))

    def _message(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": self._snowflake(), "_at": time.time(), "channel_id": channel, "author": BOT_USER,
                "content": body.get("content") or "", "timestamp": "2025-01-01T00:00:00+00:00",
                "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
                "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [], "pinned": False,
                "type": 0, "flags": body.get("flags", 0), "nonce": body.get("nonce"),
                "components": body.get("components") or []}


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    if request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            if getattr(part, "name", None) == "payload_json":
                return json.loads(await part.text())  # type: ignore[union-attr]
        return {}
    return await request.json()


def discord_error(status: int, retry_after: float | None) -> web.Response:
    """An error answer as Discord's REST API gives it."""
    if status == 429:
        return rate_limited(retry_after if retry_after is not None else 0.05)
    return reply({"message": "Internal Server Error", "code": 0}, status=status)


def rate_limited(retry_after: float) -> web.Response:
    """A 429 as Discord sends it: body, rate-limit headers, and the `Via` header Cloudflare bans lack."""
    return reply({"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
                 status=429,
                 headers={"Via": "1.1 google", "Retry-After": str(retry_after), "X-RateLimit-Limit": "5",
                          "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000000.0",
                          "X-RateLimit-Reset-After": str(retry_after), "X-RateLimit-Bucket": "fake-bucket",
                          "X-RateLimit-Scope": "user"})


def bucket_headers() -> dict[str, str]:
    """Rate-limit headers of an ordinary success."""
    return {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset-After": "1.0",
            "X-RateLimit-Bucket": "fake-bucket"}


def invalid_form(errors: list[str]) -> web.Response:
    """Discord's answer to an embed over its limits."""
    return reply({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)


def application() -> dict[str, Any]:
    """The bot's application, as `/oauth2/applications/@me` returns it."""
    return {"id": APP_ID, "name": "briefbot", "icon": None, "description": "", "bot_public": True,
            "bot_require_code_grant": False, "owner": BOT_USER, "verify_key": "00", "flags": 0, "team": None}


def guild_payload(guild_id: str) -> dict[str, Any]:
    """A small GUILD_CREATE: one text channel, no members beyond the bot."""
    return {"id": guild_id, "name": "Newsroom", "icon": None, "owner_id": USER_ID, "unavailable": False,
            "member_count": 2, "large": False, "features": [], "roles": [], "emojis": [], "stickers": [],
            "members": [], "voice_states": [], "presences": [], "threads": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
            "channels": [{"id": CHANNEL_ID, "type": 0, "name": "general", "position": 0,
                          "permission_overwrites": [], "nsfw": False, "parent_id": None}],
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "premium_tier": 0, "preferred_locale": "en-US", "afk_timeout": 300,
            "system_channel_flags": 0, "nsfw_level": 0, "premium_progress_bar_enabled": False}


_interaction_ids = itertools.count(1)


ALL_PERMISSIONS = 2147483647


def interaction(kind: int, name: str, options: list[dict[str, Any]], *, guild: str | None = GUILD_ID,
                channel: str = CHANNEL_ID, locale: str = "en-US", user: dict[str, Any] = PERSON,
                permissions: int = ALL_PERMISSIONS) -> dict[str, Any]:
    """An INTERACTION_CREATE payload shaped as Discord sends it (2 = command, 4 = autocomplete).

    `permissions` is the member's bitfield resolved in the channel, as Discord computes it; `guild=None`
    makes a direct message, where Discord sends `user` and no member or permissions.
    """
    iid = str(5000000000000000000 + next(_interaction_ids))
    if guild is None:
        return {
            "id": iid, "application_id": APP_ID, "type": kind, "token": f"token-{iid}", "version": 1,
            "channel_id": channel, "channel": {"id": channel, "type": 1, "recipients": [user]}, "user": user,
            "data": {"id": "6000000000000000001", "name": name, "type": 1, "options": options},
            "locale": locale, "app_permissions": "0", "entitlements": [],
            "authorizing_integration_owners": {"1": user["id"]}, "context": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
    return {
        "id": iid, "application_id": APP_ID, "type": kind, "token": f"token-{iid}", "version": 1,
        "guild_id": guild, "channel_id": channel,
        "channel": {"id": channel, "type": 0, "guild_id": guild, "name": "general", "position": 0,
                    "permission_overwrites": [], "nsfw": False, "parent_id": None},
        "member": {"user": user, "roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False,
                   "mute": False, "flags": 0, "permissions": str(permissions)},
        "data": {"id": "6000000000000000001", "name": name, "type": 1, "options": options, "guild_id": guild},
        "locale": locale, "guild_locale": "en-US", "app_permissions": "2147483647", "entitlements": [],
        "authorizing_integration_owners": {"0": guild}, "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }


def option(name: str, value: Any, *, focused: bool = False) -> dict[str, Any]:
    """A command option as Discord sends it (string 3, boolean 5)."""
    kind = 5 if isinstance(value, bool) else 3
    return {"name": name, "type": kind, "value": value, **({"focused": True} if focused else {})}
