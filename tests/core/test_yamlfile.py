"""Reading one file: only regular files, bounded before reading, .yml and upper-case names, located problems."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from bot.core.problems import Problem
from bot.core.store import check_store
from bot.core.yamlfile import MAX_FILE_BYTES, YamlDoc, is_yaml_name, read_yaml
from tests.conftest import FIXTURE_BRIEFS


def test_only_regular_files_are_read_and_size_is_checked_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    (tmp_path / "dir.yaml").mkdir()
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as out:  # sparse: the loader must refuse it from its size, not by reading it
        out.truncate(MAX_FILE_BYTES * 50)
    for path in (fifo, zero, tmp_path / "dir.yaml"):
        problem = read_yaml(path, path.name)
        assert isinstance(problem, Problem) and "not a regular file" in problem.message, path
    problem = read_yaml(huge, "huge.yaml")
    assert isinstance(problem, Problem) and f"the limit is {MAX_FILE_BYTES}" in problem.message
    link = tmp_path / "link.yaml"  # a symlink to a regular file is fine
    (tmp_path / "real.txt").write_text("a: 1\n")
    link.symlink_to(tmp_path / "real.txt")
    doc = read_yaml(link, "link.yaml")
    assert isinstance(doc, YamlDoc) and doc.data == {"a": 1}


def test_yml_and_upper_case_names_load_and_other_files_are_warned_about(tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    shutil.copytree(FIXTURE_BRIEFS, root)
    os.replace(root / "sources" / "oped.yaml", root / "sources" / "oped.YML")
    os.replace(root / "topics" / "russia.yaml", root / "topics" / "russia.Yaml")
    (root / "sources" / "notes.txt").write_text("not a source")
    (root / "sources" / ".oped.yaml.swp").write_text("editor swap file")
    store, problems = check_store(root)
    assert store is not None and "oped" in store.sources and "russia" in store.topics
    [warning] = [p for p in problems if p.file.endswith("notes.txt")]
    assert warning.severity == "warning" and "only .yaml and .yml files are loaded" in warning.message
    assert not any("swp" in p.file for p in problems)
    assert is_yaml_name("a.YAML") and is_yaml_name("a.yml") and not is_yaml_name(".a.yaml")
    assert not is_yaml_name("a.yaml~") and not is_yaml_name("a.yxml")


def test_an_unhashable_id_in_a_file_that_fails_validation_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    shutil.copytree(FIXTURE_BRIEFS, root)
    path = root / "sources" / "oped.yaml"
    path.write_text(path.read_text().replace("id: oped\n", "id: {x: 1}\n", 1)
                    .replace("  - id: oped-split", "  - id: [oped-split]"))
    store, problems = check_store(root)
    assert store is None and any(p.file == "briefs/sources/oped.yaml" and p.field == "id" for p in problems)
