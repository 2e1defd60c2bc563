"""ClaimReview JSON-LD and whole-store JSON exports."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.labels import LABEL_TEXT, Label, label_of
from bot.core.models import Source, Topic
from bot.core.store import Store, build_store, load_store
from bot.curation.export import RATING, UNRATED, Reviewer, claim_reviews, store_json
from tests.conftest import BRIEFS, FIXTURE_BRIEFS

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
REVIEWER = Reviewer("Test curators", "https://curators.example.org/", "https://brief.example.org/")


def curated_store() -> Store:
    if not (BRIEFS / "topics").is_dir() or not any((BRIEFS / "topics").glob("*.yaml")):
        pytest.skip("briefs/ is not in this branch yet (it is curated elsewhere and merged later)")
    return load_store(BRIEFS)


def assert_required_fields(review: dict, store: Store) -> None:
    """The fields Google's ClaimReview guidelines require or recommend, checked one by one."""
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert isinstance(review["claimReviewed"], str) and review["claimReviewed"].strip()
    assert review["url"].startswith("https://brief.example.org/claims/")
    assert review["author"]["@type"] == "Organization" and review["author"]["name"]
    assert DATE.match(review["datePublished"])
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating" and isinstance(rating["alternateName"], str) and rating["alternateName"]
    assert all(isinstance(rating[k], int) for k in ("ratingValue", "bestRating", "worstRating"))
    assert 1 <= rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert rating["worstRating"] < rating["bestRating"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim" and DATE.match(item["datePublished"])
    assert item["appearance"], "a claim needs at least one appearance"
    for work in [*item["appearance"], item["firstAppearance"]]:
        assert work["@type"] and (work.get("url") or work.get("name"))
        assert work["publisher"]["@type"] == "Organization" and work["publisher"]["name"]
    for author in item.get("author", []):
        assert author["@type"] in ("Person", "Organization") and author["name"]
    claim = store.claims[review["identifier"]].claim
    label = label_of(claim)
    assert rating["alternateName"] == LABEL_TEXT[label] and rating["ratingValue"] == RATING[label]
    assert claim.statement == review["claimReviewed"]


def test_every_rated_fixture_claim_has_every_required_field(fixture_store: Store) -> None:
    reviews = claim_reviews(fixture_store, REVIEWER, date(2025, 3, 1))
    rated = [c for c in fixture_store.claims if label_of(fixture_store.claims[c].claim) not in UNRATED]
    assert sorted(r["identifier"] for r in reviews) == sorted(rated) and len(rated) == 3
    for review in reviews:
        assert_required_fields(review, fixture_store)
        assert review["datePublished"] == "2025-03-01"


def test_every_rated_curated_claim_has_every_required_field() -> None:
    store = curated_store()
    reviews = claim_reviews(store, REVIEWER)
    assert reviews
    for review in reviews:
        assert_required_fields(review, store)


def test_the_rating_scale_runs_from_contradicted_to_supported_and_skips_forecasts_and_opinions() -> None:
    assert RATING[Label.SUPPORTED] == 5 and RATING[Label.CONTRADICTED] == 1
    assert RATING[Label.SUPPORTED] > RATING[Label.DISPUTED] > RATING[Label.UNSUPPORTED] > RATING[Label.CONTRADICTED]
    assert set(RATING) == set(Label) - {Label.OPINION, Label.FORECAST} and not set(RATING) & UNRATED


def test_claim_authors_follow_attribution(fixture_store: Store) -> None:
    reviews = {r["identifier"]: r for r in claim_reviews(fixture_store, REVIEWER)}
    assert reviews["rewrite-peskov"]["itemReviewed"]["author"] == [
        {"@type": "Person", "name": "Dmitry Peskov, Kremlin spokesman"}]
    assert "author" not in reviews["rewrite-end-cooperation"]["itemReviewed"]  # anonymous: no claimant
    assert reviews["oped-split"]["itemReviewed"]["author"] == [{"@type": "Organization", "name": "LinkedIn"}]
    appearance = reviews["oped-split"]["itemReviewed"]["appearance"][0]
    assert appearance["@type"] == "OpinionNewsArticle" and appearance["datePublished"] == "2025-01"


def test_the_json_export_round_trips_to_the_same_store(fixture_store: Store) -> None:
    data = json.loads(json.dumps(store_json(fixture_store)))
    again = build_store([Topic.model_validate(t) for t in data["topics"]],
                        [Source.model_validate(s) for s in data["sources"]], "again")
    assert again.topics == fixture_store.topics and again.sources == fixture_store.sources
    assert data["labels"]["rewrite-deep-state"] == "opinion" and data["store_version"] == fixture_store.version


def test_the_cli_writes_claimreview_and_warns_without_a_base_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "reviews.json"
    assert main(["--briefs", str(FIXTURE_BRIEFS), "export", "--format", "claimreview", "--out", str(out)]) == 0
    reviews = json.loads(out.read_text())
    assert len(reviews) == 3 and all("url" not in r for r in reviews)
    assert "--base-url" in capsys.readouterr().err
    assert main(["--briefs", str(FIXTURE_BRIEFS), "export", "--format", "json",
                 "--base-url", "https://x.example"]) == 0
    assert json.loads(capsys.readouterr().out)["schema_version"] == 2


def test_the_cli_refuses_to_export_a_broken_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "topics").mkdir()
    (tmp_path / "sources").mkdir()
    (tmp_path / "topics" / "china.yaml").write_text("id: china\ntitle: China\n")
    assert main(["--briefs", str(tmp_path), "export"]) == 1
    assert "topics/china.yaml:1" in capsys.readouterr().err
