"""Computed signals: the exact words that triggered each cue, in English and French."""
from __future__ import annotations

import pytest

from bot.core.flags import SignalKind as K, claim_signals, find_signals, fold


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind.value, s.trigger) for s in find_signals(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Moscou envisagerait de rompre", [(K.HEDGING, "envisagerait")]),
    ("Cela pourrait changer", [(K.HEDGING, "pourrait")]),
    ("This could split them", [(K.HEDGING, "could")]),
    ("selon des sources proches du Kremlin", [(K.ANONYMOUS, "selon des sources proches")]),
    ("according to people familiar with the talks", [(K.ANONYMOUS, "according to people familiar with")]),
    ("sous couvert d’anonymat", [(K.ANONYMOUS, "sous couvert d’anonymat")]),
    ("selon le Wall Street Journal", [(K.RELAY, "selon le Wall Street Journal")]),
    ("l'État profond et les élites mondialistes", [(K.LOADED, "État profond"), (K.LOADED, "mondialistes")]),
    ("the globalist DEEP STATE", [(K.LOADED, "globalist"), (K.LOADED, "DEEP STATE")]),
])
def test_cues(text: str, expected: list[tuple[K, str]]) -> None:
    assert kinds(text) == [(k.value, t) for k, t in expected]


@pytest.mark.parametrize("text", [
    "Le portrait du président et un trait d'union", "Le retrait des troupes", "Il a déclaré la guerre",
    "Russia and China signed a treaty in 2001",
])
def test_no_false_positives(text: str) -> None:
    assert kinds(text) == []


def test_trigger_is_the_original_text_with_accents() -> None:
    text = "Des ÉLITES MONDIALISTES"
    (signal,) = find_signals(text)
    assert text[signal.start:signal.end] == signal.trigger == "MONDIALISTES"


def test_fold_keeps_an_index_into_the_original() -> None:
    folded, index = fold("Pékin")
    assert folded == "pekin" and index == [0, 1, 2, 3, 4]


def test_no_evidence_signal_depends_on_rating(fixture_store) -> None:
    anonymous = fixture_store.claims["rewrite-end-cooperation"].claim
    on_record = fixture_store.claims["rewrite-peskov"].claim
    assert K.NO_EVIDENCE in {s.kind for s in claim_signals(anonymous)}
    assert K.NO_EVIDENCE not in {s.kind for s in claim_signals(on_record)}


@pytest.mark.parametrize(("text", "expected"), [
    ("Il déclarait que la guerre entrait dans sa phase finale", []),
    ("Il considérait la chose", []),
    ("La Russie considérerait une offre", [(K.HEDGING, "considérerait")]),
    ("Selon un récent rapport du Wall Street Journal, Moscou", [(K.RELAY, "Selon un récent rapport du Wall Street Journal")]),
    ("selon les sources du WSJ", [(K.ANONYMOUS, "selon les sources"), (K.RELAY, "selon les sources du WSJ")]),
    ("Moscou semble chercher un accord", [(K.HEDGING, "semble")]),
    ("the talks in May 2025 on 7 May", []),
    ("the talks may fail", [(K.HEDGING, "may")]),
    ("la dénazification de l'Ukraine", [(K.LOADED, "dénazification")]),
    ("les observateurs internationaux sont pessimistes", [(K.ANONYMOUS, "les observateurs internationaux sont")]),
])
def test_cues_found_in_the_seed_articles(text: str, expected: list[tuple[K, str]]) -> None:
    assert kinds(text) == [(k.value, t) for k, t in expected]
