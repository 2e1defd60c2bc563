"""Cue patterns for the computed signals, in English and French.

Patterns are matched against accent-folded, lower-cased text (see flags.fold), so they are written
without accents, except the French conditional (see CONDITIONAL). Each list is ours, drawn from the
hedging and weasel-word literature and the French *conditionnel journalistique*; the reference notes
cite the sources.
"""
from __future__ import annotations

import re

_APOS = "['’]"

HEDGING = [
    r"\b(?:could|might|possibly|perhaps|likely|unlikely|reportedly|allegedly|apparently)\b",
    # "may", but not the month ("in May", "7 May", "May 2025"). Every pattern opens with \b, and the
    # look-behinds come after it: a look-behind tried at every position makes the scan several times slower.
    r"\b(?<!\bin )(?<!\bof )(?<!\d )may\b(?! \d)",
    r"\b(?:seems?|appears?|potential|potentially|presumably|supposedly|rumou?red|possible)\b",
    r"\b(?:is|are|was|were) (?:said|believed|thought|rumou?red) to\b",
    # "would", but not a recommendation ("it would be an ideal time"), which is not a hedge.
    r"\bwould\b(?! be (?:an? )?(?:ideal|good|wise|better|best|right|useful|sensible)\b)",
    r"\b(?:if confirmed|remains to be seen|yet to be confirmed|unconfirmed)\b",
    r"\b(?:peut-etre|probablement|vraisemblablement|sans doute|a priori|eventuellement)\b",
    r"\b(?:presume|pretendu|soi-disant|suppose|eventuel|potentiel)(?:le)?s?\b",
    r"\bpossibles?\b",
    r"\b(?:il )?(?:semble|semblent|semblerait|sembleraient|parait)\b",
    # The modal conditionals hedge in any context, hypotheses included ("si …, cela pourrait").
    r"\b(?:pourrait|pourraient|devrait|devraient)\b",
    r"\b(?:risque|risquent) d(?:e\b|['’])",
    r"\blaiss(?:e|ent|ant|ait) entrevoir\b",
    r"\b(?:si (?:elle|il|elles|ils|cela|c['’]est) (?:est|sont) confirmee?s?|reste a (?:voir|savoir)|non confirmee?s?)\b",
]

# The French conditional, matched on lower-cased text WITH accents: "envisagerait" and "considérerait"
# are conditionals, while the imperfects "déclarait" and "considérait" are not. Endings shared with
# imperfects of common verbs ("durait", "ouvrait", "livrait", "serrait") are matched by explicit stems.
_NOT_CONDITIONAL = (
    r"(?!(?:portrait|trait|attrait|retrait|extrait|abstrait|distrait|soustrait)s?\b)"
    r"(?!(?:tir|attir|retir|inspir|aspir|expir|respir|transpir|conspir|soupir|admir|desir|désir|vir|chavir"
    r"|déchir|dechir|empir|délir|cir|mir|étir|etir|éclair|eclair|cadr|encadr|recadr|arbitr)(?:ait|aient)\b)"
)
CONDITIONAL = [
    rf"\b{_NOT_CONDITIONAL}\w+(?:erait|eraient|irait|iraient|drait|draient|ttrait|ttraient|îtrait|îtraient)\b",
    r"\b(?:pour|ver|enver|rever|préver|cour|parcour|secour|accour|mour|acquer|conquer|requer)r(?:ait|aient)\b",
    r"\b(?:(?:sur)?viv|(?:pour)?suiv|(?:re|per|aper|con|dé|de)cev|dev)r(?:ait|aient)\b",
    r"\b(?:con|in|ex)clur(?:ait|aient)\b",
    r"\b(?:aurait|auraient|serait|seraient|irait|iraient|saurait|sauraient|ferait|feraient|vaudrait|faudrait)\b",
]
# A conditional in these contexts is not the *conditionnel journalistique* (a fact reported without
# being vouched for): the consequence of a hypothesis ("si … aurait") or a recommendation.
HYPOTHESIS = r"(?:^|[\s,;:(])(?:si|s['’]il|s['’]ils|même si)\s"
RECOMMENDATION = [
    r"\bil (?:faudrait|vaudrait mieux)\b",
    r"\bil serait (?:bon|temps|souhaitable|utile|préférable|judicieux|opportun|sage|nécessaire)\b",
]

ANONYMOUS = [
    r"\baccording to (?:people|persons|sources?|officials?|a person|diplomats?|insiders?)\b",
    r"\b(?:people|persons|sources?|officials?) (?:familiar with|close to|briefed on)\b",
    r"\b(?:sources?|insiders?) (?:say|said|told|says)\b",
    r"\b(?:unnamed|anonymous) (?:officials?|sources?|diplomats?)\b",
    r"\bon (?:the )?condition of anonymity\b",
    r"\bwho asked not to be (?:named|identified)\b",
    r"\bselon (?:des|les|plusieurs|de|certaines|certains) (?:sources?|responsables?|diplomates?|officiels?|personnes?|interlocuteurs?)\b",
    # Weasel attributions: unnamed crowds of experts, or "everyone knows".
    r"\b(?:many|some|most) (?:experts|analysts|observers|people|commentators|critics) (?:say|believe|think|argue|agree|warn)\b",
    r"\b(?:experts|analysts|observers|critics|commentators) (?:say|believe|agree|warn|note)\b",
    r"\bit is (?:widely |often |generally )?(?:believed|thought|said|reported|accepted|known)\b",
    r"\bit is no secret\b|\beveryone knows\b",
    r"\b(?:les|des|de nombreux|nombreux|certains|plusieurs|beaucoup d['’]) ?(?:observateurs|analystes|experts|commentateurs)\b",
    r"\best (?:considere|consideree|consideres|considerees|jugee?s?) comme\b",
    r"\b(?:nul n['’]ignore|chacun sait|tout le monde sait|il est de notoriete publique)\b",
    r"\bn['’]est un secret pour personne\b",
    # A capital standing in for unnamed officials: "comme Moscou l'a souligné".
    r"\bcomme (?:moscou|washington|pekin|kiev|kyiv|bruxelles|le kremlin) l['’]a (?:\w+ )?(?:souligne|dit|rappele|affirme|indique|averti|note)\b",
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
    r"\brussophob\w*\b",
    r"\bpropagand\w*\b",
    r"\bsatanique\b|\bsatanic\b",
]

# One side's own terms for contested things, which a neutral text would put in quotes or attribute:
# the Kremlin's for its invasion, Beijing's for Taiwan.
ONE_SIDED = [
    r"\bkyiv regime\b|\bkiev regime\b|\bregime de kiev\b|\bregime de kyiv\b",
    r"\bneo-?nazi(?:s)?\b|\bneo-?nazie?s?\b",
    r"\b(?:de)?nazification\b|\bdenazify\b|\bdemilitari[sz]ation\b|\bdemilitarisation\b",
    r"\boperation militaire speciale\b|\bspecial military operation\b",
    r"\bthe military operation in ukraine\b|\boperations? speciales?\b",
    r"\bseparatist island\b|\bile separatiste\b|\brenegade province\b|\bprovince rebelle\b",
]

# Speech that a text reports rather than adopts: words after these, in the same sentence, are someone
# else's (a report of Kremlin vocabulary is not the author's framing).
SPEECH = [
    r"\b(?:has|have|had)? ?(?:always |repeatedly |often )?(?:said|says|stated|declared|claimed|claims|insisted"
    r"|demanded|demands|called for|calls for)\b",
    r"\b(?:a|ont|avait|avaient) (?:\w+ )?(?:declare|dit|affirme|souligne|rappele|exige|reclame|qualifie)\b",
    r"\b(?:selon|d['’]apres|according to) (?:le |la |les |l['’])?[a-z]",
]
QUOTE_PAIRS = (("«", "»"), ("“", "”"), ('"', '"'))

# Wording that names where a claim comes from (so "no evidence given" does not apply).
SOURCED = [
    r"«|“|\"",
    r"\b(?:according to|selon|d['’]apres|cite par|quoted by)\b",
    r"\b(?:said|says|stated|declared|told|a declare|a dit|a affirme|a souligne|a rappele)\b",
    r"\b(?:report|rapport|study|etude|survey|sondage|data|donnees|statistics|statistiques|figures|chiffres)\b",
]


def compile_all(patterns: list[str]) -> re.Pattern[str]:
    """Compile a family of cue patterns into one alternation, once, at import."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))
