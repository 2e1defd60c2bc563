"""Loading `briefs/` into an immutable, cross-checked Store snapshot."""
from __future__ import annotations

import contextlib
import difflib
import gc
import hashlib
import re
import subprocess
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from bot.core.flags import rating_disagreements
from bot.core.models import Claim, Position, Source, Topic
from bot.core.origins import origin_problems
from bot.core.problems import Problem, StoreInvalid
from bot.core.validation import validate_doc
from bot.core.yamlfile import YamlDoc, is_yaml_name, read_bounded, read_yaml

# An archived article is plain text; anything bigger is not one (and is not read whole).
MAX_ARCHIVE_BYTES = 20_000_000


@dataclass(frozen=True)
class ClaimEntry:
    """A claim together with the source whose file holds it."""

    claim: Claim
    source: Source


@dataclass(frozen=True)
class Store:
    """One consistent snapshot of the claim store; never mutated once built."""

    topics: dict[str, Topic]
    sources: dict[str, Source]
    claims: dict[str, ClaimEntry]
    version: str
    loaded_at: datetime
    warnings: tuple[Problem, ...] = ()
    _by_topic: dict[str, list[ClaimEntry]] = field(default_factory=dict, repr=False)
    _positions: dict[str, list[tuple[Source, Position]]] = field(default_factory=dict, repr=False)

    def claims_for(self, topic_id: str) -> list[ClaimEntry]:
        """Claims that bear on a topic, in file order."""
        return self._by_topic.get(topic_id, [])

    def positions_for(self, topic_id: str) -> list[tuple[Source, Position]]:
        """Each source's position on a topic, in source id order."""
        return self._positions.get(topic_id, [])


def build_store(
    topics: list[Topic], sources: list[Source], version: str, warnings: tuple[Problem, ...] = ()
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
        warnings=warnings,
        _by_topic=dict(by_topic),
        _positions=dict(positions),
    )


def load_store(root: Path, archive: Path | None = None) -> Store:
    """Load and check every file under `root`; raise StoreInvalid listing every error at once."""
    store, problems = check_store(root, archive)
    if store is None:
        raise StoreInvalid(problems)
    return store


def check_store(root: Path, archive: Path | None = None) -> tuple[Store | None, list[Problem]]:
    """Load `root`; the store is None whenever any error was found (never half-loaded)."""
    with _collector_paused():
        return _check_store(root, archive)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    # Loading makes millions of acyclic objects; the cyclic collector would rescan them again and
    # again (half the load time at 100k claims). Reference counting still frees everything meanwhile.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_store(root: Path, archive: Path | None) -> tuple[Store | None, list[Problem]]:
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(str(root), 1, "", "claim store folder does not exist")]
    topic_docs, bad_topic_files = _read_folder(root, "topics", problems)
    source_docs, bad_source_files = _read_folder(root, "sources", problems)
    topics = _validate_all(topic_docs, Topic, problems)
    sources = _validate_all(source_docs, Source, problems)
    _check_ids(topics, "topic", problems)
    _check_ids(sources, "source", problems)
    broken = _BrokenIds.of(topic_docs, topics, source_docs, sources)
    broken.add_unparsed(bad_topic_files, bad_source_files)
    _check_references(topics, sources, problems, broken)
    if archive is not None:
        _check_quotes(sources, archive, problems)
    warnings = _rating_warnings(sources)
    problems.extend(warnings)
    if any(p.severity == "error" for p in problems):
        return None, sorted(problems)
    store = build_store(
        [t for t, _ in topics], [s for s, _ in sources], _version(root, topic_docs + source_docs),
        tuple(warnings),
    )
    return store, sorted(problems)


def _read_folder(root: Path, name: str, problems: list[Problem]) -> tuple[list[YamlDoc], list[Path]]:
    folder = root / name
    if not folder.is_dir():
        problems.append(Problem(str(folder), 1, "", f"missing folder {name}/"))
        return [], []
    docs, failed = [], []
    for path in sorted(folder.iterdir()):
        if not is_yaml_name(path.name):
            if not path.name.startswith((".", "#")) and not path.name.endswith("~"):
                problems.append(Problem(_shown(path, root), 1, "", "not read: only .yaml and .yml files are loaded",
                                        "warning"))
            continue
        result = read_yaml(path, _shown(path, root))
        if isinstance(result, Problem):
            problems.append(result)
            failed.append(path)
        else:
            docs.append(result)
    return docs, failed


def _shown(path: Path, root: Path) -> str:
    return str(Path(root.name) / path.relative_to(root))


M = TypeVar("M", Topic, Source)


def _validate_all(docs: list[YamlDoc], model: type[M], problems: list[Problem]) -> list[tuple[M, YamlDoc]]:
    out = []
    for doc in docs:
        result = validate_doc(doc, model)
        if isinstance(result, list):
            problems.extend(result)
            continue
        stem = Path(doc.file).stem
        if result.id != stem:
            problems.append(
                Problem(doc.file, doc.line_of(("id",)), "id", f"id {result.id!r} must match file name {stem!r}")
            )
        out.append((result, doc))
    return out


def _check_ids(items: list[tuple[Topic, YamlDoc]] | list[tuple[Source, YamlDoc]], kind: str, problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for item, doc in items:
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
    def of(cls, topic_docs: list[YamlDoc], topics: list[tuple[Topic, YamlDoc]],
           source_docs: list[YamlDoc], sources: list[tuple[Source, YamlDoc]]) -> _BrokenIds:
        good_topics = {doc.file for _, doc in topics}
        good_sources = {doc.file for _, doc in sources}
        bad_topics = _raw_ids(d for d in topic_docs if d.file not in good_topics)
        bad_source_docs = [d for d in source_docs if d.file not in good_sources]
        claims = {c["id"] for d in bad_source_docs if isinstance(d.data, dict)
                  for c in _list(d.data.get("claims")) if isinstance(c, dict) and isinstance(c.get("id"), str)}
        return cls(bad_topics, _raw_ids(bad_source_docs), claims)


    def add_unparsed(self, topic_files: list[Path], source_files: list[Path]) -> None:
        """Guess the ids of files that did not even parse: their names and `id:` lines."""
        self.topics.update(p.stem for p in topic_files)
        self.sources.update(p.stem for p in source_files)
        for path in source_files:
            raw = read_bounded(path, path.name)
            if isinstance(raw, bytes):
                self.claims.update(_ID_LINE.findall(raw.decode("utf-8", errors="replace")))


_ID_LINE = re.compile(r"^\s*-?\s*id:\s*['\"]?([a-z0-9][a-z0-9-]*)", re.MULTILINE)


def _raw_ids(docs: Iterable[YamlDoc]) -> set[str]:
    return {d.data["id"] for d in docs if isinstance(d.data, dict) and isinstance(d.data.get("id"), str)}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_references(
    topics: list[tuple[Topic, YamlDoc]], sources: list[tuple[Source, YamlDoc]], problems: list[Problem],
    broken: _BrokenIds,
) -> None:
    theses: dict[str, Any] = {t.id: {th.id for th in t.theses} for t, _ in topics}
    theses.update({t: _Everything() for t in broken.topics})
    source_ids = {s.id for s, _ in sources} | broken.sources
    claim_files: dict[str, str] = {c: "a file with errors" for c in broken.claims}
    for source, doc in sources:
        for i, claim in enumerate(source.claims):
            if claim.id in claim_files:
                problems.append(Problem(doc.file, doc.line_of(("claims", i, "id")), f"claims.{i}.id",
                                        f"duplicate claim id {claim.id!r}, also in {claim_files[claim.id]}"))
            claim_files[claim.id] = doc.file
    for topic, doc in topics:
        _check_topic(topic, doc, problems)
    for source, doc in sources:
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


def _check_topic(topic: Topic, doc: YamlDoc, problems: list[Problem]) -> None:
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
    doc: YamlDoc
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


def _check_quotes(sources: list[tuple[Source, YamlDoc]], archive: Path, problems: list[Problem]) -> None:
    if not archive.is_dir():
        problems.append(Problem(str(archive), 1, "", "archive folder does not exist; no quote was checked"))
        return
    for source, doc in sources:
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


def _rating_warnings(sources: list[tuple[Source, YamlDoc]]) -> list[Problem]:
    out = []
    for source, doc in sources:
        for i, claim in enumerate(source.claims):
            for message in rating_disagreements(claim):
                out.append(Problem(doc.file, doc.line_of(("claims", i)), f"claims.{i}", message, "warning"))
    docs = {source.id: doc for source, doc in sources}
    for p in origin_problems([source for source, _ in sources]):
        out.append(Problem(docs[p.source].file, docs[p.source].line_of(p.path), ".".join(map(str, p.path)),
                           p.message, "warning"))
    return out


def _version(root: Path, docs: list[YamlDoc]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.file):
        digest.update(doc.file.encode())
        digest.update(repr(doc.data).encode())
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
