"""The Discord adapter: `/brief` and `/brief-help` as application commands; posts as embeds."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from bot.adapters.base import OPEN_IN_BROWSER, AdminDesk, PageHook, PostError, Receipt, WebLink, web_url
from bot.adapters.discord.components import components, make_items
from bot.adapters.discord.embeds import Page, clean_label, render_embeds, truncate, web_view
# Cached: a prepared brief's embeds are rendered once per snapshot, not once per request.
from bot.adapters.discord.cache import render_embeds  # noqa: F811
from bot.core import messages
from bot.core.briefer import Briefer
from bot.core.document import Document, message
from bot.core.errors import BriefbotError, DeliveryError
from bot.core.models import Topic

T = TypeVar("T")
_log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
# Discord voids an interaction not answered within 3 s; an answer slower than this is deferred first.
DEFER_AFTER = 1.0
# Discord: autocomplete offers at most 25 choices, each name and value at most 100 characters.
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
# Discord: a nonce is at most 25 characters.
NONCE_MAX = 25
REPLY_PAGES_MAX = 10
# find_post reads at most this many messages after the claim time (Discord's `after`).
HISTORY_LIMIT = 100
CLOCK_SKEW = timedelta(minutes=1)
# One message POST (discord.py's own 429 waits included); well under the delivery ledger's lease.
POST_TIMEOUT = 10.0
READY_TIMEOUT = 30.0
CLOSE_GRACE = 10.0

RESTARTING = "briefbot is restarting; try again in a few seconds."
TOO_MANY_PAGES = "This answer runs to {total} messages; the first {shown} are shown."
ADMIN_ACTIONS = ("status", "reload", "digest", "help")
DIGEST_ID_MAX = 64  # a digest id is a slug of at most 64 characters (bot.core.models.Slug)


def internal_error(ref: str) -> str:
    """What a user reads when a command failed on our side."""
    return f"Something went wrong on our side (reference {ref}). Try again in a moment."


class DiscordSetupError(BriefbotError):
    """The Discord settings in the environment are unusable; str() says which and how to fix it."""


def delivery_ref(key: str) -> str:
    """A short reference derived from a ledger key, shown in post footers and used in nonces."""
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def page_nonce(key: str, page: int) -> str:
    """The nonce of one page of a post: distinct per page, so Discord dedupes each page alone."""
    return f"{delivery_ref(key)}-{page}"[:NONCE_MAX]


def choice_name(topic: Topic) -> str:
    """An autocomplete label: the title, then the aliases that may be what the user typed."""
    aliases = [a for a in topic.aliases if a.casefold() != topic.title.casefold()]
    label = f"{topic.title} · {', '.join(aliases)}" if aliases else topic.title
    return truncate(clean_label(label), CHOICE_NAME_MAX) or topic.id


def point_discord_py_at(api_url: str, gateway_url: str) -> Callable[[], None]:
    """Aim discord.py's REST client and gateway at these URLs; returns the function undoing it.

    discord.py reads both from class attributes when it builds a request or a connection, with
    no per-client setting, so this affects every discord.py client in the process.
    """
    previous = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def undo() -> None:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = previous

    return undo


class DiscordAdapter:
    """Serves `/brief` over Discord's gateway and posts documents to channels as embeds."""

    name = "discord"

    def __init__(
        self,
        briefer: Briefer,
        token: str,
        *,
        guild_id: int | None = None,
        api_url: str = DEFAULT_API_URL,
        gateway_url: str = DEFAULT_GATEWAY_URL,
        shard_id: int | None = None,
        shard_count: int | None = None,
        guild_ready_timeout: float = 2.0,
        defer_after: float = DEFER_AFTER,
        admin: AdminDesk | None = None,
    ) -> None:
        self.briefer = briefer
        self.admin = admin  # the app sets it; without it `/brief-admin` answers that admin commands are off
        self.web_link: WebLink | None = None  # the app sets it when the web pages have a PUBLIC_URL
        self.guild_id = guild_id
        self.api_url = api_url
        self.gateway_url = gateway_url
        self.defer_after = defer_after
        self.post_timeout = POST_TIMEOUT
        self._token = token
        self.client = discord.Client(
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            shard_id=shard_id,
            shard_count=shard_count,
            guild_ready_timeout=guild_ready_timeout,
            http_trace=no_resend_trace(),
        )
        self.tree = app_commands.CommandTree(self.client)
        self.tree.error(self._on_error)
        self._register()
        self.items = make_items(self._click)
        self.client.add_dynamic_items(*self.items)  # persistent: any message's buttons, whenever it was sent
        self._gateway: asyncio.Task[None] | None = None
        self._undo_endpoints: Callable[[], None] | None = None
        self._inflight: set[asyncio.Task[object]] = set()
        self._closing = False

    def __repr__(self) -> str:
        return f"DiscordAdapter(guild_id={self.guild_id}, api_url={self.api_url!r})"

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in, sync the commands, connect to the gateway; return once the client is ready."""
        self._undo_endpoints = point_discord_py_at(self.api_url, self.gateway_url)
        try:
            await self._login()
            await self._sync()
            self._gateway = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
            await self._wait_ready()
        except BaseException:
            await self.close()
            raise

    @property
    def connected(self) -> bool:
        """True while the gateway connection runs (resuming included); False once it ended for good."""
        return self._gateway is not None and not self._gateway.done()

    async def _login(self) -> None:
        try:
            await self.client.login(self._token)
        except discord.LoginFailure as exc:
            raise DiscordSetupError("Discord refused DISCORD_TOKEN (401); copy the bot token again "
                                    "from the Developer Portal.") from exc

    async def _sync(self) -> None:
        if self.guild_id is not None:
            guild = discord.Object(id=self.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            _log.info("discord: synced %d commands to guild %s", len(synced), self.guild_id)
        else:
            synced = await self.tree.sync()
            _log.info("discord: synced %d global commands (may take up to an hour to appear)", len(synced))

    async def _wait_ready(self) -> None:
        assert self._gateway is not None
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait({ready, self._gateway}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            self._gateway.add_done_callback(self._gateway_ended)
            _log.info("discord: connected as %s", self.client.user)
            return
        ready.cancel()
        if self._gateway in done:
            self._gateway.result()  # raises why the gateway connection ended
            raise DiscordSetupError("The Discord gateway closed before the bot was ready.")
        raise DiscordSetupError(f"The Discord gateway was not ready within {READY_TIMEOUT:.0f} s.")

    def _gateway_ended(self, task: asyncio.Task[None]) -> None:
        if self._closing or task.cancelled():
            return
        error = task.exception()
        _log.critical("discord: the gateway connection ended for good; /brief is not being answered",
                      exc_info=error)

    async def close(self) -> None:
        """Refuse new commands, let replies in flight finish, then disconnect."""
        self._closing = True
        pending = {t for t in self._inflight if not t.done()}
        if pending:
            await asyncio.wait(pending, timeout=CLOSE_GRACE)
        await self.client.close()
        if self._gateway is not None:
            try:
                await self._gateway
            except (asyncio.CancelledError, Exception) as exc:  # the gateway's end is not an error now
                _log.debug("discord: gateway ended with %r", exc)
            self._gateway = None
        if self._undo_endpoints is not None:
            self._undo_endpoints()
            self._undo_endpoints = None

    # --- commands --------------------------------------------------------------------------------

    def _register(self) -> None:
        @self.tree.command(name="brief", description="Brief me on a topic: positions, key claims, flagged claims")
        @app_commands.describe(topic="Topic id, title or alias (English or French)",
                               public="Post the brief to the channel instead of only to you")
        async def brief(interaction: discord.Interaction, topic: str = "", public: bool = False) -> None:
            await self._command(interaction, "brief", topic, public)

        @brief.autocomplete("topic")
        async def brief_topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return self.choices(current)

        @self.tree.command(name="brief-help", description="How to use /brief")
        async def brief_help(interaction: discord.Interaction) -> None:
            await self._command(interaction, "brief-help", "help", False)

        @self.tree.command(name="brief-admin", description="Admins only: status, reload, send a digest now")
        @app_commands.describe(action="What to do", digest="With action digest: the id of one digest to send")
        @app_commands.choices(action=[app_commands.Choice(name=a, value=a) for a in ADMIN_ACTIONS])
        async def brief_admin(interaction: discord.Interaction, action: app_commands.Choice[str],
                              digest: app_commands.Range[str, None, DIGEST_ID_MAX] = "") -> None:
            text = f"{action.value} {digest}".strip() if action.value == "digest" else action.value
            await self._tracked(interaction, "brief-admin", text, lambda: self._answer_admin(interaction, text))

    def choices(self, typed: str) -> list[app_commands.Choice[str]]:
        """Autocomplete choices for what the user has typed so far."""
        topics = self.briefer.complete(typed, limit=CHOICES_MAX)
        return [app_commands.Choice(name=choice_name(t), value=t.id) for t in topics[:CHOICES_MAX]]

    async def _command(self, interaction: discord.Interaction, command: str, text: str, public: bool) -> None:
        await self._tracked(interaction, command, text, lambda: self._answer(interaction, text, public))

    async def _tracked(self, interaction: discord.Interaction, command: str, text: str,
                       answer: Callable[[], Awaitable[str]]) -> None:
        """Run one command's answer: counted in flight for close(), refused while closing, logged."""
        started = time.perf_counter()
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        outcome = "failed"
        try:
            if self._closing:
                outcome = "refused"
                await interaction.response.send_message(RESTARTING, ephemeral=True)
                return
            outcome = await answer()
        finally:
            deferred = interaction.response.type is discord.InteractionResponseType.deferred_channel_message
            _log.info("platform=discord command=%s topic=%r outcome=%s deferred=%s latency_ms=%.0f", command,
                      text[:100], outcome, deferred, (time.perf_counter() - started) * 1000)

    async def _answer(self, interaction: discord.Interaction, text: str, public: bool) -> str:
        doc, request = await self._in_time(interaction, asyncio.to_thread(self.briefer.answer, text, self.name),
                                           ephemeral=not public)
        public = (public or bool(request and request.public)) and doc.tone != "error"
        await self._reply(interaction, render_embeds(doc), ephemeral=not public, view=self._view(doc))
        return "error" if doc.tone == "error" else "ok"

    def _view(self, doc: Document) -> discord.ui.View | None:
        """The document's links to other views, and "Open in browser" when the pages have a public address."""
        view = components(doc, self.items)
        url = web_url(self.web_link, doc)
        if url is None:
            return view
        try:
            return web_view(url, OPEN_IN_BROWSER, view)
        except ValueError:  # every row already holds view links: the web link is the one left out
            return view

    async def _click(self, interaction: discord.Interaction, route: str) -> None:
        """A view's button or select: edit an ephemeral message in place, else answer the clicker alone."""
        await self._tracked(interaction, "click", route, lambda: self._answer_click(interaction, route))

    async def _answer_click(self, interaction: discord.Interaction, route: str) -> str:
        in_place = interaction.message is not None and interaction.message.flags.ephemeral
        work = asyncio.ensure_future(asyncio.to_thread(self.briefer.open, route, self.name))
        done, _ = await asyncio.wait({work}, timeout=self.defer_after)
        if not done:
            await interaction.response.defer(ephemeral=True, thinking=not in_place)
        doc = await work
        page, view = render_embeds(doc)[0], self._view(doc)  # a view fits one message
        none = discord.AllowedMentions.none()
        if interaction.response.is_done():
            if in_place:
                await interaction.edit_original_response(embeds=page, view=view, allowed_mentions=none)
            else:
                await interaction.followup.send(embeds=page, view=view or discord.utils.MISSING, ephemeral=True,
                                                allowed_mentions=none)
        elif in_place:
            await interaction.response.edit_message(embeds=page, view=view, allowed_mentions=none)
        else:
            await interaction.response.send_message(embeds=page, view=view or discord.utils.MISSING, ephemeral=True,
                                                    allowed_mentions=none)
        return "error" if doc.tone == "error" else "ok"

    async def _answer_admin(self, interaction: discord.Interaction, text: str) -> str:
        """Answer `/brief-admin`, always ephemerally; Manage Server in this interaction counts as admin."""
        doc = await self._in_time(interaction, self._admin_document(interaction, text), ephemeral=True)
        await self._reply(interaction, render_embeds(doc), ephemeral=True)
        return "error" if doc.tone == "error" else "ok"

    async def _admin_document(self, interaction: discord.Interaction, text: str) -> Document:
        if self.admin is None:
            return message("Admin commands are off", messages.ADMIN_DISABLED, tone="error")
        # The member's permissions as Discord resolved them for this interaction (0 outside a server).
        manages = interaction.permissions.manage_guild
        return await self.admin.handle(self.name, str(interaction.user.id), text, extra_permission=manages)

    async def _in_time(self, interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool) -> T:
        """Await the answer; if it takes longer than `defer_after`, defer first so Discord keeps the interaction."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        return await task

    async def _reply(self, interaction: discord.Interaction, pages: list[Page], *, ephemeral: bool,
                     view: discord.ui.View | None = None) -> None:
        shown = pages[:REPLY_PAGES_MAX]
        none = discord.AllowedMentions.none()
        # The links ride on the last message (a view is one message; longer documents end with them).
        last = len(shown) - 1
        links = view if view is not None else discord.utils.MISSING
        if not interaction.response.is_done():
            await interaction.response.send_message(embeds=shown[0], ephemeral=ephemeral, allowed_mentions=none,
                                                    view=links if last == 0 else discord.utils.MISSING)
            shown, last = shown[1:], last - 1
        for n, page in enumerate(shown):
            await interaction.followup.send(embeds=page, ephemeral=ephemeral, allowed_mentions=none,
                                            view=links if n == last else discord.utils.MISSING)
        if len(pages) > REPLY_PAGES_MAX:
            note = TOO_MANY_PAGES.format(total=len(pages), shown=REPLY_PAGES_MAX)
            await interaction.followup.send(note, ephemeral=ephemeral, allowed_mentions=none)

    async def _on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        ref = secrets.token_hex(3)
        _log.error("discord: command failed (reference %s)", ref, exc_info=error)
        text = internal_error(ref)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.DiscordException as exc:
            _log.warning("discord: could not tell the user about failure %s: %r", ref, exc)

    # --- posting ---------------------------------------------------------------------------------

    def _channel(self, channel: str) -> discord.PartialMessageable:
        if self.client.user is None:
            raise PostError("The Discord adapter is not started; call start() before posting.", status=400)
        if not channel.isdigit():
            raise PostError(f"A Discord channel is given by its numeric id; “{channel}” is not one.", status=400)
        return self.client.get_partial_messageable(int(channel))

    async def post(
        self, channel: str, doc: Document, *, key: str, first_page: int = 0, on_page: PageHook | None = None,
    ) -> Receipt:
        """Post the document's pages (from `first_page`) to a channel, each with its own nonce; failures are
        `PostError`s (discord.py is kept from re-sending a page after a 5xx or a dropped connection)."""
        target = self._channel(channel)
        pages = render_embeds(doc, marker=f"ref {delivery_ref(key)}")
        ids: list[str] = []
        view = components(doc, self.items)
        for number in range(first_page, len(pages)):
            links = view if view is not None and number == len(pages) - 1 else discord.utils.MISSING
            try:
                sent = await asyncio.wait_for(target.send(
                    embeds=pages[number], nonce=page_nonce(key, number),
                    allowed_mentions=discord.AllowedMentions.none(), view=links), self.post_timeout)
            except Exception as exc:  # noqa: BLE001 (every failure becomes a PostError delivery understands)
                raise post_error(channel, exc, number + 1, len(pages)) from None
            ids.append(str(sent.id))
            if on_page is not None:
                await on_page(number, len(pages), ids[-1])
        return Receipt(self.name, channel, ids, pages=len(pages))

    async def find_post(
        self, channel: str, key: str, *, since: datetime | None = None, pages: int | None = None,
    ) -> Receipt | None:
        """The pages carrying `key` among the bot's messages after `since` (the claim time, less a minute for
        clock skew), first page first; a post cut short gives its first pages and `Receipt.pages` the total."""
        target = self._channel(channel)
        ref = delivery_ref(key)
        marker = re.compile(rf"ref {ref} · (\d+)/(\d+)$")
        found: dict[int, str] = {}
        total = 0
        after = since - CLOCK_SKEW if since is not None else None
        try:
            async for msg in target.history(limit=HISTORY_LIMIT, after=after):
                if msg.author.id != self.client.user.id:  # type: ignore[union-attr]
                    continue
                footer = (msg.embeds[-1].footer.text or "") if msg.embeds else ""
                seen = marker.search(footer)
                if seen:
                    found[int(seen[1]) - 1] = str(msg.id)
                    total = int(seen[2])
                elif isinstance(msg.nonce, str) and msg.nonce.startswith(f"{ref}-"):
                    found[int(msg.nonce.rsplit("-", 1)[1])] = str(msg.id)
                if total and len(found) >= total:
                    break
        except Exception as exc:  # noqa: BLE001
            raise post_error(channel, exc) from None
        ids: list[str] = []
        while len(ids) in found:
            ids.append(found[len(ids)])
        if not ids:
            return None
        if total == 0 or len(ids) < total:
            _log.info("discord: post %s in channel %s has %d of %s pages", ref, channel, len(ids), total or "?")
        return Receipt(self.name, channel, ids, pages=total or pages)


class _ServerFailed(Exception):
    """A message POST answered 429 or 5xx: raised from the HTTP trace so discord.py does not re-send it
    (the Deliverer waits out a 429 and asks find_post after a 5xx)."""

    def __init__(self, status: int, retry_after: str | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class _TransportFailed(Exception):
    """A message POST lost its connection; `sent` is False when it never connected."""

    def __init__(self, cause: BaseException, sent: bool) -> None:
        super().__init__(type(cause).__name__)
        self.sent = sent


_MESSAGE_POST = re.compile(r"/channels/\d+/messages$")


def no_resend_trace() -> aiohttp.TraceConfig:
    """An aiohttp trace that turns a 429, a 5xx or a broken connection on a message POST into an exception
    discord.py does not retry (it re-sends on 429, on 500/502/504/524 and on some connection resets).

    discord.py has no per-route retry setting; `http_trace` is its documented hook into the session.
    """
    trace = aiohttp.TraceConfig()

    async def on_end(_: object, __: object, params: aiohttp.TraceRequestEndParams) -> None:
        status = params.response.status
        if params.method == "POST" and _MESSAGE_POST.search(params.url.path) and (status == 429 or status >= 500):
            headers = params.response.headers
            raise _ServerFailed(status, headers.get("X-RateLimit-Reset-After") or headers.get("Retry-After"))

    async def on_exception(_: object, __: object, params: aiohttp.TraceRequestExceptionParams) -> None:
        error = params.exception
        if params.method == "POST" and _MESSAGE_POST.search(params.url.path) and not isinstance(
                error, _ServerFailed | asyncio.CancelledError) and isinstance(error, OSError | aiohttp.ClientError):
            raise _TransportFailed(error, sent=not isinstance(error, aiohttp.ClientConnectorError)) from error

    trace.on_request_end.append(on_end)
    trace.on_request_exception.append(on_exception)
    return trace


def post_error(channel: str, exc: BaseException, page: int = 0, pages: int = 0) -> PostError:
    """What a failed REST call means for delivery: status, Retry-After, and whether the message may exist."""
    where = f"page {page} of {pages} for channel {channel}" if pages else f"channel {channel}"
    if isinstance(exc, PostError):
        return exc
    if isinstance(exc, _ServerFailed):
        return PostError(f"Discord failed {where}: HTTP {exc.status}", status=exc.status,
                         retry_after=_seconds(exc.retry_after), landed=exc.status >= 500)
    if isinstance(exc, discord.RateLimited):
        return PostError(f"Discord rate-limited {where}", status=429, retry_after=exc.retry_after)
    if isinstance(exc, discord.HTTPException):
        status = int(exc.status)
        retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
        return PostError(f"Discord refused {where}: {exc}", status=status, retry_after=_seconds(retry),
                         landed=status >= 500)
    if isinstance(exc, _TransportFailed):
        return PostError(f"Discord connection failed for {where}: {exc}", landed=exc.sent)
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return PostError(f"Discord did not answer in time for {where}", landed=True)
    if isinstance(exc, DeliveryError):  # our own refusal (adapter not started, bad channel id)
        return PostError(str(exc), status=400)
    return PostError(f"Discord connection failed for {where}: {type(exc).__name__}",
                     landed=not isinstance(exc, aiohttp.ClientConnectorError))


def _seconds(value: object) -> float | None:
    try:
        return float(value) if value is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def discord_adapter_from_env(briefer: Briefer, env: Mapping[str, str]) -> DiscordAdapter | None:
    """The Discord adapter the environment configures; None without DISCORD_TOKEN."""
    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        return None
    shard_id, shard_count = _number(env, "DISCORD_SHARD_ID"), _number(env, "DISCORD_SHARD_COUNT")
    if (shard_id is None) != (shard_count is None) or (shard_count is not None and not 0 <= shard_id < shard_count):  # type: ignore[operator]
        raise DiscordSetupError("Set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together, with 0 ≤ DISCORD_SHARD_ID "
                                "< DISCORD_SHARD_COUNT (one process per shard), or neither for a single connection.")
    return DiscordAdapter(
        briefer,
        token,
        guild_id=_snowflake(env, "DISCORD_GUILD_ID"),
        api_url=_url(env, "DISCORD_API_URL", DEFAULT_API_URL, ("http", "https")),
        gateway_url=_url(env, "DISCORD_GATEWAY_URL", DEFAULT_GATEWAY_URL, ("ws", "wss")),
        shard_id=shard_id,
        shard_count=shard_count,
    )


def _snowflake(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 17 <= len(value) <= 20:
        raise DiscordSetupError(
            f"{name} must be a server id, 17 to 20 digits (Discord: Developer Mode, then right-click the "
            f"server, Copy Server ID); got “{value[:40]}”. Leave it unset to register commands globally.")
    return int(value)


def _number(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise DiscordSetupError(f"{name} must be a whole number; got “{value[:40]}”.")
    return int(value)


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    url = yarl.URL(value)
    if url.scheme not in schemes or not url.host:
        raise DiscordSetupError(f"{name} must be a {' or '.join(s + '://' for s in schemes)} URL; got “{value[:80]}”.")
    return value
