"""Synthetic oversized briefs and stores, for testing renderers against platform limits."""
from __future__ import annotations

from bot.core.briefer import Briefer
from bot.core.compose import compose_brief
from bot.core.document import Document, Item, Note, Section, Text, bold, code, italic, plain
from bot.core.models import Topic
from bot.core.store import build_store

HOSTILE = "@everyone @here <@123456789012345678> <@&123456789012345678> **bold** `tick` _u_ [x](http://e.com) > q"


def oversized_brief(briefer: Briefer, topic: str = "china", copies: int = 120) -> Document:
    """A real brief from the store, its claims, flags and positions repeated until it is enormous."""
    brief = briefer.brief(topic)
    long_topic = brief.topic.model_copy(update={"title": "China " * 80})
    grown = brief.model_copy(update={
        "topic": long_topic,
        "claims": brief.claims * copies,
        "flagged": brief.flagged * copies,
        "positions": brief.positions * copies,
    })
    return compose_brief(grown)


def oversized_document() -> Document:
    """Every part of a document over its Discord limit: title, summary, a block, a section title, footer."""
    unbroken = "x" * 9000
    items = [
        Item(badge="🤔", head=[bold(f"Claim {n} "), plain(HOSTILE)],
             body=[[plain("A statement " * 30)], [italic("“a quote” " * 20)], [code("could")]],
             note=[plain(f"claim c{n}")])
        for n in range(300)
    ]
    return Document(
        title="T*" * 600,
        summary=[plain("summary " * 1500)],
        sections=[
            Section(title="S" * 500, blocks=[Text(line=[plain(unbroken)]), Note(line=[plain("\\" * 5000)])]),
            Section(title="Items", blocks=items),
            Section(title="Empty"),
        ],
        footer="footer " * 800 + HOSTILE,
    )


def many_topics_briefer(count: int) -> Briefer:
    """A Briefer over `count` topics with long titles and aliases."""
    topics = [
        Topic(id=f"topic-{n:03d}", title=f"Topic number {n} " + "long " * 18, description="d",
              aliases=[f"alias {n} " + "very " * 15])
        for n in range(count)
    ]
    return Briefer(build_store(topics, [], "test"))
