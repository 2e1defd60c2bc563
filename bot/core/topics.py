"""Finding a topic from what a user typed: case, accents and aliases ignored, typos suggested."""
from __future__ import annotations

import difflib
import unicodedata

from bot.core.errors import BadArgument, UnknownTopic
from bot.core.models import Topic

MAX_QUERY_CHARS = 100


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation noise, collapse spaces: 'Pékin ' -> 'pekin'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(cleaned.split())


def topic_names(topic: Topic) -> list[str]:
    """Every normalised name a topic answers to: id, title and aliases."""
    names = [topic.id, topic.id.replace("-", " "), topic.title, *topic.aliases]
    return list(dict.fromkeys(normalise(n) for n in names if normalise(n)))


def name_index(topics: dict[str, Topic]) -> dict[str, str]:
    """Map each normalised name to its topic id (first topic wins on a clash)."""
    index: dict[str, str] = {}
    for topic in topics.values():
        for name in topic_names(topic):
            index.setdefault(name, topic.id)
    return index


def check_query(query: str) -> str:
    """Reject an oversized or empty argument with a clear message; return it normalised."""
    if len(query) > MAX_QUERY_CHARS:
        raise BadArgument(f"That topic name is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
    key = normalise(query)
    if not key:
        raise BadArgument("Give a topic name made of letters or digits.")
    return key


def find_topic(topics: dict[str, Topic], query: str, index: dict[str, str] | None = None) -> Topic:
    """The topic `query` names; UnknownTopic with suggestions when none matches."""
    key = check_query(query)
    index = index if index is not None else name_index(topics)
    if key in index:
        return topics[index[key]]
    raise UnknownTopic(query, suggest(topics, key, index))


def suggest(topics: dict[str, Topic], key: str, index: dict[str, str], limit: int = 3) -> list[str]:
    """Topic ids whose names are close to `key`, best first."""
    close = difflib.get_close_matches(key, list(index), n=limit * 3, cutoff=0.6)
    prefix = [name for name in index if name.startswith(key)] if len(key) >= 2 else []
    ids = [index[name] for name in [*prefix, *close]]
    return list(dict.fromkeys(ids))[:limit]


def complete(topics: dict[str, Topic], typed: str, limit: int = 25) -> list[Topic]:
    """Topics for autocomplete: names that start with, then contain, what was typed."""
    key = normalise(typed[:MAX_QUERY_CHARS])
    if not key:
        return sorted(topics.values(), key=lambda t: t.id)[:limit]
    starts, contains = [], []
    for topic in sorted(topics.values(), key=lambda t: t.id):
        names = topic_names(topic)
        if any(n.startswith(key) for n in names):
            starts.append(topic)
        elif any(key in n for n in names):
            contains.append(topic)
    return [*starts, *contains][:limit]
