"""A snapshot of the validated claim store in STATE_DIR, so a process can skip parsing unchanged files.

Each row holds one file's validated model as JSON, keyed by the file's path, the hash of its bytes and
the schema version of this code. SQLite (stdlib) keeps it: reading it can never run code, several
processes (Discord shards, Slack web workers) share it through WAL mode, and a batch of rows is
written in one transaction, so a reader sees all of a write or none of it.

Nothing read back is trusted unless authenticated: a row must match the file's current hash and this
code's schema, and carry a MAC of its own content keyed by a random secret kept beside the database in
STATE_DIR (created 0600; never in config or logs). Only this code, having validated the model, writes
that MAC, so an authenticated row is rebuilt without validating again (bot.core.rebuild); any miss (no
key, a wrong MAC, a foreign or corrupt database) means the file is parsed again from its YAML.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import orjson
from pydantic import ValidationError

from bot.core.flags import Signal, SignalKind, forget_signals, known_signals, remember_signals, signals_version
from bot.core.models import Source, Topic
from bot.core.rebuild import NotAModel, rebuild

log = logging.getLogger(__name__)

FILE_NAME = "store-snapshot.sqlite3"
KEY_NAME = "store-snapshot.key"
KEY_BYTES = 32
FORMAT = "briefbot-store-snapshot/4"
# Bump when loading changes meaning without the loading code's files changing.
CODE_VERSION = 1
CHUNK = 500  # rows written or asked for by path at a time: a 100k-claim store never sits in one string

Kind = Literal["topics", "sources"]
MODELS: dict[Kind, type[Topic] | type[Source]] = {"topics": Topic, "sources": Source}


def content_hash(raw: bytes) -> str:
    """The key of a file's content."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def meaning_hash(payload: bytes) -> str:
    """A hash of a file's validated model as JSON (its row's payload): the part of the store version a
    file contributes, so comments, layout and spelled-out defaults make no new version."""
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def to_payload(model: Topic | Source) -> bytes:
    """A model as its row's payload: the bytes of model_dump_json, without decoding them to str."""
    return model.__pydantic_serializer__.to_json(model)


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
    meaning: str = ""  # meaning_hash of the model
    payload: bytes = b""  # the model as JSON, when already serialised


def _checksum(schema: str, path: str, digest: str, payload: str) -> str:
    text = "\0".join((schema, path, digest, payload))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _mac(key: bytes, schema: str, path: str, digest: str, meaning: str, payload: bytes) -> str:
    # Keyed BLAKE2b is an HMAC-grade MAC in one pass; the payload, last, is hashed as it was read.
    mac = hashlib.blake2b(f"{schema}\0{path}\0{digest}\0{meaning}".encode(), digest_size=16, key=key)
    mac.update(payload)
    return mac.hexdigest()


def _checked_mark(key: bytes, content: str) -> str:
    """What records that the files of combined hash `content` passed the checks across files (MACed:
    a forged mark would skip those checks)."""
    schema = schema_version()
    return f"{schema}:{content}:{_mac(key, schema, 'checked', '', '', content.encode())}"


def read_key(state_dir: Path) -> bytes | None:
    """The snapshot's secret, if there is a usable one: a regular file of KEY_BYTES, not a link."""
    try:
        fd = os.open(state_dir / KEY_NAME, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        key = os.read(fd, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == KEY_BYTES else None


def ensure_key(state_dir: Path) -> bytes | None:
    """The secret, made first if missing: written whole to a private file, then linked into place, so
    a process never reads half a key and two processes starting at once agree on one."""
    key = read_key(state_dir)
    if key is not None:
        return key
    temp = state_dir / f".{KEY_NAME}.{os.getpid()}.{threading.get_ident()}"
    with contextlib.suppress(OSError):
        os.unlink(temp)  # left by a process of the same id that died meanwhile
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, os.urandom(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(temp, state_dir / KEY_NAME)
    except OSError as exc:
        log.warning("could not create the store snapshot key in %s: %s", state_dir, exc.strerror or exc)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    return read_key(state_dir)


_DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, kind TEXT NOT NULL, digest TEXT NOT NULL,"
    " schema TEXT NOT NULL, meaning TEXT NOT NULL, payload BLOB NOT NULL, checksum TEXT NOT NULL)",
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
        self.state_dir = state_dir
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
        """The rows for `wanted` (path -> current content hash) that are current and authentic."""
        self._wait()
        key = read_key(self.state_dir) if wanted and self.path.exists() else None
        if key is None:
            return {}  # nothing can be authenticated: every file is parsed
        out: dict[str, Row] = {}
        schema = schema_version()
        try:
            with self._connect() as db:
                for raw in _rows(db, wanted):
                    row = _trusted(raw, wanted, schema, key)
                    if row is not None:
                        out[row.path] = row
        except sqlite3.Error as exc:
            self._discard(f"unreadable ({exc})")
            return {}
        return out

    def is_checked(self, content: str) -> bool:
        """True when the files whose combined hash is `content` passed every check across files."""
        self._wait()
        if not self.path.exists():
            return False
        key = read_key(self.state_dir)
        if key is None:
            return False
        try:
            with self._connect() as db:
                found = db.execute("SELECT value FROM meta WHERE key = 'checked'").fetchone()
        except sqlite3.Error:
            return False
        return found is not None and hmac.compare_digest(str(found[0]), _checked_mark(key, content))

    def save(self, rows: Iterable[Row], keep: Iterable[str] | None = None, checked: str | None = None) -> None:
        """Write `rows` in one transaction; with `keep`, drop rows of files no longer there; with
        `checked`, record that the files with that combined hash passed every check."""
        self._wait()
        schema = schema_version()
        rows = list(rows)

        def values(part: list[Row], key: bytes) -> Iterator[tuple[str | bytes, ...]]:
            for row in part:
                payload = row.payload or to_payload(row.model)
                yield (row.path, row.kind, row.digest, schema, row.meaning, payload,
                       _mac(key, schema, row.path, row.digest, row.meaning, payload))

        present = None if keep is None else set(keep)
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("could not write the store snapshot %s: %s", self.path, exc)
            return
        key = ensure_key(self.state_dir)
        if key is None:
            return  # rows nobody could authenticate are not worth writing
        for attempt in (1, 2):
            try:
                with self._connect() as db, db:
                    for at in range(0, len(rows), CHUNK):  # one transaction, built a chunk at a time
                        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       values(rows[at:at + CHUNK], key))
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('checked', ?)",
                               (_checked_mark(key, checked) if checked else "",))
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


_COLUMNS = "SELECT path, kind, digest, schema, meaning, payload, checksum FROM files"


def _rows(db: sqlite3.Connection, wanted: dict[str, str]) -> Iterator[tuple[str | bytes, ...]]:
    """The rows of the wanted paths: looked up by key when they are few (an incremental reload asks
    for one of 10,000), else streamed from one scan (never all payloads in memory at once)."""
    if len(wanted) > CHUNK:
        yield from db.execute(_COLUMNS)
        return
    paths = list(wanted)
    for at in range(0, len(paths), CHUNK):
        chunk = paths[at:at + CHUNK]
        yield from db.execute(f"{_COLUMNS} WHERE path IN ({','.join('?' * len(chunk))})", chunk)


def _trusted(raw: tuple[str | bytes, ...], wanted: dict[str, str], schema: str, key: bytes) -> Row | None:
    """The row's model if it is current and its MAC is right; None (the file is parsed) otherwise."""
    path, kind, digest, row_schema, meaning, payload, mac = raw
    if not (isinstance(path, str) and isinstance(digest, str) and isinstance(meaning, str) and isinstance(payload, bytes)):
        return None  # not a row this code wrote: the file is parsed
    if wanted.get(path) != digest or row_schema != schema or kind not in MODELS:
        return None  # stale: the file changed, or another version of the code wrote it
    if not hmac.compare_digest(str(mac), _mac(key, schema, path, digest, meaning, payload)):
        log.warning("store snapshot row for %s fails its MAC; parsing the file again", path)
        return None
    try:
        model = rebuild(MODELS[kind], orjson.loads(payload))  # type: ignore[index]
    except (NotAModel, ValueError, TypeError, KeyError, ValidationError):
        log.warning("store snapshot row for %s does not fit the schema; parsing the file again", path)
        return None
    return Row(path, kind, digest, model, meaning)  # type: ignore[arg-type]


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
