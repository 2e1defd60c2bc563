"""A realistic, seeded benchmark claim store of any size, written as `briefs/`-shaped YAML files.

Every statement and quote is unique and of the length real ones have (quotes of 60–270 characters,
median about 125, as in `briefs/`), in English or French by the source's language, with the mix the
curated store shows: hedged wording (incl. the French conditional), on-record, anonymous and relayed
attributions ("selon le Wall Street Journal"), loaded words, figures and dates, relays between sources
(`derived_from`), and links between claims (`corroborates`, `contradicts`, `also_in`, `evidence_refs`).
Ratings follow the wording most of the time, so `validate` finds the usual share of disagreements.

Import it from another benchmark::

    from bench.storegen import generate
    stats = generate(Path(tmp) / "briefs", claims=10_000, seed=7)

or run it: `.venv/bin/python bench/storegen.py OUT_DIR --claims 100000 [--seed 7]`.
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

CLAIMS_PER_SOURCE = 10
CLAIMS_PER_TOPIC = 2_000  # at 100k claims: 50 topics of about 2,000 claims, like the store

# --- word banks -----------------------------------------------------------------------------------
# Subjects, actions and objects are crossed, then completed with a figure, a date and a place, so
# every sentence differs from every other one while reading like reporting.

_EN_SUBJECTS = [
    "Moscow", "Beijing", "Washington", "the Kremlin", "the White House", "Brussels", "the European Commission",
    "Berlin", "Paris", "Kyiv", "Ankara", "New Delhi", "Tokyo", "the Pentagon", "the State Department",
    "Gazprom", "Rosneft", "the Bank of Russia", "the People's Bank of China", "NATO", "the G7",
    "the Russian foreign ministry", "China's commerce ministry", "the US Treasury", "European capitals",
    "Russian energy companies", "Chinese state banks", "the Trump administration", "the Chinese leadership",
]
_EN_ACTIONS = [
    "is preparing to expand", "has agreed to cut", "plans to double", "is seeking to reduce",
    "has quietly resumed", "is weighing whether to end", "wants to renegotiate", "has refused to discuss",
    "is ready to give up", "has stepped up", "intends to freeze", "has already lifted", "is trying to revive",
    "has offered to limit", "will not accept", "has begun to restrict", "aims to replace", "has signed",
]
_EN_OBJECTS = [
    "its oil exports to China", "military cooperation with Beijing", "sanctions on Russian banks",
    "gas deliveries through the Power of Siberia pipeline", "joint naval exercises in the Pacific",
    "purchases of Chinese microchips", "trade settled in yuan", "the grain corridor in the Black Sea",
    "arms deliveries to Kyiv", "tariffs on Chinese electric cars", "the price cap on Russian crude",
    "access to the SWIFT messaging system", "its share of the Arctic shipping route",
    "technology transfers for fighter jets", "the nuclear arms control treaty", "frozen central bank assets",
    "cooperation on the lunar research station", "investment in Siberian rare earth mines",
    "talks on the future of Ukraine's neutrality", "the deployment of troops near the border",
]
_EN_TAILS = [
    "by {pct}% before {year}", "worth about ${bn} billion a year", "within {n} months",
    "for the first time since {year}", "by {n} million tonnes a year", "after talks in {city} on {date}",
    "by the end of {year}", "at a cost of ${bn} billion", "covering {n} projects", "from {year} onward",
]
_EN_HEDGES = ["could", "might", "may", "would", "is likely to", "appears to", "reportedly"]
_EN_ANON = [
    "according to people familiar with the talks", "officials familiar with the matter said",
    "according to sources close to the negotiations", "a person briefed on the plan said",
    "diplomats who asked not to be named said", "according to unnamed officials",
]
_EN_RELAY = [
    "according to the Wall Street Journal", "as reported by Reuters", "the Financial Times reported",
    "according to Bloomberg", "citing the New York Times", "Politico reported",
]
_EN_ON_RECORD = [
    "Foreign Minister {name} said", "a spokesman for the ministry, {name}, told reporters",
    "{name}, the deputy prime minister, said in a speech", "{name} told lawmakers",
]
_EN_LOADED = [
    "the deep state", "globalist elites", "the mainstream media", "Western puppets", "the warmongers",
    "the Kyiv regime", "Russophobic",
]

_FR_SUBJECTS = [
    "Moscou", "Pékin", "Washington", "le Kremlin", "la Maison-Blanche", "Bruxelles", "la Commission européenne",
    "Berlin", "Paris", "Kiev", "Ankara", "New Delhi", "Tokyo", "le Pentagone", "le département d'État",
    "Gazprom", "Rosneft", "la Banque de Russie", "la Banque populaire de Chine", "l'Otan", "le G7",
    "la diplomatie russe", "le ministère chinois du Commerce", "le Trésor américain", "les capitales européennes",
    "les groupes énergétiques russes", "les banques d'État chinoises", "l'administration Trump",
]
_FR_ACTIONS = [
    ("s'apprête à étendre", "étendrait"), ("a accepté de réduire", "réduirait"),
    ("prévoit de doubler", "doublerait"), ("cherche à limiter", "limiterait"),
    ("a discrètement repris", "reprendrait"), ("envisage de mettre fin à", "mettrait fin à"),
    ("veut renégocier", "renégocierait"), ("refuse d'aborder", "refuserait d'aborder"),
    ("est prêt à abandonner", "abandonnerait"), ("a intensifié", "intensifierait"),
    ("compte geler", "gèlerait"), ("a déjà levé", "aurait levé"), ("tente de relancer", "relancerait"),
    ("a proposé de plafonner", "plafonnerait"), ("n'acceptera pas", "n'accepterait pas"),
]
_FR_OBJECTS = [
    "ses exportations de pétrole vers la Chine", "la coopération militaire avec Pékin",
    "les sanctions visant les banques russes", "les livraisons de gaz par le gazoduc Force de Sibérie",
    "les exercices navals conjoints dans le Pacifique", "les achats de puces chinoises",
    "les échanges réglés en yuans", "le corridor céréalier en mer Noire", "les livraisons d'armes à Kiev",
    "les droits de douane sur les voitures électriques chinoises", "le plafonnement du prix du brut russe",
    "l'accès au réseau SWIFT", "sa part de la route maritime du Nord", "les transferts de technologie militaire",
    "le traité de maîtrise des armements nucléaires", "les avoirs gelés de la banque centrale",
    "les investissements dans les terres rares de Sibérie", "les pourparlers sur la neutralité de l'Ukraine",
]
_FR_TAILS = [
    "de {pct} % d'ici {year}", "pour environ {bn} milliards de dollars par an", "d'ici {n} mois",
    "pour la première fois depuis {year}", "de {n} millions de tonnes par an", "après des discussions à {city} le {date}",
    "avant la fin de {year}", "pour un coût de {bn} milliards d'euros", "sur {n} projets", "à partir de {year}",
]
_FR_HEDGES = ["pourrait", "devrait", "semble", "sans doute"]
_FR_ANON = [
    "selon des sources proches du dossier", "selon plusieurs diplomates", "de sources diplomatiques",
    "selon des responsables ayant requis l'anonymat", "d'après plusieurs sources", "selon nos informations",
]
_FR_RELAY = [
    "selon le Wall Street Journal", "rapporte Reuters", "selon le Financial Times", "d'après Bloomberg",
    "selon un article du New York Times", "révèle Le Monde",
]
_FR_ON_RECORD = [
    "a déclaré le ministre des Affaires étrangères, {name}", "a indiqué le porte-parole {name}",
    "a affirmé {name} devant les députés", "a expliqué {name}, vice-premier ministre",
]
_FR_LOADED = ["l'État profond", "les élites mondialistes", "les médias mainstream", "les marionnettes de l'Occident",
              "les bellicistes", "le régime de Kiev", "russophobe"]

_NAMES = ["Lavrov", "Wang Yi", "Zakharova", "Peskov", "Rubio", "Blinken", "Borrell", "Kallas", "Barrot",
          "Baerbock", "Fidan", "Jaishankar", "Novak", "Siluanov", "Nabiullina", "Lin Jian", "Mao Ning"]
_CITIES = ["Riyadh", "Istanbul", "Geneva", "Beijing", "Moscow", "Helsinki", "Doha", "Vienna", "Minsk"]
_OUTLETS = ["The Wall Street Journal", "Reuters", "Le Monde", "Le Figaro", "Financial Times", "Bloomberg",
            "Kommersant", "TASS", "Les Échos", "Politico", "an analytics blog", "a Telegram channel"]
_KINDS = ["news-report"] * 4 + ["analysis"] * 2 + ["op-ed", "commentary", "rewrite", "official-statement",
                                                  "video-blurb", "other"]
_TOPIC_NAMES = [
    ("china", "China", "chine"), ("russia", "Russia", "russie"), ("nato", "NATO", "otan"),
    ("europe", "Europe", "europe"), ("energy", "Energy", "energie"), ("sanctions", "Sanctions", "sanctions-fr"),
    ("ukraine", "Ukraine", "ukraine-fr"), ("arctic", "The Arctic", "arctique"), ("india", "India", "inde"),
    ("turkey", "Turkey", "turquie"), ("japan", "Japan", "japon"), ("iran", "Iran", "iran-fr"),
]


@dataclass
class StoreStats:
    """What `generate` wrote."""

    topics: int = 0
    sources: int = 0
    claims: int = 0
    bytes: int = 0
    claim_ids: list[str] = field(default_factory=list, repr=False)


class _Words:
    """Draws unique sentences from the banks; a repeat gets fresh figures until it is new."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def fill(self, template: str, language: str = "en") -> str:
        r = self.rng
        months = _MONTHS if language == "en" else _MOIS
        return template.format(
            pct=r.randint(3, 60), year=r.randint(1991, 2031), bn=r.randint(2, 400), n=r.randint(2, 90),
            city=r.choice(_CITIES), date=f"{r.randint(1, 28)} {r.choice(months)}", name=r.choice(_NAMES),
        )

    def unique(self, make: object) -> str:
        for _ in range(50):
            text = make()  # type: ignore[operator]
            if text not in self.seen:
                self.seen.add(text)
                return text
        raise RuntimeError("word banks exhausted")  # pragma: no cover - never at 1M claims


_MONTHS = ["January", "February", "March", "April", "June", "July", "September", "October", "November"]
_MOIS = ["janvier", "février", "mars", "avril", "juin", "juillet", "septembre", "octobre", "novembre"]


@dataclass
class _ClaimText:
    statement: str
    quote: str
    attribution: str
    commitment: str
    framing: str
    speaker: str | None


def _claim_text(words: _Words, language: str) -> _ClaimText:
    """A statement in our words (English) and the source's quote, with the cues the rating reflects."""
    r = words.rng
    attribution = r.choices(["on-record", "document", "relayed", "anonymous", "author"], [30, 10, 15, 20, 25])[0]
    commitment = r.choices(["asserted", "probable", "possible"], [60, 20, 20])[0]
    framing = "loaded" if r.random() < 0.07 else "neutral"
    speaker = None
    subject, action_i, obj_i, tail = (r.randrange(60), r.randrange(60), r.randrange(60), r.choice(_EN_TAILS))
    en_subject = _EN_SUBJECTS[subject % len(_EN_SUBJECTS)]
    en_action = _EN_ACTIONS[action_i % len(_EN_ACTIONS)]
    en_object = _EN_OBJECTS[obj_i % len(_EN_OBJECTS)]
    statement = words.unique(lambda: f"{en_subject} {en_action} {en_object} {words.fill(tail)}.")
    if language == "fr":
        quote_core = _fr_core(words, subject, action_i, obj_i, commitment)
        cue = {"anonymous": _FR_ANON, "relayed": _FR_RELAY, "on-record": _FR_ON_RECORD}.get(attribution)
        loaded = _FR_LOADED
    else:
        quote_core = _en_core(words, subject, action_i, obj_i, commitment)
        cue = {"anonymous": _EN_ANON, "relayed": _EN_RELAY, "on-record": _EN_ON_RECORD}.get(attribution)
        loaded = _EN_LOADED
    # A curator sometimes misses a cue or rates past it: one claim in ten keeps a cue its rating lacks.
    if cue is None and r.random() < 0.1:
        cue = r.choice([_EN_ANON, _FR_ANON] if language == "en" else [_FR_ANON, _FR_RELAY])
    if cue is not None:
        said = words.fill(r.choice(cue), language)
        if attribution == "on-record":
            speaker = next((n for n in _NAMES if n in said), None)
        quote_core = f"{quote_core}, {said}" if r.random() < 0.7 else f"{said[0].upper()}{said[1:]}: {quote_core}"
    if framing == "loaded" or r.random() < 0.02:
        word = r.choice(loaded)
        quote_core += f" ({'say' if language == 'en' else 'disent'} {word})" if r.random() < 0.5 else (
            f", {'a plan pushed by' if language == 'en' else 'un projet voulu par'} {word}")
    quote = words.unique(lambda: _fit(quote_core, words, language))
    return _ClaimText(statement, quote, attribution, commitment, framing, speaker)


def _en_core(words: _Words, s: int, a: int, o: int, commitment: str) -> str:
    r = words.rng
    subject = _EN_SUBJECTS[(s * 7 + 3) % len(_EN_SUBJECTS)]
    subject = subject[0].upper() + subject[1:]
    action = _EN_ACTIONS[(a * 5 + 1) % len(_EN_ACTIONS)]
    if commitment != "asserted":
        hedge = r.choice(_EN_HEDGES)
        verb = action.split(" ", 1)[1] if " " in action else action
        action = f"{hedge} be {verb}" if hedge in ("could", "might", "may", "would") and verb.startswith(
            ("preparing", "seeking", "weighing", "trying")) else f"{hedge} {_bare(action)}"
    tail = words.fill(r.choice(_EN_TAILS))
    return f"{subject} {action} {_EN_OBJECTS[(o * 3 + 2) % len(_EN_OBJECTS)]} {tail}"


def _bare(action: str) -> str:
    """'has agreed to cut' -> 'agree to cut', near enough for a hedged quote."""
    head, _, rest = action.partition(" ")
    if head in ("has", "is", "will"):
        verb, _, more = rest.partition(" ")
        verb = {"agreed": "agree", "quietly": "quietly", "already": "already", "begun": "begin", "offered": "offer",
                "signed": "sign", "refused": "refuse", "stepped": "step", "preparing": "prepare",
                "seeking": "seek", "weighing": "weigh", "ready": "be ready", "trying": "try", "not": "not"}.get(verb, verb)
        return f"{verb} {more}".strip()
    return {"plans": "plan", "wants": "want", "intends": "intend", "aims": "aim"}.get(head, head) + f" {rest}"


def _fr_core(words: _Words, s: int, a: int, o: int, commitment: str) -> str:
    r = words.rng
    subject = _FR_SUBJECTS[(s * 7 + 3) % len(_FR_SUBJECTS)]
    subject = subject[0].upper() + subject[1:]
    indicative, conditional = _FR_ACTIONS[(a * 5 + 1) % len(_FR_ACTIONS)]
    if commitment == "asserted":
        action = indicative
    elif r.random() < 0.6:
        action = conditional  # the conditionnel journalistique
    else:
        action = f"{r.choice(_FR_HEDGES)} {indicative}"
    tail = words.fill(r.choice(_FR_TAILS), "fr")
    return f"{subject} {action} {_FR_OBJECTS[(o * 3 + 2) % len(_FR_OBJECTS)]} {tail}"


def _fit(core: str, words: _Words, language: str) -> str:
    """Lengthen a short quote with a clause of context, as real quotes carry; cut at 270 characters."""
    r = words.rng
    text = core
    if len(text) < 90 or r.random() < 0.35:
        text += r.choice([
            f", while talks continue in {r.choice(_CITIES)}", f", a move first discussed in {r.randint(1995, 2024)}",
            f" — a shift that would touch {r.randint(2, 40)} countries", f", after {r.randint(2, 19)} rounds of talks",
        ] if language == "en" else [
            f", alors que {r.randint(2, 30)} pays observent", f", soit {r.randint(2, 90)} % de plus qu'en {r.randint(2000, 2024)}",
            f", au terme de {r.randint(2, 19)} cycles de négociations", f" — un tournant évoqué dès {r.randint(1995, 2024)}",
        ])
    return text[:270].rstrip(" ,") + "."


# --- files ---------------------------------------------------------------------------------------

def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _topic_ids(count: int) -> list[tuple[str, str, str]]:
    out = []
    for i in range(count):
        base, title, alias = _TOPIC_NAMES[i % len(_TOPIC_NAMES)]
        round_ = i // len(_TOPIC_NAMES)
        suffix = f"-{round_}" if round_ else ""
        out.append((f"{base}{suffix}", f"{title}{f' ({round_})' if round_ else ''}", f"{alias}{suffix}"))
    return out


def _write_topic(folder: Path, tid: str, title: str, alias: str, theses: int) -> int:
    lines = ["# yaml-language-server: $schema=../../schema/topic.schema.json", f"id: {tid}", f"title: {_q(title)}",
             f"description: {_q(f'{title} as seen in the debate on a US–Russia thaw and its partners.')}",
             "aliases:", f"- {alias}", f"- {_q(tid.upper())}", "theses:"]
    for k in range(theses):
        lines += [f"- id: {tid}-t{k}", f"  statement: {_q(f'Thesis {k} on {title}: a contested reading of events.')}"]
    text = "\n".join(lines) + "\n"
    (folder / f"{tid}.yaml").write_text(text, encoding="utf-8")
    return len(text.encode())


def generate(root: Path, claims: int, seed: int = 7, claims_per_source: int = CLAIMS_PER_SOURCE,
             topics: int | None = None) -> StoreStats:
    """Write a store of about `claims` claims under `root` (created), deterministic for a seed."""
    rng = random.Random(seed)
    words = _Words(rng)
    n_sources = max(1, claims // claims_per_source)
    n_topics = topics or max(3, min(50, claims // CLAIMS_PER_TOPIC or 3))
    topic_rows = _topic_ids(n_topics)
    theses = {tid: 3 + (i % 3) for i, (tid, _, _) in enumerate(topic_rows)}
    (root / "topics").mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    stats = StoreStats(topics=n_topics)
    for tid, title, alias in topic_rows:
        stats.bytes += _write_topic(root / "topics", tid, title, alias, theses[tid])
    source_ids = [f"src-{s:06d}" for s in range(n_sources)]
    for s, sid in enumerate(source_ids):
        text, claim_ids = _source_file(rng, words, sid, s, source_ids, stats.claim_ids, topic_rows, theses,
                                       claims_per_source)
        (root / "sources" / f"{sid}.yaml").write_text(text, encoding="utf-8")
        stats.bytes += len(text.encode())
        stats.claim_ids.extend(claim_ids)
    stats.sources = n_sources
    stats.claims = len(stats.claim_ids)
    return stats


def _source_file(rng: random.Random, words: _Words, sid: str, s: int, source_ids: list[str],
                 earlier_claims: list[str], topic_rows: list[tuple[str, str, str]], theses: dict[str, int],
                 per_source: int) -> tuple[str, list[str]]:
    language = "fr" if rng.random() < 0.4 else "en"
    kind = rng.choice(_KINDS)
    mine = rng.sample([t for t, _, _ in topic_rows], min(len(topic_rows), rng.choice([1, 2, 2, 3])))
    outlet = rng.choice(_OUTLETS)
    lines = ["# yaml-language-server: $schema=../../schema/source.schema.json", f"id: {sid}",
             f"title: {_q(rng.choice(_EN_SUBJECTS).capitalize() + ' and ' + rng.choice(_EN_OBJECTS) + ' ' + words.fill(rng.choice(_EN_TAILS)))}",
             f"outlet: {_q(outlet)}"]
    if rng.random() < 0.7:
        lines.append(f"author: {_q(rng.choice(_NAMES) + ' ' + rng.choice(['A.', 'M.', 'J.', 'S.']))}")
    lines += [f"language: {language}", f"published: {rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}"
              + (f"-{rng.randint(1, 28):02d}" if rng.random() < 0.6 else ""), f"kind: {kind}"]
    if rng.random() < 0.8:
        lines.append(f"url: https://news.example/{language}/{sid}")
    if s > 0 and (kind == "rewrite" or rng.random() < 0.12):  # a relay of earlier reporting
        lines += ["derived_from:"] + [f"- {o}" for o in sorted(set(rng.choices(source_ids[:s], k=rng.choice([1, 1, 2]))))]
    lines.append(f"note: {_q('Curator note: reports ' + rng.choice(_EN_OBJECTS) + ' ' + words.fill(rng.choice(_EN_TAILS)) + '; slant and sourcing as read.')}")
    lines.append("positions:")
    for tid in mine:
        lines += [f"- topic: {tid}", f"  summary: {_q('Reads ' + tid + ' through ' + rng.choice(_EN_OBJECTS) + ' ' + words.fill(rng.choice(_EN_TAILS)))}",
                  "  stances:"]
        for k in rng.sample(range(theses[tid]), rng.randint(1, 2)):
            lines += [f"  - thesis: {tid}-t{k}", f"    stance: {rng.choice(['supports', 'opposes', 'mixed'])}"]
    lines.append("claims:")
    claim_ids = []
    for c in range(per_source):
        cid = f"{sid}-c{c}"
        claim_ids.append(cid)
        lines += _claim_lines(rng, words, cid, language, mine, theses, source_ids, earlier_claims)
    return "\n".join(lines) + "\n", claim_ids


def _claim_lines(rng: random.Random, words: _Words, cid: str, language: str, mine: list[str],
                 theses: dict[str, int], source_ids: list[str], earlier: list[str]) -> list[str]:
    text = _claim_text(words, language)
    tid = rng.choice(mine)
    evidence = rng.choices(["supported", "unsupported", "not-checkable", "disputed", "contradicted"],
                           [25, 35, 15, 15, 10])[0]
    out = [f"- id: {cid}", f"  statement: {_q(text.statement)}", f"  quote: {_q(text.quote)}"]
    if text.speaker:
        out.append(f"  speaker: {_q(text.speaker)}")
    out += [f"  topics: [{tid}]", f"  theses: [{tid}-t{rng.randrange(theses[tid])}]", f"  evidence: {evidence}",
            f"  attribution: {text.attribution}", f"  commitment: {text.commitment}", f"  framing: {text.framing}",
            f"  reason: {_q('Rated on ' + rng.choice(_EN_OBJECTS) + ' ' + words.fill(rng.choice(_EN_TAILS)) + ', against the record.')}",
            f"  key: {'true' if rng.random() < 0.8 else 'false'}"]
    if evidence == "supported" and rng.random() < 0.85 or rng.random() < 0.1:
        out += ["  evidence_refs:", f"  - title: {_q('Official figures ' + words.fill('{year}'))}",
                f"    url: https://data.example/{cid}"]
    if rng.random() < 0.12:
        out.append(f"  also_in: [{rng.choice(source_ids)}]")
    if earlier and rng.random() < 0.3:
        out.append(f"  corroborates: [{rng.choice(earlier)}]")
    if earlier and rng.random() < 0.08:
        out.append(f"  contradicts: [{rng.choice(earlier)}]")
    return out


def main() -> None:
    """Write a store to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    stats = generate(args.out, args.claims, args.seed)
    print(json.dumps({"topics": stats.topics, "sources": stats.sources, "claims": stats.claims, "bytes": stats.bytes}))


if __name__ == "__main__":
    main()
