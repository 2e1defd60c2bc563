"""The one interface every platform adapter implements, and what a post returns."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.core.document import Document
from bot.core.errors import DeliveryError
from bot.core.permalinks import page_of


@dataclass(frozen=True)
class Receipt:
    """Where a document was posted: the platform's ids for each message it took."""

    platform: str
    channel: str
    message_ids: list[str] = field(default_factory=list)
    # How many pages the whole post has, when known: a receipt from `find_post` may hold only the first
    # pages (a post cut short), and delivery then resumes at page len(message_ids).
    pages: int | None = None

    @property
    def complete(self) -> bool:
        """True when every page of the post is here."""
        return self.pages is None or len(self.message_ids) >= self.pages


# Called by `post` after each page lands: (page index from 0, number of pages, the platform's message id).
# Delivery records the page in its ledger there; if it raises, `post` stops before the next page.
PageHook = Callable[[int, int, str], Awaitable[None]]


@runtime_checkable
class Adapter(Protocol):
    """A chat platform: receives `/brief` (calling the Briefer it was built with) and posts documents.

    `key` is the delivery ledger's idempotency key: an adapter attaches it to what it posts (Discord
    message nonce, Slack message metadata, a marker line on the console) so `find_post` can find a
    post again after a crash between posting and recording it.
    """

    name: str
    # Set by the app when the web pages have a public address: documents then carry a link to their page.
    web_link: WebLink | None

    async def start(self) -> None:
        """Connect and register commands; return once ready to serve."""

    async def close(self) -> None:
        """Stop taking commands, finish replies in flight, disconnect."""

    async def post(
        self, channel: str, doc: Document, *, key: str, first_page: int = 0, on_page: PageHook | None = None,
    ) -> Receipt:
        """Post a document to a channel (split across messages as the platform needs), from page
        `first_page` on (the earlier ones landed before); `on_page` is awaited after each page lands.

        Platform failures are raised as `PostError`; the adapter never re-sends a page itself after a
        5xx, a timeout or a broken connection (the page may have landed: delivery asks `find_post`).
        """

    async def find_post(
        self, channel: str, key: str, *, since: datetime | None = None, pages: int | None = None,
    ) -> Receipt | None:
        """The pages carrying `key` in the channel's history, first page first, even if not all landed.

        `since` (when the delivery was first claimed) and `pages` (how many the post has, when known)
        bound the history read.
        """


# A document's web page path -> the address chat links to (signed when the pages are), or None when
# the pages have no public address. The app gives adapters one when PUBLIC_URL is set.
WebLink = Callable[[str], "str | None"]

OPEN_IN_BROWSER = "Open in browser"


def web_url(link: WebLink | None, doc: Document) -> str | None:
    """The "Open in browser" address of a document, or None (no page, or no public address)."""
    if link is None or doc.tone == "error":  # first: page_of walks the document
        return None
    path = page_of(doc)
    return link(path) if path else None


class AdminDesk(Protocol):
    """The admin commands as an adapter sees them: a text in, a document out (curation implements it)."""

    async def handle(self, platform: str, user_id: str, text: str, *, extra_permission: bool = False) -> Document:
        """Answer an admin command text for this user; refusals are documents too."""
        ...


class PostError(DeliveryError):
    """A post the platform refused or that failed in transit; adapters raise it so delivery can retry well.

    `status` is the HTTP status when there was one (429, 5xx, 4xx), `retry_after` the seconds the platform
    asked us to wait, and `landed` whether the message may have been created anyway (a timeout or 5xx
    after sending: delivery then asks `find_post` before posting again).
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None, landed: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.landed = landed

    @property
    def retryable(self) -> bool:
        """True for rate limits, server errors and transport failures (no status)."""
        return self.status is None or self.status == 429 or self.status >= 500
