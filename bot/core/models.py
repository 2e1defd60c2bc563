"""The schema of `briefs/`: sources, their positions and claims, and topics with their theses."""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, BaseModel, ConfigDict, Field, StringConstraints


class Repeated:
    """Marks text whose values recur from file to file (ids, names, dates, stock reasons): a store
    loaded from its snapshot keeps one copy of each value (bot.core.rebuild)."""


REPEATED = Repeated()

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="A stable id: lower-case letters, digits and hyphens."),
]
Slug = Annotated[Id, REPEATED]  # an id named elsewhere than on its own item: spelled again in many files
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True), REPEATED]
LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2}$"), Field(description="ISO 639-1 code, e.g. en, fr."), REPEATED
]

_DATE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def _check_partial_date(value: str) -> str:
    if not _DATE.match(value):
        raise ValueError("expected YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _year_as_text(value: object) -> object:
    # YAML reads a bare `2025` as a number; a year alone is a valid partial date.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PartialDate = Annotated[
    str,
    BeforeValidator(_year_as_text),
    AfterValidator(_check_partial_date),
    Field(description="Publication date at the precision known: YYYY, YYYY-MM or YYYY-MM-DD."),
    REPEATED,
]


class Strict(BaseModel):
    """Base of every file model: unknown fields are errors and objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceKind(StrEnum):
    """What sort of work a source is (the Trust Project's 'type of work')."""

    OP_ED = "op-ed"
    ANALYSIS = "analysis"
    COMMENTARY = "commentary"
    NEWS_REPORT = "news-report"
    REWRITE = "rewrite"
    VIDEO_BLURB = "video-blurb"
    OFFICIAL_STATEMENT = "official-statement"
    OTHER = "other"


class Stance(StrEnum):
    """A source's stance on one thesis."""

    SUPPORTS = "supports"
    OPPOSES = "opposes"
    MIXED = "mixed"


class Evidence(StrEnum):
    """How the claim stands against checkable evidence or the public record."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    DISPUTED = "disputed"
    UNSUPPORTED = "unsupported"
    NOT_CHECKABLE = "not-checkable"


class Attribution(StrEnum):
    """Who vouches for the claim in the source."""

    ON_RECORD = "on-record"
    DOCUMENT = "document"
    RELAYED = "relayed"
    ANONYMOUS = "anonymous"
    AUTHOR = "author"


class Commitment(StrEnum):
    """How firmly the source asserts the claim."""

    ASSERTED = "asserted"
    PROBABLE = "probable"
    POSSIBLE = "possible"


class Framing(StrEnum):
    """Whether the claim is worded neutrally or with loaded terms."""

    NEUTRAL = "neutral"
    LOADED = "loaded"


class Thesis(Strict):
    """A contested statement that sources take positions on."""

    id: Id
    statement: Text


class Topic(Strict):
    """A subject a team can ask for a brief on: `briefs/topics/<id>.yaml`."""

    id: Id
    title: ShortText
    description: Text
    aliases: tuple[ShortText, ...] = Field(
        default=(), description="Other names, in English and French: chine, pékin, prc."
    )
    theses: tuple[Thesis, ...] = Field(default=())
    bottom_line: Annotated[str, StringConstraints(min_length=1, max_length=400, strip_whitespace=True)] | None = Field(
        default=None, description="The curator's one-paragraph bottom line, shown first in the summary; "
                                  "without it the summary composes one from the tallies.")


class ThesisStance(Strict):
    """A source's stance on one thesis, optionally with a short note."""

    thesis: Slug
    stance: Stance
    note: Text | None = None
    relays: tuple[Slug, ...] = Field(
        default=(),
        description="Sources whose reporting this stance rests on: it is counted under their origins, "
        "not as an independent view of this source.",
    )


class Position(Strict):
    """A source's view of one topic, in our own words."""

    topic: Slug
    summary: Text
    stances: tuple[ThesisStance, ...] = Field(default=())


class EvidenceRef(Strict):
    """A pointer to evidence that bears on a claim."""

    title: ShortText
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    note: Text | None = None


class Claim(Strict):
    """One statement a source makes, rated on three separate axes."""

    id: Id
    statement: Text = Field(description="What the source claims, in our own words (English).")
    quote: Annotated[str, StringConstraints(min_length=3, max_length=400)] = Field(
        description="A short verbatim quote in the source's language; must appear in its archive."
    )
    speaker: ShortText | None = Field(
        default=None, description="Who makes the claim inside the source, when not the author."
    )
    topics: tuple[Slug, ...] = Field(min_length=1)
    theses: tuple[Slug, ...] = Field(default=())
    evidence: Evidence
    attribution: Attribution
    commitment: Commitment
    framing: Framing = Framing.NEUTRAL
    reason: Annotated[Text, REPEATED] = Field(description="Why the curator rated it so.")
    key: bool = Field(default=True, description="Show it among the key claims of a brief.")
    evidence_refs: tuple[EvidenceRef, ...] = Field(default=())
    also_in: tuple[Slug, ...] = Field(
        default=(), description="Other sources where the same claim appears."
    )
    relays: tuple[Slug, ...] = Field(
        default=(),
        description="Sources whose reporting this claim relays; its origins are theirs. Left empty, a "
        "claim rated attribution relayed relays its source's derived_from; any other claim is the "
        "source's own assertion and has the source itself as origin.",
    )
    corroborates: tuple[Slug, ...] = Field(default=(), description="Claim ids it agrees with.")
    contradicts: tuple[Slug, ...] = Field(default=(), description="Claim ids it conflicts with.")


class Source(Strict):
    """One article, report or statement: `briefs/sources/<id>.yaml` holds it with its claims."""

    id: Id
    title: ShortText
    outlet: ShortText
    author: ShortText | None = None
    language: LanguageCode
    published: PartialDate
    kind: SourceKind
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    archive: Annotated[str, StringConstraints(pattern=r"^[^/\\]+$")] | None = Field(
        default=None, description="File name of a local copy of the source's text."
    )
    note: Annotated[Text, REPEATED] = Field(description="The curator's note on the source's slant and reliability.")
    derived_from: tuple[Slug, ...] = Field(
        default=(), description="Sources whose reporting this one relays."
    )
    positions: tuple[Position, ...] = Field(default=())
    claims: tuple[Claim, ...] = Field(default=())
