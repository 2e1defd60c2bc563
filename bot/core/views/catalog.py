"""Views over one prepared store snapshot: a route in, a Document out, saying when the item changed or went."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.core.briefing import Brief, ClaimViews, brief, brief_digest, source_view
from bot.core.links import Links
from bot.core.compose import compose_topics
from bot.core.document import Document, italic, message
from bot.core.search import SearchIndex
from bot.core.store import Store, collector_paused
from bot.core.topics import normalise
from bot.core.views.build import flagged_view, positions_view, sources_view, summary_view, thesis_view
from bot.core.views.cards import claim_card, search_view, source_card
from bot.core.views.routes import BadRoute, Route, decode, fingerprint

BRIEFS_KEPT = 4  # briefs behind the views are rebuilt on demand (~0.3 s at 2,000 claims); summaries are kept for every topic

CHANGED = "⚠️ This {what} changed since that message was made; here is the current version. "
GONE_TITLE = "No longer in the store"
GONE = "There is no {what} “{id}” in the store now: it was removed or renamed, or never existed. Type /brief to see the topics."
BAD_ROUTE = "That button is not one briefbot made, or it is from a version that is gone. Type /brief to start again."

TopicView = Callable[[Brief, int, str], Document]
TOPIC_VIEWS: dict[str, TopicView] = {
    "thesis": thesis_view, "flagged": flagged_view, "positions": positions_view, "sources": sources_view,
}


class Views:
    """Every view of one store snapshot; safe to call from several threads."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._building = threading.Lock()
        self._searching = threading.Lock()  # building the search index holds this, not _lock (briefs go on)
        self._briefs: OrderedDict[str, Brief] = OrderedDict()
        self._summaries: dict[str, Document] = {}
        self._fps: dict[str, str] = {}
        # Fingerprints of the claim and source cards summaries link to: a source's is a hash of all of it,
        # claims included (~0.2 ms each, ~25 in a summary), and an edit changes few of them.
        self._card_fps: dict[tuple[str, str], str] = {}
        self._search: SearchIndex | None = None
        self._search_base: tuple[Views, frozenset[str]] | None = None
        self.claims = ClaimViews(store)

    # --- building blocks, cached per snapshot ---------------------------------------------------

    def brief(self, topic_id: str) -> Brief:
        """The brief on a topic (the most recent few are kept)."""
        with self._lock:
            found = self._briefs.get(topic_id)
            if found is not None:
                self._briefs.move_to_end(topic_id)
                return found
        with collector_paused():  # a brief makes some 20k objects, none in a cycle: no collection can free one
            made = brief(self.store, self.store.topics[topic_id], self.claims)
        with self._lock:
            self._briefs[topic_id] = made
            while len(self._briefs) > BRIEFS_KEPT:
                self._briefs.popitem(last=False)
        return made

    def topic_fp(self, topic_id: str) -> str:
        """A topic's fingerprint: what its brief shows, store version aside."""
        found = self._fps.get(topic_id)
        if found is None:
            digest = brief_digest(self.brief(topic_id), self.claims)
            found = self._fps[topic_id] = fingerprint(digest, self.store.topics[topic_id].bottom_line)
        return found

    def claim_fp(self, claim_id: str) -> str:
        found = self._card_fps.get(("claim", claim_id))
        if found is None:
            entry = self.store.claims[claim_id]
            found = self._card_fps[("claim", claim_id)] = fingerprint(entry.claim.model_dump(mode="json"), entry.source.id)
        return found

    def source_fp(self, source_id: str) -> str:
        found = self._card_fps.get(("source", source_id))
        if found is None:
            found = self._card_fps[("source", source_id)] = fingerprint(self.store.sources[source_id].model_dump(mode="json"))
        return found

    @property
    def search_index(self) -> SearchIndex:
        """The search index of this snapshot, built on first use (prepare() builds it off the command path)."""
        with self._searching:
            if self._search is None:
                base, self._search_base = self._search_base, None
                if base is not None:  # patched from the snapshot an edit was made on (its index built or patched first)
                    previous, sources = base
                    self._search = previous.search_index.patched(previous.store, self.store, sources)
                else:
                    self._search = SearchIndex(self.store)
            return self._search

    def links(self) -> Links:
        return self.claims.links

    def inherit(self, previous: Views, sources: set[str]) -> None:
        """Take over the claim views of `previous` that an edit of `sources` left as they were (this
        store must be `previous.store` with only those sources edited)."""
        self.claims = previous.claims.successor(self.store, sources)
        edited = {c.id for store in (previous.store, self.store) for s in sources if s in store.sources
                  for c in store.sources[s].claims}
        kept = previous._card_fps.copy()  # one step: commands may be adding to it meanwhile
        self._card_fps.update({key: fp for key, fp in kept.items()
                               if key[1] not in (sources if key[0] == "source" else edited)})

    def adopt(self, previous: Views, topic_ids: set[str]) -> None:
        """Take over `previous`'s summaries of these topics (their briefs unchanged by an edit), with
        this snapshot's version in their footers (bot.core.briefer decides which topics)."""
        old, new = previous.store.version, self.store.version
        for topic_id in topic_ids:
            doc = previous._summaries.get(topic_id)
            if doc is None:
                continue
            self._summaries[topic_id] = doc.model_copy(update={"footer": doc.footer.replace(old, new)})
            if topic_id in previous._fps:
                self._fps[topic_id] = previous._fps[topic_id]

    def patch_search(self, previous: Views, sources: set[str]) -> None:
        """Make this snapshot's search index, when first asked for, by patching `previous`'s for the
        sources an edit changed (this store must be `previous.store` with only those sources edited):
        an edit is served before its search index is ready (`warm` builds it right after)."""
        with self._searching:
            self._search_base = (previous, frozenset(sources))

    def warm(self) -> None:
        """Build every topic's summary and the search index now."""
        for topic_id in self.store.topics:
            self.summary(topic_id)
        _ = self.search_index

    # --- views ----------------------------------------------------------------------------------

    def summary(self, topic_id: str) -> Document:
        """The summary of a topic (kept for every topic of the snapshot)."""
        found = self._summaries.get(topic_id)
        if found is not None:
            return found
        # One build at a time: a command waits for the summary being built (maybe its own) instead of
        # sharing the CPU with it, and never builds one twice. The cyclic collector waits meanwhile: a
        # summary makes tens of thousands of acyclic objects, and its collections were a quarter of an
        # edit's time to served at 100k claims (those objects are left for its next collection).
        with self._building, collector_paused():
            found = self._summaries.get(topic_id)
            if found is None:
                b = self.brief(topic_id)
                found = self._summaries[topic_id] = self._stamped(
                    summary_view(b, self.store.topics[topic_id].bottom_line, self.topic_fp(topic_id)))
        return found

    def _stamped(self, doc: Document) -> Document:
        """Links to cards carry the card's fingerprint, so a later click can say whether it changed."""
        actions = []
        for action in doc.actions:
            route = decode(action.target)
            if not route.fp and route.view == "claim" and route.id in self.store.claims:
                action = action.model_copy(update={"target": Route("claim", route.id, route.page, self.claim_fp(route.id)).encode()})
            elif not route.fp and route.view == "source" and route.id in self.store.sources:
                action = action.model_copy(update={"target": Route("source", route.id, route.page, self.source_fp(route.id)).encode()})
            actions.append(action)
        return doc.model_copy(update={"actions": actions})

    def open_text(self, target: str) -> Document:
        """The view a click's route names; an explanation when the route is not ours."""
        try:
            route = decode(target)
        except BadRoute:
            return message("Cannot open that", BAD_ROUTE, tone="error")
        return self.open(route)

    def open(self, route: Route) -> Document:
        """The view `route` names, from this snapshot; a notice when the item changed, a message when gone."""
        if route.view == "search":
            hits = self.search_index.search(route.id)
            return self._stamped(search_view(route.id, hits, self.store, route.page, fingerprint(self.store.version)))
        if route.view in ("claim", "source"):
            return self._stamped(self._card(route))
        if route.view == "topics":
            return compose_topics(sorted(self.store.topics.values(), key=lambda t: t.id))
        if route.id not in self.store.topics:
            return message(GONE_TITLE, GONE.format(what="topic", id=route.id), tone="error")
        fp = self.topic_fp(route.id)
        if route.view == "summary":
            doc = self.summary(route.id)
        else:
            doc = self._stamped(TOPIC_VIEWS[route.view](self.brief(route.id), route.page, fp))
        return _noticed(doc, route, fp, "topic")

    def _card(self, route: Route) -> Document:
        if route.view == "claim":
            entry = self.store.claims.get(route.id)
            if entry is None:
                return message(GONE_TITLE, GONE.format(what="claim", id=route.id), tone="error")
            fp = self.claim_fp(route.id)
            view = self.claims.get(entry).view
            topic = next((t for t in entry.claim.topics if t in self.store.topics), None)
            return _noticed(claim_card(view, self.store, fp, topic), route, fp, "claim")
        source = self.store.sources.get(route.id)
        if source is None:
            return message(GONE_TITLE, GONE.format(what="source", id=route.id), tone="error")
        fp = self.source_fp(route.id)
        topics = [p.topic for p in source.positions] + [t for c in source.claims for t in c.topics]
        topic = next((t for t in topics if t in self.store.topics), None)
        return _noticed(source_card(source_view(self.store, source), self.store, route.page, fp, topic), route, fp, "source")

    def search(self, query: str, page: int = 0) -> Document:
        """Search results for a query (BadArgument when it is empty or too long)."""
        return self.open(Route("search", normalise(query), page))


def _noticed(doc: Document, route: Route, fp: str, what: str) -> Document:
    if not route.fp or route.fp == fp:
        return doc
    return doc.model_copy(update={"summary": [italic(CHANGED.format(what=what)), *doc.summary]})
