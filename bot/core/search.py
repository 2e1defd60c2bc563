"""Search across claims, sources and topics: SQLite FTS5 (stdlib) for ranking, RapidFuzz for typos.

One index is built per store snapshot (in memory, off the command path) and only read afterwards; an
edit of a few sources copies the previous snapshot's index and patches the rows of those sources
(`SearchIndex.patched`), which answers exactly as an index built afresh.
Case and accents are folded on both sides (`unicode61 remove_diacritics 2`), so `Pékin`, `pekin` and
`PEKIN` are one word; a query word the index does not hold is swapped for its closest indexed words
(`peskof` → `peskov`), and the last word also matches as a prefix (`sanct` → `sanctions`).
"""
from __future__ import annotations

import bisect
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.core.errors import BadArgument
from bot.core.models import Claim
from bot.core.store import Store
from bot.core.topics import MAX_QUERY_CHARS, normalise

Kind = Literal["claim", "source", "topic"]
MAX_WORDS = 12
# A typo is at most about one edit in five letters; shorter words must match exactly or as a prefix.
TYPO_CUTOFF = 80
TYPO_MIN_CHARS = 4
TYPO_ALTERNATIVES = 3
# Column weights for bm25: who says it (speaker, author, outlet), titles and names, then the text.
WEIGHTS = (0.0, 0.0, 10.0, 5.0, 1.0)
RELAY_DISCOUNT = 0.5
# When no document has every word, words found in more than this share of claims are left out.
COMMON_SHARE = 0.05
COMMON_MIN_DOCS = 50  # a claim found through the source it relays ranks below the source itself


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, its id, its score (higher is better) and why it matched."""

    kind: Kind
    id: str
    score: float
    via: str = ""  # for a claim found through a matching source: that source's id


class SearchIndex:
    """A full-text index over one store snapshot."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.Lock()
        self._db = _connect()
        rows = _rows(store)
        self._db.executemany("INSERT INTO docs(rowid, kind, id, who, title, body) VALUES (?, ?, ?, ?, ?, ?)",
                             ((n, *row) for n, row in enumerate(rows, 1)))
        self._db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self._db.commit()  # no transaction left open: `patched` copies this database
        # Terms in the vocabulary's byte order (that of code points, as Python sorts strings).
        self._df = dict(self._db.execute("SELECT term, doc FROM vocab").fetchall())
        self._vocab = list(self._df)
        self._known = set(self._vocab)
        self._common = max(COMMON_MIN_DOCS, int(len(store.claims) * COMMON_SHARE))
        self._relays = _relays(store)
        self._claims_of = {s.id: [c.id for c in s.claims] for s in store.sources.values()}
        # Where each source's and claim's row is, so an edit replaces it in place (ties keep their order).
        self._rowid = {(kind, item): n for n, (kind, item, *_) in enumerate(rows, 1) if kind != "topic"}
        self._next = len(rows) + 1
        self.patches = 0  # how many edits this index was patched for since it was built whole

    def patched(self, old: Store, new: Store, sources: Iterable[str]) -> SearchIndex:
        """The index of `new`, which differs from `old` (this index's store) only in `sources`, made by
        copying this one and replacing those sources' rows (this index keeps answering for `old`)."""
        changed = set(sources)
        out = SearchIndex.__new__(SearchIndex)
        out._lock = threading.Lock()
        out._db = _connect(schema=False)
        with self._lock:
            self._db.backup(out._db)
        out._df, out._vocab, out._known = dict(self._df), list(self._vocab), set(self._known)
        out._rowid, out._next, out.patches = dict(self._rowid), self._next, self.patches + 1
        out._common = max(COMMON_MIN_DOCS, int(len(new.claims) * COMMON_SHARE))
        out._claims_of = dict(self._claims_of)
        gone, fresh = [], []
        for sid in sorted(changed):
            for key in _keys(old, sid):
                if key in out._rowid:
                    gone.append(key)
            fresh += [row for row in _source_rows(new, sid)]
            if sid in new.sources:
                out._claims_of[sid] = [c.id for c in new.sources[sid].claims]
            else:
                out._claims_of.pop(sid, None)
        out._replace(gone, fresh)
        out._relays = _patched_relays(self._relays, old, new, changed)
        return out

    def _replace(self, gone: list[tuple[str, str]], fresh: list[tuple[str, str, str, str, str]]) -> None:
        """Delete the rows `gone` and insert `fresh` (same rowid when the item was there), keeping the
        document frequencies and the sorted vocabulary exact."""
        db = self._db
        old_rows = [db.execute("SELECT kind, id, who, title, body FROM docs WHERE rowid = ?",
                               (self._rowid[key],)).fetchone() for key in gone]
        rowids = {key: self._rowid.pop(key) for key in gone}
        db.executemany("DELETE FROM docs WHERE rowid = ?", ((n,) for n in rowids.values()))
        for row in fresh:
            n = rowids.get((row[0], row[1]))
            if n is None:
                n, self._next = self._next, self._next + 1
            self._rowid[(row[0], row[1])] = n
            db.execute("INSERT INTO docs(rowid, kind, id, who, title, body) VALUES (?, ?, ?, ?, ?, ?)", (n, *row))
        db.commit()
        delta = _term_docs(fresh)
        delta.subtract(_term_docs(old_rows))
        for term, change in delta.items():
            if not change:
                continue
            count = self._df.get(term, 0) + change
            if count > 0:
                if term not in self._df:
                    bisect.insort(self._vocab, term)
                    self._known.add(term)
                self._df[term] = count
            else:
                del self._df[term]
                del self._vocab[bisect.bisect_left(self._vocab, term)]
                self._known.discard(term)

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Results for `query`, best first; BadArgument for an oversized or empty query."""
        words = _words(query)
        groups = [self._alternatives(w, last=i == len(words) - 1) for i, w in enumerate(words)]
        hits = self._match(" AND ".join(groups), limit)
        if not hits and len(groups) > 1:
            # No document has every word: rank those with any of the telling ones ("de", "the" tell nothing
            # and would make every document a candidate).
            rare = [g for w, g in zip(words, groups, strict=True) if self._df.get(w, 0) <= self._common]
            hits = self._match(" OR ".join(rare), limit) if rare else []
        return self._with_relays(hits, limit)

    def _alternatives(self, word: str, *, last: bool) -> str:
        """The FTS5 query group for one word: itself (a prefix if last), or its closest indexed words."""
        options = [f'"{word}"']
        if last and len(word) >= 2:
            options.append(f'"{word}"*')
        if word not in self._known and len(word) >= TYPO_MIN_CHARS:
            close = process.extract(word, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF,
                                    limit=TYPO_ALTERNATIVES)
            options += [f'"{term}"' for term, _, _ in close]
        return "(" + " OR ".join(dict.fromkeys(options)) + ")"

    def _match(self, expression: str, limit: int) -> list[Hit]:
        # Ties in rank by kind and id, not by where a row happens to sit.
        sql = (f"SELECT kind, id, bm25(docs, {', '.join(map(str, WEIGHTS))}) AS rank FROM docs WHERE docs MATCH ?"
               " ORDER BY rank, kind, id LIMIT ?")
        with self._lock:
            rows = self._db.execute(sql, (expression, limit)).fetchall()
        return [Hit(kind=kind, id=item, score=-rank) for kind, item, rank in rows]

    def _with_relays(self, hits: list[Hit], limit: int) -> list[Hit]:
        """A matching source brings its own claims and the claims of sources relaying it, just below it."""
        out: dict[tuple[str, str], Hit] = {}
        for hit in hits:
            out.setdefault((hit.kind, hit.id), hit)
        for hit in hits:
            if hit.kind != "source":
                continue
            for claim in [*self._claims_of.get(hit.id, []), *self._relays.get(hit.id, [])]:
                out.setdefault(("claim", claim), Hit("claim", claim, hit.score * RELAY_DISCOUNT, via=hit.id))
        return sorted(out.values(), key=lambda h: -h.score)[:limit]


def _words(query: str) -> list[str]:
    if len(query) > MAX_QUERY_CHARS:
        raise BadArgument(f"That search is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
    words = normalise(query).split()
    if not words:
        raise BadArgument("Give a search made of letters or digits.")
    return words[:MAX_WORDS]


_DOCS = ("CREATE VIRTUAL TABLE docs USING fts5(kind UNINDEXED, id UNINDEXED, who, title, body, "
         "tokenize = 'unicode61 remove_diacritics 2')")


def _connect(*, schema: bool = True) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    if schema:
        db.execute(_DOCS)
        db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, row)")
    return db


def _term_docs(rows: list[tuple[str, str, str, str, str]]) -> Counter[str]:
    """How many of `rows` hold each term, as the index's own tokenizer splits them."""
    if not rows:
        return Counter()
    db = _connect()
    try:
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", rows)
        return Counter(dict(db.execute("SELECT term, doc FROM vocab").fetchall()))
    finally:
        db.close()


def _rows(store: Store) -> list[tuple[str, str, str, str, str]]:
    rows = [("topic", t.id, "", " ".join([t.id.replace("-", " "), t.title, *t.aliases]), t.description)
            for t in store.topics.values()]
    for sid in store.sources:
        rows.append(_source_row(store, sid))
    for entry in store.claims.values():
        rows.append(_claim_row(entry.claim))
    return rows


def _source_row(store: Store, sid: str) -> tuple[str, str, str, str, str]:
    s = store.sources[sid]
    who = " ".join(filter(None, [s.author, s.outlet, _initials(s.outlet)]))
    return ("source", s.id, who, s.title, "")


def _claim_row(c: Claim) -> tuple[str, str, str, str, str]:
    return ("claim", c.id, c.speaker or "", "", f"{c.statement}\n{c.quote}")


def _source_rows(store: Store, sid: str) -> list[tuple[str, str, str, str, str]]:
    if sid not in store.sources:
        return []
    return [_source_row(store, sid), *(_claim_row(c) for c in store.sources[sid].claims)]


def _keys(store: Store, sid: str) -> list[tuple[str, str]]:
    source = store.sources.get(sid)
    return [] if source is None else [("source", sid), *(("claim", c.id) for c in source.claims)]


def _initials(name: str) -> str:
    """`The Wall Street Journal` → `wsj`: how outlets are often typed (only for names of 2+ capitalised words)."""
    words = [w for w in name.split() if w[:1].isupper() and w.casefold() not in ("the", "le", "la", "les")]
    return "".join(w[0] for w in words).casefold() if len(words) >= 2 else ""


def _relays(store: Store, only: Iterable[str] | None = None) -> dict[str, list[str]]:
    """For each source, the claims of sources that relay it (derived_from) or repeat it (also_in)
    (with `only`, what those sources contribute)."""
    out: dict[str, list[str]] = {}
    for s in (store.sources.values() if only is None else (store.sources[i] for i in only if i in store.sources)):
        for parent in s.derived_from:
            out.setdefault(parent, []).extend(c.id for c in s.claims)
        for c in s.claims:
            for other in c.also_in:
                out.setdefault(other, []).append(c.id)
    return out


def _patched_relays(relays: dict[str, list[str]], old: Store, new: Store, changed: set[str]) -> dict[str, list[str]]:
    """`_relays(new)` from `_relays(old)`: the lists the changed sources fed are redone, in source order
    (each source's contributions to a list are contiguous, so a stable sort by source restores it)."""
    before = _relays(old, sorted(changed))
    after = _relays(new, sorted((s for s in changed if s in new.sources), key=list(new.sources).index))
    ours = {c for part in (before, after) for claims in part.values() for c in claims}
    out = dict(relays)
    place = {sid: n for n, sid in enumerate(new.sources)}
    for key in before.keys() | after.keys():
        kept = [c for c in relays.get(key, []) if c not in ours]
        merged = sorted(kept + after.get(key, []), key=lambda c: place[new.claims[c].source.id])
        if merged:
            out[key] = merged
        else:
            out.pop(key, None)
    return out
