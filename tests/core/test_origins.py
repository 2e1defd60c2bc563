"""Origins per claim and per stance (`relays`), and the check that corroboration joins independent facts."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.briefing import brief
from bot.core.origins import claim_origins, claim_relays, source_roots
from bot.core.store import check_store, load_store
from tests.store_files import edit, fixture_copy


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A writable copy of the fixture store."""
    return fixture_copy(tmp_path)


def test_a_relayed_claim_has_the_relayed_outlet_as_origin_and_an_own_claim_its_source(fixture_store) -> None:
    sources = fixture_store.sources
    relayed = fixture_store.claims["rewrite-end-cooperation"]
    own = fixture_store.claims["rewrite-deep-state"]
    assert claim_relays(relayed.claim, relayed.source) == ["paper"]
    assert claim_origins(sources, relayed.claim, relayed.source) == ["paper"]
    assert claim_relays(own.claim, own.source) == []
    assert claim_origins(sources, own.claim, own.source) == ["rewrite"]
    assert source_roots(sources, "rewrite") == ["paper"]


def test_attribution_relayed_relays_the_sources_derived_from(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "    attribution: author\n", "    attribution: relayed\n")
    store = load_store(tree)
    entry = store.claims["rewrite-deep-state"]
    assert claim_origins(store.sources, entry.claim, entry.source) == ["paper"]


def test_a_stance_without_relays_counts_as_the_sources_own(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "stance: supports, relays: [paper]}", "stance: supports}")
    store = load_store(tree)
    (tally,) = brief(store, store.topics["china"]).theses
    assert tally.supports_origins == ["oped", "rewrite"]


def test_an_unknown_relayed_source_is_an_error_with_its_line(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "    relays: [paper]\n", "    relays: [papr]\n")
    store, problems = check_store(tree)
    assert store is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.field == "claims.0.relays.0" and "unknown source 'papr'" in problem.message


def test_a_forecast_cannot_corroborate(tree: Path) -> None:
    # The op-ed's claim becomes a hedged forecast: it can no longer corroborate the report.
    edit(tree, "sources/oped.yaml", "evidence: unsupported", "evidence: not-checkable")
    store, problems = check_store(tree)
    assert store is not None
    warnings = [p for p in problems if p.severity == "warning" and "corroborates" in p.message]
    assert warnings and all("is not checkable" in p.message for p in warnings)
    assert {p.field for p in warnings} == {"claims.0.corroborates.0"}


def test_corroboration_needs_independent_origins(tree: Path) -> None:
    # If the op-ed only relayed the same paper, the two claims would be one report counted twice.
    edit(tree, "sources/oped.yaml", "    reason: A forecast with no evidence.\n",
         "    reason: A forecast with no evidence.\n    relays: [paper]\n")
    store, problems = check_store(tree)
    assert store is not None
    (warning,) = [p for p in problems if "corroborates" in p.message]
    assert "both rest on paper" in warning.message and warning.file.endswith("rewrite.yaml")
    b = brief(store, store.topics["china"])
    assert b.independent_origins == ["paper"]


def test_a_relayer_sharing_the_stance_of_a_source_known_only_through_it_must_say_so(tree: Path) -> None:
    # The paper (no archive: we know it only through the rewrite) takes the rewrite's stance on China.
    with (tree / "sources" / "paper.yaml").open("a", encoding="utf-8") as f:
        f.write("positions:\n  - topic: china\n    summary: As relayed.\n"
                "    stances: [{thesis: weakens-ties, stance: supports}]\n")
    store, problems = check_store(tree)
    assert store is not None and not [p for p in problems if "counts twice" in p.message]
    (tally,) = brief(store, store.topics["china"]).theses
    assert tally.supports == ["oped", "paper", "rewrite"] and tally.supports_origins == ["oped", "paper"]
    edit(tree, "sources/rewrite.yaml", "stance: supports, relays: [paper]}", "stance: supports}")
    _, problems = check_store(tree)
    (warning,) = [p for p in problems if "counts twice" in p.message]
    assert warning.field == "positions.0.stances.0" and warning.file.endswith("rewrite.yaml")
