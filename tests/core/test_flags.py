"""Computed signals: the exact words that triggered each cue, in English and French, with true and false
cases for every cue family."""
from __future__ import annotations

import pytest

from bot.core.flags import SignalKind as K, claim_signals, find_signals, fold, rating_disagreements
from bot.core.models import Claim


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind.value, s.trigger) for s in find_signals(text)]


def fired(text: str, kind: K) -> list[str]:
    return [s.trigger for s in find_signals(text) if s.kind is kind]


@pytest.mark.parametrize(("text", "expected"), [
    ("Moscou envisagerait de rompre", [(K.HEDGING, "envisagerait")]),
    ("Cela pourrait changer", [(K.HEDGING, "pourrait")]),
    ("This could split them", [(K.HEDGING, "could")]),
    ("selon des sources proches du Kremlin", [(K.ANONYMOUS, "selon des sources proches")]),
    ("according to people familiar with the talks", [(K.ANONYMOUS, "according to people familiar with")]),
    ("sous couvert d’anonymat", [(K.ANONYMOUS, "sous couvert d’anonymat")]),
    ("selon le Wall Street Journal", [(K.RELAY, "selon le Wall Street Journal")]),
    ("l'État profond et les élites mondialistes", [(K.LOADED, "État profond"), (K.LOADED, "mondialistes")]),
    ("the globalist DEEP STATE", [(K.LOADED, "globalist"), (K.LOADED, "DEEP STATE")]),
])
def test_cues(text: str, expected: list[tuple[K, str]]) -> None:
    assert kinds(text) == [(k.value, t) for k, t in expected]


@pytest.mark.parametrize("text", [
    "Le portrait du président et un trait d'union", "Le retrait des troupes", "Il a déclaré la guerre",
    "Russia and China signed a treaty in 2001",
])
def test_no_false_positives(text: str) -> None:
    assert kinds(text) == []


def test_trigger_is_the_original_text_with_accents() -> None:
    text = "Des ÉLITES MONDIALISTES"
    (signal,) = find_signals(text)
    assert text[signal.start:signal.end] == signal.trigger == "MONDIALISTES"


def test_fold_keeps_an_index_into_the_original() -> None:
    folded, index = fold("Pékin")
    assert folded == "pekin" and index == [0, 1, 2, 3, 4]


# --- hedging -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "trigger"), [
    ("International politics is entering a potential period of realignment", "potential"),
    ("the talks may fail", "may"),
    ("Russia would provide an alternative", "would"),
    ("if confirmed, the offer matters", "if confirmed"),
    ("la situation actuelle risque de se compliquer", "risque de"),
    ("cette déclaration laisse entrevoir la possibilité d'un apaisement", "laisse entrevoir"),
    ("cette proposition, si elle est confirmée, montre", "si elle est confirmée"),
    ("une potentielle collaboration", "potentielle"),
    ("Moscou semble chercher un accord", "semble"),
    ("Reste à voir si cette initiative aboutira", "Reste à voir"),
])
def test_hedges(text: str, trigger: str) -> None:
    assert trigger in fired(text, K.HEDGING)


@pytest.mark.parametrize("text", [
    "It would be an ideal time for the United States to tighten relations",  # a recommendation
    "the talks in May 2025 on 7 May",
    "Russia signed the treaty",
    "La Russie a signé le traité",
    "Le risque est réel",  # the noun, not "risque de"
])
def test_not_hedges(text: str) -> None:
    assert fired(text, K.HEDGING) == []


# --- the French conditional ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "trigger"), [
    ("La Russie envisagerait une proposition", "envisagerait"),
    ("La Russie considérerait une offre", "considérerait"),
    ("Il inclurait également des propositions", "inclurait"),
    ("Moscou chercherait à troquer", "chercherait"),
    ("Le Kremlin irait jusqu'à rompre", "irait"),
    ("Moscou recevrait des garanties", "recevrait"),
    ("Washington verrait d'un bon œil", "verrait"),
    ("les deux pays mettraient fin à leur coopération", "mettraient"),
    ("Moscou obtiendrait un allègement", "obtiendrait"),
    ("le Kremlin enverrait un émissaire", "enverrait"),
    ("Pékin apparaîtrait comme le perdant", "apparaîtrait"),
])
def test_reported_conditionals(text: str, trigger: str) -> None:
    assert trigger in fired(text, K.HEDGING)


@pytest.mark.parametrize("text", [
    "Il déclarait que la guerre entrait dans sa phase finale",  # imperfects
    "Il considérait la chose",
    "La guerre durait depuis trois ans",
    "Washington livrait des armes et ouvrait un canal",
    "Il serrait la main du président",
    "Le texte encadrait les négociations",
    "Si cette collaboration venait à se concrétiser, elle aurait des répercussions",  # a hypothesis
    "Si ce duo venait à se solidifier, serait-ce le retour d'un axe ?",
    "Il faudrait que Bruxelles réagisse",  # a recommendation
    "Il serait temps de négocier",
])
def test_not_reported_conditionals(text: str) -> None:
    assert fired(text, K.HEDGING) == []


def test_a_modal_still_hedges_inside_a_hypothesis() -> None:
    text = "si Trump et Poutine parvenaient à orchestrer une trêve en Ukraine, cela pourrait marquer un point"
    assert fired(text, K.HEDGING) == ["pourrait"]


# --- anonymous and weasel attribution ------------------------------------------------------------

@pytest.mark.parametrize(("text", "trigger"), [
    ("it is no secret that the administration views China as a rival", "it is no secret"),
    ("Many analysts believe the deal will fail", "Many analysts believe"),
    ("officials familiar with the matter", "officials familiar with"),
    ("les observateurs internationaux se montrent peu optimistes", "les observateurs"),
    ("Bien que de nombreux analystes aient évoqué ses bonnes relations", "de nombreux analystes"),
    ("tant par les observateurs que par les conseillers", "les observateurs"),
    ("La relation est considérée comme plutôt bonne.", "est considérée comme"),
    ("comme Moscou l'a prudemment souligné avant l'élection", "comme Moscou l'a prudemment souligné"),
    ("Il n'est un secret pour personne que", "n'est un secret pour personne"),
])
def test_vague_attributions(text: str, trigger: str) -> None:
    assert trigger in fired(text, K.ANONYMOUS)


@pytest.mark.parametrize("text", [
    "Sergei Lavrov said Russia never refused contact",
    "selon le vice-ministre russe des Affaires étrangères, Alexandre Pankine",
    "the secret talks in Riyadh",
    "comme Lavrov l'a souligné",  # a named speaker
    "Les analyses du ministère",
])
def test_named_attributions_are_not_vague(text: str) -> None:
    assert fired(text, K.ANONYMOUS) == []


# --- relayed reports -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "trigger"), [
    ("Selon un récent rapport du Wall Street Journal (WSJ), la Russie", "Selon un récent rapport du Wall Street Journal"),
    ("selon les sources du WSJ", "selon les sources du WSJ"),
    ("according to the Financial Times, Moscow", "according to the Financial Times"),
    ("Reuters reported that talks had begun", "Reuters reported"),
])
def test_relays(text: str, trigger: str) -> None:
    assert fired(text, K.RELAY) == [trigger]


@pytest.mark.parametrize("text", [
    "a street journal of the war", "selon le ministre", "the journal of record", "d'après le Kremlin",
])
def test_not_relays(text: str) -> None:
    assert fired(text, K.RELAY) == []


# --- loaded language and one side's terms --------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "trigger"), [
    ("un front commun contre l’État profond mondialiste", K.LOADED, "État profond"),
    ("the globalist elites", K.LOADED, "globalist"),
    ("Instead, for denazification, it will be sufficient", K.ONE_SIDED, "denazification"),
    ("the Kremlin is also in favor of ending the military operation in Ukraine", K.ONE_SIDED,
     "the military operation in Ukraine"),
    ("forcing Beijing to pay more attention to the separatist island", K.ONE_SIDED, "separatist island"),
    ("de nombreux avantages dans ses opérations spéciales", K.ONE_SIDED, "opérations spéciales"),
    ("la dénazification de l'Ukraine", K.ONE_SIDED, "dénazification"),
])
def test_loaded_and_one_sided_terms_in_the_texts_own_voice(text: str, kind: K, trigger: str) -> None:
    assert trigger in fired(text, kind)


@pytest.mark.parametrize("text", [
    # Reported speech: someone else's words, not the text's framing.
    "the Kremlin has always said that peace is possible only with the demilitarization and denazification of Ukraine",
    "Putin has demanded the 'denazification' of Ukraine",
    "Poutine a exigé la dénazification de l'Ukraine",
    "According to the Kremlin, the special military operation will go on",
    "Selon Moscou, l'opération militaire spéciale se poursuit",
    "Le Kremlin parle d'« opération militaire spéciale ».",
    "Beijing calls Taiwan a “separatist island”.",
    "« l'État profond » est une théorie du complot",
    # Ordinary words.
    "The state of the economy is deep in trouble", "a global economy", "the special envoy",
])
def test_reported_or_ordinary_words_are_not_the_texts_framing(text: str) -> None:
    assert fired(text, K.LOADED) == [] and fired(text, K.ONE_SIDED) == []


def test_attribution_covers_only_its_own_sentence() -> None:
    text = "Putin said it was a special military operation. The special military operation goes on."
    (signal,) = [s for s in find_signals(text) if s.kind is K.ONE_SIDED]
    assert signal.start > text.index(".")


# --- "no evidence given", read from the text -----------------------------------------------------

def claim(quote: str, **axes: str) -> Claim:
    data = {"evidence": "unsupported", "attribution": "author", "commitment": "asserted"} | axes
    return Claim.model_validate({"id": "c", "statement": "s", "quote": quote, "topics": ["t"], "reason": "r", **data})


@pytest.mark.parametrize(("quote", "axes", "detail"), [
    ("Russia's economy is collapsing", {}, "the text names no source or evidence for it"),
    ("L'économie russe s'effondre", {}, "the text names no source or evidence for it"),
    ("according to people familiar with the talks, Moscow offered a deal", {}, "rests on unnamed sources"),
    ("selon des sources proches du dossier, Moscou a proposé un accord", {}, "rests on unnamed sources"),
    ("selon le Wall Street Journal, Moscou a proposé un accord", {}, "rests on another outlet's report"),
    ("the FT reported the offer", {"attribution": "relayed"}, "rests on another outlet's report"),
])
def test_no_evidence_given(quote: str, axes: dict[str, str], detail: str) -> None:
    (signal,) = [s for s in claim_signals(claim(quote, **axes)) if s.kind is K.NO_EVIDENCE]
    assert signal.detail == detail


@pytest.mark.parametrize(("quote", "axes"), [
    ("« La Russie n'a jamais refusé le contact »", {}),  # a quotation
    ("Lavrov said Russia never refused contact", {}),  # a named speaker
    ("selon le vice-ministre Alexandre Pankine, 20 000 sanctions", {}),
    ("a 2023 report of the central bank shows growth", {}),  # a document
    ("Russia's economy is collapsing", {"evidence": "not-checkable"}),  # an opinion needs no evidence
])
def test_evidence_named_in_the_text(quote: str, axes: dict[str, str]) -> None:
    assert K.NO_EVIDENCE not in {s.kind for s in claim_signals(claim(quote, **axes))}


def test_evidence_refs_answer_no_evidence(fixture_store) -> None:
    anonymous = fixture_store.claims["rewrite-end-cooperation"].claim
    on_record = fixture_store.claims["rewrite-peskov"].claim
    assert K.NO_EVIDENCE in {s.kind for s in claim_signals(anonymous)}
    assert K.NO_EVIDENCE not in {s.kind for s in claim_signals(on_record)}


def test_a_reported_term_is_no_framing_disagreement() -> None:
    reported = claim("the Kremlin has always said that peace needs the denazification of Ukraine",
                     framing="neutral", attribution="on-record", evidence="supported")
    adopted = claim("for denazification, it will be sufficient to prosecute them", framing="neutral")
    assert not any("framing" in m for m in rating_disagreements(reported))
    assert any("neutral framing" in m and "denazification" in m for m in rating_disagreements(adopted))
