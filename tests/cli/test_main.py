"""The command line: validate, brief, topics, sources, claims, schema, in every format."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.conftest import BRIEFS, FIXTURE_BRIEFS, SEEDS

FIX = ["--briefs", str(FIXTURE_BRIEFS)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_curated_store_validates_against_the_seed_archive(capsys) -> None:
    code, out, err = run(capsys, "--briefs", str(BRIEFS), "validate", "--archive", str(SEEDS))
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith("ok: ")


def test_validate_reports_file_line_and_field(capsys, tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    shutil.copytree(FIXTURE_BRIEFS, root)
    path = root / "sources" / "paper.yaml"
    path.write_text(path.read_text().replace("kind: news-report", "kind: tabloid"))
    code, out, err = run(capsys, "--briefs", str(root), "validate")
    assert code == 1
    assert "briefs/sources/paper.yaml:6 [kind] error: 'tabloid' is not allowed" in out
    assert "these files would be refused" in err


def test_brief_china_json_lists_every_position_and_flags(capsys) -> None:
    code, out, _ = run(capsys, "--briefs", str(BRIEFS), "brief", "china", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["topic"]["id"] == "china"
    from bot.core.store import load_store
    store = load_store(BRIEFS)
    discussing = {s.id for s, _ in store.positions_for("china")}
    assert {p["source"]["id"] for p in data["positions"]} == discussing and len(discussing) >= 3
    flagged_ids = {f["id"] for f in data["flagged"]}
    expected = {e.claim.id for e in store.claims_for("china") if e.claim.evidence.value == "unsupported"}
    assert expected and expected <= flagged_ids
    assert all(f["reasons"] and f["label"] and f["source"] for f in data["flagged"])


def test_french_alias_gives_the_same_brief(capsys) -> None:
    _, english, _ = run(capsys, "--briefs", str(BRIEFS), "brief", "china", "--format", "json")
    _, french, _ = run(capsys, "--briefs", str(BRIEFS), "brief", "chine", "--format", "json")
    assert english == french


def test_unknown_topic_exits_non_zero_with_suggestions(capsys) -> None:
    code, out, err = run(capsys, *FIX, "brief", "chnia")
    assert code == 2 and out == ""
    assert "Did you mean china?" in err


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_brief_text_formats(capsys, fmt: str) -> None:
    code, out, _ = run(capsys, *FIX, "brief", "russie", "--full", "--format", fmt)
    assert code == 0
    assert "Brief: Russia" in out and "Flagged claims" in out and "selon des sources proches" in out


def test_topics_and_sources_json(capsys) -> None:
    _, out, _ = run(capsys, *FIX, "topics", "--format", "json")
    assert [t["id"] for t in json.loads(out)] == ["china", "russia"]
    _, out, _ = run(capsys, *FIX, "sources", "--format", "json")
    sources = {s["id"]: s for s in json.loads(out)}
    assert sources["rewrite"]["origins"] == ["paper"] and "archive" in sources["rewrite"]
    assert sources["rewrite"]["claims"] == ["rewrite-end-cooperation", "rewrite-peskov", "rewrite-deep-state"]


def test_claims_filters(capsys) -> None:
    _, out, _ = run(capsys, *FIX, "claims", "--source", "rewrite", "--flagged", "--format", "json")
    assert [c["id"] for c in json.loads(out)] == ["rewrite-end-cooperation", "rewrite-deep-state"]
    _, out, _ = run(capsys, *FIX, "claims", "--topic", "chine", "--format", "json")
    assert [c["id"] for c in json.loads(out)] == ["oped-split", "rewrite-end-cooperation"]
    code, _, err = run(capsys, *FIX, "claims", "--source", "nope")
    assert code == 2 and "No source called" in err


def test_broken_store_gives_errors_not_a_brief(capsys, tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    shutil.copytree(FIXTURE_BRIEFS, root)
    (root / "topics" / "china.yaml").write_text("id: china\ntitle: [")
    code, out, err = run(capsys, "--briefs", str(root), "brief", "russia")
    assert code == 1 and out == "" and "briefs/topics/china.yaml" in err


def test_schema_is_published(capsys, tmp_path: Path) -> None:
    code, _, _ = run(capsys, "schema", "--out", str(tmp_path))
    assert code == 0
    schema = json.loads((tmp_path / "source.schema.json").read_text())
    assert schema["additionalProperties"] is False
    assert "evidence" in json.dumps(schema["$defs"]["Claim"])


def test_published_schema_is_current(tmp_path: Path) -> None:
    from bot.core.schema import write_schemas
    for path in write_schemas(tmp_path):
        committed = BRIEFS.parent / "schema" / path.name
        assert committed.read_text() == path.read_text(), f"run `briefbot schema` to refresh {path.name}"


def test_validate_checks_config_against_the_store(capsys, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(BRIEFS.parent / "config", config)
    path = config / "digests.yaml"
    path.write_text(path.read_text().replace("topics: all", "topics: [china, atlantis]"))
    code, out, _ = run(capsys, "--briefs", str(BRIEFS), "--config", str(config), "validate")
    assert code == 1
    assert "config/digests.yaml:11 [digests.0.topics.1] error: unknown topic 'atlantis'" in out
