"""The core facade adapters call: answers `/brief` from the current store snapshot."""
from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.core import messages
from bot.core.briefing import Brief, brief
from bot.core.changes import ChangeLog
from bot.core.compose import compose_brief, compose_topics
from bot.core.document import Document, message
from bot.core.errors import BadArgument, UnknownTopic, UserError
from bot.core.models import Topic
from bot.core.store import Store
from bot.core.topics import MAX_QUERY_CHARS, complete, find_topic, name_index, normalise
from bot.core.views.build import link
from bot.core.views.catalog import Views
from bot.core.views.changes import changes_view, is_since_key
from bot.core.views.routes import BadRoute, Route, ViewName, decode

MAX_COMMAND_CHARS = 200
# How close (RapidFuzz ratio, 0-100) a query must be to a topic name to be taken for a typo of it.
TYPO_SCORE = 80

log = logging.getLogger(__name__)

# Called after each command with (platform, topic id or "-", outcome, seconds): metrics hook in here.
Observer = Callable[[str, str, str, float], None]


# The words after a topic that pick one of its views: `/brief china flagged`, `/brief china sources 2`.
VIEW_WORDS: dict[str, ViewName] = {
    "summary": "summary", "theses": "thesis", "thesis": "thesis", "flagged": "flagged", "flags": "flagged",
    "positions": "positions", "sources": "sources", "full": "full",  # type: ignore[dict-item]
}
CARD_WORDS: dict[str, ViewName] = {"source": "source", "claim": "claim"}


@dataclass(frozen=True)
class BriefRequest:
    """What a `/brief` command asks for: a topic (or a card's item id), the view of it and the page."""

    topic: str | None
    public: bool = False
    help: bool = False
    view: str = "summary"
    page: int = 0
    since: str = ""  # the changes view: the store version (its hash) the changes are counted from


def parse_command(text: str) -> BriefRequest:
    """Parse the text after `/brief`: `china`, `china flagged 2`, `source ID`, `claim ID`, `help`, `… public`."""
    if len(text) > MAX_COMMAND_CHARS:
        raise BadArgument(messages.too_long(len(text), MAX_COMMAND_CHARS))
    words = text.split()
    public = bool(words) and words[-1].casefold() in ("public", "publique", "--public")
    if public:
        words = words[:-1]
    query = " ".join(words)
    if query.casefold() in ("help", "aide", "?"):
        return BriefRequest(topic=None, help=True)
    if len(words) == 2 and words[0].casefold() in CARD_WORDS:
        return BriefRequest(topic=words[1], public=public, view=CARD_WORDS[words[0].casefold()])
    page = 0
    if len(words) > 1 and words[-1].isdigit() and len(words[-1]) <= 4:
        page, words = max(int(words[-1]) - 1, 0), words[:-1]
    if len(words) > 2 and words[-2].casefold() == "changes" and is_since_key(words[-1]):
        return BriefRequest(topic=" ".join(words[:-2]), public=public, view="changes", page=page, since=words[-1].lower())
    view = "summary"
    if len(words) > 1 and words[-1].casefold() in VIEW_WORDS:
        view, words = VIEW_WORDS[words[-1].casefold()], words[:-1]
    return BriefRequest(topic=" ".join(words) or None, public=public, view=view, page=page)


@dataclass(frozen=True)
class Prepared:
    """A store ready to serve: its name index, its views (every summary built in advance) and search."""

    store: Store
    index: dict[str, str]
    # A brief depends only on the snapshot and the topic, so each document is built once per snapshot.
    # Only the documents are kept: the Brief views behind them would double the memory held.
    documents: dict[str, Document] = field(default_factory=dict)
    views: Views = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "views", Views(self.store))

    def brief(self, topic: Topic) -> Brief:
        return brief(self.store, topic)

    def document(self, topic: Topic) -> Document:
        found = self.documents.get(topic.id)
        if found is None:
            found = self.documents[topic.id] = compose_brief(self.brief(topic))
        return found


def prepare(store: Store, *, warm: bool = True) -> Prepared:
    """Index a store and (with `warm`) build every topic's summary and the search index, so no command pays for them.

    Slow on a large store: call it off the command path (the reloader runs it in a thread).
    """
    prepared = Prepared(store, name_index(store.topics))
    _settle()  # before building briefs, or every collection they trigger rescans the whole store
    if warm:
        for topic in store.topics.values():
            prepared.views.summary(topic.id)
            gc.freeze()  # each summary lives as long as the snapshot: keep collections from rescanning it
        prepared.views.warm()
        gc.freeze()
    return prepared


class Briefer:
    """Holds one prepared store at a time; `swap` replaces it in a single assignment."""

    def __init__(self, store: Store | Prepared, observer: Observer | None = None, changelog: ChangeLog | None = None) -> None:
        self.observer = observer
        self.changelog = changelog  # the curators' change log, for the changes view a long digest links to
        self._snap = store if isinstance(store, Prepared) else prepare(store)
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        """The snapshot in service now."""
        return self._snap.store

    def swap(self, store: Store | Prepared) -> None:
        """Serve `store` from now on; a request already running keeps the snapshot it took."""
        snap = store if isinstance(store, Prepared) else prepare(store)
        with self._lock:
            self._snap = snap

    def find(self, query: str) -> Topic:
        """The topic a query names (UnknownTopic or BadArgument otherwise)."""
        snap = self._snap
        return find_topic(snap.store.topics, query, snap.index)

    def brief(self, query: str) -> Brief:
        """The brief on the topic `query` names, from one snapshot."""
        snap = self._snap
        return snap.brief(find_topic(snap.store.topics, query, snap.index))

    def answer(self, text: str, platform: str = "console") -> tuple[Document, BriefRequest | None]:
        """The document answering a `/brief` command text; user errors become an error document."""
        started = time.perf_counter()
        topic, outcome = "-", "error"
        try:
            request = parse_command(text)
            if request.help:
                doc, outcome = help_document(), "help"
            elif request.topic is None:
                doc, outcome = self.topics_document(), "topics"
            else:
                doc, topic, outcome = self._view(self._snap, request)
            return doc, request
        except UnknownTopic as exc:
            outcome = "unknown-topic"
            return message("Cannot brief that", str(exc), tone="error"), None
        except UserError as exc:
            outcome = "bad-argument"
            return message("Cannot brief that", str(exc), tone="error"), None
        finally:
            seconds = time.perf_counter() - started
            log.info("command answered", extra={"platform": platform, "topic": topic, "outcome": outcome,
                                                 "ms": round(seconds * 1000, 1)})
            if self.observer is not None:
                self.observer(platform, topic, outcome, seconds)

    def _view(self, snap: Prepared, request: BriefRequest) -> tuple[Document, str, str]:
        """The view a request names, its topic id for the metrics, and the outcome word.

        A query that names no topic is searched; with no result it is an unknown topic after all.
        """
        assert request.topic is not None
        if request.view in CARD_WORDS:
            return snap.views.open(Route(request.view, request.topic[:64], request.page)), "-", request.view  # type: ignore[arg-type]
        try:
            found = find_topic(snap.store.topics, request.topic, snap.index)
        except UnknownTopic as exc:
            if _mistyped(request.topic, exc.suggestions, snap):  # say so, with the topics it may mean
                return _unknown(exc, snap), "-", "unknown-topic"
            if not snap.views.search_index.search(request.topic):
                if exc.suggestions:
                    return _unknown(exc, snap), "-", "unknown-topic"
                raise
            return snap.views.search(request.topic, request.page), "-", "search"
        if request.view == "full":
            return snap.document(found), found.id, "brief"
        if request.view == "changes":
            return self._changes(snap, Route("changes", found.id, request.page, request.since)), found.id, "changes"
        return snap.views.open(Route(request.view, found.id, request.page)), found.id, "brief"  # type: ignore[arg-type]

    def open(self, target: str, platform: str = "console") -> Document:
        """The view a button's route names, from the snapshot in service now (clicks are stateless)."""
        started = time.perf_counter()
        snap = self._snap
        route = _route_of(target)
        doc = self._changes(snap, route) if route and route.view == "changes" else snap.views.open_text(target)
        seconds = time.perf_counter() - started
        log.info("click answered", extra={"platform": platform, "outcome": "click", "ms": round(seconds * 1000, 1)})
        if self.observer is not None:
            self.observer(platform, "-", "click", seconds)
        return doc

    def _changes(self, snap: Prepared, route: Route) -> Document:
        """The changes view of a topic, read from the change log (which a reload may be appending to)."""
        if route.id not in snap.store.topics:
            return snap.views.open(Route("summary", route.id))  # says the topic is gone
        log = self.changelog.entries() if self.changelog else []
        return changes_view(snap.store, route.id, route.fp, route.page, log)

    def topics_document(self) -> Document:
        """The list of topics."""
        return compose_topics(sorted(self.store.topics.values(), key=lambda t: t.id))

    def complete(self, typed: str, limit: int = 25) -> list[Topic]:
        """Topics for autocomplete."""
        return complete(self.store.topics, typed, limit)


def _route_of(target: str) -> Route | None:
    try:
        return decode(target)
    except BadRoute:
        return None


def _mistyped(query: str, suggestions: list[str], snap: Prepared) -> bool:
    """Whether the query is one slip away from a suggested topic's name (`chnia`), not another word (`pankin`)."""
    key = normalise(query)
    names = [n for n, t in snap.index.items() if t in suggestions]
    return any(fuzz.ratio(key, name) >= TYPO_SCORE for name in names)


def _unknown(exc: UnknownTopic, snap: Prepared) -> Document:
    """"No topic called …, did you mean …?" with a button to each topic suggested."""
    doc = message("Cannot brief that", str(exc), tone="error")
    actions = [link(snap.store.topics[t].title, Route("summary", t)) for t in exc.suggestions if t in snap.store.topics]
    return doc.model_copy(update={"actions": actions})


def help_document() -> Document:
    """How to use `/brief`."""
    return message("How to use /brief", messages.HELP.format(limit=MAX_QUERY_CHARS))


def _settle() -> None:
    # A store and its briefs are hundreds of thousands of long-lived objects: freezing them keeps the
    # cyclic GC from rescanning them on the command path (a full collection costs ~0.5 s at 100k
    # claims). They are still freed by reference counting once a snapshot is dropped; the young
    # collection first keeps the loader's fresh garbage out of the frozen set.
    gc.collect(1)
    gc.freeze()
