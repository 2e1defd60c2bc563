"""Each adapter renders a prepared brief once per store snapshot, however many requests ask for it."""
from __future__ import annotations

from bot.adapters.discord import embeds
from bot.adapters.discord.cache import render_embeds
from bot.adapters.slack import blocks
from bot.adapters.slack.cache import render_blocks
from bot.core.briefer import Briefer, prepare
from bot.core.store import Store


def test_a_brief_is_served_as_one_document_per_snapshot(fixture_store: Store) -> None:
    briefer = Briefer(fixture_store)
    first, _ = briefer.answer("china")
    assert briefer.answer("CHINE")[0] is first
    briefer.swap(prepare(fixture_store))
    again, _ = briefer.answer("china")
    assert again is not first and again == first


def test_slack_pages_are_rendered_once_per_document(fixture_store: Store) -> None:
    briefer = Briefer(fixture_store)
    doc, _ = briefer.answer("china")
    button = [{"type": "actions", "elements": []}]
    one, two = render_blocks(doc, extra=button), render_blocks(doc, extra=button)
    assert one == two == blocks.render_blocks(doc, extra=button)
    assert all(a is b for page_a, page_b in zip(one, two) for a, b in zip(page_a, page_b))  # not rendered again
    one[0].append({"type": "divider"})  # a caller changing its pages does not change the next answer
    assert render_blocks(doc, extra=button) == two
    assert render_blocks(doc) == blocks.render_blocks(doc)  # other arguments, other entry
    briefer.swap(prepare(fixture_store))
    fresh, _ = briefer.answer("china")
    assert render_blocks(fresh, extra=button)[0][0] is not two[0][0]  # a new snapshot is rendered afresh


def test_discord_embeds_are_rendered_once_per_document(fixture_store: Store) -> None:
    doc, _ = Briefer(fixture_store).answer("china")
    one, two = render_embeds(doc), render_embeds(doc)
    assert [p is q for p, q in zip(one, two)] == [True] * len(one)
    assert [[e.to_dict() for e in page] for page in one] == [[e.to_dict() for e in page] for page in embeds.render_embeds(doc)]
    assert render_embeds(doc, marker="ref 1") != one
