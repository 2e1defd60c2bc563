"""Character budgets are behaviour: every summary within 1,800 visible characters and every view in one
message, on Slack, Discord and the console, for each topic of briefs/ and a 2,000-claim topic."""
from __future__ import annotations

import pytest

from bot.adapters.discord.embeds import embed_problems
from bot.core.briefer import Briefer
from bot.core.store import Store, load_store
from bot.core.views.build import SUMMARY_CHARS
from tests.adapters.budgets import console_visible, discord_visible, slack_pages, slack_visible
from tests.conftest import BRIEFS
from tests.fakes.slack_api import block_problems
from tests.fakes.synthetic import one_big_topic_store

VIEW_CHARS = 4000  # any other view: well inside one Slack message (12,000) and one Discord message (6,000)


@pytest.fixture(scope="module")
def real() -> Briefer:
    return Briefer(load_store(BRIEFS))


@pytest.fixture(scope="module")
def big() -> Briefer:
    return Briefer(one_big_topic_store(claims=2000))


def _topics() -> list[str]:
    return sorted(load_store(BRIEFS).topics)


def assert_one_message(briefer: Briefer, text: str, budget: int) -> None:
    doc, _ = briefer.answer(text)
    pages = slack_pages(doc)
    assert len(pages) == 1 and block_problems(pages[0]) == [], text
    assert slack_visible(pages[0]) <= budget, (text, slack_visible(pages[0]))
    chars, messages = discord_visible(doc)
    assert messages == 1 and chars <= budget, (text, chars, messages)
    from bot.adapters.discord.embeds import render_embeds
    assert embed_problems(render_embeds(doc)[0]) == []
    assert console_visible(doc) <= budget, (text, console_visible(doc))


@pytest.mark.parametrize("topic", _topics())
def test_every_summary_of_briefs_fits_the_budget_everywhere(real: Briefer, topic: str) -> None:
    assert_one_message(real, topic, SUMMARY_CHARS)


def test_a_2000_claim_summary_fits_the_budget_everywhere(big: Briefer) -> None:
    assert len(big.store.claims_for("big")) == 2000
    assert_one_message(big, "big", SUMMARY_CHARS)
    doc, _ = big.answer("big")
    assert "Most serious flags (3 of" in "".join(s.title for s in doc.sections)


@pytest.mark.parametrize("view", ["thesis", "flagged", "positions", "sources", "flagged 3", "thesis 6", "sources 2",
                                  "flagged 9999"])
def test_every_other_view_of_the_big_topic_is_one_message(big: Briefer, view: str) -> None:
    assert_one_message(big, f"big {view}", VIEW_CHARS)


@pytest.mark.parametrize("text", ["source src-1", "claim c-3-0", "claim c-12-4", "reuters", "sanctions relief", "pékin"])
def test_cards_and_search_results_are_one_message(big: Briefer, text: str) -> None:
    assert_one_message(big, text, VIEW_CHARS)


@pytest.mark.parametrize("topic", _topics())
def test_every_view_of_every_real_topic_is_one_message(real: Briefer, topic: str) -> None:
    for view in ("thesis", "flagged", "positions", "sources"):
        assert_one_message(real, f"{topic} {view}", VIEW_CHARS)


def test_every_card_of_briefs_is_one_message(real: Briefer) -> None:
    store: Store = real.store
    for claim in store.claims:
        assert_one_message(real, f"claim {claim}", VIEW_CHARS)
    for source in store.sources:
        assert_one_message(real, f"source {source}", VIEW_CHARS)


def test_hostile_source_text_stays_inert_in_every_view(fixture_store: Store) -> None:
    import json

    from bot.core.store import build_store
    from tests.fakes.documents import HOSTILE

    sources = [s.model_copy(update={"title": HOSTILE[:200], "claims": tuple(c.model_copy(update={"statement": HOSTILE, "speaker": "<!channel>"})
                                                                            for c in s.claims)})
               for s in fixture_store.sources.values()]
    briefer = Briefer(build_store(list(fixture_store.topics.values()), sources, "hostile"))
    for text in ("china", "china flagged", "china sources", "china positions", "everyone", f"claim {sources[0].claims[0].id}"):
        doc, _ = briefer.answer(text)
        # mrkdwn is where Slack parses mentions and links; plain_text (header, buttons, options) shows them as typed.
        slack = json.dumps(_mrkdwn(slack_pages(doc)[0]))
        assert "<!channel>" not in slack and "<@123456789012345678>" not in slack and "<http" not in slack, text
        from bot.adapters.discord.embeds import render_embeds
        discord_text = json.dumps([e.to_dict() for e in render_embeds(doc)[0]], ensure_ascii=False)
        assert "@everyone" not in discord_text.replace("@\u200beveryone", ""), text
        if text == "china flagged":
            assert "&lt;!channel&gt;" in slack and "@\u200beveryone" in discord_text  # shown, but inert


def _mrkdwn(blocks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    out = []
    for block in blocks:
        texts = [block.get("text") or {}, *block.get("elements", [])]
        out += [t["text"] for t in texts if isinstance(t, dict) and t.get("type") == "mrkdwn"]
    return out
