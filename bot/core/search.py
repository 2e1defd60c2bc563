"""Search across claims, sources and topics: SQLite FTS5 (stdlib) for ranking, RapidFuzz for typos.

One index is built per store snapshot (in memory, off the command path) and only read afterwards.
Case and accents are folded on both sides (`unicode61 remove_diacritics 2`), so `Pékin`, `pekin` and
`PEKIN` are one word; a query word the index does not hold is swapped for its closest indexed words
(`peskof` → `peskov`), and the last word also matches as a prefix (`sanct` → `sanctions`).
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from bot.core.errors import BadArgument
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
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(kind UNINDEXED, id UNINDEXED, who, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')")
        self._db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", _rows(store))
        self._db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self._db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, row)")
        self._df = dict(self._db.execute("SELECT term, doc FROM vocab").fetchall())
        self._vocab = list(self._df)
        self._known = frozenset(self._vocab)
        self._common = max(COMMON_MIN_DOCS, int(len(store.claims) * COMMON_SHARE))
        self._relays = _relays(store)
        self._claims_of = {s.id: [c.id for c in s.claims] for s in store.sources.values()}

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
        sql = f"SELECT kind, id, bm25(docs, {', '.join(map(str, WEIGHTS))}) AS rank FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?"
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


def _rows(store: Store) -> list[tuple[str, str, str, str, str]]:
    rows = [("topic", t.id, "", " ".join([t.id.replace("-", " "), t.title, *t.aliases]), t.description)
            for t in store.topics.values()]
    for s in store.sources.values():
        who = " ".join(filter(None, [s.author, s.outlet, _initials(s.outlet)]))
        rows.append(("source", s.id, who, s.title, ""))
    for entry in store.claims.values():
        c = entry.claim
        rows.append(("claim", c.id, c.speaker or "", "", f"{c.statement}\n{c.quote}"))
    return rows


def _initials(name: str) -> str:
    """`The Wall Street Journal` → `wsj`: how outlets are often typed (only for names of 2+ capitalised words)."""
    words = [w for w in name.split() if w[:1].isupper() and w.casefold() not in ("the", "le", "la", "les")]
    return "".join(w[0] for w in words).casefold() if len(words) >= 2 else ""


def _relays(store: Store) -> dict[str, list[str]]:
    """For each source, the claims of sources that relay it (derived_from) or repeat it (also_in)."""
    out: dict[str, list[str]] = {}
    for s in store.sources.values():
        for parent in s.derived_from:
            out.setdefault(parent, []).extend(c.id for c in s.claims)
        for c in s.claims:
            for other in c.also_in:
                out.setdefault(other, []).append(c.id)
    return out
