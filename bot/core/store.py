"""Loading `briefs/` into an immutable, cross-checked Store snapshot."""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import difflib
import functools
import gc
import os
import hashlib
import re
import subprocess
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from bot.core.flags import rating_disagreements
from bot.core.models import Claim, Position, Source, Topic
from bot.core.origins import origin_problems
from bot.core.problems import Problem, StoreInvalid
from bot.core.snapshot import MODELS, Kind, Row, Snapshot, content_hash, meaning_hash, to_payload
from bot.core.validation import validate_doc
from bot.core.yamlfile import YamlDoc, is_yaml_name, read_bounded, read_yaml

# An archived article is plain text; anything bigger is not one (and is not read whole).
MAX_ARCHIVE_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class ClaimEntry:
    """A claim together with the source whose file holds it."""

    claim: Claim
    source: Source


@dataclass(frozen=True)
class Delta:
    """How a patched Store differs from the one it was patched from (see bot.core.patch)."""

    base: str                 # version of the store it was patched from
    sources: frozenset[str]   # ids of the sources whose files changed
    topics: frozenset[str]    # topics those sources had or have claims or positions on


@dataclass(frozen=True)
class Store:
    """One consistent snapshot of the claim store; never mutated once built."""

    topics: dict[str, Topic]
    sources: dict[str, Source]
    claims: dict[str, ClaimEntry]
    version: str
    loaded_at: datetime
    _warnings: tuple[Problem, ...] | None = field(default=None, repr=False)
    _by_topic: dict[str, list[ClaimEntry]] = field(default_factory=dict, repr=False)
    _positions: dict[str, list[tuple[Source, Position]]] = field(default_factory=dict, repr=False)
    files: dict[str, str] = field(default_factory=dict, repr=False)  # shown path -> hash of its bytes
    meanings: dict[str, str] = field(default_factory=dict, repr=False)  # shown path -> snapshot.meaning_hash
    root: Path | None = field(default=None, repr=False)
    parsed: tuple[str, ...] = field(default=(), repr=False)  # files parsed from YAML by this load
    state_dir: Path | None = field(default=None, repr=False)  # where its snapshot is kept, if anywhere
    delta: Delta | None = field(default=None, repr=False)  # set when patched from an earlier store

    @property
    def content(self) -> str:
        """The hash of every file's path and content hash (the content part of `version`)."""
        digest = hashlib.sha256()
        for shown in sorted(self.files):
            digest.update(f"{shown}\0{self.files[shown]}\n".encode())
        return digest.hexdigest() if self.files else ""

    @functools.cached_property
    def warnings(self) -> tuple[Problem, ...]:
        """The rating warnings, computed the first time they are asked for (validate, admin status)."""
        return self._warnings if self._warnings is not None else tuple(sorted(rating_warnings(self)))

    def claims_for(self, topic_id: str) -> list[ClaimEntry]:
        """Claims that bear on a topic, in file order."""
        return self._by_topic.get(topic_id, [])

    def positions_for(self, topic_id: str) -> list[tuple[Source, Position]]:
        """Each source's position on a topic, in source id order."""
        return self._positions.get(topic_id, [])


def build_store(
    topics: list[Topic], sources: list[Source], version: str, warnings: tuple[Problem, ...] | None = None, *,
    files: dict[str, str] | None = None, root: Path | None = None, parsed: tuple[str, ...] = (),
    state_dir: Path | None = None, meanings: dict[str, str] | None = None,
) -> Store:
    """Assemble a Store and its indexes from already validated models."""
    claims: dict[str, ClaimEntry] = {}
    by_topic: dict[str, list[ClaimEntry]] = defaultdict(list)
    positions: dict[str, list[tuple[Source, Position]]] = defaultdict(list)
    for source in sorted(sources, key=lambda s: s.id):
        for position in source.positions:
            positions[position.topic].append((source, position))
        for claim in source.claims:
            entry = ClaimEntry(claim, source)
            claims[claim.id] = entry
            for topic_id in claim.topics:
                by_topic[topic_id].append(entry)
    return Store(
        topics={t.id: t for t in topics},
        sources={s.id: s for s in sources},
        claims=claims,
        version=version,
        loaded_at=datetime.now(UTC),
        _warnings=warnings,
        _by_topic=dict(by_topic),
        _positions=dict(positions),
        files=files or {},
        root=root,
        parsed=parsed,
        state_dir=state_dir,
        meanings=meanings or {},
    )


def load_store(root: Path, archive: Path | None = None, *, state_dir: Path | None = None) -> Store:
    """Load and check every file under `root`; raise StoreInvalid listing every error at once.

    With `state_dir`, unchanged files come from the snapshot there (see bot.core.snapshot)."""
    store, problems = check_store(root, archive, state_dir=state_dir, warnings=False)
    if store is None:
        raise StoreInvalid(problems)
    return store


def check_store(
    root: Path, archive: Path | None = None, *, state_dir: Path | None = None, previous: Store | None = None,
    warnings: bool = True,
) -> tuple[Store | None, list[Problem]]:
    """Load `root`; the store is None whenever any error was found (never half-loaded).

    A file whose bytes are those `previous` (an earlier Store) or the snapshot in `state_dir` was built
    from is not parsed again. `warnings` adds the rating warnings to the problems (they are otherwise
    computed only when `Store.warnings` is read)."""
    with collector_paused(settle=True):
        store, problems = _check_store(root, archive, state_dir, previous)
        if warnings and store is not None:
            problems = sorted(problems + list(store.warnings))
        return store, problems


@contextlib.contextmanager
def collector_paused(settle: bool = False) -> Iterator[None]:
    """Keep the cyclic collector off while building many long-lived objects; with `settle`, leave
    what was built out of its generations (gc.freeze) when done."""
    # Loading makes millions of acyclic objects; the cyclic collector would rescan them again and
    # again (half the load time at 100k claims). Reference counting still frees everything meanwhile.
    was_enabled = gc.isenabled()
    if settle and was_enabled:
        gc.collect(1)  # the young garbage from before (cheap), so that it is not frozen with the store
    gc.disable()
    try:
        yield
    finally:
        if settle and was_enabled:
            # Otherwise the first allocation after this scans every object the load made (0.25 s at
            # 100k claims). A load leaves no cycles, so nothing unreachable is frozen; frozen objects
            # are still freed by reference counting when the store is dropped.
            gc.freeze()
        if settle:
            _return_freed_memory()
        if was_enabled:
            gc.enable()


@functools.cache
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc: nothing to do


def _return_freed_memory() -> None:
    # A cold load frees its texts and parsed data (~300 MB at 100k claims), but glibc keeps freed heap
    # mapped, so the process would go on holding twice the store's size; malloc_trim hands it back (ms).
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@dataclass
class _File:
    """One file of the store during a load: its model once valid, and how to find a line in it."""

    path: Path
    shown: str
    kind: Kind
    digest: str
    model: Any = None
    doc: YamlDoc | None = None
    fresh: bool = False  # parsed in this load (not taken from a previous store or the snapshot)
    meaning: str = ""  # snapshot.meaning_hash of its model
    payload: bytes = b""  # its model as JSON, when parsed in this load

    @property
    def file(self) -> str:
        return self.shown

    def line_of(self, key: tuple[str | int, ...]) -> int:
        """The line of `key`, reading the file again only now, when a problem needs it."""
        if self.doc is None:
            found = read_yaml(self.path, self.shown)
            if isinstance(found, Problem):
                return 1
            self.doc = found
        return self.doc.line_of(key)


def _check_store(
    root: Path, archive: Path | None, state_dir: Path | None, previous: Store | None,
) -> tuple[Store | None, list[Problem]]:
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(str(root), 1, "", "claim store folder does not exist")]
    snapshot = Snapshot(state_dir) if state_dir is not None else None
    # With nothing to reuse a file from, its hash is taken from the text parsed: each file is read once.
    files = _list_files(root, problems, hashed=previous is not None or (snapshot is not None and snapshot.exists()))
    _reuse(files, previous, snapshot)
    for f in files:
        if f.model is None:
            _parse(f, problems)
    topics = [f for f in files if f.kind == "topics" and f.model is not None]
    sources = [f for f in files if f.kind == "sources" and f.model is not None]
    content = _content_digest(files)
    # The checks across files depend only on the files' bytes: a set already checked clean is not redone.
    known_good = not any(p.severity == "error" for p in problems) and (
        (previous is not None and previous.content == content)
        or (snapshot is not None and snapshot.is_checked(content)))
    if not known_good:
        _check_across(topics, sources, [f for f in files if f.model is None], problems)
    if archive is not None:
        _check_quotes(sources, archive, problems)
    ok = not any(p.severity == "error" for p in problems)
    if snapshot is not None:
        fresh = [Row(f.shown, f.kind, f.digest, f.model, f.meaning, f.payload)
                 for f in files if f.fresh and f.model is not None]
        if fresh or previous is None or (ok and not known_good):
            # Written behind: this process does not need it, the next one will (and waits if it is this one).
            snapshot.save_later(fresh, keep=[f.shown for f in files] if previous is None else None,
                                checked=content if ok else None)
    if not ok:
        return None, sorted(problems)
    store = build_store(
        [f.model for f in topics], [f.model for f in sources], _version(root, {f.shown: f.meaning for f in files}),
        files={f.shown: f.digest for f in files}, root=root, parsed=tuple(f.shown for f in files if f.fresh),
        state_dir=state_dir, meanings={f.shown: f.meaning for f in files},
    )
    return store, sorted(problems)


def _check_across(topics: list[_File], sources: list[_File], failed: list[_File], problems: list[Problem]) -> None:
    _check_stems(topics + sources, problems)
    _check_ids(topics, "topic", problems)
    _check_ids(sources, "source", problems)
    _check_references(topics, sources, problems, _BrokenIds.of(failed))


def _content_digest(files: list[_File]) -> str:
    # The hashes of the files' bytes, already known: no need to serialise the data again.
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.shown):
        digest.update(f"{f.shown}\0{f.digest}\n".encode())
    return digest.hexdigest()


def _list_files(root: Path, problems: list[Problem], hashed: bool = True) -> list[_File]:
    """Every YAML file of topics/ and sources/ with the hash of its bytes ("" when unreadable or not
    `hashed`)."""
    files: list[_File] = []
    for kind in ("topics", "sources"):
        folder = root / kind
        if not folder.is_dir():
            problems.append(Problem(str(folder), 1, "", f"missing folder {kind}/"))
            continue
        # os.scandir and plain strings: pathlib's glob, sort and relative_to cost more than hashing 10k files.
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries)
        for name in names:
            shown = f"{root.name}/{kind}/{name}"
            if not is_yaml_name(name):
                if not name.startswith((".", "#")) and not name.endswith("~"):
                    problems.append(Problem(shown, 1, "", "not read: only .yaml and .yml files are loaded", "warning"))
                continue
            path = folder / name
            raw = read_bounded(path, shown) if hashed else b""
            digest = content_hash(raw) if hashed and isinstance(raw, bytes) else ""  # else parsing says why
            files.append(_File(path, shown, kind, digest))  # type: ignore[arg-type]
    return files


def _reuse(files: list[_File], previous: Store | None, snapshot: Snapshot | None) -> None:
    """Take the model of every unchanged file from the previous store, then from the snapshot."""
    missing = []
    for f in files:
        if previous is not None and f.digest and previous.files.get(f.shown) == f.digest:
            pool: dict[str, Any] = previous.topics if f.kind == "topics" else previous.sources
            f.model = pool.get(f.path.stem)
            f.meaning = previous.meanings.get(f.shown, "")
        if f.model is None:
            missing.append(f)
    if snapshot is None or not missing:
        return
    rows = snapshot.load({f.shown: f.digest for f in missing if f.digest})
    for f in missing:
        row = rows.get(f.shown)
        if row is not None and row.kind == f.kind:
            f.model, f.meaning = row.model, row.meaning


def _parse(f: _File, problems: list[Problem]) -> None:
    """Parse and validate one file, adding its problems."""
    result = read_yaml(f.path, f.shown)
    if isinstance(result, Problem):
        problems.append(result)
        return
    f.doc, f.fresh = result, True
    f.digest = content_hash(result.text.encode("utf-8"))  # what was parsed, should the file change meanwhile
    model = validate_doc(result, MODELS[f.kind])
    if isinstance(model, list):
        problems.extend(model)
        return
    f.model, f.payload = model, to_payload(model)  # the snapshot row's payload, serialised once
    f.meaning = meaning_hash(f.payload)
    f.doc = dataclasses.replace(result, data=None)  # its text still locates a problem; the data is the model now


def _shown(path: Path, root: Path) -> str:
    return str(Path(root.name) / path.relative_to(root))


def _check_stems(files: list[_File], problems: list[Problem]) -> None:
    for f in files:
        stem = f.path.stem
        if f.model.id != stem:
            problems.append(
                Problem(f.file, f.line_of(("id",)), "id", f"id {f.model.id!r} must match file name {stem!r}")
            )


def _check_ids(files: list[_File], kind: str, problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for doc in files:
        item = doc.model
        if item.id in seen:
            problems.append(
                Problem(doc.file, doc.line_of(("id",)), "id", f"duplicate {kind} id {item.id!r}, also in {seen[item.id]}")
            )
        seen[item.id] = doc.file


class _Everything:
    """A pool that contains any id: theses of a topic whose own file failed to validate."""

    def __contains__(self, item: object) -> bool:
        return True

    def __or__(self, other: object) -> _Everything:
        return self

    __ror__ = __ior__ = __or__


@dataclass(frozen=True)
class _BrokenIds:
    """Ids declared in files that failed to validate, so their references do not cascade into errors."""

    topics: set[str]
    sources: set[str]
    claims: set[str]

    @classmethod
    def of(cls, failed: list[_File]) -> _BrokenIds:
        """Ids of files that parsed but did not validate, and guesses for those that did not parse."""
        out = cls(set(), set(), set())
        for f in failed:
            if f.doc is not None and isinstance(f.doc.data, dict):
                data = f.doc.data
                pool = out.topics if f.kind == "topics" else out.sources
                if isinstance(data.get("id"), str):
                    pool.add(data["id"])
                if f.kind == "sources":
                    out.claims.update(c["id"] for c in _list(data.get("claims"))
                                      if isinstance(c, dict) and isinstance(c.get("id"), str))
            elif f.doc is None:
                out.add_unparsed(f)
        return out

    def add_unparsed(self, f: _File) -> None:
        """Guess the ids of a file that did not even parse: its name and its `id:` lines."""
        (self.topics if f.kind == "topics" else self.sources).add(f.path.stem)
        if f.kind == "sources":
            raw = read_bounded(f.path, f.shown)
            if isinstance(raw, bytes):
                self.claims.update(_ID_LINE.findall(raw.decode("utf-8", errors="replace")))


_ID_LINE = re.compile(r"^\s*-?\s*id:\s*['\"]?([a-z0-9][a-z0-9-]*)", re.MULTILINE)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_references(topics: list[_File], sources: list[_File], problems: list[Problem], broken: _BrokenIds,
                      pools: tuple[Any, Any, Any] | None = None) -> None:
    """Check `sources` against every id; `pools` (theses by topic, source ids, claim id -> file) gives
    those ids when `sources` is only part of the store (an incremental reload)."""
    if pools is None:
        theses: dict[str, Any] = {t.model.id: {th.id for th in t.model.theses} for t in topics}
        theses.update({t: _Everything() for t in broken.topics})
        source_ids: Any = {s.model.id for s in sources} | broken.sources
        claim_files: Any = {c: "a file with errors" for c in broken.claims}
    else:
        theses, source_ids, claim_files = pools
    for doc in sources:
        for i, claim in enumerate(doc.model.claims):
            if claim.id in claim_files:
                problems.append(Problem(doc.file, doc.line_of(("claims", i, "id")), f"claims.{i}.id",
                                        f"duplicate claim id {claim.id!r}, also in {claim_files[claim.id]}"))
            claim_files[claim.id] = doc.file
    for doc in topics:
        _check_topic(doc.model, doc, problems)
    for doc in sources:
        source = doc.model
        ref = _RefChecker(doc, problems)
        for j, origin in enumerate(source.derived_from):
            ref.known(origin, source_ids, ("derived_from", j), "source")
            if origin == source.id:
                ref.bad(("derived_from", j), "a source cannot be derived from itself")
        seen_topics: set[str] = set()
        for i, position in enumerate(source.positions):
            at = ("positions", i)
            if position.topic in seen_topics:
                ref.bad((*at, "topic"), f"two positions on topic {position.topic!r}")
            seen_topics.add(position.topic)
            if ref.known(position.topic, theses, (*at, "topic"), "topic"):
                for k, st in enumerate(position.stances):
                    ref.known(st.thesis, theses[position.topic], (*at, "stances", k, "thesis"),
                              "thesis", f" of topic {position.topic!r}")
                    for m, relayed in enumerate(st.relays):
                        ref.known(relayed, source_ids, (*at, "stances", k, "relays", m), "source")
        for i, claim in enumerate(source.claims):
            _check_claim(claim, ("claims", i), source, ref, theses, source_ids, claim_files)


def _check_topic(topic: Topic, doc: _File, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, thesis in enumerate(topic.theses):
        if thesis.id in seen:
            problems.append(Problem(doc.file, doc.line_of(("theses", i, "id")), f"theses.{i}.id",
                                    f"duplicate thesis id {thesis.id!r}"))
        seen.add(thesis.id)


def _check_claim(
    claim: Claim, at: tuple[str | int, ...], source: Source, ref: _RefChecker,
    theses: dict[str, set[str]], source_ids: set[str], claim_ids: dict[str, str],
) -> None:
    own_theses: set[str] = set()
    for j, topic_id in enumerate(claim.topics):
        if ref.known(topic_id, theses, (*at, "topics", j), "topic"):
            own_theses |= theses[topic_id]
    for j, thesis in enumerate(claim.theses):
        ref.known(thesis, own_theses, (*at, "theses", j), "thesis", " in the claim's topics")
    for j, other in enumerate(claim.also_in):
        ref.known(other, source_ids, (*at, "also_in", j), "source")
    for j, other in enumerate(claim.relays):
        ref.known(other, source_ids, (*at, "relays", j), "source")
    for name in ("corroborates", "contradicts"):
        for j, other in enumerate(getattr(claim, name)):
            if other == claim.id:
                ref.bad((*at, name, j), "a claim cannot link to itself")
            else:
                ref.known(other, claim_ids, (*at, name, j), "claim")


@dataclass
class _RefChecker:
    doc: _File
    problems: list[Problem]

    def known(self, value: str, pool: object, path: tuple[str | int, ...], kind: str, of: str = "") -> bool:
        if value in pool:  # type: ignore[operator]
            return True
        close = difflib.get_close_matches(value, list(pool), n=3, cutoff=0.6) if isinstance(pool, set | dict) else []
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        self.bad(path, f"unknown {kind} {value!r}{of}{hint}")
        return False

    def bad(self, path: tuple[str | int, ...], message: str) -> None:
        field_name = ".".join(str(p) for p in path)
        self.problems.append(Problem(self.doc.file, self.doc.line_of(path), field_name, message))


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace to one space (NFC first), for verbatim quote checks."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _check_quotes(sources: list[_File], archive: Path, problems: list[Problem]) -> None:
    if not archive.is_dir():
        problems.append(Problem(str(archive), 1, "", "archive folder does not exist; no quote was checked"))
        return
    for doc in sources:
        source = doc.model
        if source.archive is None:
            continue
        raw = read_bounded(archive / source.archive, source.archive, MAX_ARCHIVE_BYTES)
        try:
            text = normalise_space(raw.decode("utf-8")) if isinstance(raw, bytes) else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            why = raw.message if isinstance(raw, Problem) else "not UTF-8 text"
            where = f"not found in {archive}" if not (archive / source.archive).exists() else f"in {archive}: {why}"
            problems.append(Problem(doc.file, doc.line_of(("archive",)), "archive",
                                    f"archived text {source.archive!r} {where}"))
            continue
        for i, claim in enumerate(source.claims):
            if normalise_space(claim.quote) not in text:
                problems.append(Problem(doc.file, doc.line_of(("claims", i, "quote")), f"claims.{i}.quote",
                                        f"quote does not appear verbatim in {source.archive}"))


def rating_warnings(store: Store) -> list[Problem]:
    """Where ratings and computed signals disagree, and relays that look misread; each file is read
    again only to locate its warnings."""
    out = []
    files: dict[str, _File] = {}

    def located(source_id: str) -> _File:
        if source_id not in files:
            root = store.root
            path = root / "sources" / f"{source_id}.yaml" if root else Path(f"{source_id}.yaml")
            files[source_id] = _File(path, _shown(path, root) if root else path.name, "sources", "")
        return files[source_id]

    for source in store.sources.values():
        for i, claim in enumerate(source.claims):
            for message in rating_disagreements(claim):
                at = located(source.id)
                out.append(Problem(at.file, at.line_of(("claims", i)), f"claims.{i}", message, "warning"))
    for p in origin_problems(list(store.sources.values())):
        at = located(p.source)
        out.append(Problem(at.file, at.line_of(p.path), ".".join(map(str, p.path)), p.message, "warning"))
    return out


def _version(root: Path, meanings: dict[str, str]) -> str:
    """`<git commit>+<hash>`: the hash covers each file's path and meaning_hash (of its model: comments,
    layout and defaults written out make no new version), from hashes already known, without serialising the data again."""
    digest = hashlib.sha256()
    for shown in sorted(meanings):
        digest.update(f"{shown}\0{meanings[shown]}\n".encode())
    content = digest.hexdigest()[:10]
    commit = git_commit(root)
    return f"{commit}+{content}" if commit else content


def git_commit(root: Path) -> str | None:
    """The short commit of the last change to `root`, when it is in a git work tree."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%h", "--", "."],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None
