"""The computed signals on the five seed articles: every sentence scanned, and a sample of sentences
with the cues a fact-checker expects to fire and not to fire (tests/fixtures/seeds/cues.yaml)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.core.flags import SignalKind, find_signals
from bot.core.store import normalise_space
from tests.conftest import SEEDS

CUES = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "cues.yaml"
SAMPLE = yaml.safe_load(CUES.read_text(encoding="utf-8"))
KINDS = {k.value for k in SignalKind} - {SignalKind.NO_EVIDENCE.value}


def seed_text(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed archive {path} is not on this machine")
    return normalise_space(path.read_text(encoding="utf-8"))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«“])", text) if len(s.split()) >= 3]


def by_kind(sentence: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in find_signals(sentence):
        out.setdefault(s.kind.value, []).append(s.trigger)
    return out


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: f"{c['seed'][:3]}:{c['sentence'][:40]}")
def test_sample_sentence(case: dict) -> None:
    text = seed_text(case["seed"])
    assert normalise_space(case["sentence"]) in text, "the fixture must quote the seed verbatim"
    found = by_kind(case["sentence"])
    for kind, trigger in case["must"]:
        assert trigger in found.get(kind, []), (kind, trigger, found)
    for kind in case["must_not"]:
        assert kind not in found, (kind, found)


def test_the_sample_covers_every_seed_and_every_cue_family() -> None:
    assert {c["seed"] for c in SAMPLE} == {p.name for p in SEEDS.glob("*.txt")} or not SEEDS.is_dir()
    fired = {kind for c in SAMPLE for kind, _ in c["must"]}
    refused = {kind for c in SAMPLE for kind in c["must_not"]}
    assert fired == KINDS and refused == KINDS
    assert sum(1 for c in SAMPLE if not c["must"]) >= 5, "sentences where nothing may fire keep the lexicon honest"


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_every_sentence_of_every_seed(name: str) -> None:
    text = seed_text(name)
    counts: Counter[str] = Counter()
    for sentence in sentences(text):
        for s in find_signals(sentence):
            assert sentence[s.start:s.end] == s.trigger and s.trigger.strip() == s.trigger
            counts[s.kind.value] += 1
        assert find_signals(sentence) == find_signals(sentence)
    # Each article has hedged wording; only the analysis and the video blurb use one side's terms
    # or conspiratorial language in their own voice.
    assert counts["hedging"] >= 3, counts
    if name.startswith(("000", "003")):
        assert counts["loaded-language"] == 0 and counts["one-sided-term"] == 0, counts
    if name.startswith("004"):
        assert counts["loaded-language"] >= 4, counts
    if name.startswith("003"):
        assert counts["relayed-report"] >= 2, counts
