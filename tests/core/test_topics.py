"""Topic lookup: case, accents and aliases ignored; typos answered with suggestions."""
from __future__ import annotations

import pytest

from bot.core.errors import BadArgument, UnknownTopic
from bot.core.topics import MAX_QUERY_CHARS, complete, find_topic, normalise


@pytest.mark.parametrize("query", ["china", "CHINA", " Chine ", "PÉKIN", "pekin", "China"])
def test_names_find_china(fixture_store, query: str) -> None:
    assert find_topic(fixture_store.topics, query).id == "china"


def test_typo_gets_suggestions(fixture_store) -> None:
    with pytest.raises(UnknownTopic) as info:
        find_topic(fixture_store.topics, "chnia")
    assert info.value.suggestions == ["china"]
    assert "Did you mean china?" in str(info.value)


def test_unrelated_word_gets_no_suggestion(fixture_store) -> None:
    with pytest.raises(UnknownTopic) as info:
        find_topic(fixture_store.topics, "zzzzqqq")
    assert info.value.suggestions == []


@pytest.mark.parametrize("query", ["x" * (MAX_QUERY_CHARS + 1), "   ", "<!channel>", "@@@"])
def test_hostile_or_empty_arguments(fixture_store, query: str) -> None:
    with pytest.raises((BadArgument, UnknownTopic)) as info:
        find_topic(fixture_store.topics, query)
    if len(query) > MAX_QUERY_CHARS:
        assert f"limit is {MAX_QUERY_CHARS}" in str(info.value)


def test_normalise() -> None:
    assert normalise("  États-Unis ") == "etats unis"


def test_complete_prefers_prefix_matches(fixture_store) -> None:
    assert [t.id for t in complete(fixture_store.topics, "chi")] == ["china"]
    assert [t.id for t in complete(fixture_store.topics, "mosc")] == ["russia"]
    assert [t.id for t in complete(fixture_store.topics, "")] == ["china", "russia"]


# --- the curated topics' aliases: what people type, in English and French -------------------------

TYPED = {
    # people
    "trump": "united-states", "Donald Trump": "united-states", "biden": "united-states",
    "poutine": "russia", "Vladimir Putin": "russia", "xi jinping": "china", "zelensky": "ukraine",
    # places and regions, both languages
    "crimée": "ukraine", "crimea": "ukraine", "donetsk": "ukraine", "Louhansk": "ukraine",
    "zaporijjia": "ukraine", "kherson": "ukraine", "koursk": "ukraine", "taïwan": "china",
    "pologne": "nato", "pays baltes": "nato", "bruxelles": "europe", "maison blanche": "united-states",
    # events
    "ceasefire": "ukraine", "cessez-le-feu": "ukraine", "accord de paix": "ukraine", "trêve": "ukraine",
    "peace talks": "ukraine", "dégel": "us-russia-rapprochement", "normalisation": "us-russia-rapprochement",
    # nationality words
    "russian": "russia", "russe": "russia", "chinois": "china", "chinese": "china",
    "américain": "united-states", "ukrainien": "ukraine", "européen": "europe",
    # organisations
    "brics": "global-order", "BRICS+": "global-order", "g20": "global-order", "opep+": "energy",
    "otan": "nato", "ue": "europe", "kremlin": "russia", "caatsa": "sanctions",
}


@pytest.mark.parametrize(("typed", "topic"), sorted(TYPED.items()))
def test_what_people_type_finds_the_intended_topic(store, typed: str, topic: str) -> None:
    assert find_topic(store.topics, typed).id == topic


def curated_aliases() -> list[tuple[str, str]]:
    from tests.conftest import BRIEFS
    from bot.core.store import load_store
    return sorted((t.id, a) for t in load_store(BRIEFS).topics.values() for a in t.aliases)


@pytest.mark.parametrize(("topic", "alias"), curated_aliases())
def test_every_alias_resolves_to_its_own_topic(store, topic: str, alias: str) -> None:
    """No alias is shadowed by another topic's name (the first topic would silently win)."""
    assert find_topic(store.topics, alias).id == topic


def test_every_topic_has_aliases_in_both_languages(store) -> None:
    french = {"chine", "russie", "états-unis", "guerre en ukraine", "union européenne", "otan",
              "ordre mondial", "énergie", "sanctions occidentales", "rapprochement russo-américain"}
    for topic in store.topics.values():
        assert len(topic.aliases) >= 10, topic.id
        assert french & set(topic.aliases), f"{topic.id} has no French alias among {sorted(french)}"
