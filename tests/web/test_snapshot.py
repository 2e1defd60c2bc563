"""Page data per snapshot: the page cache's budget and the stance matrix's grouping by origin."""
from __future__ import annotations

from bot.core.briefing import brief
from bot.core.store import Store
from bot.web.matrix import stance_matrix
from bot.web.snapshot import PageCache, Snapshot


def test_the_page_cache_drops_the_least_recently_used_past_its_budget() -> None:
    cache = PageCache(budget=10)
    cache.put("a", (200, "xxxx"))
    cache.put("b", (200, "yyyy"))
    assert cache.get("a") == (200, "xxxx")  # a is now the most recent
    cache.put("c", (200, "zzzz"))
    assert cache.get("b") is None and cache.get("a") and cache.get("c") and len(cache) == 2
    cache.put("huge", (200, "w" * 11))  # bigger than the whole budget: not kept
    assert cache.get("huge") is None and len(cache) == 2


def test_the_matrix_groups_a_relay_with_its_origin_and_counts_silence(fixture_store: Store) -> None:
    b = brief(fixture_store, fixture_store.topics["china"])
    m = stance_matrix(b)
    groups = {tuple(g.origins): [r.source.id for r in g.rows] for g in m.groups}
    assert groups == {("paper",): ["rewrite"], ("oped",): ["oped"]}
    assert m.counts == {"supports": 2, "opposes": 0, "mixed": 0, "silent": 0}
    assert [c.code for c in m.columns] == ["T1"] and m.width > m.columns[0].x


def test_search_is_the_chats_search_accents_folded_and_typos_forgiven(fixture_store: Store) -> None:
    snap = Snapshot(fixture_store)
    assert snap.search("Pékin")[0].id == "china"
    assert "rewrite-end-cooperation" in {h.id for h in snap.search("militaire chine")}
    assert "rewrite-peskov" in {h.id for h in snap.search("peskof")}  # a typo
    assert snap.search("zzqxwv") == [] and snap.search("  ") == []


def test_the_pages_search_with_chats_index_of_the_snapshot_it_serves(fixture_store: Store) -> None:
    from bot.core.briefer import Briefer
    from bot.core.store import load_store
    from bot.web.snapshot import Snapshots
    from tests.conftest import FIXTURE_BRIEFS

    briefer = Briefer(fixture_store)
    chat = briefer.prepared.views.search_index
    snapshots = Snapshots(lambda: briefer.store,
                          lambda store: briefer.prepared.views.search_index if briefer.prepared.store is store else None)
    snap = snapshots.get()
    assert snap.search("peskof") == Snapshot(fixture_store).search("peskof")
    assert snap._index is chat  # no second index
    other = Snapshots(lambda: load_store(FIXTURE_BRIEFS), lambda store: None).get()  # not chat's: its own
    assert other.search("peskof") == snap.search("peskof") and other._index is not chat
