"""The curated store read as a fact-checking editor would: what is flagged and why, origins counted per
claim, tallies by independent origin, and the brief's wording."""
from __future__ import annotations

import json
import re

import pytest

from bot.cli.main import main
from bot.core.briefing import Brief, brief
from bot.core.compose import compose_brief
from bot.core.document import Document, Span, line_text
from bot.core.labels import Label, is_checkable, is_flagged, label_of
from bot.core.origins import claim_origins
from bot.core.store import Store, check_store
from tests.conftest import BRIEFS, SEEDS

WSJ = "wsj-russia-china-offer-report"
REWRITE = "rewrite-wsj-russia-china-offer"


def all_briefs(store: Store) -> list[Brief]:
    return [brief(store, t) for t in store.topics.values()]


def test_validate_with_the_seed_archive_has_no_error_and_no_warning() -> None:
    if not SEEDS.is_dir():
        pytest.skip("the seed archive is not on this machine")
    store, problems = check_store(BRIEFS, SEEDS)
    assert store is not None and problems == [], [str(p) for p in problems]


def test_a_quarter_to_a_third_of_the_claims_are_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--briefs", str(BRIEFS), "claims", "--flagged", "--format", "json"]) == 0
    flagged = json.loads(capsys.readouterr().out)
    assert main(["--briefs", str(BRIEFS), "claims", "--format", "json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert 1 / 4 <= len(flagged) / len(every) <= 1 / 3, (len(flagged), len(every))


def test_hedged_forecasts_are_not_flagged_but_unconfirmed_reports_are(store: Store) -> None:
    labels = {cid: label_of(e.claim) for cid, e in store.claims.items()}
    forecasts = [cid for cid, label in labels.items() if label is Label.FORECAST]
    assert len(forecasts) >= 20
    assert not any(is_flagged(store.claims[c].claim) for c in forecasts
                   if store.claims[c].claim.framing.value == "neutral")
    assert labels["rw-sanctions-and-recognition-aim"] is Label.SPECULATIVE
    assert labels["rw-russia-offers-end-china-cooperation"] is Label.ANONYMOUS
    # The op-ed is hedged from end to end: nothing in it needs a warning.
    oped = [e for e in store.claims.values() if e.source.id == "linkedin-oped-us-russia-alliance"]
    assert oped and not any(is_flagged(e.claim) for e in oped)
    # The video blurb's "globalist" claims and the rewrite's headline stay flagged.
    for cid in ("gptv-deep-state-worried", "gptv-front-against-deep-state", "gptv-truce-ends-globalist-hegemony",
                "gptv-sovereignty-alternative", "rw-headline-sacrifice", "anl-denazification-prosecutions"):
        assert is_flagged(store.claims[cid].claim), cid


def test_every_flag_in_every_brief_carries_the_curators_reason(store: Store) -> None:
    for b in all_briefs(store):
        for flag in b.flagged:
            curator = [r for r in flag.reasons if r.by == "curator"]
            assert curator, flag.id
            reason = store.claims[flag.id].claim.reason
            assert sum(reason in r.text for r in curator) == 1, flag.id
            assert not any(r.text.startswith(("the curator", "Opinion;")) for r in curator)


def test_every_position_carries_its_sources_note(store: Store) -> None:
    for b in all_briefs(store):
        for p in b.positions:
            assert p.source.note == store.sources[p.source.id].note and p.source.note


def test_no_rewrite_opinion_has_the_wsj_among_its_origins(store: Store) -> None:
    rewrite = {e.claim.id: e for e in store.claims.values() if e.source.id == REWRITE}
    for b in (brief(store, store.topics["china"]), brief(store, store.topics["russia"])):
        for c in b.claims:
            if c.source != REWRITE:
                continue
            relays = bool(rewrite[c.id].claim.relays)
            assert (WSJ in c.origins) == relays, (c.id, c.origins)
            if not is_checkable(rewrite[c.id].claim):
                assert WSJ not in c.origins
    assert claim_origins(store.sources, rewrite["rw-russia-offers-end-china-cooperation"].claim,
                         store.sources[REWRITE]) == [WSJ]
    assert claim_origins(store.sources, rewrite["rw-headline-sacrifice"].claim, store.sources[REWRITE]) == [REWRITE]


def test_thesis_tallies_count_independent_origins(store: Store) -> None:
    china = {t.id: t for t in brief(store, store.topics["china"]).theses}
    trade = china["moscow-would-trade-china-ties"]
    # The rewrite and the report it relays are one origin: the WSJ, known only through the rewrite.
    assert {REWRITE, WSJ} <= set(trade.supports)
    assert WSJ in trade.supports_origins and REWRITE not in trade.supports_origins
    assert len(trade.supports_origins) == len(trade.supports) - 1
    for b in all_briefs(store):
        for t in b.theses:
            for ids, origins in ((t.supports, t.supports_origins), (t.opposes, t.opposes_origins),
                                 (t.mixed, t.mixed_origins)):
                assert len(origins) <= len(ids) and len(set(origins)) == len(origins)
                assert bool(ids) == bool(origins)
    ready = {t.id: t for t in brief(store, store.topics["us-russia-rapprochement"]).theses}["moscow-ready-to-normalise"]
    assert "genuinely" not in ready.statement and REWRITE in ready.mixed


def test_corroboration_joins_independent_reports_of_a_fact(store: Store) -> None:
    pairs = 0
    for entry in store.claims.values():
        for other_id in entry.claim.corroborates:
            other = store.claims[other_id]
            assert is_checkable(entry.claim) and is_checkable(other.claim), (entry.claim.id, other_id)
            mine = set(claim_origins(store.sources, entry.claim, entry.source))
            theirs = set(claim_origins(store.sources, other.claim, other.source))
            assert not mine & theirs, (entry.claim.id, other_id)
            pairs += 1
    assert pairs >= 2


# --- wording of the full brief ---------------------------------------------------------------------

def spans(doc: Document) -> list[Span]:
    out: list[Span] = list(doc.summary)
    for section in doc.sections:
        for block in section.blocks:
            for line in [getattr(block, "line", None), getattr(block, "head", None), getattr(block, "note", None),
                         *getattr(block, "body", [])]:
                out.extend(line or [])
    return out


def texts(doc: Document) -> list[str]:
    out = []
    for section in doc.sections:
        for block in section.blocks:
            lines = [getattr(block, "line", None), getattr(block, "head", None), *getattr(block, "body", [])]
            out += [line_text(line) for line in lines if line]
    return out


def test_the_brief_says_where_no_source_opposes_a_thesis(store: Store) -> None:
    for b in all_briefs(store):
        theses = next(s for s in compose_brief(b).sections if s.title == "Theses")
        for tally, block in zip(b.theses, theses.blocks):
            body = " ".join(line_text(line) for line in block.body)  # type: ignore[union-attr]
            assert ("no source in the store opposes this" in body) == (not tally.opposes), body
            if len(tally.supports_origins) < len(tally.supports):
                assert f"{len(tally.supports_origins)} independent origin" in body, body


def test_the_brief_shows_each_sources_note_at_its_position_and_every_reason(store: Store) -> None:
    b = brief(store, store.topics["china"])
    doc = compose_brief(b)
    lines = texts(doc)
    for p in b.positions:
        assert f"About this source: {p.source.note}" in lines
    joined = "\n".join(lines)
    assert "Curator: the curator" not in joined and "not a fact: " not in joined
    for flag in b.flagged:
        assert store.claims[flag.id].claim.reason in joined


def test_bold_spans_render_in_commonmark(store: Store) -> None:
    """CommonMark ignores `**Curator: **it`: a bold span must not start or end with a space."""
    from bot.adapters.console import render_markdown
    for b in all_briefs(store):
        doc = compose_brief(b)
        for span in spans(doc):
            if span.style == "bold":
                assert span.text == span.text.strip(), repr(span.text)
        for line in render_markdown(doc).splitlines():
            for inner in re.findall(r"\*\*(.+?)\*\*", line):
                assert inner == inner.strip(), line


def test_json_contract_v2_adds_the_origin_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--briefs", str(BRIEFS), "brief", "china", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == 2
    for tally in data["theses"]:
        assert {"supports", "opposes", "mixed", "supports_origins", "opposes_origins", "mixed_origins"} <= set(tally)
    relayed = {c["id"]: c["relays"] for c in data["claims"]}
    assert relayed["rw-russia-offers-end-china-cooperation"] == [WSJ] and relayed["rw-headline-sacrifice"] == []
    rewrite = next(p for p in data["positions"] if p["source"]["id"] == REWRITE)
    assert all(s["relays"] == [WSJ] for s in rewrite["stances"])
    assert {c["label"] for c in data["claims"]} >= {"forecast", "supported"}
