"""Core digest: fingerprints survive JSON, and 'what changed' finds new, changed and withdrawn claims and positions."""
from __future__ import annotations

from bot.core.digest import Snapshot, compose_digest, digest
from bot.core.document import line_text
from bot.core.models import Position
from bot.core.store import Store, build_store


def without_claim_with_new_position(store: Store) -> Store:
    rewrite = store.sources["rewrite"]
    oped = store.sources["oped"]
    rewrite2 = rewrite.model_copy(update={"claims": tuple(c for c in rewrite.claims if c.id != "rewrite-peskov")})
    new_position = Position(topic="russia", summary="Doubts Moscow wants a deal.", stances=[])
    oped2 = oped.model_copy(update={"positions": (*oped.positions, new_position)})
    sources = {**store.sources, "rewrite": rewrite2, "oped": oped2}
    return build_store(list(store.topics.values()), list(sources.values()), "v2")


def test_changes_since_a_stored_snapshot(fixture_store: Store) -> None:
    _, sent = digest(fixture_store, "all", None)
    stored = Snapshot.model_validate_json(sent.model_dump_json())
    result, _ = digest(without_claim_with_new_position(fixture_store), ["russia", "china"], stored)
    by_topic = {t.topic.id: t for t in result.topics}
    assert [t.topic.id for t in result.topics] == ["russia", "china"]
    assert by_topic["china"].changes == [] and not by_topic["china"].first
    assert [(c.kind, c.what, c.id) for c in by_topic["russia"].changes] == [
        ("new", "position", "oped"), ("withdrawn", "claim", "rewrite-peskov")]
    assert by_topic["russia"].changes[1].text == "The Kremlin said Russia is ready to normalise ties."


def test_first_digest_and_include_flags(fixture_store: Store) -> None:
    result, _ = digest(fixture_store, ["china", "nowhere"], None)
    assert [t.topic.id for t in result.topics] == ["china"] and result.topics[0].first
    doc = compose_digest(result, "Morning", positions=False, changes=True, flagged=True)
    assert [s.title for s in doc.sections] == ["Topics"]  # nothing changed yet, and positions are off
    assert "First digest in this channel" in line_text(doc.summary)
    assert doc.footer.endswith(f"Store {fixture_store.version}.")
    assert [(a.label, a.command) for a in doc.actions] == [("China", "/brief china")]


def test_snapshot_of_another_channel_topic_is_kept_when_merging(fixture_store: Store) -> None:
    _, china = digest(fixture_store, ["china"], None)
    _, russia = digest(fixture_store, ["russia"], None)
    merged = china.merged(russia)
    assert set(merged.topics) == {"china", "russia"}


def test_curators_updates_since_the_last_digest_come_from_the_change_log(fixture_store: Store) -> None:
    from datetime import UTC, datetime

    from bot.core.changes import ChangeEntry, diff_stores
    from bot.core.document import line_text

    first, sent = digest(fixture_store, "all", None)
    assert sent.version == fixture_store.version and first.updates == []
    v2 = without_claim_with_new_position(fixture_store)
    log = [
        ChangeEntry(datetime(2025, 1, 1, tzinfo=UTC), fixture_store.version, "v0", diff_stores(v2, fixture_store)),
        ChangeEntry(datetime(2025, 1, 2, 9, 30, tzinfo=UTC), "v2", fixture_store.version, diff_stores(fixture_store, v2)),
    ]
    stored = Snapshot.model_validate_json(sent.model_dump_json())
    result, now = digest(v2, "all", stored, log)
    assert [(u.version, u.summary) for u in result.updates] == [("v2", "1 claim withdrawn, 1 position added.")]
    doc = compose_digest(result, "Digest")
    assert doc.sections[0].title == "Curators' updates since your last digest"
    assert line_text(doc.sections[0].blocks[0].line) == "2025-01-02 09:30 UTC · store v2 · 1 claim withdrawn, 1 position added."
    # Only updates touching the digest's topics, and none once the channel has seen the latest version.
    only_china, _ = digest(v2, ["china"], stored, log)
    assert only_china.updates == []
    again, _ = digest(v2, "all", now, log)
    assert again.updates == []
