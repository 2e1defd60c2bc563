"""diff_stores and the change log."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.core.changes import Change, ChangeEntry, ChangeLog, ChangeSet, diff_stores
from bot.core.models import Evidence, Position, Source
from bot.core.store import Store, build_store


def rebuilt(store: Store, *sources: Source, drop: tuple[str, ...] = ()) -> Store:
    """The store with some sources replaced (by id) and some dropped."""
    replaced = {s.id: s for s in sources}
    kept = [replaced.get(s.id, s) for s in store.sources.values() if s.id not in drop]
    kept += [s for s in sources if s.id not in store.sources]
    return build_store(list(store.topics.values()), kept, "v2")


def with_claims(source: Source, **changes: object) -> Source:
    """The source with its first claim updated."""
    first = source.claims[0].model_copy(update=changes)
    return source.model_copy(update={"claims": (first, *source.claims[1:])})


def test_the_same_store_has_no_changes(fixture_store: Store) -> None:
    changes = diff_stores(fixture_store, rebuilt(fixture_store))
    assert changes.is_empty and changes.summary() == "No claims or positions changed."


def test_a_rating_change_is_a_changed_claim_and_a_reason_edit_is_not(fixture_store: Store) -> None:
    oped = fixture_store.sources["oped"]
    changed = diff_stores(fixture_store, rebuilt(fixture_store, with_claims(oped, evidence=Evidence.DISPUTED)))
    assert changed.changes == (
        Change("claim", "changed", "oped-split", "oped", ("china",), "A deal could split Russia from China.",
               ("evidence",)),
    )
    assert diff_stores(fixture_store, rebuilt(fixture_store, with_claims(oped, reason="Reworded."))).is_empty


def test_statement_quote_and_topic_changes_are_changes_on_every_topic_involved(fixture_store: Store) -> None:
    oped = fixture_store.sources["oped"]
    new = rebuilt(fixture_store, with_claims(oped, quote="this could split them", topics=["russia"], theses=[]))
    [change] = diff_stores(fixture_store, new).changes
    assert change.fields == ("quote", "topics") and change.topics == ("russia", "china")
    assert diff_stores(fixture_store, new).for_topic("china") == [change]


def test_added_and_withdrawn_claims_and_positions_by_source_and_topic(fixture_store: Store) -> None:
    rewrite = fixture_store.sources["rewrite"]
    paper = fixture_store.sources["paper"].model_copy(update={
        "claims": (rewrite.claims[1].model_copy(update={"id": "paper-peskov"}),),
        "positions": [Position(topic="russia", summary="Reports Moscow's offer.")],
    })
    new_rewrite = rewrite.model_copy(update={
        "claims": rewrite.claims[:2],
        "positions": (rewrite.positions[0].model_copy(update={"summary": "Now doubts it."}),),
    })
    changes = diff_stores(fixture_store, rebuilt(fixture_store, paper, new_rewrite))
    assert [(c.kind, c.action, c.id, c.source, c.topics) for c in changes.changes] == [
        ("claim", "added", "paper-peskov", "paper", ("russia",)),
        ("claim", "withdrawn", "rewrite-deep-state", "rewrite", ("russia",)),
        ("position", "added", "paper/russia", "paper", ("russia",)),
        ("position", "changed", "rewrite/china", "rewrite", ("china",)),
        ("position", "withdrawn", "rewrite/russia", "rewrite", ("russia",)),
    ]
    assert changes.summary() == (
        "1 claim added, 1 claim withdrawn, 1 position added, 1 position changed, 1 position withdrawn."
    )
    assert [c.id for c in changes.for_source("paper")] == ["paper-peskov", "paper/russia"]
    assert sorted(changes.by_topic()) == ["china", "russia"]


def test_a_withdrawn_source_withdraws_its_claims_and_positions(fixture_store: Store) -> None:
    oped = fixture_store.sources["oped"]
    rewrite = fixture_store.sources["rewrite"]
    unlinked = rewrite.model_copy(update={"claims": tuple(c.model_copy(update={"corroborates": ()}) for c in rewrite.claims)})
    changes = diff_stores(fixture_store, rebuilt(fixture_store, unlinked, drop=("oped",)))
    assert {(c.kind, c.action, c.id) for c in changes.changes} == {
        ("claim", "withdrawn", "oped-split"), ("position", "withdrawn", "oped/china")}
    assert oped.claims[0].statement in [c.text for c in changes.changes]


def test_the_change_log_round_trips_and_filters_by_time(tmp_path: Path, fixture_store: Store) -> None:
    log = ChangeLog(tmp_path / "state" / "changes.jsonl")
    assert log.entries() == [] and log.last() is None
    oped = fixture_store.sources["oped"]
    first = ChangeEntry(datetime(2025, 3, 1, 9, tzinfo=UTC), "v2", "v1",
                        diff_stores(fixture_store, rebuilt(fixture_store, with_claims(oped, evidence=Evidence.DISPUTED))))
    second = ChangeEntry(datetime(2025, 3, 2, 9, tzinfo=UTC), "v3", "v2",
                         diff_stores(fixture_store, rebuilt(fixture_store, drop=("paper",))))
    log.append(first)
    with log.path.open("a") as out:
        out.write("{not json\n\n")
    log.append(second)
    assert log.entries() == [first, second] and log.last() == second
    assert log.entries(since=datetime(2025, 3, 1, 12, tzinfo=UTC)) == [second]
    assert log.changes_since(None) == ChangeSet(first.changes.changes + second.changes.changes)
