"""Loading and validating briefs/: every kind of bad file is reported with file, line and field."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.problems import Problem, StoreInvalid
from bot.core.store import check_store, load_store
from tests.store_files import edit, fixture_copy


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A writable copy of the fixture store."""
    return fixture_copy(tmp_path)


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def errors(root: Path, archive: Path | None = None) -> list[Problem]:
    store, problems = check_store(root, archive)
    errs = [p for p in problems if p.severity == "error"]
    assert store is None and errs, "a broken store must not load"
    return errs


def test_fixture_store_loads_with_indexes(tree: Path) -> None:
    store = load_store(tree)
    assert set(store.topics) == {"china", "russia"}
    assert [e.claim.id for e in store.claims_for("china")] == ["oped-split", "rewrite-end-cooperation"]
    assert [s.id for s, _ in store.positions_for("russia")] == ["rewrite"]


def test_bad_yaml_names_file_and_line(tree: Path) -> None:
    edit(tree, "sources/oped.yaml", "kind: op-ed", "kind: [op-ed")
    (p,) = errors(tree)
    assert p.file == "briefs/sources/oped.yaml" and "bad YAML" in p.message
    assert p.line >= line_of(tree, "sources/oped.yaml", "kind: [op-ed")


def test_unknown_field(tree: Path) -> None:
    edit(tree, "sources/oped.yaml", "note: Speculative.", "note: Speculative.\nslant: left")
    (p,) = errors(tree)
    assert (p.file, p.line, p.field, p.message) == (
        "briefs/sources/oped.yaml", line_of(tree, "sources/oped.yaml", "slant:"), "slant", "unknown field")


def test_wrong_enum_in_a_claim(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "evidence: unsupported", "evidence: probably-false")
    (p,) = errors(tree)
    assert p.field == "claims.0.evidence"
    assert p.line == line_of(tree, "sources/rewrite.yaml", "probably-false")
    assert "'probably-false' is not allowed" in p.message and "supported" in p.message


def test_missing_required_field_points_at_its_parent(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "    reason: Conspiratorial framing, not a checkable claim.\n", "")
    (p,) = errors(tree)
    assert p.field == "claims.2.reason" and p.message == "required field is missing"
    assert p.line == line_of(tree, "sources/rewrite.yaml", "id: rewrite-deep-state")


def test_duplicate_claim_id_across_files(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "id: rewrite-peskov", "id: oped-split")
    (p,) = errors(tree)
    assert p.file == "briefs/sources/rewrite.yaml" and "duplicate claim id 'oped-split'" in p.message
    assert "briefs/sources/oped.yaml" in p.message


def test_duplicate_source_id_and_file_name_mismatch(tree: Path) -> None:
    shutil.copy(tree / "sources/paper.yaml", tree / "sources/paper2.yaml")
    messages = [p.message for p in errors(tree)]
    assert any("must match file name 'paper2'" in m for m in messages)
    assert any("duplicate source id 'paper'" in m for m in messages)


def test_unknown_topic_and_source_references(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "topics: [china, russia]", "topics: [china, rusia]")
    edit(tree, "sources/rewrite.yaml", "derived_from: [paper]", "derived_from: [papr]")
    found = {(p.field, p.message) for p in errors(tree)}
    assert ("claims.0.topics.1", "unknown topic 'rusia'; did you mean 'russia'?") in found
    assert ("derived_from.0", "unknown source 'papr'; did you mean 'paper'?") in found


def test_broken_claim_link_and_thesis(tree: Path) -> None:
    edit(tree, "sources/rewrite.yaml", "corroborates: [oped-split]", "corroborates: [oped-splitt]")
    edit(tree, "sources/oped.yaml", "{thesis: weakens-ties, stance: supports}", "{thesis: weakens, stance: supports}")
    found = {(p.file, p.field, p.message) for p in errors(tree)}
    assert ("briefs/sources/rewrite.yaml", "claims.0.corroborates.0",
            "unknown claim 'oped-splitt'; did you mean 'oped-split'?") in found
    assert ("briefs/sources/oped.yaml", "positions.0.stances.0.thesis",
            "unknown thesis 'weakens' of topic 'china'; did you mean 'weakens-ties'?") in found


def test_every_problem_is_reported_at_once(tree: Path) -> None:
    edit(tree, "sources/oped.yaml", "kind: op-ed", "kind: blog")
    edit(tree, "topics/russia.yaml", "title: Russia", "title: Russia\ncolour: red")
    edit(tree, "sources/rewrite.yaml", "language: fr", "language: French")
    files = {p.file for p in errors(tree)}
    assert files == {"briefs/sources/oped.yaml", "briefs/topics/russia.yaml", "briefs/sources/rewrite.yaml"}


def test_load_store_raises_with_every_problem(tree: Path) -> None:
    edit(tree, "sources/oped.yaml", "kind: op-ed", "kind: blog")
    with pytest.raises(StoreInvalid) as info:
        load_store(tree)
    assert "briefs/sources/oped.yaml" in str(info.value)


def test_duplicate_yaml_key(tree: Path) -> None:
    edit(tree, "sources/paper.yaml", "kind: news-report", "kind: news-report\nkind: rewrite")
    (p,) = errors(tree)
    assert (p.field, p.message) == ("kind", "key appears twice in one mapping")


def test_partial_dates(tree: Path) -> None:
    edit(tree, "sources/paper.yaml", "published: 2025", "published: 2025-13")
    (p,) = errors(tree)
    assert p.field == "published" and "YYYY" in p.message


def test_quotes_are_checked_against_the_archive(tree: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    edit(tree, "sources/oped.yaml", "kind: op-ed", "kind: op-ed\narchive: oped.txt")
    (archive / "oped.txt").write_text("Some say   this could split\nRussia from China, according to sources.")
    store, problems = check_store(tree, archive)
    assert store is not None, problems  # whitespace differences are forgiven
    (archive / "oped.txt").write_text("this could divide Russia from China")
    (p,) = errors(tree, archive)
    assert p.field == "claims.0.quote" and "does not appear verbatim in oped.txt" in p.message
    (archive / "oped.txt").unlink()
    (p,) = errors(tree, archive)
    assert p.field == "archive" and "not found" in p.message


def test_rating_and_signals_disagreement_is_a_warning(tree: Path) -> None:
    store, problems = check_store(tree)
    assert store is not None
    warnings = [p for p in problems if p.severity == "warning"]
    assert any("anonymous-attribution wording 'according to sources'" in w.message for w in warnings)
    assert all(w.file == "briefs/sources/oped.yaml" for w in warnings)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    store, problems = check_store(tmp_path / "nowhere")
    assert store is None and "does not exist" in problems[0].message


def test_a_todo_spelled_with_escapes_is_still_a_todo(tmp_path: Path) -> None:
    from bot.core.models import Topic
    from bot.core.validation import validate_doc
    from bot.core.yamlfile import parse_yaml

    text = 'id: t\ntitle: "\\x54ODO"\ndescription: A topic.\n'
    doc = parse_yaml(text, "t.yaml")
    assert not isinstance(doc, Problem) and doc.data["title"] == "TODO" and "TODO" not in text
    problems = validate_doc(doc, Topic)
    assert isinstance(problems, list) and [(p.field, p.line) for p in problems] == [("title", 2)]


def test_a_load_leaves_its_objects_out_of_the_collector_and_makes_no_cycles(tmp_path: Path) -> None:
    import gc

    root = fixture_copy(tmp_path)
    gc.unfreeze()
    gc.collect()
    before = gc.get_freeze_count()
    try:
        gc.set_debug(gc.DEBUG_SAVEALL)
        store = load_store(root)
        assert gc.get_count()[0] < 200  # the young generation does not hold the new store
        assert gc.get_freeze_count() - before > len(store.claims)
        gc.unfreeze()
        assert gc.collect() == 0 and not gc.garbage  # so freezing it kept nothing unreachable alive
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
