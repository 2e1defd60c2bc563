"""A snapshot of the validated claim store in STATE_DIR, so a process can skip parsing unchanged files.

Each row holds one file's validated model as JSON, keyed by the file's path, the hash of its bytes and
the schema version of this code. SQLite (stdlib) keeps it: reading it can never run code, several
processes (Discord shards, Slack web workers) share it through WAL mode, and a batch of rows is
written in one transaction, so a reader sees all of a write or none of it.

Nothing read back is trusted: a row must match the file's current hash and this code's schema, carry
a checksum of its own payload, and pass the same pydantic validation as the YAML did. Any miss means
the file is parsed again; a corrupt or foreign database is moved aside and rebuilt.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from bot.core.flags import Signal, SignalKind, forget_signals, known_signals, remember_signals, signals_version
from bot.core.models import Source, Topic

log = logging.getLogger(__name__)

FILE_NAME = "store-snapshot.sqlite3"
FORMAT = "briefbot-store-snapshot/2"
# Bump when loading changes meaning without the loading code's files changing.
CODE_VERSION = 1
CHUNK = 500  # rows validated, written or asked for at a time: a 100k-claim store never sits in one string

Kind = Literal["topics", "sources"]
MODELS: dict[Kind, type[Topic] | type[Source]] = {"topics": Topic, "sources": Source}


def content_hash(raw: bytes) -> str:
    """The key of a file's content."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def meaning_hash(data: object) -> str:
    """A hash of a file's parsed data: the part of the store version a file contributes, so comments
    and layout make no new version (JSON, because the C encoder is the cheapest exact serialisation)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@functools.cache
def schema_version() -> str:
    """Changes whenever the code that turns a file into its model does (the models, the YAML reading,
    CODE_VERSION), so rows written by another version stop matching."""
    from bot.core import models, validation, yamlfile

    digest = hashlib.blake2b(f"{FORMAT}:{CODE_VERSION}".encode(), digest_size=8)
    for module in (models, validation, yamlfile):
        with open(str(module.__file__), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


@dataclass(frozen=True)
class Row:
    """One file's entry: where it is, the hash of its bytes, its validated model."""

    path: str
    kind: Kind
    digest: str
    model: Topic | Source
    meaning: str = ""  # meaning_hash of the file's data


def _checksum(schema: str, path: str, digest: str, payload: str) -> str:
    text = "\0".join((schema, path, digest, payload))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, kind TEXT NOT NULL, digest TEXT NOT NULL,"
    " schema TEXT NOT NULL, meaning TEXT NOT NULL, payload TEXT NOT NULL, checksum TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS signals (quote TEXT PRIMARY KEY, version TEXT NOT NULL, payload TEXT NOT NULL,"
    " checksum TEXT NOT NULL)",
)


_writing: dict[Path, threading.Thread] = {}  # writes still running in this process, by snapshot file
_writing_lock = threading.Lock()


def wait_for_writes() -> None:
    """Return once every snapshot write this process started has finished."""
    with _writing_lock:
        pending = list(_writing.values())
    for thread in pending:
        thread.join()


class Snapshot:
    """The snapshot file of one STATE_DIR; every method fails soft (a snapshot is only a shortcut)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE_NAME

    def exists(self) -> bool:
        """Whether there is a snapshot file (written, or being written by this process)."""
        with _writing_lock:
            pending = self.path in _writing
        return pending or self.path.exists()

    def save_later(self, rows: list[Row], keep: list[str] | None = None, checked: str | None = None) -> None:
        """`save` in a thread: the store it records is served meanwhile (the process waits for it at exit)."""
        self._behind(lambda: self.save(rows, keep, checked))

    def save_signals_later(self, found: dict[str, tuple[Signal, ...]]) -> None:
        """`save_signals` in a thread."""
        self._behind(lambda: self.save_signals(found))

    def _behind(self, work: Callable[[], None]) -> None:
        self._wait()

        def write() -> None:
            try:
                work()
            finally:
                with _writing_lock:
                    _writing.pop(self.path, None)

        thread = threading.Thread(target=write, name="store-snapshot-write")
        with _writing_lock:
            _writing[self.path] = thread
        thread.start()

    def _wait(self) -> None:
        with _writing_lock:
            thread = _writing.get(self.path)
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def load(self, wanted: dict[str, str]) -> dict[str, Row]:
        """The rows for `wanted` (path -> current content hash) that are current and intact."""
        self._wait()
        if not self.path.exists():
            return {}
        try:
            with self._connect() as db:
                raw = db.execute("SELECT path, kind, digest, schema, meaning, payload, checksum FROM files").fetchall()
        except sqlite3.Error as exc:
            self._discard(f"unreadable ({exc})")
            return {}
        schema = schema_version()
        good: dict[Kind, list[tuple[str, str, str, str]]] = {"topics": [], "sources": []}
        for path, kind, digest, row_schema, meaning, payload, checksum in raw:
            if wanted.get(path) != digest or row_schema != schema or kind not in good:
                continue  # stale: the file changed, or an older version of the code wrote it
            if checksum != _checksum(schema, path, digest, meaning + payload):
                log.warning("store snapshot row for %s fails its checksum; parsing the file again", path)
                continue
            good[kind].append((path, digest, meaning, payload))
        out: dict[str, Row] = {}
        for kind, rows in good.items():
            for at in range(0, len(rows), CHUNK):
                out.update(_validated(kind, rows[at:at + CHUNK]))
        return out

    def is_checked(self, content: str) -> bool:
        """True when the files whose combined hash is `content` passed every check across files."""
        self._wait()
        if not self.path.exists():
            return False
        try:
            with self._connect() as db:
                found = db.execute("SELECT value FROM meta WHERE key = 'checked'").fetchone()
        except sqlite3.Error:
            return False
        return found is not None and found[0] == f"{schema_version()}:{content}"

    def save(self, rows: Iterable[Row], keep: Iterable[str] | None = None, checked: str | None = None) -> None:
        """Write `rows` in one transaction; with `keep`, drop rows of files no longer there; with
        `checked`, record that the files with that combined hash passed every check."""
        self._wait()
        schema = schema_version()
        rows = list(rows)

        def values(part: list[Row]) -> Iterator[tuple[str, ...]]:
            for row in part:
                payload = row.model.model_dump_json()
                yield (row.path, row.kind, row.digest, schema, row.meaning, payload,
                       _checksum(schema, row.path, row.digest, row.meaning + payload))

        present = None if keep is None else set(keep)
        for attempt in (1, 2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self._connect() as db, db:
                    for at in range(0, len(rows), CHUNK):  # one transaction, built a chunk at a time
                        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       values(rows[at:at + CHUNK]))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('checked', ?)",
                               (f"{schema}:{checked}" if checked else "",))
                    if present is not None:
                        gone = [(p,) for (p,) in db.execute("SELECT path FROM files") if p not in present]
                        db.executemany("DELETE FROM files WHERE path = ?", gone)
                return
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and "locked" not in str(exc):
                    self._discard(f"unusable ({exc})")
                    continue
                log.warning("could not write the store snapshot %s: %s", self.path, exc)
            except (sqlite3.Error, OSError) as exc:
                log.warning("could not write the store snapshot %s: %s", self.path, exc)
            return

    def load_signals(self, quotes: set[str]) -> dict[str, tuple[Signal, ...]]:
        """The computed signals kept for these quotes, by this version of the signal code."""
        self._wait()
        if not self.path.exists():
            return {}
        version = signals_version()
        wanted = sorted(quotes)
        rows = []
        try:
            with self._connect() as db:
                for at in range(0, len(wanted), CHUNK):  # only the rows asked for, a chunk at a time
                    chunk = wanted[at:at + CHUNK]
                    rows += db.execute(f"SELECT quote, payload, checksum FROM signals WHERE version = ? AND quote IN"
                                       f" ({','.join('?' * len(chunk))})", (version, *chunk)).fetchall()
        except sqlite3.Error as exc:
            log.warning("store snapshot %s: signals unreadable (%s)", self.path, exc)
            return {}
        out = {}
        for quote, payload, checksum in rows:
            if quote not in quotes or checksum != _checksum(version, quote, "", payload):
                continue
            try:
                out[quote] = tuple(Signal(kind=SignalKind(k), trigger=t, start=a, end=b, detail=d)
                                   for k, t, a, b, d in json.loads(payload))
            except (ValueError, TypeError, ValidationError):
                continue
        return out

    def save_signals(self, found: dict[str, tuple[Signal, ...]]) -> None:
        """Keep computed signals so the next process does not scan these quotes again."""
        self._wait()
        version = signals_version()
        values = []
        for quote, signals in found.items():
            payload = json.dumps([[s.kind.value, s.trigger, s.start, s.end, s.detail] for s in signals],
                                 ensure_ascii=False)
            values.append((quote, version, payload, _checksum(version, quote, "", payload)))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db, db:
                db.execute("DELETE FROM signals WHERE version != ?", (version,))
                db.executemany("INSERT OR REPLACE INTO signals VALUES (?, ?, ?, ?)", values)
        except (sqlite3.Error, OSError) as exc:
            log.warning("could not write signals to the store snapshot %s: %s", self.path, exc)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: a crash may lose the last write, never corrupt it
            for statement in _DDL:
                db.execute(statement)
            found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if found is None:
                with db:
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            elif found[0] != FORMAT:
                raise sqlite3.DatabaseError(f"not a briefbot store snapshot ({found[0]!r})")
            yield db
        finally:
            db.close()

    def _discard(self, why: str) -> None:
        # Moved aside rather than trusted or patched; the next save starts a fresh file.
        log.warning("store snapshot %s is %s: rebuilding it from the files", self.path, why)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.replace(f"{self.path}{suffix}", f"{self.path}{suffix}.bad")


@functools.cache
def _list_adapter(kind: Kind) -> TypeAdapter[list[Topic] | list[Source]]:
    return TypeAdapter(list[MODELS[kind]])  # type: ignore[index,valid-type]


def _validated(kind: Kind, rows: list[tuple[str, str, str, str]]) -> dict[str, Row]:
    """Validate every payload in one pass; if any fails, validate one by one and drop the bad ones."""
    if not rows:
        return {}
    models: list[Any]
    try:
        models = _list_adapter(kind).validate_json("[" + ",".join(p for _, _, _, p in rows) + "]")
    except ValidationError:
        models = []
    if len(models) == len(rows):
        return {path: Row(path, kind, digest, m, meaning) for (path, digest, meaning, _), m in zip(rows, models)}
    out = {}
    for path, digest, meaning, payload in rows:
        try:
            out[path] = Row(path, kind, digest, MODELS[kind].model_validate_json(payload), meaning)
        except ValidationError:
            log.warning("store snapshot row for %s does not validate; parsing the file again", path)
    return out


class SignalCache:
    """Signals of a store's quotes: taken from the snapshot before briefs are built, the new ones kept after."""

    def __init__(self, state_dir: Path | None, quotes: set[str]) -> None:
        self.snapshot = Snapshot(state_dir) if state_dir is not None else None
        self.quotes = quotes
        self.primed: set[str] = set()

    def __enter__(self) -> SignalCache:
        if self.snapshot is not None:
            known = set(known_signals(self.quotes))
            missing = self.quotes - known
            found = self.snapshot.load_signals(missing) if missing else {}
            remember_signals(found)
            self.primed = known | set(found)  # already kept, or known here (kept by whoever found them)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.snapshot is not None and exc[0] is None:
            new = {q: s for q, s in known_signals(self.quotes - self.primed).items()}
            if new:
                self.snapshot.save_signals_later(new)
            # The briefs hold what they show; the next rebuild reads the few quotes it needs back.
            forget_signals(self.quotes)
