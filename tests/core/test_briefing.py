"""brief(): tallies, positions, key and flagged claims, origins, relations, the JSON contract."""
from __future__ import annotations

from bot.core.briefing import brief, origins_of
from bot.core.compose import compose_brief
from bot.core.document import line_text


def test_brief_on_china(fixture_store) -> None:
    b = brief(fixture_store, fixture_store.topics["china"])
    assert b.topic.id == "china"
    (tally,) = b.theses
    assert tally.supports == ["oped", "rewrite"] and tally.opposes == [] and tally.mixed == []
    # The rewrite's stance rests on the paper it relays: two sources, two independent origins.
    assert tally.supports_origins == ["oped", "paper"] and tally.opposes_origins == tally.mixed_origins == []
    assert [p.source.id for p in b.positions] == ["oped", "rewrite"]
    assert [c.id for c in b.claims] == ["oped-split", "rewrite-end-cooperation"]
    assert {f.id for f in b.flagged} == {"oped-split", "rewrite-end-cooperation"}
    assert [s.id for s in b.sources] == ["oped", "paper", "rewrite"]


def test_origins_follow_derived_from(fixture_store) -> None:
    assert origins_of(fixture_store, "rewrite") == ["paper"]
    assert origins_of(fixture_store, "oped") == ["oped"]
    b = brief(fixture_store, fixture_store.topics["china"])
    claim = next(c for c in b.claims if c.id == "rewrite-end-cooperation")
    # Its own origin (the paper it relays) plus the op-ed that corroborates it.
    assert claim.origins == ["oped", "paper"]
    assert b.independent_origins == ["oped", "paper"]


def test_only_relayed_claims_inherit_the_relayed_outlet(fixture_store) -> None:
    b = brief(fixture_store, fixture_store.topics["russia"])
    origins = {c.id: c.origins for c in b.claims}
    assert origins["rewrite-end-cooperation"] == ["oped", "paper"]
    # The rewriter's own report of a quote is its own, not the paper's.
    assert origins["rewrite-peskov"] == ["rewrite"]
    assert b.independent_origins == ["oped", "paper", "rewrite"]


def test_relations_are_symmetric(fixture_store) -> None:
    b = brief(fixture_store, fixture_store.topics["china"])
    by_id = {c.id: c for c in b.claims}
    assert by_id["oped-split"].corroborated_by == ["rewrite-end-cooperation"]
    assert by_id["rewrite-end-cooperation"].corroborated_by == ["oped-split"]
    (rel,) = b.relations
    assert rel.kind == "corroborates" and rel.claims == ("oped-split", "rewrite-end-cooperation")


def test_flag_reasons_keep_curator_and_signals_apart(fixture_store) -> None:
    b = brief(fixture_store, fixture_store.topics["russia"])
    flag = next(f for f in b.flagged if f.id == "rewrite-end-cooperation")
    assert flag.label == "anonymous" and flag.reasons[0].by == "curator"
    assert flag.reasons[0].text == "It rests on anonymous sources only. Rests on unnamed sources relayed from another outlet."
    signals = {(r.kind, r.trigger) for r in flag.reasons if r.by == "signal"}
    assert ("anonymous-attribution", "selon des sources proches") in signals
    assert ("hedging", "envisagerait") in signals
    loaded = next(f for f in b.flagged if f.id == "rewrite-deep-state")
    (reason,) = [r for r in loaded.reasons if r.by == "curator"]
    # Flagged for its framing only: the curator's reason is shown with it.
    assert reason.kind == "loaded-framing"
    assert reason.text == "Loaded framing. Conspiratorial framing, not a checkable claim."


def test_non_key_claims_are_flagged_but_not_listed_as_key(fixture_store) -> None:
    b = brief(fixture_store, fixture_store.topics["russia"])
    assert "rewrite-deep-state" not in {c.id for c in b.claims}
    assert "rewrite-deep-state" in {f.id for f in b.flagged}


def test_json_contract_fields(fixture_store) -> None:
    data = brief(fixture_store, fixture_store.topics["china"]).model_dump(mode="json")
    assert data["topic"]["id"] == "china"
    assert {"source", "summary"} <= set(data["positions"][0]) and "id" in data["positions"][0]["source"]
    assert {"id", "source", "label"} <= set(data["claims"][0])
    assert {"id", "source", "label", "reasons"} <= set(data["flagged"][0])
    assert "archive" in data["sources"][0]


def test_document_marks_signals_apart_from_curator(fixture_store) -> None:
    doc = compose_brief(brief(fixture_store, fixture_store.topics["russia"]))
    flagged = next(s for s in doc.sections if s.title == "Flagged claims")
    lines = [line_text(line) for block in flagged.blocks for line in block.body]
    assert any(line.startswith("Curator: ") for line in lines)
    assert not any("Curator: the curator" in line or "not a fact: " in line for line in lines)
    assert any(line.startswith("🤖 anonymous attribution: selon des sources proches") for line in lines)
