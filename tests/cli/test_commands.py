"""The view commands: brief's summary, --view and --full; show; search; claims --speaker and --search."""
from __future__ import annotations

import json

import pytest

from bot.cli.main import main
from bot.core.briefing import Brief
from bot.core.views.build import SUMMARY_CHARS
from bot.core.views.routes import decode
from tests.conftest import BRIEFS

REAL = ["--briefs", str(BRIEFS)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*REAL, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_brief_prints_the_summary_by_default_and_everything_with_full(capsys) -> None:
    code, summary, _ = run(capsys, "brief", "china")
    assert code == 0 and summary.startswith("Brief: China") and "Bottom line:" in summary
    assert "More: /brief china thesis · /brief china flagged" in summary and len(summary) < 2 * SUMMARY_CHARS
    _, full, _ = run(capsys, "brief", "china", "--full")
    assert "Flagged claims" in full and "Other key claims" in full and len(full) > 2 * len(summary)


def test_json_keeps_the_brief_contract_and_adds_the_view(capsys) -> None:
    _, out, _ = run(capsys, "brief", "russie", "--view", "flagged", "--page", "2", "--format", "json")
    data = json.loads(out)
    assert data["schema_version"] == Brief.field_default("schema_version") and data["topic"]["id"] == "russia" and data["flagged"]
    view = data["view"]
    assert (view["name"], view["page"]) == ("flagged", 2) and decode(view["route"]).page == 1
    assert view["document"]["title"] == "Flagged: Russia" and "page 2 of" in view["document"]["sections"][0]["title"]


def test_show_claim_and_source_cards(capsys) -> None:
    code, out, _ = run(capsys, "show", "claim", "cmt-peskov-cannot-dance-alone")
    assert code == 0 and "danser seule" in out and "[fr]" in out and "evidence supported" in out
    code, out, _ = run(capsys, "show", "claim", "anl-china-trade-adversary")
    assert code == 0 and "Corroborated by:" in out and "claim oped-china-main-rival" in out and "origins:" in out
    code, out, _ = run(capsys, "show", "source", "wsj-russia-china-offer-report", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["id"] == "wsj-russia-china-offer-report" and data["view"]["document"]["title"].startswith("Source:")
    code, _, err = run(capsys, "show", "claim", "no-such-claim")
    assert code == 2 and "No claim called “no-such-claim”" in err and "Traceback" not in err


def test_search_json_carries_kind_and_id(capsys) -> None:
    code, out, _ = run(capsys, "search", "wall", "street", "journal", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["query"] == "wall street journal"
    first = data["results"][0]
    assert (first["kind"], first["id"]) == ("source", "wsj-russia-china-offer-report")
    relayed = {r["id"] for r in data["results"] if r["via"] == "wsj-russia-china-offer-report"}
    assert relayed and all(r["kind"] in ("claim", "source", "topic") for r in data["results"])
    _, out, _ = run(capsys, "search", "sanctions", "--format", "json")
    assert {"topic", "claim"} <= {r["kind"] for r in json.loads(out)["results"]}


def test_search_text_and_an_empty_result(capsys) -> None:
    code, out, _ = run(capsys, "search", "pankin")
    assert code == 0 and "Pankin" in out and "claim cmt-pankin-20000-sanctions" in out
    code, out, _ = run(capsys, "search", "qqqzzzx", "--format", "json")
    assert code == 0 and json.loads(out)["results"] == []


def test_claims_by_speaker_and_by_search_show_ids(capsys) -> None:
    _, out, _ = run(capsys, "claims", "--speaker", "PÉSKOV", "--format", "json")
    assert [c["id"] for c in json.loads(out)] == ["cmt-peskov-cannot-dance-alone"]
    _, out, _ = run(capsys, "claims", "--speaker", "peskov")
    assert "(claim cmt-peskov-cannot-dance-alone · " in out
    _, out, _ = run(capsys, "claims", "--search", "lifting of sanctions", "--format", "json")
    ids = [c["id"] for c in json.loads(out)]
    assert ids and ids[0] == "oped-sanctions-relief-lever"


def test_bad_arguments_get_clear_answers(capsys) -> None:
    with pytest.raises(SystemExit):
        main([*REAL, "brief", "china", "--page", "0"])
    assert "a page is a number" in capsys.readouterr().err
    code, _, err = run(capsys, "search", "x" * 500)
    assert code == 2 and "500 characters long" in err
