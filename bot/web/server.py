"""The pages' aiohttp routes, the access rule (signed links by default) and the links chat carries."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.core import permalinks
from bot.core.labels import is_flagged
from bot.core.search import SearchIndex
from bot.core.store import Store
from bot.core.topics import MAX_QUERY_CHARS
from bot.web.matrix import stance_matrix
from bot.web.render import render
from bot.web.signing import NO_SECRET, Denied, Signer
from bot.web.snapshot import Hit, Snapshot, Snapshots

log = logging.getLogger(__name__)

Access = Literal["signed", "public"]
# (store, claim id, the pages' base address) -> its ClaimReview JSON-LD, or None (an opinion has none).
ClaimReviewer = Callable[[Store, str, str], dict[str, Any] | None]

HEADERS = {
    # No script runs on these pages; styles are inline; the only image is the inline SVG.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    # A signed link must not leak to the sites of the sources it links to.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class WebSettings:
    """How the pages are reached: who may open them and the public address chat links use."""

    access: Access = "signed"
    signer: Signer | None = None
    public_url: str | None = None

    @property
    def prefix(self) -> str:
        """The path under which a proxy publishes the pages (`https://x.org/brief` -> `/brief`)."""
        return urlsplit(self.public_url).path.rstrip("/") if self.public_url else ""


@dataclass(frozen=True)
class Visit:
    """One request that passed the access rule: how to make the links on its page."""

    settings: WebSettings
    exp: int | None  # the expiry of the signed link it came with; links on the page keep it

    def link(self, path: str, **extra: str) -> str:
        prefix = self.settings.prefix
        if self.exp is None or self.settings.signer is None:
            return prefix + path + (f"?{urlencode(extra)}" if extra else "")
        return prefix + self.settings.signer.sign(path, self.exp, extra)

    def search_fields(self) -> list[tuple[str, str]]:
        if self.exp is None or self.settings.signer is None:
            return []
        return [("exp", str(self.exp)), ("sig", self.settings.signer.signature(permalinks.SEARCH, self.exp))]


Page = tuple[int, str]  # HTTP status, HTML
# A topic page lists its claims (flagged first) this many at a time: a 2,000-claim topic would be a
# page of several megabytes that a phone renders for seconds.
CLAIMS_PER_PAGE = 100
PAGE_DIGITS = 6


@dataclass(frozen=True)
class Paging:
    """Which claims of a topic one page shows, and the links to its neighbours."""

    number: int
    pages: int
    first: int  # 1-based position of the first claim shown, 0 when there are none
    last: int
    total: int
    previous: str | None
    next: str | None
# Builds one page (in a worker thread): the request, the snapshot's page data, the visit's link maker.
Builder = Callable[[web.Request, Snapshot, Visit], Page]


class Pages:
    """Topic, claim, source, search and index pages over the snapshot `current()` serves."""

    def __init__(self, current: Callable[[], Store], settings: WebSettings,
                 claim_review: ClaimReviewer | None = None,
                 shared_index: Callable[[Store], SearchIndex | None] | None = None) -> None:
        self.snapshots = Snapshots(current, shared_index)
        self.settings = settings
        self.claim_review = claim_review

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(permalinks.INDEX, self._guard(self.index)),
            web.get("/topics/{id}", self._guard(self.topic)),
            web.get("/claims/{id}", self._guard(self.claim)),
            web.get("/sources/{id}", self._guard(self.source)),
            web.get(permalinks.SEARCH, self._guard(self.search, cached=False)),
        ]

    def chat_link(self, path: str) -> str | None:
        """The absolute address chat gives for `path` (signed when pages are), or None when pages have none."""
        s = self.settings
        if not s.public_url:
            return None
        if s.access == "public":
            return permalinks.absolute(s.public_url, path)
        if s.signer is None:
            return None
        return permalinks.absolute(s.public_url, s.signer.sign(path))

    def _guard(self, build: Builder, *, cached: bool = True) -> Callable[[web.Request], Awaitable[web.Response]]:
        """The route's handler: the access rule, then the page from the snapshot's cache or built off the loop."""

        async def guarded(request: web.Request) -> web.Response:
            visit, denied = self._admit(request)
            if denied is not None:
                log.info("web page refused", extra={"outcome": denied.reason, "path": request.path})
                return self._response(403, self._html("message.html", Visit(self.settings, None),
                                                      heading="Link not valid", text=denied.message))
            assert visit is not None
            snap = self.snapshots.get()
            # A page depends on its path and page number, the expiry its links carry, and (without
            # PUBLIC_URL) the host.
            key = (request.path, request.query.get("page"), visit.exp, request.host) if cached else None
            found = snap.pages.get(key) if key else None
            if found is None:
                # A big topic takes a while to render: never on the loop that also serves chat.
                found = await asyncio.to_thread(build, request, snap, visit)
                if key and found[0] == 200:
                    snap.pages.put(key, found)
            return self._response(*found)

        return guarded

    def _admit(self, request: web.Request) -> tuple[Visit | None, Denied | None]:
        if self.settings.access == "public":
            return Visit(self.settings, None), None
        if self.settings.signer is None:
            return None, NO_SECRET
        exp, denied = self.settings.signer.check(request.rel_url.raw_path, request.query)
        return (Visit(self.settings, exp), None) if denied is None else (None, denied)

    def _html(self, template: str, visit: Visit, **context: Any) -> str:
        return render(template, visit.link, search_fields=visit.search_fields(), max_query=MAX_QUERY_CHARS,
                      private=self.settings.access != "public", **context)

    def _response(self, status: int, html: str) -> web.Response:
        headers = dict(HEADERS)
        headers["Cache-Control"] = "private, no-store" if self.settings.access != "public" else "no-cache"
        return web.Response(status=status, text=html, content_type="text/html", charset="utf-8", headers=headers)

    def _missing(self, visit: Visit, what: str, item: str) -> Page:
        return 404, self._html("message.html", visit, heading=f"No such {what}",
                               text=f"There is no {what} “{item[:80]}” in the store.")

    def index(self, request: web.Request, snap: Snapshot, visit: Visit) -> Page:
        store = snap.store
        rows = []
        for t in sorted(store.topics.values(), key=lambda t: t.title.casefold()):
            entries = store.claims_for(t.id)
            rows.append((t, len(entries), sum(is_flagged(e.claim) for e in entries)))
        return 200, self._html("index.html", visit, topics=rows, source_count=len(store.sources),
                               claim_count=len(store.claims), footer=f"Store {store.version}.")

    def topic(self, request: web.Request, snap: Snapshot, visit: Visit) -> Page:
        page = snap.topic(request.match_info["id"])
        if page is None:
            return self._missing(visit, "topic", request.match_info["id"])
        b = page.brief
        others = [c for c in page.claims if not c.flagged]
        total = len(b.flagged) + len(others)
        pages = max(1, -(-total // CLAIMS_PER_PAGE))
        number = _page_number(request.query.get("page"), pages)
        if number is None:
            shown = request.query.get("page", "")[:20]
            return 404, self._html("message.html", visit, heading="No such page",
                                   text=f"The claims on {b.topic.title} fill {pages} page(s), numbered 1 to {pages}; "
                                        f"there is no page “{shown}”.")
        start, end = (number - 1) * CLAIMS_PER_PAGE, number * CLAIMS_PER_PAGE
        skip = len(b.flagged)
        path = permalinks.topic_path(b.topic.id)

        def link_to(n: int) -> str:
            return visit.link(path, page=str(n)) if n > 1 else visit.link(path)

        paging = Paging(number, pages, start + 1 if total else 0, min(end, total), total,
                        link_to(number - 1) if number > 1 else None, link_to(number + 1) if number < pages else None)
        return 200, self._html("topic.html", visit, page=page, b=b, m=stance_matrix(b), paging=paging,
                               flagged=b.flagged[start:end], others=others[max(0, start - skip):max(0, end - skip)],
                               titles={s.id: s.title for s in b.sources},
                               languages={s.id: s.language for s in b.sources})

    def claim(self, request: web.Request, snap: Snapshot, visit: Visit) -> Page:
        claim_id = request.match_info["id"]
        view = snap.claim(claim_id)
        if view is None:
            return self._missing(visit, "claim", claim_id)
        store = snap.store
        base = self.settings.public_url or f"{request.scheme}://{request.host}"
        review = self.claim_review(store, claim_id, base) if self.claim_review else None
        page = snap.source(view.source)
        assert page is not None
        also = [p.source for p in (snap.source(s) for s in view.also_in) if p is not None]
        related = {o: store.claims[o].claim.statement for o in [*view.corroborated_by, *view.contradicted_by]
                   if o in store.claims}
        return 200, self._html("claim.html", visit, c=view, flag=snap.flag(claim_id), src=page.source, also=also,
                               review=review, statements=related, topic_titles=_topic_titles(store),
                               footer=f"Store {store.version}.")

    def source(self, request: web.Request, snap: Snapshot, visit: Visit) -> Page:
        page = snap.source(request.match_info["id"])
        if page is None:
            return self._missing(visit, "source", request.match_info["id"])
        store = snap.store
        titles = {s.id: s.title for s in store.sources.values()}
        flags = {c.id: f for c in page.claims if (f := snap.flag(c.id)) is not None}
        return 200, self._html("source.html", visit, s=page.source, page=page, flags=flags, titles=titles,
                               topic_titles=_topic_titles(store), footer=f"Store {store.version}.")

    def search(self, request: web.Request, snap: Snapshot, visit: Visit) -> Page:
        query = request.query.get("q", "").strip()
        if len(query) > MAX_QUERY_CHARS:
            return 400, self._html("search.html", visit, query=query[:MAX_QUERY_CHARS], results=[], footer="",
                                   problem=f"That search is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
        results = [r for r in (_resolve(snap, h) for h in snap.search(query)) if r is not None] if query else []
        return 200, self._html("search.html", visit, query=query, results=results, problem=None,
                               footer=f"Store {snap.store.version}.")


def _page_number(text: str | None, pages: int) -> int | None:
    """The page asked for (1 when none is), or None when `text` names no page from 1 to `pages`."""
    if text is None:
        return 1
    if not (text.isascii() and text.isdigit()) or len(text) > PAGE_DIGITS:
        return None
    number = int(text)
    return number if 1 <= number <= pages else None


def _resolve(snap: Snapshot, hit: Hit) -> tuple[str, Any] | None:
    store = snap.store
    if hit.kind == "topic" and hit.id in store.topics:
        return "topic", store.topics[hit.id]
    if hit.kind == "source" and hit.id in store.sources:
        return "source", store.sources[hit.id]
    view = snap.claim(hit.id) if hit.kind == "claim" else None
    return ("claim", view) if view is not None else None


def _topic_titles(store: Store) -> dict[str, str]:
    return {t.id: t.title for t in store.topics.values()}
