"""The Slack adapter: `/brief` over slack-bolt (Socket Mode or HTTP), digests via chat.postMessage."""
from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import OPEN_IN_BROWSER, AdminDesk, PageHook, PostError, Receipt, WebLink, web_url
from bot.adapters.slack.actions import GO_PATTERN, PICK_ACTION, SHARE_ACTION, clicked_route, on_ephemeral, share_button
from bot.adapters.slack.guard import Refusal, RequestGuard
from bot.adapters.slack.blocks import (
    OPEN_WEB_ACTION,
    SlackBlock,
    fallback_text,
    fit_pages,
    render_blocks,
    web_button,
    with_button,
)
# Cached: a prepared brief's pages are rendered, and its replies encoded, once per snapshot, not once per request.
from bot.adapters.slack.cache import Fields, encode_body, render_blocks, reply_bodies  # noqa: E402,F811
from bot.adapters.slack.response_url import ResponseUrlPoster
from bot.core import messages
from bot.core.briefer import Briefer, BriefRequest
from bot.core.document import Document, message
from bot.core.errors import BriefbotError, DeliveryError

log = logging.getLogger(__name__)

Mode = Literal["socket", "http"]
DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
METADATA_EVENT = "briefbot_digest"
POST_PUBLIC_ACTION = "brief_post_public"
ADMIN_COMMAND = "/briefbot-admin"
# Slack: a response_url accepts up to 5 replies within 30 minutes of the command.
RESPONSE_URL_USES = 5
# find_post reads at most this many messages per conversations.history call, and follows the cursor at most
# HISTORY_CALLS times; `oldest` (the claim time) keeps the read to what came after the delivery began.
HISTORY_SCAN = 100
HISTORY_CALLS = 5
CLOCK_SKEW = timedelta(minutes=1)
# One chat.postMessage call; well under the delivery ledger's lease.
POST_TIMEOUT_S = 10.0
CLOSE_GRACE_S = 10.0
# A digest longer than this many messages would flood a channel; the rest is cut with a note.
POST_PAGES = 10

FAILED_TITLE = "Something went wrong"
FAILED_TEXT = "The brief could not be made (reference {ref}). Please try again in a minute."
POST_BUTTON = "Post to channel"
RESTARTING = "briefbot is restarting; please try again in a few seconds."


class _ServerErrorRetry(AsyncServerErrorRetryHandler):
    """Retries every 5xx (slack_sdk's own handler covers only 500 and 503; proxies answer 502/504)."""

    async def _can_retry_async(
        self, *, state: RetryState, request: HttpRequest,
        response: HttpResponse | None = None, error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


def retry_handlers() -> list[AsyncRetryHandler]:
    """Connection resets, 429 (sleeping Retry-After) and 5xx: shared by the Web API and response_url clients."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        _ServerErrorRetry(max_retry_count=2, interval_calculator=BackoffRetryIntervalCalculator(0.25)),
    ]


def post_button(query: str) -> SlackBlock:
    """The actions block that re-posts an ephemeral brief to the channel."""
    return {
        "type": "actions",
        "elements": [{
            "type": "button", "action_id": POST_PUBLIC_ACTION, "value": query[:2000],
            "text": {"type": "plain_text", "text": POST_BUTTON},
        }],
    }


class SlackAdapter:
    """Serves `/brief`, the post-to-channel button and `/briefbot-admin`; posts digests keyed by metadata."""

    name = "slack"

    def __init__(
        self,
        briefer: Briefer,
        *,
        bot_token: str,
        mode: Mode,
        app_token: str | None = None,
        signing_secret: str | None = None,
        api_url: str = DEFAULT_API_URL,
        host: str = "0.0.0.0",
        port: int = 3000,
        path: str = EVENTS_PATH,
        web_app: web.Application | None = None,
        admin: AdminDesk | None = None,
    ) -> None:
        if mode == "socket" and not app_token:
            raise ValueError("Socket Mode needs an app-level token")
        if mode == "http" and not signing_secret:
            raise ValueError("HTTP mode needs the signing secret")
        self.briefer = briefer
        self.admin = admin  # the app sets it; without it `/briefbot-admin` answers that admin commands are off
        self.web_link: WebLink | None = None  # the app sets it when the web pages have a PUBLIC_URL
        self.mode = mode
        self.host, self.port, self.path = host, port, path
        self.retries = retry_handlers()
        self.client = AsyncWebClient(token=bot_token, base_url=api_url, retry_handlers=self.retries)
        # Digest posts go through a client with no retry handler: a 5xx or a dropped connection may come after
        # Slack created the message, so only delivery (which asks find_post first) may post again, and 429s
        # are retried there too, keeping every retry of a post in one layer.
        self.poster = AsyncWebClient(token=bot_token, base_url=api_url, retry_handlers=[])
        # Replies to response_urls: the same retry handlers as the Web API client, over the same session.
        self.replies = ResponseUrlPoster(self.retries)
        self.post_timeout = POST_TIMEOUT_S
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret or "",
            request_verification_enabled=mode == "http",
            logger=logging.getLogger("slack_bolt"),
        )
        self.web_app = web_app if web_app is not None else web.Application()
        self.guard = RequestGuard(signing_secret or "")
        if mode == "http":
            self.web_app.router.add_post(path, self._handle_http)
        self._app_token = app_token
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._closing = False
        self._register()

    @property
    def routes(self) -> web.UrlDispatcher:
        """The HTTP server's router: add health or metrics routes here before start()."""
        return self.web_app.router

    def _register(self) -> None:
        @self.app.command("/brief")
        async def on_brief(ack: Callable[..., Awaitable[Any]], command: dict[str, Any]) -> None:
            if self._closing:
                await ack(text=RESTARTING)
                return
            await ack()  # first: Slack's 3-second window closes on the ack, not the reply
            self._spawn(self._answer(command.get("text", ""), command.get("response_url", ""), "command"))

        @self.app.action(POST_PUBLIC_ACTION)
        async def on_post_public(ack: Callable[[], Awaitable[Any]], body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            text = f"{action.get('value', '')} public"
            self._spawn(self._answer(text, body.get("response_url", ""), "button"))

        @self.app.action(OPEN_WEB_ACTION)
        async def on_open_web(ack: Callable[[], Awaitable[Any]]) -> None:
            await ack()  # Slack opens the link itself; the click only needs acknowledging

        @self.app.action(GO_PATTERN)
        @self.app.action(PICK_ACTION)
        async def on_view_click(ack: Callable[[], Awaitable[Any]], body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()  # first, as for commands: the reply goes through the response_url
            self._spawn(self._answer_click(clicked_route(action), body, share=False))

        @self.app.action(SHARE_ACTION)
        async def on_share(ack: Callable[[], Awaitable[Any]], body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            self._spawn(self._answer_click(clicked_route(action), body, share=True))

        @self.app.command(ADMIN_COMMAND)
        async def on_admin(ack: Callable[[], Awaitable[Any]], command: dict[str, Any]) -> None:
            await ack()
            self._spawn(self._answer_admin(command.get("user_id", ""), command.get("text", ""),
                                           command.get("response_url", "")))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a reply in its own task, so bolt's listener returns at once; close() waits for these."""
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("reply platform=slack crashed", exc_info=task.exception())

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        """One HTTP request from Slack (commands and interactivity): the guard checks the raw request,
        then bolt verifies and dispatches it."""
        body = await self.guard.read(request)
        if isinstance(body, Refusal):
            return body.response()
        refusal = self.guard.check(request, body)
        if refusal is not None:
            return refusal.response()
        bolt_request = AsyncBoltRequest(body=body.decode("utf-8"), query=request.query_string,
                                        headers=request.headers)  # type: ignore[arg-type]
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _answer(self, text: str, response_url: str, via: str) -> None:
        """Answer one `/brief` text through its response_url, and log the outcome (never a token)."""
        started = time.perf_counter()
        doc, request, outcome = self._document(text)
        public = bool(request and request.public)
        shareable = request is not None and request.topic is not None and not public and doc.tone == "info"
        extra = [share_button(doc.route)] if shareable and doc.route else []
        if shareable and not doc.route and request and request.topic:
            extra = [post_button(request.topic)]
        if url := web_url(self.web_link, doc):
            extra = with_button(extra, web_button(url, OPEN_IN_BROWSER))
        delivered = await self._reply(response_url, doc, public=public, via=via, extra=extra)
        log.info(
            "command platform=slack via=%s topic=%r outcome=%s public=%s delivered=%s latency_ms=%.1f",
            via, text.strip()[:80], outcome, public, delivered, (time.perf_counter() - started) * 1000,
        )

    async def _answer_click(self, route: str, body: dict[str, Any], *, share: bool) -> None:
        """Answer a click with the view its route names: in place on an ephemeral message, else to the clicker."""
        started = time.perf_counter()
        url = str(body.get("response_url", ""))
        try:
            doc = await asyncio.to_thread(self.briefer.open, route, self.name)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("click platform=slack failed ref=%s", ref)
            doc = message(FAILED_TITLE, FAILED_TEXT.format(ref=ref), tone="error")
        in_place = on_ephemeral(body) and not share
        extra = [share_button(doc.route)] if doc.route and not share else []
        if page_url := web_url(self.web_link, doc):
            extra = with_button(extra, web_button(page_url, OPEN_IN_BROWSER))
        pages = render_blocks(doc, extra=extra)[:1]  # a view fits one message by construction
        base: dict[str, Any] = {"text": fallback_text(doc)}
        if share:
            base |= {"response_type": "in_channel", "replace_original": False}
        elif in_place:
            base |= {"replace_original": True}
        else:
            base |= {"response_type": "ephemeral", "replace_original": False}
        delivered = await self._send_pages(url, [encode_body({**base, "blocks": page}) for page in pages])
        log.info("click platform=slack in_place=%s share=%s answer=%r delivered=%s latency_ms=%.1f",
                 in_place, share, doc.title[:80], delivered, (time.perf_counter() - started) * 1000)

    async def _answer_admin(self, user_id: str, text: str, response_url: str) -> None:
        """Answer one `/briefbot-admin` text, always ephemerally, and log it (the refusal is logged by Admin)."""
        started = time.perf_counter()
        doc = await self._admin_document(user_id, text)
        delivered = await self._reply(response_url, doc, public=False, via="admin")
        log.info(
            "admin command platform=slack user=%s text=%r answer=%r delivered=%s latency_ms=%.1f",
            user_id, text.strip()[:80], doc.title, delivered, (time.perf_counter() - started) * 1000,
        )

    async def _admin_document(self, user_id: str, text: str) -> Document:
        """What Admin answers this user, or why there is no answer."""
        if self.admin is None:
            return message("Admin commands are off", messages.ADMIN_DISABLED, tone="error")
        try:
            return await self.admin.handle(self.name, user_id, text)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("admin command platform=slack failed ref=%s", ref)
            return message(FAILED_TITLE, messages.admin_failed(ref), tone="error")

    def _document(self, text: str) -> tuple[Document, BriefRequest | None, str]:
        """The answer document, the parsed request and an outcome word for the log."""
        try:
            doc, request = self.briefer.answer(text, platform=self.name)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("command platform=slack failed ref=%s", ref)
            return message(FAILED_TITLE, FAILED_TEXT.format(ref=ref), tone="error"), None, "failed"
        if request is None or doc.tone == "error":
            return doc, request, "refused"
        if request.help:
            return doc, request, "help"
        return doc, request, "brief" if request.topic else "topics"

    async def _reply(self, url: str, doc: Document, *, public: bool, via: str,
                     extra: list[SlackBlock] | None = None) -> bool:
        """Send the document's pages (with `extra`, at most RESPONSE_URL_USES) to the response_url in order;
        True when Slack took every one."""
        if not url:
            log.error("command platform=slack has no response_url; nothing sent")
            return False
        fields: Fields = (("response_type", "in_channel" if public else "ephemeral"),)
        if via == "button":
            fields += (("replace_original", False),)
        return await self._send_pages(url, reply_bodies(doc, extra=extra or (), fields=fields, limit=RESPONSE_URL_USES))

    async def _send_pages(self, url: str, bodies: Sequence[bytes]) -> bool:
        """POST each JSON body to the response_url in order; True when Slack took every one."""
        if not url:
            log.error("reply platform=slack has no response_url; nothing sent")
            return False
        for body in bodies:
            try:
                answer = await self.replies.post(url, body)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                log.error("reply platform=slack failed: %s", type(exc).__name__)
                return False
            if answer.status != 200:
                log.error("reply platform=slack refused: HTTP %s %s", answer.status, answer.body[:200])
                return False
        return True

    async def start(self) -> None:
        """Check the bot token, then connect Socket Mode or serve HTTP; return once ready."""
        self._session = aiohttp.ClientSession()
        self.client.session = self._session
        self.poster.session = self._session
        self.replies.session = self._session
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            await self._session.close()
            raise DeliveryError(f"Slack refused the bot token (auth.test: {exc.response.get('error')})") from None
        log.info("slack connected as %s in team %s (%s mode)", auth.get("user"), auth.get("team"), self.mode)
        if self.mode == "socket":
            self._socket = AsyncSocketModeHandler(self.app, self._app_token, web_client=self.client)
            await self._socket.connect_async()
            return
        self._runner = web.AppRunner(self.web_app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # the real one when 0

    async def close(self) -> None:
        """Stop taking commands, let replies in flight finish (bounded), then disconnect."""
        self._closing = True
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()  # no new connections; requests already read still get an answer
        if self._socket is not None:
            await self._socket.close_async()
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=CLOSE_GRACE_S)
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def post(
        self, channel: str, doc: Document, *, key: str, first_page: int = 0, on_page: PageHook | None = None,
    ) -> Receipt:
        """Post a document as one message per page (from `first_page`), each carrying the ledger key, its page
        number and the page count as message metadata; failures are `PostError`s, never re-sent here."""
        pages = fit_pages(render_blocks(doc), POST_PAGES)
        ids: list[str] = []
        for index in range(first_page, len(pages)):
            metadata = {"event_type": METADATA_EVENT,
                        "event_payload": {"key": key, "page": index + 1, "pages": len(pages)}}
            try:
                resp = await asyncio.wait_for(self.poster.chat_postMessage(
                    channel=channel, text=fallback_text(doc), blocks=pages[index], metadata=metadata,
                    unfurl_links=False, unfurl_media=False,
                ), self.post_timeout)
            except Exception as exc:  # noqa: BLE001 (every failure becomes a PostError delivery understands)
                raise post_error(channel, exc, index + 1, len(pages)) from None
            ids.append(str(resp["ts"]))
            if on_page is not None:
                await on_page(index, len(pages), ids[-1])
        return Receipt(self.name, channel, ids, pages=len(pages))

    async def find_post(
        self, channel: str, key: str, *, since: datetime | None = None, pages: int | None = None,
    ) -> Receipt | None:
        """The pages carrying `key` in the channel's history since `since`, first page first (a post cut
        short gives only its first pages; `Receipt.pages` says how many it has in all).

        The read is bounded: `oldest` is the claim time (minus a minute for clock skew), the first call asks
        for as many messages as the post has pages (HISTORY_SCAN when unknown), which is all there is in a
        channel only the bot writes to; a busy channel is read further, HISTORY_SCAN at a time, for at most
        HISTORY_CALLS calls.
        """
        params: dict[str, Any] = {"channel": channel, "limit": max(1, min(pages or HISTORY_SCAN, HISTORY_SCAN)),
                                  "include_all_metadata": True}
        if since is not None:
            params["oldest"] = f"{(since - CLOCK_SKEW).timestamp():.6f}"
        found: dict[int, str] = {}
        expected = 0
        for _ in range(HISTORY_CALLS):
            try:
                resp = await asyncio.wait_for(self.client.conversations_history(**params), self.post_timeout)
            except Exception as exc:  # noqa: BLE001
                raise post_error(channel, exc) from None
            msg: dict[str, Any]
            for msg in resp.get("messages", []):
                meta: dict[str, Any] = msg.get("metadata") or {}
                payload: dict[str, Any] = meta.get("event_payload") or {}
                if meta.get("event_type") == METADATA_EVENT and payload.get("key") == key:
                    found[int(payload.get("page", 1))] = str(msg["ts"])
                    expected = int(payload.get("pages", 1))
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if (expected and len(found) >= expected) or not resp.get("has_more") or not cursor:
                break
            params["cursor"] = cursor
            params["limit"] = HISTORY_SCAN  # a busy channel: people wrote after the digest began
        prefix = _prefix(found)
        return Receipt(self.name, channel, prefix, pages=expected) if prefix else None


def _prefix(found: dict[int, str]) -> list[str]:
    """The ids of pages 1, 2, … up to the first page missing (pages land in order)."""
    ids: list[str] = []
    while len(ids) + 1 in found:
        ids.append(found[len(ids) + 1])
    return ids


# Slack reports these with HTTP 200 and `ok: false`, yet says part of the operation may have succeeded.
_SERVER_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def post_error(channel: str, exc: BaseException, page: int = 0, pages: int = 0) -> PostError:
    """What a failed Web API call means for delivery: status, Retry-After, and whether the post may exist."""
    where = f" (page {page} of {pages})" if pages else ""
    if isinstance(exc, SlackApiError):
        status = int(exc.response.status_code)
        error = str(exc.response.get("error") or "")
        if status < 400:
            status = 429 if error == "ratelimited" else 503 if error in _SERVER_ERRORS else 400
        retry = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
        return PostError(f"Slack refused the post to {channel}{where}: {error or 'no error code'} "
                         f"(HTTP {exc.response.status_code})", status=status,
                         retry_after=_seconds(retry), landed=status >= 500)
    if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
        return PostError(f"Slack could not be reached for {channel}{where}: {type(exc).__name__}")
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return PostError(f"Slack did not answer in time for {channel}{where}", landed=True)
    # A dropped connection or any other client failure: the request may have reached Slack.
    return PostError(f"Slack connection failed for {channel}{where}: {type(exc).__name__}", landed=True)


def _seconds(value: object) -> float | None:
    try:
        return float(value) if value is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class SlackConfigError(BriefbotError, ValueError):
    """The Slack variables in the environment are incomplete or inconsistent; str() says which to fix."""


def slack_adapter_from_env(
    briefer: Briefer, env: Mapping[str, str] | None = None, *, web_app: web.Application | None = None,
) -> SlackAdapter | None:
    """A SlackAdapter from SLACK_* variables, or None when none is set (tokens are read, never shown)."""
    env = os.environ if env is None else env
    bot, app_token, secret = (env.get(k, "").strip() for k in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"))
    if not (bot or app_token or secret):
        return None
    mode = _mode(env.get("SLACK_MODE", "").strip().lower(), bot, app_token, secret)
    return SlackAdapter(
        briefer, bot_token=bot, mode=mode, app_token=app_token or None, signing_secret=secret or None,
        api_url=_api_url(env.get("SLACK_API_URL", "")), host=env.get("HOST", "0.0.0.0") or "0.0.0.0",
        port=_port(env.get("PORT", "")), web_app=web_app,
    )


def _mode(asked: str, bot: str, app_token: str, secret: str) -> Mode:
    """The connection mode the variables describe; SlackConfigError naming what is missing."""
    if not bot:
        raise SlackConfigError("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not; "
                               "set the bot token (xoxb-…) from the app's OAuth & Permissions page.")
    if not bot.startswith("xoxb-"):
        raise SlackConfigError("SLACK_BOT_TOKEN is not a bot token: it must start with xoxb-.")
    if asked not in ("", "socket", "http"):
        raise SlackConfigError("SLACK_MODE must be socket or http.")
    mode = asked or ("socket" if app_token else "http" if secret else "")
    if not mode:
        raise SlackConfigError("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
                               "nor SLACK_SIGNING_SECRET (HTTP mode) is.")
    if mode == "socket" and not app_token.startswith("xapp-"):
        raise SlackConfigError("Socket Mode needs SLACK_APP_TOKEN, an app-level token starting with xapp- "
                               "(Basic Information → App-Level Tokens, scope connections:write).")
    if mode == "http" and not secret:
        raise SlackConfigError("HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials).")
    return "socket" if mode == "socket" else "http"


def _api_url(value: str) -> str:
    """SLACK_API_URL with the trailing slash slack_sdk expects; Slack's own by default."""
    value = value.strip()
    if not value:
        return DEFAULT_API_URL
    if not value.startswith(("http://", "https://")):
        raise SlackConfigError("SLACK_API_URL must be an http(s) URL, such as https://slack.com/api/.")
    return value if value.endswith("/") else value + "/"


def _port(value: str) -> int:
    """$PORT for HTTP mode (3000 when unset)."""
    if not value.strip():
        return 3000
    if not value.strip().isdigit() or not 0 <= int(value) <= 65535:
        raise SlackConfigError(f"PORT must be a number from 0 to 65535, not {value!r}.")
    return int(value)
