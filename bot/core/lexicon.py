"""Cue patterns for the computed signals, in English and French.

Patterns are matched against accent-folded, lower-cased text (see flags.fold), so they are written
without accents. Each list is ours, drawn from the hedging and weasel-word literature and the French
*conditionnel journalistique*; the reference notes cite the sources.
"""
from __future__ import annotations

import re

_APOS = "['’]"

HEDGING = [
    r"\b(?:could|might|possibly|perhaps|likely|unlikely|reportedly|allegedly|apparently)\b",
    # "may", but not the month ("in May", "7 May", "May 2025").
    r"(?<!\bin )(?<!\bof )(?<!\d )\bmay\b(?! \d)",
    r"\b(?:seems?|appears?|potentially|presumably|supposedly|rumou?red)\b",
    r"\b(?:is|are|was|were) (?:said|believed|thought|rumou?red) to\b",
    r"\bwould\b",
    r"\b(?:peut-etre|probablement|vraisemblablement|sans doute|a priori|eventuellement)\b",
    r"\b(?:presume|pretendu|soi-disant|suppose)e?s?\b",
    r"\b(?:il )?(?:semble|semblent|semblerait|sembleraient|parait)\b",
]

# The French conditional, matched on lower-cased text WITH accents: "envisagerait" and "considérerait"
# are conditionals, while the imperfects "déclarait" and "considérait" are not.
CONDITIONAL = [
    r"\b(?!(?:portrait|trait|attrait|retrait|extrait|abstrait|distrait|soustrait)s?\b)"
    r"(?!(?:tir|attir|retir|inspir|aspir|expir|admir|desir|désir)(?:ait|aient)\b)"
    r"\w+(?:erait|eraient|irait|iraient|drait|draient|ttrait|ttraient)\b",
    r"\b(?:aurait|auraient|serait|seraient|pourrait|pourraient|devrait|devraient|voudrait|voudraient"
    r"|faudrait|ferait|feraient|saurait|sauraient|verrait|verraient|viendrait|viendraient|tiendrait"
    r"|tiendraient|enverrait|enverraient|conclurait|concluraient)\b",
]

ANONYMOUS = [
    r"\baccording to (?:people|persons|sources?|officials?|a person|diplomats?|insiders?)\b",
    r"\b(?:people|persons|sources?|officials?) (?:familiar with|close to|briefed on)\b",
    r"\b(?:sources?|insiders?) (?:say|said|told|says)\b",
    r"\b(?:unnamed|anonymous) (?:officials?|sources?|diplomats?)\b",
    r"\bon (?:the )?condition of anonymity\b",
    r"\bwho asked not to be (?:named|identified)\b",
    r"\bselon (?:des|les|plusieurs|de|certaines|certains) (?:sources?|responsables?|diplomates?|officiels?|personnes?|interlocuteurs?)\b",
    r"\b(?:many|some) (?:experts|analysts|observers|people) (?:say|believe|think)\b",
    r"\bit is (?:widely )?(?:believed|thought|said|reported)\b",
    r"\b(?:les|des|de nombreux|certains|plusieurs) (?:observateurs|analystes|experts)(?: \w+)? (?:estiment|pensent|jugent|sont)\b",
    r"\best (?:considere|consideree|consideres|considerees|jugee?s?) comme\b",
    rf"\bd{_APOS}apres (?:des|plusieurs|certaines) sources?\b",
    r"\bde sources? (?:proches?|diplomatiques?|bien informees?|sures?|concordantes?)\b",
    r"\bsources? (?:anonymes?|proches)\b",
    r"\bselon nos informations\b",
    r"\bsous (?:le )?couvert (?:de l|d)['’]anonymat\b",
    rf"\bayant (?:requis|demande) l{_APOS}anonymat\b",
    r"\bresponsables? (?:\w+ ){0,4}(?:cites?|citees?) par\b",
]

_OUTLETS = (
    r"wall street journal|wsj|new york times|washington post|financial times|reuters|bloomberg|"
    r"associated press|afp|bbc|cnn|politico|axios|tass|ria novosti|interfax|kommersant|izvestia|"
    r"le monde|le figaro|liberation|les echos"
)
RELAY = [
    rf"\b(?:according to|as reported by|reported by|citing) (?:the )?(?:{_OUTLETS})\b",
    rf"\b(?:selon|d{_APOS}apres|rapporte|rapportent|ecrit|revele|cite par) (?:le |la |les |l{_APOS})?(?:{_OUTLETS})\b",
    rf"\b(?:selon|d{_APOS}apres) (?:un|une|le|la) (?:\w+ ){{0,2}}(?:rapport|article|enquete|informations?) (?:du |de la |de l{_APOS}|des |de )(?:{_OUTLETS})\b",
    rf"\bselon les sources (?:du |de la |de l{_APOS})(?:{_OUTLETS})\b",
    rf"\b(?:the )?(?:{_OUTLETS}) (?:reported|reports|said|wrote|revealed)\b",
]

LOADED = [
    r"\bdeep state\b",
    r"\betat profond\b",
    r"\bglobalist(?:e|es|s)?\b",
    r"\bmondialist(?:e|es)\b",
    r"\bnew world order\b",
    r"\bnouvel ordre mondial\b",
    r"\bmainstream media\b",
    r"\bmedias? mainstream\b",
    r"\bmerdias\b",
    r"\bon vous cache\b",
    r"\breveillez-vous\b",
    r"\bwake up\b",
    r"\bpuppets?\b",
    r"\bmarionnettes?\b",
    r"\bwarmongers?\b",
    r"\bbellicistes?\b",
    r"\bkyiv regime\b|\bkiev regime\b|\bregime de kiev\b|\bregime de kyiv\b",
    r"\bneo-?nazi(?:s)?\b|\bneo-?nazie?s?\b",
    r"\brussophob\w*\b",
    r"\bpropagand\w*\b",
    r"\b(?:de)?nazification\b|\bdenazify\b",
    r"\boperation militaire speciale\b|\bspecial military operation\b",
    r"\bsatanique\b|\bsatanic\b",
]


def compile_all(patterns: list[str]) -> re.Pattern[str]:
    """Compile a family of cue patterns into one alternation, once, at import."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))
