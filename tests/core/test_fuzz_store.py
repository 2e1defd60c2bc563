"""The loader on mutated real files: a small seeded fuzz run and a hypothesis property (the long run is bench/fuzz_store.py)."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from bot.core.problems import Problem
from bot.core.yamlfile import YamlDoc, parse_yaml
from tests.conftest import BRIEFS
from tests.fuzzing import HOSTILE_BLOCKS, HOSTILE_VALUES, run

REAL = sorted((BRIEFS / "sources").glob("*.yaml"))[0].read_text(encoding="utf-8")


def test_a_seeded_fuzz_of_the_real_store_has_no_crash_hang_or_broken_store(tmp_path: Path) -> None:
    tally = run(BRIEFS, 80, seed=1414, work=tmp_path, hang_s=5.0)
    assert tally.failures == 0, tally.examples
    assert tally.counts.get("refused", 0) > 40  # the mutations do break things
    assert tally.slowest < 5.0


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(cut=st.integers(0, len(REAL)), insert=st.one_of(st.sampled_from(HOSTILE_VALUES + HOSTILE_BLOCKS), st.text(max_size=40)),
       drop=st.integers(0, 40))
def test_any_mutated_file_parses_to_data_or_one_located_problem(cut: int, insert: str, drop: int) -> None:
    text = REAL[:cut] + insert + REAL[cut + drop:]
    result = parse_yaml(text, "briefs/sources/x.yaml")
    assert isinstance(result, YamlDoc | Problem)
    if isinstance(result, Problem):
        assert result.file == "briefs/sources/x.yaml" and 1 <= result.line <= text.count("\n") + 2


def test_the_crashes_and_bombs_once_found_are_problems_with_a_line_and_field() -> None:
    cases = {
        "a: &r [*r]\n": ("a", "contains it"),
        "a: " + "[" * 500 + "]" * 500 + "\n": ("a" + ".0" * 63, "levels deep"),
        "a: !foo x\n": ("a", "!foo is not allowed"),
        "a: !!python/name:os.system\n": ("a", "!!python/name:os.system is not allowed"),
        "b: 1\n<<: {a: 1}\n": ("", "merge keys"),
        "a: !!bool maybe\n": ("a", "not a valid boolean"),
        "a: !!int ''\n": ("a", "not a valid integer"),
        "a: !!set {x}\n": ("a", "not allowed on a mapping"),
        "a: " + "1:" * 3000 + "1\n": ("a", "too long"),
    }
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    cases[laughs] = ("", "aliases expand")
    for text, (field, words) in cases.items():
        problem = parse_yaml(text, "f.yaml")
        assert isinstance(problem, Problem), text[:30]
        assert words in problem.message and problem.line >= 1, (text[:30], problem)
        assert problem.field.startswith(field), (text[:30], problem)
