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
