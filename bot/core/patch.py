"""Incremental reload: apply an edit of a few source files to a Store without reloading the rest.

`patch_store` re-parses only the files named as changed, checks them against the rest of the store
(whose own checks passed when it was loaded), and patches the indexes. Whenever the edit could break
a file it did not touch (something referred to was removed, a topic file changed) or any problem is
found, it gives up and the caller runs the full check, so the problems reported and the store built
are always exactly those of a full load.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.core.changes import ChangeSet, diff_stores
from bot.core.models import Source
from bot.core.problems import Problem
from bot.core.snapshot import Row, Snapshot, content_hash
from bot.core.yamlfile import is_yaml_name, read_bounded
from bot.core.store import (
    ClaimEntry, Delta, Store, _BrokenIds, _check_quotes, _check_references, _check_stems, _File, _parse,
    _reuse, _shown, _version, build_store, collector_paused,
)


@dataclass(frozen=True)
class _Edit:
    files: list[_File]          # the changed or added source files, parsed
    removed: list[str]          # shown paths of source files gone


def patch_store(old: Store, paths: Iterable[Path], *, archive: Path | None = None) -> tuple[Store, list[Problem]] | None:
    """The store after edits to `paths` (files of `old.root`), or None when a full check is needed."""
    root = old.root
    if root is None or not old.files:
        return None
    with collector_paused():
        edit = _read_edit(old, root, paths)
        if edit is None:
            return None
        if not edit.files and not edit.removed:
            return old, []
        problems: list[Problem] = []
        for f in edit.files:
            if f.model is None:
                _parse(f, problems)
        if problems or any(f.model is None for f in edit.files):
            return None
        if not _safe_to_patch(old, edit, problems, archive) or problems:
            return None
        return _patched(old, edit), []


def _read_edit(old: Store, root: Path, paths: Iterable[Path]) -> _Edit | None:
    files, removed = [], []
    resolved = root.resolve()
    for given in sorted(set(paths)):
        try:
            relative = given.resolve().relative_to(resolved)
        except (ValueError, OSError):
            return None  # not a path of this store as the loader sees it: read everything
        path = root / relative
        if len(relative.parts) < 2:
            return None  # the store's folder itself, or topics/ or sources/, moved, vanished or came back
        if len(relative.parts) > 2:
            continue  # deeper than the loader looks
        if not is_yaml_name(relative.name):
            if relative.name.startswith((".", "#")) or relative.name.endswith("~"):
                continue  # an editor's file, which the loader skips without a word
            return None  # the full check warns that it is not read
        if relative.parts[0] == "topics":
            return None  # theses may have gone: every source could be affected
        if relative.parts[0] != "sources":
            continue
        shown = _shown(path, root)
        if not os.path.lexists(path):
            if shown in old.files:
                removed.append(shown)
            continue
        if not path.is_file() or path.is_symlink():
            return None  # a folder, pipe, device or link: the full check says what it is
        raw = read_bounded(path, shown)
        if not isinstance(raw, bytes):
            return None  # not a readable regular file: the full check reports it
        digest = content_hash(raw)
        if old.files.get(shown) == digest:
            continue
        files.append(_File(path, shown, "sources", digest))
    if removed:
        return None  # what the removed file declared may be referred to elsewhere
    _reuse(files, None, Snapshot(old.state_dir) if old.state_dir else None)
    return _Edit(files, removed)


def _safe_to_patch(old: Store, edit: _Edit, problems: list[Problem], archive: Path | None) -> bool:
    """Check the edited files against the store; False when files outside the edit need checking too."""
    changed = {f.path.stem for f in edit.files}
    new_claims = {c.id for f in edit.files for c in f.model.claims}
    old_claims = {c.id for s in changed if s in old.sources for c in old.sources[s].claims}
    if old_claims - new_claims:
        return False  # a withdrawn claim may be linked to from any file
    known = _shown_of(old)
    if any(f.path.stem in known and known[f.path.stem] != f.shown for f in edit.files):
        return False  # a second file for one source id: the full check reports it
    _check_stems(edit.files, problems)
    others = _OtherFiles(old, changed)
    broken = _BrokenIds(set(), set(), set())
    _check_references([], edit.files, problems, broken, pools=others.pools(edit.files))
    if archive is not None:
        _check_quotes(edit.files, archive, problems)
    return True


class _OtherFiles:
    """The ids of the store outside the edited files, taken from the old store without copying it."""

    def __init__(self, old: Store, changed: set[str]) -> None:
        self.old, self.changed = old, changed

    def pools(self, files: list[_File]) -> tuple[dict[str, set[str]], set[str] | _Union, dict[str, str] | _ClaimPool]:
        theses = {t.id: {th.id for th in t.theses} for t in self.old.topics.values()}
        sources = _Union(self.old.sources, {f.model.id for f in files})
        claims = _ClaimPool(self.old, self.changed, _shown_of(self.old))
        return theses, sources, claims


def _shown_of(old: Store) -> dict[str, str]:
    """Source id (file stem) -> shown path of its file; string operations, as Path costs 10 µs a file."""
    found = _SHOWN.get(id(old.files))
    if found is not None and found[0] is old.files:
        return found[1]
    out = {}
    for shown in old.files:
        folder, _, name = shown.rpartition(os.sep)
        if folder.rpartition(os.sep)[2] == "sources":
            out[name.rpartition(".")[0] if "." in name else name] = shown
    _SHOWN.clear()  # only the store served now is asked about: keep one
    _SHOWN[id(old.files)] = (old.files, out)
    return out


_SHOWN: dict[int, tuple[dict[str, str], dict[str, str]]] = {}


class _Union:
    def __init__(self, base: dict[str, Source], extra: set[str]) -> None:
        self.base, self.extra = base, extra

    def __contains__(self, item: object) -> bool:
        return item in self.extra or item in self.base


class _ClaimPool:
    """Claim id -> file, as `_check_references` keeps it: the old store's claims outside the edit."""

    def __init__(self, old: Store, changed: set[str], shown: dict[str, str]) -> None:
        self.old, self.changed, self.shown = old, changed, shown
        self.added: dict[str, str] = {}

    def __contains__(self, item: object) -> bool:
        if item in self.added:
            return True
        entry = self.old.claims.get(item) if isinstance(item, str) else None
        return entry is not None and entry.source.id not in self.changed

    def __getitem__(self, item: str) -> str:
        if item in self.added:
            return self.added[item]
        return self.shown.get(self.old.claims[item].source.id, "another file")

    def __setitem__(self, item: str, file: str) -> None:
        self.added[item] = file


def _patched(old: Store, edit: _Edit) -> Store:
    """A new Store: the old one's indexes with the edited sources' entries replaced."""
    new_sources = {f.model.id: f.model for f in edit.files}
    sources = dict(old.sources)
    added = [s for s in new_sources if s not in sources]
    sources.update(new_sources)
    if added:  # in file name order, as a full load lists them
        names = {Path(p).stem: Path(p).name for p in old.files} | {f.path.stem: f.path.name for f in edit.files}
        sources = {sid: sources[sid] for sid in sorted(sources, key=lambda sid: names[sid])}
    touched = set(new_sources)
    claims = _claims(old, sources, touched)
    topics_hit = {t for s in touched for t in _topics_of(old.sources.get(s))} | {
        t for s in touched for t in _topics_of(sources[s])}
    by_topic = dict(old._by_topic)
    positions = dict(old._positions)
    for topic in topics_hit:
        kept = [e for e in old.claims_for(topic) if e.source.id not in touched]
        fresh = [claims[c.id] for s in touched for c in sources[s].claims if topic in c.topics]
        by_topic[topic] = sorted(kept + fresh, key=lambda e: e.source.id)  # stable: file order kept
        kept_p = [(s, p) for s, p in old.positions_for(topic) if s.id not in touched]
        fresh_p = [(sources[s], p) for s in touched for p in sources[s].positions if p.topic == topic]
        positions[topic] = sorted(kept_p + fresh_p, key=lambda sp: sp[0].id)
    by_topic = {t: v for t, v in by_topic.items() if v}
    positions = {t: v for t, v in positions.items() if v}
    files = dict(old.files)
    files.update({f.shown: f.digest for f in edit.files})
    meanings = dict(old.meanings)
    meanings.update({f.shown: f.meaning for f in edit.files})
    if added:
        files = dict(sorted(files.items()))
        meanings = dict(sorted(meanings.items()))
    if not added:  # same files, same source ids: the next edit finds them without a scan
        shown = _shown_of(old)
        _SHOWN.clear()
        _SHOWN[id(files)] = (files, shown)
    content = _content(files)
    if old.state_dir is not None:
        Snapshot(old.state_dir).save_later([Row(f.shown, "sources", f.digest, f.model, f.meaning) for f in edit.files if f.fresh],
                                     checked=content)
    assert old.root is not None
    return Store(
        topics=old.topics, sources=sources, claims=claims, version=_version(old.root, meanings),
        loaded_at=datetime.now(UTC), _by_topic=by_topic, _positions=positions, files=files, root=old.root,
        parsed=tuple(f.shown for f in edit.files if f.fresh), state_dir=old.state_dir, meanings=meanings,
        delta=Delta(old.version, frozenset(touched), frozenset(topics_hit)),
    )


def _claims(old: Store, sources: dict[str, Source], touched: set[str]) -> dict[str, ClaimEntry]:
    """The claim index with the touched sources' entries replaced, in source id order as build_store has it."""
    same_ids = all(sid in old.sources and [c.id for c in old.sources[sid].claims] == [c.id for c in sources[sid].claims]
                   for sid in touched)
    if same_ids:  # every claim keeps its place: replace the entries in a copy
        claims = dict(old.claims)
        for sid in touched:
            for claim in sources[sid].claims:
                claims[claim.id] = ClaimEntry(claim, sources[sid])
        return claims
    claims = {}
    for sid in sorted(sources):
        source = sources[sid]
        for claim in source.claims:
            claims[claim.id] = ClaimEntry(claim, source) if sid in touched else old.claims[claim.id]
    return claims


def _topics_of(source: Source | None) -> set[str]:
    if source is None:
        return set()
    return {t for c in source.claims for t in c.topics} | {p.topic for p in source.positions}


def _content(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for shown in sorted(files):
        digest.update(f"{shown}\0{files[shown]}\n".encode())
    return digest.hexdigest()


def diff_patched(old: Store, new: Store) -> ChangeSet:
    """What changed from `old` to `new`: over the edited sources alone when `new` was patched from `old`."""
    delta = new.delta
    if delta is None or delta.base != old.version:
        return diff_stores(old, new)
    before = build_store([], [old.sources[s] for s in sorted(delta.sources) if s in old.sources], "")
    after = build_store([], [new.sources[s] for s in sorted(delta.sources) if s in new.sources], "")
    return diff_stores(before, after)


__all__ = ["patch_store", "diff_patched", "build_store"]
