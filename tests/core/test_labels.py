"""The documented rule from the three rating axes to the label a reader sees."""
from __future__ import annotations

import pytest

from bot.core.labels import FLAGGED_LABELS, Label, derive_label
from bot.core.models import Attribution as A, Commitment as C, Evidence as E


@pytest.mark.parametrize(("evidence", "attribution", "commitment", "label"), [
    (E.CONTRADICTED, A.ANONYMOUS, C.POSSIBLE, Label.CONTRADICTED),
    (E.DISPUTED, A.ON_RECORD, C.ASSERTED, Label.DISPUTED),
    (E.SUPPORTED, A.ANONYMOUS, C.POSSIBLE, Label.SUPPORTED),
    (E.UNSUPPORTED, A.ANONYMOUS, C.POSSIBLE, Label.ANONYMOUS),
    (E.UNSUPPORTED, A.RELAYED, C.POSSIBLE, Label.SPECULATIVE),
    (E.NOT_CHECKABLE, A.AUTHOR, C.PROBABLE, Label.SPECULATIVE),
    (E.NOT_CHECKABLE, A.AUTHOR, C.ASSERTED, Label.OPINION),
    (E.UNSUPPORTED, A.AUTHOR, C.ASSERTED, Label.UNSUPPORTED),
])
def test_rule(evidence: E, attribution: A, commitment: C, label: Label) -> None:
    assert derive_label(evidence, attribution, commitment) is label


def test_flagged_set() -> None:
    assert Label.SUPPORTED not in FLAGGED_LABELS and Label.OPINION not in FLAGGED_LABELS
    assert {Label.ANONYMOUS, Label.SPECULATIVE, Label.UNSUPPORTED} <= FLAGGED_LABELS


def test_loaded_framing_flags_an_opinion(fixture_store) -> None:
    from bot.core.labels import is_flagged, label_of
    claim = fixture_store.claims["rewrite-deep-state"].claim
    assert label_of(claim) is Label.OPINION and is_flagged(claim)
