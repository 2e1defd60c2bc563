"""What the claim views of a prepared store keep, and that keeping less changes nothing a brief shows.

Flagged-list entries and relations are built again by each brief from the claim views; equal parts of
views (signals, their lists, single origins) are shared; the link index keeps tuples.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

from bot.core import briefing
from bot.core.briefing import ClaimViews, brief, brief_digest, flag_view
from bot.core.flags import Signal, SignalKind
from bot.core.links import Links
from bot.core.store import Store, load_store

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Store:
    spec = importlib.util.spec_from_file_location("storegen", ROOT / "bench" / "storegen.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("storegen", module)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("memory") / "briefs"
    module.generate(root, claims=800, seed=11, topics=5)
    return load_store(root)


def test_fingerprints_are_those_of_the_views_kept_whole_before(fixture_store: Store) -> None:
    # Pinned from the code that kept each claim's flag, relations and hex digest (main at 8df8300).
    for topic, expected in (("china", "b2f4bfa01a80bc24"), ("russia", "3e151429e13a8590")):
        claims = ClaimViews(fixture_store)
        assert brief_digest(brief(fixture_store, fixture_store.topics[topic], claims), claims) == expected


def test_claims_with_the_same_signals_share_them(synthetic: Store) -> None:
    claims = ClaimViews(synthetic)
    views = [claims.get(e).view for e in synthetic.claims.values()]
    by_signals: dict[tuple[object, ...], list[object]] = {}
    for v in views:
        if v.signals:
            by_signals.setdefault(tuple((s.kind, s.text, s.trigger) for s in v.signals), []).append(v.signals)
    repeated = [lists for lists in by_signals.values() if len(lists) > 1]
    assert repeated  # the synthetic store repeats its cue words
    for lists in repeated:
        assert all(one is lists[0] for one in lists)
    singles = [v.origins for v in views if len(v.origins) == 1]
    assert len({id(o) for o in singles}) == len({o[0] for o in singles})


def test_a_flag_built_again_equals_the_one_digested(synthetic: Store) -> None:
    claims = ClaimViews(synthetic)
    for entry in list(synthetic.claims.values())[:200]:
        built = claims.get(entry)
        flag = flag_view(built.view) if built.view.flagged else None
        assert built.digest == briefing._digest(built.view, flag)
        if flag is not None:
            assert flag == flag_view(built.view) and flag.reasons
            signals = [r for r in flag.reasons if r.by == "signal"]
            assert [(r.kind, r.text, r.trigger) for r in signals] == [(s.kind, s.text, s.trigger) for s in built.view.signals]


def test_emptied_pools_change_nothing(synthetic: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def everything() -> list[tuple[str, str]]:
        claims = ClaimViews(synthetic)
        briefs = [brief(synthetic, t, claims) for t in synthetic.topics.values()]
        return [(b.model_dump_json(), brief_digest(b, claims)) for b in briefs]

    shared = everything()
    for pool in (briefing._SIGNAL_VIEWS, briefing._SIGNAL_LISTS, briefing._SIGNAL_REASONS, briefing._ORIGINS):
        monkeypatch.setattr(pool, "limit", 3)
        pool.kept.clear()
    assert everything() == shared


def test_patched_links_equal_links_indexed_again(synthetic: Store) -> None:
    links = Links(synthetic.claims)
    linked = [e.claim for e in synthetic.claims.values() if e.claim.corroborates or e.claim.contradicts]
    assert len(linked) > 20
    before = linked[:20]
    # The edit drops every link of some claims, doubles another's, and links two of them the other way.
    after = [c.model_copy(update={"corroborates": [], "contradicts": []}) for c in before[:10]]
    after += [before[10].model_copy(update={"corroborates": before[10].corroborates * 2})]
    after += [c.model_copy(update={"contradicts": [before[0].id]}) for c in before[11:13]]
    claims = dict(synthetic.claims)
    for claim in after:
        claims[claim.id] = dataclasses.replace(claims[claim.id], claim=claim)
    patched = links.patched(claims, before[:13], after)
    fresh = Links(claims)
    for claim_id in synthetic.claims:
        assert patched.get(claim_id) == fresh.get(claim_id), claim_id
    for kind, index in fresh._reverse.items():
        assert {c: set(ids) for c, ids in patched._reverse[kind].items()} == {c: set(ids) for c, ids in index.items()}
    assert all(ids for index in patched._reverse.values() for ids in index.values())  # no empty entries left


def test_signals_are_checked_as_the_model_was() -> None:
    assert Signal(kind="hedging", trigger="may").kind is SignalKind.HEDGING  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Signal(kind="guessing", trigger="may")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Signal(kind=SignalKind.HEDGING, trigger="may", start="3")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        Signal(kind=SignalKind.HEDGING, trigger="may").trigger = "might"  # type: ignore[misc]


def test_views_a_brief_builds_again_are_made_whole(synthetic: Store) -> None:
    claims = ClaimViews(synthetic)
    flagged = [flag_view(claims.get(e).view) for e in synthetic.claims.values() if claims.get(e).view.flagged]
    assert flagged
    for flag in flagged[:50]:
        fields = {f.name: getattr(flag, f.name) for f in dataclasses.fields(flag)}
        assert flag == briefing.FlagView(**fields) and flag.model_dump_json() == briefing.FlagView(**fields).model_dump_json()
        for reason in flag.reasons:
            assert reason == briefing.Reason(**{f.name: getattr(reason, f.name) for f in dataclasses.fields(reason)})
    relation = briefing._relation("contradicts", ("a", "b"), ("s", "t"))
    assert relation == briefing.Relation(kind="contradicts", claims=("a", "b"), sources=("s", "t"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        relation.kind = "corroborates"  # type: ignore[misc]
