"""Search in English and French: speakers, outlets, phrases, accents, typos, ranking; one index per snapshot."""
from __future__ import annotations

import pytest

from bot.core.briefer import Briefer, prepare
from bot.core.errors import BadArgument
from bot.core.search import SearchIndex
from bot.core.store import Store
from bot.core.topics import normalise
from tests.conftest import BRIEFS


def index_store(_: SearchIndex) -> Store:
    from bot.core.store import load_store
    return load_store(BRIEFS)


@pytest.fixture(scope="module")
def index(store: Store) -> SearchIndex:
    return SearchIndex(store)


def ids(index: SearchIndex, query: str, kind: str | None = None) -> list[str]:
    return [h.id for h in index.search(query) if kind is None or h.kind == kind]


@pytest.mark.parametrize("query", ["pankin", "Pankin", "ALEXANDER PANKIN", "pankine"])
def test_a_speaker_finds_their_claims(index: SearchIndex, query: str) -> None:
    assert ids(index, query)[0] == "cmt-pankin-20000-sanctions"


def test_a_speaker_in_a_french_quote_with_or_without_accents(index: SearchIndex) -> None:
    assert ids(index, "Peskov")[0] == ids(index, "péskov")[0] == "cmt-peskov-cannot-dance-alone"
    assert "cmt-peskov-cannot-dance-alone" in ids(index, "danser seule")  # words of the French quote


@pytest.mark.parametrize("query", ["peskof", "peskvo", "lavrof", "sanctoins relief"])
def test_a_typo_still_finds_it(index: SearchIndex, query: str) -> None:
    assert ids(index, query), query


def test_an_outlet_finds_the_source_and_the_claims_that_relay_it(index: SearchIndex, store: Store) -> None:
    hits = index.search("wall street journal")
    assert (hits[0].kind, hits[0].id) == ("source", "wsj-russia-china-offer-report")
    relaying = {s.id for s in store.sources.values() if "wsj-russia-china-offer-report" in s.derived_from}
    relayed = {h.id for h in hits if h.kind == "claim"}
    assert relaying and any(store.claims[c].source.id in relaying for c in relayed)
    assert ids(index, "WSJ", "source")[0] == "wsj-russia-china-offer-report"  # the outlet's initials


def test_french_phrases_and_accents_fold(index: SearchIndex) -> None:
    assert ids(index, "Pékin", "topic") == ids(index, "pekin", "topic") == ["china"]
    assert ids(index, "selon des sources proches") and ids(index, "géopolitique", "source")
    assert ids(index, "geopolitique", "source") == ids(index, "géopolitique", "source")


def test_a_phrase_ranks_the_topic_then_the_claims_saying_it(index: SearchIndex) -> None:
    hits = index.search("sanctions relief")
    assert (hits[0].kind, hits[0].id) == ("topic", "sanctions")
    assert "oped-sanctions-relief-lever" in [h.id for h in index.search("lifting of sanctions")[:3]]
    saying = {c for c, e in index_store(index).claims.items()
              if {"sanctions", "relief"} <= set(normalise(e.claim.statement + " " + e.claim.quote).split())}
    assert saying and saying <= {h.id for h in hits}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_word_nowhere_finds_nothing(index: SearchIndex) -> None:
    assert index.search("qqqzzzx") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "x" * 101])
def test_empty_or_oversized_queries_are_refused(index: SearchIndex, query: str) -> None:
    with pytest.raises(BadArgument):
        index.search(query)


def test_fts_syntax_in_a_query_is_just_words(index: SearchIndex) -> None:
    assert index.search('peskov" OR NEAR(x') == index.search("peskov or near x")


def test_the_index_is_built_once_per_snapshot(store: Store) -> None:
    prepared = prepare(store)
    built = prepared.views.search_index
    briefer = Briefer(prepared)
    for query in ("peskov", "wall street journal", "pankin"):
        doc, _ = briefer.answer(query)
        assert doc.title.startswith("Search: ")
    assert prepared.views.search_index is built
    other = prepare(store)
    assert other.views.search_index is not built


def test_brief_falls_back_to_search_only_when_no_topic_matches(briefer: Briefer) -> None:
    assert briefer.answer("chine")[0].title == "Brief: China"
    assert briefer.answer("peskov")[0].title == "Search: peskov"
    doc, _ = briefer.answer("chnia")  # a mistyped topic: did you mean, with a button to it
    assert "Did you mean china?" in doc.summary[0].text and [a.label for a in doc.actions] == ["China"]
    doc, _ = briefer.answer("qqqzzzx")
    assert doc.tone == "error" and "No topic called" in doc.summary[0].text
