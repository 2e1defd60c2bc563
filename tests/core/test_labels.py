"""The documented rule from the three rating axes to the label a reader sees, and the README's table of it."""
from __future__ import annotations

import itertools
import re

import pytest

from bot.core.labels import FLAGGED_LABELS, LABEL_EMOJI, LABEL_REASON, Label, derive_label, is_flagged, label_of
from bot.core.models import Attribution as A, Commitment as C, Evidence as E
from bot.curation.export import RATING, UNRATED
from tests.conftest import ROOT

AXES = {"evidence": E, "attribution": A, "commitment": C}


@pytest.mark.parametrize(("evidence", "attribution", "commitment", "label"), [
    (E.CONTRADICTED, A.ANONYMOUS, C.POSSIBLE, Label.CONTRADICTED),
    (E.DISPUTED, A.ON_RECORD, C.ASSERTED, Label.DISPUTED),
    (E.SUPPORTED, A.ANONYMOUS, C.POSSIBLE, Label.SUPPORTED),
    (E.UNSUPPORTED, A.ANONYMOUS, C.POSSIBLE, Label.ANONYMOUS),
    (E.NOT_CHECKABLE, A.ANONYMOUS, C.ASSERTED, Label.ANONYMOUS),
    # A checkable report told in the conditional stays speculative (and flagged)...
    (E.UNSUPPORTED, A.RELAYED, C.POSSIBLE, Label.SPECULATIVE),
    (E.UNSUPPORTED, A.AUTHOR, C.PROBABLE, Label.SPECULATIVE),
    # ...while a hedged prediction or option is a forecast, whatever the order of the axes once was.
    (E.NOT_CHECKABLE, A.AUTHOR, C.PROBABLE, Label.FORECAST),
    (E.NOT_CHECKABLE, A.AUTHOR, C.POSSIBLE, Label.FORECAST),
    (E.NOT_CHECKABLE, A.AUTHOR, C.ASSERTED, Label.OPINION),
    (E.UNSUPPORTED, A.AUTHOR, C.ASSERTED, Label.UNSUPPORTED),
])
def test_rule(evidence: E, attribution: A, commitment: C, label: Label) -> None:
    assert derive_label(evidence, attribution, commitment) is label


def test_flagged_set() -> None:
    assert FLAGGED_LABELS == {Label.CONTRADICTED, Label.DISPUTED, Label.ANONYMOUS, Label.SPECULATIVE,
                              Label.UNSUPPORTED}
    assert set(LABEL_REASON) == FLAGGED_LABELS


def test_loaded_framing_flags_an_opinion(fixture_store) -> None:
    claim = fixture_store.claims["rewrite-deep-state"].claim
    assert label_of(claim) is Label.OPINION and is_flagged(claim)


def readme_table() -> list[dict[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### From ratings to labels", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"^\| \d+ \|", line)]
    header = ["n", "when", "label", "flagged", "claimreview"]
    return [dict(zip(header, (c.strip() for c in row.strip("|").split("|")))) for row in rows]


def condition(when: str) -> dict[str, set[str]]:
    """'evidence not-checkable, commitment possible or probable' -> {evidence: {...}, commitment: {...}}."""
    if when == "otherwise":
        return {}
    out = {}
    for part in when.split(", "):
        axis, values = part.split(" ", 1)
        out[axis] = set(values.split(" or "))
    return out


def readme_label(rows: list[dict[str, str]], e: E, a: A, c: C) -> str:
    values = {"evidence": e.value, "attribution": a.value, "commitment": c.value}
    for row in rows:
        if all(values[axis] in allowed for axis, allowed in condition(row["when"]).items()):
            return row["label"].split()[-1]
    raise AssertionError("the README table has no line for " + str(values))


def test_readme_label_table_is_the_rule_in_the_code() -> None:
    rows = readme_table()
    assert len(rows) == 8
    for row in rows:
        assert set(condition(row["when"])) <= set(AXES), row
        for axis, allowed in condition(row["when"]).items():
            assert allowed <= {v.value for v in AXES[axis]}, row
    for e, a, c in itertools.product(E, A, C):
        assert readme_label(rows, e, a, c) == derive_label(e, a, c).value, (e, a, c)


def test_readme_flags_emoji_and_claimreview_ratings_match_the_code() -> None:
    rows = readme_table()
    assert {row["label"].split()[-1] for row in rows} == {label.value for label in Label}
    for row in rows:
        label = Label(row["label"].split()[-1])
        assert row["label"] == f"{LABEL_EMOJI[label]} {label.value}"
        assert (row["flagged"] == "yes") == (label in FLAGGED_LABELS), row
        if row["claimreview"] == "none":
            assert label in UNRATED and label not in RATING
        else:
            assert RATING[label] == int(row["claimreview"]), row


def test_export_docstring_lists_the_same_ratings() -> None:
    from bot.curation import export
    lines = dict(re.findall(r"^\s{4}(\w+)\s+(\d|--)\s", export.__doc__ or "", re.MULTILINE))
    assert set(lines) == {label.value for label in Label}
    for name, rating in lines.items():
        assert rating == ("--" if Label(name) in UNRATED else str(RATING[Label(name)]))
