"""Synthetic claim stores shaped like the real one: unique English and French quotes of real length,
named speakers, outlets and authors, derived sources, links between claims, every label."""
from __future__ import annotations

import random

from bot.core.models import Attribution, Claim, Commitment, Evidence, Framing, Position, Source, SourceKind, Stance, Thesis, ThesisStance, Topic
from bot.core.store import Store, build_store

SPEAKERS = ["Dmitry Peskov, Kremlin spokesman", "Sergei Lavrov, Russian foreign minister", "Alexander Pankin, deputy foreign minister",
            "Wang Yi, Chinese foreign minister", "Annalena Baerbock, German foreign minister", "Jean-Noël Barrot, ministre français",
            "Antony Blinken, US secretary of state", "Mark Rutte, NATO secretary general", "Ursula von der Leyen",
            "Kaja Kallas, EU foreign policy chief", "Volodymyr Zelensky", "Mao Ning, porte-parole chinoise", None, None]
OUTLETS = ["The Wall Street Journal", "Le Monde", "Financial Times", "Le Figaro", "Reuters", "Agence France-Presse",
           "The Economist", "Libération", "Kommersant", "South China Morning Post", "Politico Europe", "Les Échos"]
AUTHORS = ["Isabelle Mandraud", "Max Seddon", "Sylvie Kauffmann", "Henry Foy", "Benoît Vitkine", "Laura Kayali", None]
PLACES_EN = ["Beijing", "Moscow", "Washington", "Brussels", "Kyiv", "Ankara", "Riyadh", "Warsaw", "Berlin", "Tokyo"]
PLACES_FR = ["Pékin", "Moscou", "Washington", "Bruxelles", "Kiev", "Ankara", "Riyad", "Varsovie", "Berlin", "Tokyo"]
THINGS_EN = ["sanctions relief", "an energy deal", "arms exports", "a ceasefire", "grain corridors", "gas pipelines",
             "rare earth supplies", "a security pact", "frozen assets", "naval exercises", "a trade truce", "tariff cuts"]
THINGS_FR = ["la levée des sanctions", "un accord énergétique", "les exportations d'armes", "un cessez-le-feu",
             "les corridors céréaliers", "les gazoducs", "les terres rares", "un pacte de sécurité", "les avoirs gelés",
             "des manœuvres navales", "une trêve commerciale", "la baisse des droits de douane"]
EN = ["{speaker_says}{place} could offer {thing} before {month} {year}, according to people familiar with the talks, a move that would reshape ties with {place2}.",
      "Officials in {place} said on {day} {month} {year} that {thing} was not on the table, contradicting reports published the previous week.",
      "We will not trade {thing} for promises, and {place2} knows it: the figure of {n} billion dollars is simply invented.",
      "The deep state in {place} fears {thing} more than any battlefield defeat, the author writes, without citing a single document.",
      "A confidential memo seen by reporters puts the cost of {thing} at {n} billion dollars over {k} years for {place}."]
FR = ["{place} pourrait proposer {thing} d'ici {month_fr} {year}, selon des sources proches du dossier, ce qui rebattrait les cartes avec {place2}.",
      "Selon le Wall Street Journal, {place} envisagerait {thing} en échange d'un allègement de {n} milliards de dollars.",
      "Les élites mondialistes de {place} refusent {thing}, affirme l'auteur, qui ne cite aucune source vérifiable.",
      "Le {day} {month_fr} {year}, {place} a officiellement démenti toute discussion sur {thing} avec {place2}.",
      "D'après un rapport de {k} pages consulté par la rédaction, {thing} coûterait {n} milliards d'euros à {place}."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
KINDS = [SourceKind.NEWS_REPORT, SourceKind.ANALYSIS, SourceKind.OP_ED, SourceKind.REWRITE, SourceKind.COMMENTARY]


def _quote(rng: random.Random, french: bool, used: set[str]) -> tuple[str, str, str | None]:
    while True:
        i = rng.randrange(len(PLACES_EN))
        j = (i + 1 + rng.randrange(len(PLACES_EN) - 1)) % len(PLACES_EN)
        t = rng.randrange(len(THINGS_EN))
        speaker = rng.choice(SPEAKERS)
        values = dict(place=(PLACES_FR if french else PLACES_EN)[i], place2=(PLACES_FR if french else PLACES_EN)[j],
                      thing=(THINGS_FR if french else THINGS_EN)[t], month=rng.choice(MONTHS), month_fr=rng.choice(MONTHS_FR),
                      year=rng.randrange(2019, 2027), day=rng.randrange(1, 29), n=rng.randrange(2, 900), k=rng.randrange(2, 40),
                      speaker_says=f"{speaker.split(',')[0]} said " if speaker else "")
        quote = rng.choice(FR if french else EN).format(**values)
        if quote not in used:
            used.add(quote)
            statement = (f"The source reports that {PLACES_EN[i]} and {PLACES_EN[j]} discussed {THINGS_EN[t]} "
                         f"({values['n']} billion, {values['year']}).")
            return quote, statement, speaker


def synthetic_sources(rng: random.Random, topics: list[Topic], sources: int, claims: int, start: int = 0) -> list[Source]:
    """`sources` sources sharing `claims` claims among `topics`; ids start at `start`."""
    used: set[str] = set()
    out: list[Source] = []
    per = max(1, claims // sources)
    for n in range(start, start + sources):
        french = n % 2 == 1
        kind = KINDS[n % len(KINDS)]
        mine = rng.sample(topics, min(2, len(topics)))
        derived = [f"src-{rng.randrange(start, n)}"] if kind is SourceKind.REWRITE and n > start else []
        made = []
        for c in range(per):
            quote, statement, speaker = _quote(rng, french, used)
            topic = rng.choice(mine)
            made.append(Claim(
                id=f"c-{n}-{c}", statement=statement, quote=quote[:400], speaker=speaker, topics=[topic.id],
                theses=[rng.choice(topic.theses).id] if topic.theses else [], evidence=rng.choice(list(Evidence)),
                attribution=rng.choice(list(Attribution)), commitment=rng.choice(list(Commitment)),
                framing=Framing.LOADED if "élites" in quote or "deep state" in quote else Framing.NEUTRAL,
                reason=f"Rated from the text of source {n}: the figure is {'not ' if c % 3 else ''}backed by a document.",
                corroborates=[f"c-{n - 1}-0"] if n > start and c == 0 else [],
            ))
        outlet = OUTLETS[n % len(OUTLETS)]
        out.append(Source(
            id=f"src-{n}", title=f"{'Rapport' if french else 'Report'} {n}: {made[0].statement[:120]}", outlet=outlet,
            author=AUTHORS[n % len(AUTHORS)], language="fr" if french else "en", published=f"20{19 + n % 7}-{1 + n % 12:02d}",
            kind=kind, note=f"{outlet} piece; the curator notes its reliance on {'unnamed' if n % 2 else 'named'} sources.",
            derived_from=derived,
            positions=[Position(topic=t.id, summary=f"Source {n} on {t.title}: it argues the point with {len(made)} claims.",
                                stances=[ThesisStance(thesis=th.id, stance=rng.choice(list(Stance))) for th in t.theses])
                       for t in mine],
            claims=made,
        ))
    return out


def one_big_topic_store(claims: int = 2000, sources: int = 40, theses: int = 6, seed: int = 12) -> Store:
    """One topic of `claims` claims from `sources` sources, with `theses` theses of real length."""
    rng = random.Random(seed)
    topic = Topic(id="big", title="A very large topic " + "with a long title " * 6, description="Synthetic.",
                  theses=[Thesis(id=f"th-{i}", statement=f"Thesis {i}: " + "a long contested statement about sanctions and energy " * 5)
                          for i in range(theses)])
    return build_store([topic], synthetic_sources(rng, [topic], sources, claims), "synthetic")


def big_store(claims: int = 100_000, sources: int = 10_000, topics: int = 50, seed: int = 7) -> Store:
    """A store shaped like briefs/, `claims` claims in all, for benchmarks."""
    rng = random.Random(seed)
    made = [Topic(id=f"topic-{t}", title=f"Topic {t}", description=f"Synthetic topic {t}.", aliases=[f"alias-{t}"],
                  theses=[Thesis(id=f"t{t}-a", statement=f"Thesis A of topic {t}."), Thesis(id=f"t{t}-b", statement=f"Thesis B of topic {t}.")])
            for t in range(topics)]
    return build_store(made, synthetic_sources(rng, made, sources, claims), "bench")
