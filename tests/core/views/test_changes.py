"""A digest with more changes than one message holds links to the changes view, which pages through all of them."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.briefer import Briefer, parse_command
from bot.core.changes import ChangeLog
from bot.core.digest import DIGEST_CHARS, compose_digest, digest
from bot.core.document import Document, Item, line_text, visible_chars
from bot.core.store import Store
from bot.core.views.build import PAGE_CHARS
from bot.core.views.changes import NOT_IN_LOG, since_key
from bot.core.views.routes import decode
from tests.adapters.budgets import console_visible, discord_visible, slack_pages
from tests.fakes.big_edit import big_edit

@pytest.fixture
def world(store: Store, tmp_path: Path) -> tuple[Store, Store, ChangeLog]:
    """The store a channel was sent, the store after a big edit, and the change log the reloader wrote."""
    return (store, *big_edit(store, tmp_path))


def long_digest(world: tuple[Store, Store, ChangeLog]) -> tuple[Document, dict[str, set[str]]]:
    old, newer, log = world
    _, sent = digest(old, "all", None)
    result, _ = digest(newer, "all", sent, log.entries())
    changed = {t.topic.id: {c.id for c in t.changes} for t in result.topics if t.changes}
    return compose_digest(result, "Digest morning: after a big edit"), changed


def ids_on(doc: Document) -> set[str]:
    """The claim or position ids a changes page lists (each item's small print starts `claim ID`)."""
    return {line_text(b.note).split()[1] for s in doc.sections for b in s.blocks if isinstance(b, Item) and b.note}


def walk(briefer: Briefer, first: Document) -> list[Document]:
    """Every page of a paged view, following its ▶ button."""
    pages = [first]
    while nxt := [a for a in pages[-1].actions if a.label.endswith("▶")]:
        pages.append(briefer.open(nxt[0].target))
        assert len(pages) < 50
    return pages


def test_the_digest_stays_one_message_and_links_every_topic_it_cut(world: tuple[Store, Store, ChangeLog]) -> None:
    doc, changed = long_digest(world)
    assert visible_chars(doc) <= DIGEST_CHARS and len(slack_pages(doc)) == 1 and discord_visible(doc)[1] == 1
    more = [a for a in doc.actions if a.label.startswith("All ")]
    shown = {line_text(b.note).split()[1] for s in doc.sections if s.title.endswith("what changed")
             for b in s.blocks if isinstance(b, Item)}
    cut = {topic for topic, ids in changed.items() if ids - shown}
    assert cut and {decode(a.target).id for a in more} == cut
    assert all(decode(a.target).fp == since_key(world[0].version) for a in more)


def test_the_changes_view_pages_through_every_change_of_the_topic(world: tuple[Store, Store, ChangeLog]) -> None:
    doc, changed = long_digest(world)
    briefer = Briefer(world[1], changelog=world[2])
    for button in (a for a in doc.actions if a.label.startswith("All ")):
        topic = decode(button.target).id
        pages = walk(briefer, briefer.open(button.target))
        seen = [ids_on(p) for p in pages]
        assert set().union(*seen) == changed[topic]  # the log says what the channel's comparison said
        assert sum(map(len, seen)) == len(changed[topic])  # no change on two pages
        for page in pages:
            assert visible_chars(page) <= PAGE_CHARS and len(slack_pages(page)) == 1
            assert discord_visible(page)[1] == 1 and console_visible(page) <= PAGE_CHARS
            assert any(a.label == "⬅ Summary" for a in page.actions)


def test_the_typed_command_opens_the_same_page(world: tuple[Store, Store, ChangeLog]) -> None:
    doc, _ = long_digest(world)
    briefer = Briefer(world[1], changelog=world[2])
    button = next(a for a in doc.actions if a.label.startswith("All "))
    clicked = walk(briefer, briefer.open(button.target))
    assert len(clicked) > 1
    for page, action in ((clicked[0], button), (clicked[1], next(a for a in clicked[0].actions if a.label.endswith("▶")))):
        typed, request = briefer.answer(action.command.removeprefix("/brief "))
        assert request is not None and request.view == "changes"
        assert typed.sections == page.sections and typed.title == page.title


def test_a_version_the_log_does_not_know_says_so(world: tuple[Store, Store, ChangeLog]) -> None:
    briefer = Briefer(world[1], changelog=world[2])
    doc, _ = briefer.answer("china changes 0123456789ab")
    assert NOT_IN_LOG in str(doc.model_dump()) and [a.command for a in doc.actions] == ["/brief china"]
    without_log, _ = Briefer(world[1]).answer(f"china changes {since_key(world[0].version)}")
    assert NOT_IN_LOG in str(without_log.model_dump())


def test_parse_command_reads_the_changes_view() -> None:
    assert parse_command("china changes 0a1b2c3d4e 2").view == "changes"
    request = parse_command("china changes 0A1B2C3D4E 2")
    assert (request.topic, request.since, request.page) == ("china", "0a1b2c3d4e", 1)
    assert parse_command("china changes").view != "changes"  # no key: not this view
    assert parse_command("china changes <script>").view != "changes"
