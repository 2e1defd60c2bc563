"""What the pages show, read from one store snapshot and kept as long as that snapshot serves."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from bot.core.briefing import Brief, ClaimView, FlagView, SourceView, backlinks, brief, claim_view, flag_view, source_view
from bot.core.compose import compose_brief
from bot.core.document import line_text
from bot.core.store import Store
from bot.core.errors import BadArgument
from bot.core.search import SearchIndex

MAX_RESULTS = 50
# Rendered pages kept per snapshot, by size: a topic of 2,000 claims is a page of about 3 MB.
PAGE_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: str  # "topic", "source" or "claim"
    id: str


@dataclass(frozen=True)
class TopicPage:
    """A topic's brief, every claim on it and the summary line chat shows."""

    brief: Brief
    claims: list[ClaimView]
    flags: dict[str, FlagView]
    summary: str
    footer: str


@dataclass(frozen=True)
class SourcePage:
    """A source, its positions per topic, its claims and who relays it."""

    source: SourceView
    positions: list[tuple[str, str, list[tuple[str, str, str | None]]]]  # topic id, summary, (thesis, stance, note)
    claims: list[ClaimView]
    relayed_by: list[str]


class PageCache:
    """Rendered pages, least recently used dropped first once their text passes `budget` characters."""

    def __init__(self, budget: int = PAGE_CACHE_BYTES) -> None:
        self.budget = budget
        self._pages: OrderedDict[Hashable, tuple[int, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[int, str] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
            return found

    def put(self, key: Hashable, page: tuple[int, str]) -> None:
        if len(page[1]) > self.budget:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            self._size -= len(old[1]) if old else 0
            self._pages[key] = page
            self._size += len(page[1])
            while self._size > self.budget:
                _, dropped = self._pages.popitem(last=False)
                self._size -= len(dropped[1])

    def __len__(self) -> int:
        return len(self._pages)


# A search over the snapshot: (query) -> hits, best first. Swappable for a ranked index.
Searcher = Callable[[str], list[Hit]]


@dataclass
class Snapshot:
    """Lazily built, memoised page data of one store; safe to share between concurrent requests."""

    store: Store
    _topics: dict[str, TopicPage] = field(default_factory=dict)
    _claims: dict[str, ClaimView] = field(default_factory=dict)
    _links: dict[str, dict[str, set[str]]] | None = None
    _index: SearchIndex | None = None
    # The index chat already made of this store, if any (see Snapshots): the pages then share it.
    shared_index: Callable[[Store], SearchIndex | None] | None = None
    pages: PageCache = field(default_factory=PageCache)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def topic(self, topic_id: str) -> TopicPage | None:
        found = self._topics.get(topic_id)
        if found is None and topic_id in self.store.topics:
            found = self._topics[topic_id] = self._topic_page(topic_id)
        return found

    def _topic_page(self, topic_id: str) -> TopicPage:
        topic = self.store.topics[topic_id]
        b = brief(self.store, topic)
        doc = compose_brief(b)
        claims = [self.claim(e.claim.id) for e in self.store.claims_for(topic_id)]
        ordered = sorted((c for c in claims if c is not None), key=lambda c: (not c.key, not c.flagged))
        return TopicPage(brief=b, claims=ordered, flags={f.id: f for f in b.flagged},
                         summary=line_text(doc.summary), footer=doc.footer)

    def links(self) -> dict[str, dict[str, set[str]]]:
        if self._links is None:
            self._links = backlinks(self.store, list(self.store.claims.values()))
        return self._links

    def claim(self, claim_id: str) -> ClaimView | None:
        found = self._claims.get(claim_id)
        if found is None and claim_id in self.store.claims:
            found = self._claims[claim_id] = claim_view(self.store, self.store.claims[claim_id], self.links())
        return found

    def flag(self, claim_id: str) -> FlagView | None:
        view = self.claim(claim_id)
        return flag_view(view) if view is not None and view.flagged else None

    def source(self, source_id: str) -> SourcePage | None:
        src = self.store.sources.get(source_id)
        if src is None:
            return None
        positions = [(p.topic, p.summary, [(s.thesis, s.stance.value, s.note) for s in p.stances]) for p in src.positions]
        claims = [v for v in (self.claim(c.id) for c in src.claims) if v is not None]
        relayed = sorted(s.id for s in self.store.sources.values() if source_id in s.derived_from)
        return SourcePage(source_view(self.store, src), positions, claims, relayed)

    def search(self, query: str) -> list[Hit]:
        """Topics, sources and claims for `query`, best first (the chat's ranked, typo-tolerant search)."""
        with self._lock:
            if self._index is None:  # built (or taken from chat's) on the first search of this snapshot
                shared = self.shared_index(self.store) if self.shared_index is not None else None
                self._index = shared if shared is not None else SearchIndex(self.store)
        try:
            found = self._index.search(query, limit=MAX_RESULTS)
        except BadArgument:
            return []
        return [Hit(h.kind, h.id) for h in found]


class Snapshots:
    """The page data of the snapshot in service: rebuilt the first time a new snapshot is asked for."""

    def __init__(self, current: Callable[[], Store], shared_index: Callable[[Store], SearchIndex | None] | None = None,
                 ) -> None:
        self._current = current
        self._shared_index = shared_index  # a store's search index made elsewhere (chat's), or None
        self._snap: Snapshot | None = None
        self._lock = threading.Lock()

    def get(self) -> Snapshot:
        store = self._current()
        snap = self._snap
        if snap is None or snap.store is not store:
            with self._lock:
                if self._snap is None or self._snap.store is not store:
                    self._snap = Snapshot(store, shared_index=self._shared_index)
                snap = self._snap
        return snap
