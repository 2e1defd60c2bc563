"""Replies to Slack's `response_url`: ready JSON bytes POSTed over the adapter's long-lived aiohttp session.

slack_sdk's AsyncWebhookClient binds one URL, so the adapter made one per reply; and it JSON-encodes
every body, and formats a debug line with the whole body for every request unless its logger's own
level is set (`logger.level <= DEBUG` is true for an unset level). This posts bytes encoded once per
rendered page (bot.adapters.slack.cache) and keeps its retry loop the one AsyncWebhookClient runs:
the handlers given (the adapter's `retry_handlers()`, shared with its Web API client) decide, after
each failed attempt, whether and after how long to try again. Neither the URL nor the body is logged:
a response_url is a credential for five replies.
"""
from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.internal_utils import get_user_agent

# slack_sdk's own webhook timeout; AsyncWebhookClient applies it only to a session it makes itself.
REPLY_TIMEOUT_S = 30.0
# A bound on attempts whatever the handlers say (AsyncWebhookClient's is 100).
MAX_ATTEMPTS = 20
HEADERS = {"Content-Type": "application/json;charset=utf-8", "User-Agent": get_user_agent()}


@dataclass(frozen=True)
class Answer:
    """What the response_url answered to the last attempt."""

    status: int
    body: str


class ResponseUrlPoster:
    """POSTs JSON bodies to response_urls; `session` is set by the adapter once it starts."""

    def __init__(self, retries: list[AsyncRetryHandler], *, timeout: float = REPLY_TIMEOUT_S) -> None:
        self.retries = retries
        self.session: aiohttp.ClientSession | None = None
        self.timeout = timeout

    @property
    def timeout(self) -> float:
        """Seconds one attempt may take in all (a timeout is not retried: Slack may have taken the reply)."""
        return self._timeout.total or 0.0

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=seconds)

    async def post(self, url: str, body: bytes) -> Answer:
        """POST `body` to `url`, retrying as the handlers say; the last answer, or the last error raised."""
        session = self.session
        if session is None or session.closed:
            raise RuntimeError("the response_url poster has no open session (adapter not started)")
        state = RetryState()
        for _ in range(MAX_ATTEMPTS):
            state.next_attempt_requested = False
            try:
                async with session.post(url, data=body, headers=HEADERS, timeout=self._timeout) as res:
                    status, data = res.status, await res.read()
                    headers = dict(res.headers)
            except Exception as exc:  # noqa: BLE001 (the handlers say which errors are retried; others raise)
                if not await self._retry(state, url, body, error=exc):
                    raise
                continue
            if status < 400 or not await self._retry(
                state, url, body, response=HttpResponse(status_code=status, headers=headers, data=data),  # type: ignore[arg-type]
            ):
                return Answer(status, data.decode("utf-8", "replace"))
        raise RuntimeError(f"response_url still failing after {MAX_ATTEMPTS} attempts")

    async def _retry(self, state: RetryState, url: str, body: bytes, *,
                     response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        """Ask the handlers in order, as AsyncWebhookClient does: the first that may retry waits (its interval,
        or Retry-After for 429) and counts the attempt; True when one did."""
        request = HttpRequest(method="POST", url=url, headers=HEADERS, data=body)  # type: ignore[arg-type]
        for handler in self.retries:
            if await handler.can_retry_async(state=state, request=request, response=response, error=error):
                await handler.prepare_for_next_attempt_async(state=state, request=request, response=response,
                                                             error=error)
                return state.next_attempt_requested
        return False
