"""The core facade adapters call: answers `/brief` from the current store snapshot."""
from __future__ import annotations

import functools
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.core import messages
from bot.core.briefing import Brief
from bot.core.changes import ChangeLog
from bot.core.compose import compose_brief, compose_topics
from bot.core.document import Document, message
from bot.core.errors import BadArgument, UnknownTopic, UserError
from bot.core.models import Topic
from bot.core.snapshot import SignalCache
from bot.core.store import Store, _return_freed_memory, collector_paused as _collector_paused
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
    # What each topic's brief was built from, so an edit rebuilds only the summaries it touches.
    depends: dict[str, Depends] = field(default_factory=dict)
    # Topics an edit touched whose summaries `finish` builds after this snapshot is served (see prepare).
    pending: list[str] = field(default_factory=list)
    views: Views = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "views", Views(self.store))

    def brief(self, topic: Topic) -> Brief:
        return self.views.brief(topic.id)

    def finish(self) -> None:
        """Build the summaries `prepare` left pending, and the search index."""
        _finish(self)

    def document(self, topic: Topic) -> Document:
        found = self.documents.get(topic.id)
        if found is None:
            found = self.documents[topic.id] = compose_brief(self.brief(topic))
        return found


def prepare(store: Store, *, warm: bool = True, previous: Prepared | None = None, defer: bool = False) -> Prepared:
    """Index a store and (with `warm`) build every topic's summary and the search index, so no command pays for them.

    With `previous` (the Prepared of the store `store` was patched from), the summaries of topics the
    edit cannot have changed are taken over. With `defer` too, the touched topics are left to
    `Prepared.finish`, so the edit can be served first: a command that comes before builds its own
    topic's summary (some tens of milliseconds), as the views build anything on first use. Slow on a
    large store: call it off the command path (the reloader runs it in a thread).
    """
    reused = _reusable(store, previous)
    prepared = Prepared(store, previous.index if reused and previous else name_index(store.topics))
    if reused and previous is not None:
        prepared.views.adopt(previous.views, reused)
        prepared.depends.update({t: previous.depends[t] for t in reused})
    if _patched_from(store, previous):
        assert previous is not None and store.delta is not None
        prepared.views.patch_search(previous.views, set(store.delta.sources))
        prepared.views.inherit(previous.views, set(store.delta.sources))
    if not reused:
        _settle()  # before building briefs, or every collection they trigger rescans the whole store
    if warm:
        prepared.pending.extend(t.id for t in store.topics.values() if t.id not in reused)
        if not (defer and _patched_from(store, previous)):
            prepared.finish()
    return prepared


def _finish(prepared: Prepared) -> None:
    store, missing = prepared.store, list(prepared.pending)
    quotes = {e.claim.quote for t in missing for e in prepared.views.claims.missing(store.claims_for(t))}
    with SignalCache(store.state_dir, quotes), _collector_paused():
        for topic_id in missing:
            prepared.views.summary(topic_id)
            prepared.depends[topic_id] = topic_sources(store, topic_id)
            time.sleep(0)  # a command waiting for a summary takes the turn now
        prepared.views.warm()
    prepared.pending.clear()
    gc.freeze()  # the summaries live as long as the snapshot: keep collections from rescanning them
    # A prepare frees much of what it made (signals read back from the snapshot, briefs beyond the few
    # kept) and glibc keeps freed heap mapped: ~9 MB of RSS after a warm prepare at 100k claims (~2 ms).
    _return_freed_memory()


def _patched_from(store: Store, previous: Prepared | None) -> bool:
    """Whether `store` was patched from `previous`'s store by an edit of some sources (bot.core.patch)."""
    delta = store.delta
    return (previous is not None and delta is not None and delta.base == previous.store.version
            and previous.store.topics is store.topics)


def _reusable(store: Store, previous: Prepared | None) -> set[str]:
    """Topics whose prepared brief `store` can take over from `previous` (none unless it was patched)."""
    delta = store.delta
    if not _patched_from(store, previous):
        return set()
    assert previous is not None and delta is not None
    old = previous.store
    # A summary links to the cards of the sources it cites, stamped with a hash of the whole source:
    # any edit of a cited source changes it (not only of the fields the brief shows).
    described = set(delta.sources)
    relinked = {s for s in delta.sources if _parents(old, s) != _parents(store, s)}
    claims: set[str] = set()  # claims another brief may read: those whose origins or place changed
    for source_id in delta.sources:
        before, after = _origin_keys(old, source_id), _origin_keys(store, source_id)
        claims |= {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
    return {t for t, deps in previous.depends.items()
            if t in store.topics and t not in delta.topics
            and not deps.touched_by(described, relinked, claims)}


def _origin_keys(store: Store, source_id: str) -> dict[str, tuple[object, ...]]:
    """What a brief reads of a claim it links to (bot.core.origins): its source, relays, attribution, also_in."""
    source = store.sources.get(source_id)
    return {c.id: (source_id, tuple(getattr(c, "relays", ())), c.attribution, tuple(c.also_in))
            for c in (source.claims if source is not None else ())}


def _parents(store: Store, source_id: str) -> list[str]:
    source = store.sources.get(source_id)
    return list(source.derived_from) if source is not None else []


@dataclass(frozen=True)
class Depends:
    """What one topic's brief reads besides its own claims and positions."""

    shown: frozenset[str]    # sources whose details the brief shows (cited, relayed, also_in)
    origins: frozenset[str]  # every source on a derived_from path behind the brief's origins
    linked: frozenset[str]   # claims its claims corroborate or contradict (their origins are read)

    def touched_by(self, described: set[str], relinked: set[str], claims: set[str]) -> bool:
        """Whether an edit can change this brief, outside the topics the edited claims and positions are
        on: `described` are the edited sources whose own fields changed, `relinked` those whose
        derived_from did, `claims` the claims whose origins or source changed (or that came or went)."""
        return bool(described & self.shown or relinked & self.origins or claims & self.linked)


def topic_sources(store: Store, topic_id: str) -> Depends:
    """What a topic's brief depends on (see Depends)."""
    shown: set[str] = set()
    linked: set[str] = set()
    for entry in store.claims_for(topic_id):
        claim = entry.claim
        shown.add(entry.source.id)
        if claim.also_in or claim.relays:
            shown.update(claim.also_in, claim.relays)
        if claim.corroborates or claim.contradicts:
            linked.update(claim.corroborates, claim.contradicts)
    for source, position in store.positions_for(topic_id):
        shown.add(source.id)
        shown.update(_named_sources(position))
    roots = set(shown) | {store.claims[c].source.id for c in linked if c in store.claims}
    shown.update(p for s in list(shown) for p in _parents(store, s))  # cited as the sources they relay
    stack = list(roots)
    while stack:
        for parent in _parents(store, stack.pop()):
            if parent not in roots:
                roots.add(parent)
                stack.append(parent)
    return Depends(frozenset(shown), frozenset(roots), frozenset(linked))


def _named_sources(model: object) -> list[str]:
    """The sources a claim or position names besides its own: also_in, and what it or its stances relay."""
    out = list(getattr(model, "also_in", ())) + list(getattr(model, "relays", ()))
    for stance in getattr(model, "stances", ()):
        out.extend(getattr(stance, "relays", ()))
    return out


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

    @property
    def prepared(self) -> Prepared:
        """The prepared snapshot in service now."""
        return self._snap

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
            # DEBUG: each adapter logs the command at INFO with its delivery and latency; a second INFO line per
            # request was 6 % of the Slack adapter's busy time (bench/bench_slack.py profile).
            log.debug("command answered", extra={"platform": platform, "topic": topic, "outcome": outcome,
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


@functools.cache
def help_document() -> Document:
    """How to use `/brief` (one document for the process: the adapters' render caches key on the object)."""
    return message("How to use /brief", messages.HELP.format(limit=MAX_QUERY_CHARS))


def _settle() -> None:
    # A store and its briefs are hundreds of thousands of long-lived objects: freezing them keeps the
    # cyclic GC from rescanning them on the command path (a full collection costs ~0.5 s at 100k
    # claims). They are still freed by reference counting once a snapshot is dropped; the young
    # collection first keeps the loader's fresh garbage out of the frozen set.
    gc.collect(1)
    gc.freeze()
