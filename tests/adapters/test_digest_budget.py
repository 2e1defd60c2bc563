"""The compact digest: one message per channel for the shipped config, within 3,000 visible characters on
every platform, each source's position once, no repeated boilerplate, a button per topic."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import load_config
from bot.core.digest import DIGEST_CHARS, FIRST_DIGEST, compose_digest, digest
from bot.core.document import Document, line_text, visible_chars
from bot.core.store import Store, build_store, load_store
from tests.adapters.budgets import console_visible, discord_visible, slack_pages, slack_visible
from tests.conftest import BRIEFS
from tests.fakes.slack_api import block_problems

CONFIG = Path(__file__).resolve().parents[2] / "config"


def shipped(store: Store, since=None) -> list[Document]:  # type: ignore[no-untyped-def]
    """Every digest of config/ composed as the runner does, for a channel last sent `since`."""
    docs = []
    for d in load_config(CONFIG).digests.values():
        result, _ = digest(store, d.topics, since)
        docs.append(compose_digest(result, f"Digest {d.id}: Monday 01 December 2025, 08:00 ({d.timezone})",
                                   positions=d.include.positions, changes=d.include.changes, flagged=d.include.flagged))
    return docs


def assert_one_message_within_budget(doc: Document) -> None:
    assert visible_chars(doc) <= DIGEST_CHARS
    pages = slack_pages(doc)
    assert len(pages) == 1 and block_problems(pages[0]) == [] and slack_visible(pages[0]) <= DIGEST_CHARS
    chars, messages = discord_visible(doc)
    assert messages == 1 and chars <= DIGEST_CHARS
    assert console_visible(doc) <= DIGEST_CHARS


def test_the_shipped_digest_is_one_message_within_budget(store: Store) -> None:
    docs = shipped(store)
    assert docs
    for doc in docs:
        assert_one_message_within_budget(doc)
        text = "\n".join(line_text(b.line) for s in doc.sections for b in s.blocks if hasattr(b, "line"))
        text += line_text(doc.summary)
        assert text.count("First digest") == 1 and FIRST_DIGEST in line_text(doc.summary)
        assert [a.command for a in doc.actions] == [f"/brief {t}" for t in sorted(store.topics)]


def test_each_source_position_is_listed_once(store: Store) -> None:
    doc = shipped(store)[0]
    section = next(s for s in doc.sections if s.title == "Each source's position")
    titles = [line_text(b.line) for b in section.blocks]  # type: ignore[union-attr]
    assert len(titles) == len({s.id for t in store.topics for s, _ in store.positions_for(t)})


def test_a_digest_after_many_changes_still_fits(store: Store) -> None:
    _, sent = digest(store, "all", None)
    edited = [s.model_copy(update={"claims": tuple(c.model_copy(update={"statement": c.statement + " (reworded)"})
                                                    for c in s.claims[::2])}) for s in store.sources.values()]
    newer = build_store(list(store.topics.values()), edited, "v2")
    result, _ = digest(newer, "all", sent)
    assert sum(len(t.changes) for t in result.topics) > 50
    doc = compose_digest(result, "Digest morning: after a big edit")
    assert_one_message_within_budget(doc)
    assert any(s.title.endswith(": what changed") for s in doc.sections)
    assert "more change(s)" in str(doc.model_dump())


@pytest.mark.parametrize("include", [dict(positions=False), dict(changes=False), dict(flagged=False)])
def test_include_switches_leave_it_within_budget(store: Store, include: dict[str, bool]) -> None:
    result, _ = digest(load_store(BRIEFS), "all", None)
    assert_one_message_within_budget(compose_digest(result, "Digest", **include))
