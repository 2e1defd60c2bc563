"""An incremental reload (only the edited files read, indexes patched, touched briefs rebuilt) gives
exactly the store, the briefs and the change log a full reload gives."""
from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import Any
from pathlib import Path

import pytest
import yaml

from bot.core.briefer import Briefer, Prepared, prepare
from bot.core.changes import ChangeLog
from bot.core.patch import patch_store
from bot.core.store import load_store
from bot.curation.reload import Reloader

ROOT = Path(__file__).resolve().parent.parent.parent
REAL = ROOT / "briefs"


def _storegen():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("storegen", ROOT / "bench" / "storegen.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("storegen", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["real", "synthetic"])
def briefs(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    root = tmp_path / "briefs"
    if request.param == "real":
        shutil.copytree(REAL, root)
    else:
        _storegen().generate(root, claims=600, seed=3)
    return root


def same_prepared(a: Prepared, b: Prepared) -> None:
    sa, sb = a.store, b.store
    assert sa.version == sb.version
    assert list(sa.topics) == list(sb.topics) and sa.topics == sb.topics
    assert list(sa.sources) == list(sb.sources) and sa.sources == sb.sources
    assert list(sa.claims) == list(sb.claims)
    assert all(sa.claims[c].claim == sb.claims[c].claim and sa.claims[c].source == sb.claims[c].source for c in sa.claims)
    for topic in sa.topics:
        assert sa.claims_for(topic) == sb.claims_for(topic)
        assert sa.positions_for(topic) == sb.positions_for(topic)
    assert sa.files == sb.files
    assert a.index == b.index
    for topic in sa.topics.values():
        assert a.views.summary(topic.id) == b.views.summary(topic.id), topic.id  # reused or rebuilt
        assert a.views.topic_fp(topic.id) == b.views.topic_fp(topic.id), topic.id
        assert a.document(topic) == b.document(topic), topic.id
        assert a.views.brief(topic.id) == b.views.brief(topic.id), topic.id
    for entry in sa.claims.values():  # every claim's view, whether taken over from before the edit or built
        assert a.views.claims.get(entry) == b.views.claims.get(sb.claims[entry.claim.id]), entry.claim.id


def same_search(a: Prepared, b: Prepared) -> None:
    """The two snapshots' search indexes hold the same terms and answer every query alike (scores included)."""
    ia, ib = a.views.search_index, b.views.search_index
    vocabulary = ib.vocabulary()
    assert ia.vocabulary() == vocabulary and ia._terms == ib._terms
    assert ia._relays == ib._relays and ia._common == ib._common
    terms = list(vocabulary)[::max(1, len(vocabulary) // 60)]
    queries = [*terms, *(t[:-1] + "x" for t in terms if len(t) > 4), *(t[:3] for t in terms),
               *(f"{x} {y}" for x, y in zip(terms, terms[7:])), "reworded", "zz", "brand new claim"]
    for query in queries:
        assert ia.search(query) == ib.search(query), query


def log_lines(log: ChangeLog) -> list[dict[str, object]]:
    return [{k: v for k, v in json.loads(line).items() if k != "at"}
            for line in log.path.read_text(encoding="utf-8").splitlines()]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def sources_with(root: Path, needle: str) -> list[Path]:
    return [p for p in sorted((root / "sources").glob("*.yaml")) if needle in p.read_text(encoding="utf-8")]


def change(path: Path, fn: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edits(root: Path) -> Iterator[tuple[str, list[Path]]]:
    """Edits a curator makes, one after the other: each is applied, then named with the files written."""
    first, second = sorted((root / "sources").glob("*.yaml"))[:2]
    relay = sources_with(root, "derived_from:")[0]
    claim = lambda i: lambda d: d["claims"][i]  # noqa: E731
    change(first, lambda d: claim(0)(d).update(statement="Reworded: " + claim(0)(d)["statement"]))
    yield "statement", [first]
    change(first, lambda d: claim(0)(d).update(evidence="disputed", attribution="anonymous"))
    yield "rating", [first]
    change(second, lambda d: d.update(note="Re-read. " + d["note"]))
    yield "source note (shown in other topics' briefs)", [second]
    change(relay, lambda d: d["derived_from"].append(first.stem))
    yield "a new relay (origins change)", [relay]
    new = root / "sources" / "zz-new-source.yaml"
    shutil.copy(first, new)

    def new_ids(d: dict[str, Any]) -> None:
        d["id"] = "zz-new-source"
        for c in d["claims"]:
            c["id"] = "zz-" + c["id"]
    change(new, new_ids)
    yield "a new source file", [new]
    topic = yaml.safe_load(second.read_text(encoding="utf-8"))["positions"][0]["topic"]
    change(second, lambda d: d["claims"].insert(0, {
        "id": "brand-new-claim", "statement": "A new claim.", "quote": "A new quote, reportedly.",
        "topics": [topic], "evidence": "unsupported", "attribution": "author", "commitment": "asserted",
        "reason": "Added in a test."}))
    yield "a claim added", [second]
    change(second, lambda d: claim(0)(d).update(corroborates=[claim(1)(d)["id"]]))
    yield "a link added", [second]
    change(second, lambda d: claim(0)(d).update(id="brand-new-claim-2"))
    yield "a claim renamed (withdrawn + added: full check)", [second]
    change(first, lambda d: claim(0)(d).update(evidence="rumour"))
    yield "a bad edit (refused)", [first]
    change(relay, lambda d: d.update(note="Noted while the other file is broken."))
    yield "another edit while one file is refused", [relay]
    change(first, lambda d: claim(0)(d).update(evidence="supported"))
    yield "fixed", [first]
    new.unlink()
    yield "a file deleted", [new]


async def test_incremental_reload_equals_full_reload(briefs: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    logs = ChangeLog(tmp_path / "inc.jsonl"), ChangeLog(tmp_path / "full.jsonl")
    incremental = Reloader(Briefer(load_store(briefs, state_dir=state)), briefs, changelog=logs[0], state_dir=state)
    full = Reloader(Briefer(load_store(briefs)), briefs, changelog=logs[1])
    patched = 0
    searches = 0
    for name, paths in edits(briefs):
        a = await incremental.reload_store("watch", {p.resolve() for p in paths})
        b = await full.reload_store("admin")
        assert (a.ok, [str(p) for p in a.errors]) == (b.ok, [str(p) for p in b.errors]), name
        same_prepared(incremental.briefer.prepared, full.briefer.prepared)
        same_search(incremental.briefer.prepared, full.briefer.prepared)
        assert a.changes == b.changes, name
        patched += incremental.briefer.store.delta is not None and a.ok
        searches = max(searches, incremental.briefer.prepared.views.search_index.patches)
    assert log_lines(logs[0]) == log_lines(logs[1])
    assert len(log_lines(logs[0])) >= 6
    assert patched >= 5  # most edits really took the incremental path
    assert searches >= 3  # and the search index was patched through several edits in a row, not rebuilt


async def test_an_edit_rebuilds_only_the_briefs_it_touches(tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    _storegen().generate(root, claims=400, seed=5, topics=6)
    briefer = Briefer(load_store(root))
    reloader = Reloader(briefer, root)
    before = briefer.prepared
    summaries = {t: before.views.summary(t) for t in before.store.topics}
    path = min((root / "sources").glob("*.yaml"))
    change(path, lambda d: d["claims"][0].update(statement="Reworded: " + d["claims"][0]["statement"]))
    await reloader.reload_store("watch", {path})
    after = briefer.prepared
    assert after.store.delta is not None
    rebuilt = {t for t in after.store.topics if after.views.summary(t).sections is not summaries[t].sections}
    assert set(after.store.delta.topics) <= rebuilt < set(after.store.topics)  # the others were taken over
    for t in set(after.store.topics) - rebuilt:
        assert after.views.summary(t).footer == summaries[t].footer.replace(before.store.version, after.store.version)
    edited = {c.id for c in after.store.sources[path.stem].claims}
    kept = {c for c in after.store.claims if after.views.claims.peek(c) is before.views.claims.peek(c)
            and before.views.claims.peek(c) is not None}
    assert not kept & edited  # the edited source's views were built again
    assert len(kept) > len(after.store.claims) // 2  # most claims' views were taken over, not rebuilt


def test_an_edit_is_served_before_the_touched_summaries_are_built_and_answers_with_the_edit(tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    _storegen().generate(root, claims=300, seed=8, topics=5)
    before = prepare(load_store(root))
    path = min((root / "sources").glob("*.yaml"))
    change(path, lambda d: d["claims"][0].update(statement="Deferred edit: " + d["claims"][0]["statement"]))
    patched = patch_store(before.store, [path])
    assert patched is not None and not patched[1]
    after = prepare(patched[0], previous=before, defer=True)
    touched = sorted(patched[0].delta.topics)  # type: ignore[union-attr]
    assert touched and set(touched) <= set(after.pending)
    assert not set(after.pending) & set(after.depends)  # left for finish: the next edit must not reuse them
    topic = after.store.sources[path.stem].claims[0].topics[0]
    full = prepare(load_store(root))
    assert after.views.summary(topic) == full.views.summary(topic)  # built on demand, as a command would
    assert after.document(after.store.topics[topic]) == full.document(full.store.topics[topic])
    after.finish()
    assert not after.pending and set(after.depends) == set(after.store.topics)
    same_prepared(after, full)
