"""Search across claims, sources and topics: SQLite FTS5 (stdlib) for ranking, RapidFuzz for typos.

One index is built per store snapshot (off the command path, in a temporary database file of which
only a small page cache stays in memory) and only read afterwards; an edit of a few sources copies the
previous snapshot's index and patches the rows of those sources (`SearchIndex.patched`), which
answers exactly as an index built afresh.
Case and accents are folded on both sides (`unicode61 remove_diacritics 2`), so `Pékin`, `pekin` and
`PEKIN` are one word; a query word the index does not hold is swapped for its closest indexed words
(`peskof` → `peskov`), and the last word also matches as a prefix (`sanct` → `sanctions`).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
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
WEIGHTS = (10.0, 5.0, 1.0)
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
    """A full-text index over one store snapshot.

    The SQLite database lives in a file (under the store's `state_dir`, else the temp dir), unlinked as
    soon as it is open where the system allows it, so only a small page cache stays in memory (the OS
    caches the rest) and nothing is left behind once the index is dropped or the process ends. The
    FTS5 table is contentless: it holds the index, not the text, and each row's kind and id sit in an
    ordinary table beside it. Searches from several threads take turns on the one connection.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._db, self._path = _open(store.state_dir)
        self._finalizer = weakref.finalize(self, _close, self._db, self._path)
        self._db.execute(_DOCS)
        self._db.execute(_ITEMS)
        self._db.execute(_VOCAB)
        # The rows are made as they are inserted (twice): a list of them would hold every text at once.
        with _transaction(self._db):
            self._db.executemany("INSERT INTO items(n, kind, id) VALUES (?, ?, ?)",
                                 ((n, kind, item) for n, (kind, item, *_) in enumerate(_rows(store), 1)))
            self._db.executemany("INSERT INTO docs(rowid, who, title, body) VALUES (?, ?, ?, ?)",
                                 ((n, *text) for n, (_, _, *text) in enumerate(_rows(store), 1)))
            self._db.execute("CREATE INDEX items_key ON items(kind, id)")
            self._db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self._terms = _by_length(term for term, in self._db.execute("SELECT term FROM vocab"))
        self._common = max(COMMON_MIN_DOCS, int(len(store.claims) * COMMON_SHARE))
        self._relays = _relays(store)
        self._next = len(store.topics) + len(store.sources) + len(store.claims) + 1
        self.patches = 0  # how many edits this index was patched for since it was built whole

    def patched(self, old: Store, new: Store, sources: Iterable[str]) -> SearchIndex:
        """The index of `new`, which differs from `old` (this index's store) only in `sources`, made by
        copying this one and replacing those sources' rows (this index keeps answering for `old`)."""
        if old is not self._store:
            raise ValueError("patched() needs the store this index was built for")
        changed = set(sources)
        out = SearchIndex.__new__(SearchIndex)
        out._store = new
        out._lock = threading.Lock()
        out._db, out._path = _open(new.state_dir)
        out._finalizer = weakref.finalize(out, _close, out._db, out._path)
        with self._lock:
            self._db.backup(out._db)
        out._terms, out._next, out.patches = dict(self._terms), self._next, self.patches + 1
        out._common = max(COMMON_MIN_DOCS, int(len(new.claims) * COMMON_SHARE))
        gone = [row for sid in sorted(changed) for row in _source_rows(old, sid)]
        fresh = [row for sid in sorted(changed) for row in _source_rows(new, sid)]
        out._replace(gone, fresh)
        out._relays = _patched_relays(self._relays, old, new, changed)
        return out

    def _replace(self, gone: list[Row], fresh: list[Row]) -> None:
        """Delete the rows `gone` (as they were inserted: a contentless table is told the text it
        forgets) and insert `fresh` (same rowid when the item was there), keeping the vocabulary exact."""
        db = self._db
        rowids: dict[tuple[str, str], int] = {}
        with _transaction(db):
            for kind, item, *text in gone:
                found = db.execute("SELECT n FROM items WHERE kind = ? AND id = ?", (kind, item)).fetchone()
                if found is None:
                    continue
                n = rowids[(kind, item)] = found[0]
                db.execute("INSERT INTO docs(docs, rowid, who, title, body) VALUES ('delete', ?, ?, ?, ?)", (n, *text))
                db.execute("DELETE FROM items WHERE n = ?", (n,))
            for kind, item, *text in fresh:
                n = rowids.get((kind, item))
                if n is None:
                    n, self._next = self._next, self._next + 1
                db.execute("INSERT INTO items(n, kind, id) VALUES (?, ?, ?)", (n, kind, item))
                db.execute("INSERT INTO docs(rowid, who, title, body) VALUES (?, ?, ?, ?)", (n, *text))
        before, after = _terms(gone), _terms(fresh)
        added = after - before
        # A term only the deleted rows held may be gone from the index now.
        dropped = {t for t in before - after
                   if not db.execute("SELECT doc FROM vocab WHERE term = ? AND doc > 0", (t,)).fetchone()}
        for length in {len(t) for t in added | dropped}:
            words = set(self._terms.get(length, "").split(_SEP)) - {""}
            self._terms[length] = _joined(sorted((words | {t for t in added if len(t) == length}) - dropped))
            if not self._terms[length]:
                del self._terms[length]

    def vocabulary(self) -> dict[str, int]:
        """Every indexed term with the number of rows holding it, in byte order (for checks, not for searches)."""
        with self._lock:
            return dict(self._db.execute("SELECT term, doc FROM vocab").fetchall())

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """Results for `query`, best first; BadArgument for an oversized or empty query."""
        words = _words(query)
        groups = [self._alternatives(w, last=i == len(words) - 1) for i, w in enumerate(words)]
        hits = self._match(" AND ".join(groups), limit)
        if not hits and len(groups) > 1:
            # No document has every word: rank those with any of the telling ones ("de", "the" tell nothing
            # and would make every document a candidate).
            rare = [g for w, g in zip(words, groups, strict=True) if self._docs_with(w) <= self._common]
            hits = self._match(" OR ".join(rare), limit) if rare else []
        return self._with_relays(hits, limit)

    def _docs_with(self, term: str) -> int:
        with self._lock:
            found = self._db.execute("SELECT doc FROM vocab WHERE term = ?", (term,)).fetchone()
        return found[0] if found else 0

    def _alternatives(self, word: str, *, last: bool) -> str:
        """The FTS5 query group for one word: itself (a prefix if last), or its closest indexed words."""
        options = [f'"{word}"']
        if last and len(word) >= 2:
            options.append(f'"{word}"*')
        if f"{_SEP}{word}{_SEP}" not in self._terms.get(len(word), "") and len(word) >= TYPO_MIN_CHARS:
            options += [f'"{term}"' for term in _closest(word, self._terms)]
        return "(" + " OR ".join(dict.fromkeys(options)) + ")"

    def _match(self, expression: str, limit: int) -> list[Hit]:
        # Ties in rank by kind and id, not by where a row happens to sit.
        sql = (f"SELECT items.kind, items.id, bm25(docs, {', '.join(map(str, WEIGHTS))}) AS rank"
               " FROM docs JOIN items ON items.n = docs.rowid WHERE docs MATCH ?"
               " ORDER BY rank, items.kind, items.id LIMIT ?")
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
            source = self._store.sources.get(hit.id)
            own = [c.id for c in source.claims] if source is not None else []
            for claim in [*own, *self._relays.get(hit.id, ())]:
                out.setdefault(("claim", claim), Hit("claim", claim, hit.score * RELAY_DISCOUNT, via=hit.id))
        return sorted(out.values(), key=lambda h: -h.score)[:limit]


def _closest(word: str, terms: dict[int, str]) -> list[str]:
    """The TYPO_ALTERNATIVES terms (grouped by length, see `_by_length`) closest to `word` by fuzz.ratio,
    ties in byte order: what `process.extract` gives over one sorted list of them all, looking only at
    lengths that can reach TYPO_CUTOFF (the ratio is at most 100 * (1 - |a - b| / (a + b)))."""
    found: list[tuple[float, str]] = []
    for length, joined in terms.items():
        if 100 * abs(length - len(word)) <= (105 - TYPO_CUTOFF) * (length + len(word)):  # with a margin
            found += [(score, term) for term, score, _ in process.extract(
                word, joined.split(_SEP)[1:-1], scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=TYPO_ALTERNATIVES)]
    return [term for _, term in sorted(found, key=lambda f: (-f[0], f[1]))[:TYPO_ALTERNATIVES]]


def _words(query: str) -> list[str]:
    if len(query) > MAX_QUERY_CHARS:
        raise BadArgument(f"That search is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
    words = normalise(query).split()
    if not words:
        raise BadArgument("Give a search made of letters or digits.")
    return words[:MAX_WORDS]


Row = tuple[str, str, str, str, str]  # kind, id, then the indexed text: who, title, body

_DOCS = ("CREATE VIRTUAL TABLE docs USING fts5(who, title, body, content = '', "
         "tokenize = 'unicode61 remove_diacritics 2')")
_ITEMS = "CREATE TABLE items(n INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL)"
_VOCAB = "CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, row)"
CACHE_KIB = 1024  # SQLite's page cache per index; the OS page cache holds the rest of the file
_SEP = "\n"  # no term holds one (the tokenizer splits on white space)


def _open(folder: Path | None) -> tuple[sqlite3.Connection, str | None]:
    """A connection to a new database file in `folder` (else the temp dir), and the file's path while it
    is still to be removed (None once unlinked: the open connection keeps it until closed)."""
    for where in (folder, None) if folder is not None else (None,):
        try:
            fd, path = tempfile.mkstemp(prefix=".search-", suffix=".sqlite3", dir=where)
        except OSError:
            continue  # an unwritable or missing state_dir: the temp dir then
        os.close(fd)
        break
    else:
        raise OSError("no writable directory for the search index")
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        # No journal: the file is rebuilt, never recovered.
        db.execute("PRAGMA journal_mode = OFF").fetchall()
        db.execute("PRAGMA synchronous = OFF")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA temp_store = FILE")
        os.unlink(path)
    except OSError:  # not on this system (Windows): removed by _close
        return db, path
    except BaseException:
        _close(db, path)
        raise
    return db, None


def _close(db: sqlite3.Connection, path: str | None) -> None:
    db.close()
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _terms(rows: list[Row]) -> set[str]:
    """The terms of `rows`, as the index's own tokenizer splits them."""
    if not rows:
        return set()
    db = sqlite3.connect(":memory:")
    try:
        db.execute(_DOCS)
        db.execute(_VOCAB)
        db.executemany("INSERT INTO docs VALUES (?, ?, ?)", (text for _, _, *text in rows))
        return {term for term, in db.execute("SELECT term FROM vocab")}
    finally:
        db.close()


def _joined(terms: Iterable[str]) -> str:
    """Terms as one string, each between separators (`\nabc\nabd\n`): a membership test is a substring
    test, and a string weighs far less than a list of strings."""
    body = _SEP.join(terms)
    return f"{_SEP}{body}{_SEP}" if body else ""


def _by_length(terms: Iterable[str]) -> dict[int, str]:
    """Sorted terms, grouped by length (each group in the order given)."""
    groups: dict[int, list[str]] = {}
    for term in terms:
        groups.setdefault(len(term), []).append(term)
    return {length: _joined(group) for length, group in sorted(groups.items())}


def _rows(store: Store) -> Iterator[Row]:
    for t in store.topics.values():
        yield ("topic", t.id, "", " ".join([t.id.replace("-", " "), t.title, *t.aliases]), t.description)
    for sid in store.sources:
        yield _source_row(store, sid)
    for entry in store.claims.values():
        yield _claim_row(entry.claim)


def _source_row(store: Store, sid: str) -> Row:
    s = store.sources[sid]
    who = " ".join(filter(None, [s.author, s.outlet, _initials(s.outlet)]))
    return ("source", s.id, who, s.title, "")


def _claim_row(c: Claim) -> Row:
    return ("claim", c.id, c.speaker or "", "", f"{c.statement}\n{c.quote}")


def _source_rows(store: Store, sid: str) -> list[Row]:
    if sid not in store.sources:
        return []
    return [_source_row(store, sid), *(_claim_row(c) for c in store.sources[sid].claims)]


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
