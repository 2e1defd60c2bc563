"""The fast path of parse_yaml (built from libyaml's events) gives the data the node path gives."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.problems import Problem
from bot.core.yamlfile import YamlDoc, _Builder, _Loader, parse_yaml

ROOT = Path(__file__).resolve().parent.parent.parent

def by_nodes(text: str) -> object:
    return _Builder().build(yaml.compose(text, Loader=_Loader), (), 0, False)


CASES = [
    "a: 1\nb: true\nc: null\nd: 2025-03\ne: 2025-03-01\nf: '12'\ng: 1.5\nh: ~\ni: yes\nj: [1, x, 'y']\nk: {}\nl:\n",
    "- a\n- b: c\n", "x", "null\n", "a: &x 1\nb: *x\n", "a: !!str 3\n", "a: .inf\nb: 0x1F\nc: 1_000\nd: 2025\n",
    "a: |\n  x\n\n  y\n", "key: 'it''s'\n", "a: ! x\n", "published: 2025-03-01\nyear: 2025\n",
]


@pytest.mark.parametrize("text", CASES)
def test_same_data_as_the_nodes(text: str) -> None:
    doc = parse_yaml(text, "f.yaml")
    assert isinstance(doc, YamlDoc)
    assert repr(doc.data) == repr(by_nodes(text))


def test_dates_stay_text_and_numbers_do_not() -> None:
    doc = parse_yaml("published: 2025-03-01\nyear: 2025\nok: true\n", "f.yaml")
    assert isinstance(doc, YamlDoc) and doc.data == {"published": "2025-03-01", "year": 2025, "ok": True}


@pytest.mark.parametrize("text, line, words", [
    ("a: 1\nb: 2\na: 3\n", 3, "key appears twice"),
    ("1: x\ntrue: y\n", 2, "key appears twice"),  # 1 and true are one key, as for the node path
    ("a: [1, 2\n", 2, "bad YAML"),
    ("a: b: c\n", 1, "bad YAML"),
    ("---\na: 1\n---\nb: 2\n", 3, "bad YAML"),
    ("", 1, "file is empty"),
    ("? [a]\n: 1\n", 1, "a mapping key must be a plain value"),
    ("a: " + "[" * 80 + "]" * 80 + "\n", 1, "nested more than"),
    ("a: " + "1" * 200 + "\n", 1, "too long"),
    ("a: &x [1]\nb: *x\n", None, None),
])
def test_problems_are_those_of_the_node_path(text: str, line: int | None, words: str | None) -> None:
    problem = parse_yaml(text, "f.yaml")
    if words is None:  # not a problem: the node path builds it
        assert isinstance(problem, YamlDoc) and problem.data == by_nodes(text)
        return
    assert isinstance(problem, Problem) and problem.line == line and words in problem.message, problem


def test_every_file_of_the_curated_store_and_config() -> None:
    for path in [*ROOT.glob("briefs/*/*.yaml"), *ROOT.glob("config/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        doc = parse_yaml(text, path.name)
        assert isinstance(doc, YamlDoc), path
        assert repr(doc.data) == repr(by_nodes(text)), path
