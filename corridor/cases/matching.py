"""Finding the same person twice in the registry.

The same person is registered by several organisations, and each writes the names as its
writer hears them or learned to spell them: English-style, French-style (Djibouti), Oromo
Qubee, Somali orthography, sometimes in Ge'ez script. This module says how likely two
registrations are to be the same person, and serves two uses:

- `Matcher.candidates(identity)`: the likely existing persons for a new registration, best
  first, from an index built once over the registry (while registering);
- `Matcher.pairs()`: all likely duplicate pairs over the whole registry (the batch that fills
  the registry officer's review queue), or `Matcher.groups()`: the same registrations grouped
  into likely persons, which finds more of them (see docs/person-matching.md).

It is a Fellegi-Sunter model, with weights in bits (log2 of likelihood ratios):

- names are folded to a canonical Latin spelling by orthographic rules (`fold`), then compared
  by an edit distance whose costs follow the sounds (`name_distance`): vowels that alternate
  between conventions cost little, a changed consonant costs a full edit. Two names are SAME,
  CLOSE (one typo more) or DIFFERENT;
- the weight of an agreement is log2(m / u): m is fixed (how often the same person's names
  agree), u is the share of the registry's names that agree with this one, counted in the
  registry itself, so a rare name says more than Abdi or Mohamed (no labels are used);
- names of one community go together (Mohamed with Ahmed): latent classes of the registry's
  names, fitted without labels (EM), correct what several names agreeing weigh;
- the father's name may be written first, the grandfather's name may be missing;
- two birth years are weighed by the likelihood of their signed difference given how written
  years depart from the true one (an Ethiopian-calendar year written as Gregorian, an
  estimated age rounded, a mistake), the departures learned from the registry without labels
  (EM);
- agreeing on sex says little when the given names already say it;
- the prior is `DUPLICATES_PER_RECORD` other registrations of the same person per
  registration, spread over the registry, so the threshold adapts to the registry's size.

Standard library only, and no Django import: callers adapt their model instances into
`Identity` values. See docs/person-matching.md for the rules, the figures and the limits.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, combinations, product

# --- Ge'ez (Ethiopic) script -------------------------------------------------------------
# The syllabary is a grid: each consonant row holds 8 code points, the 7 vowel orders and a
# labialised form. The table is generated from each row's consonant (in the order of the
# Unicode block, from U+1200) and each order's vowel; there is no per-character list.
_GEEZ_ROWS = (  # noqa: SIM905 - one line of the grid per line of text reads better
    "h l h m s r s sh q qw q qw b v t ch h hw n ny ' k kw h hw w ' z zh y d d j g gw g t ch p "
    "ts ts f p"
).split()
# The 6th order is a short or silent vowel that Latin spellings mostly leave out (Birhanu and
# Brhanu both occur); the 1st order is written "e" (Tesfaye), but "a" after the throat
# consonants, as it is pronounced there (Haile, Ali).
_GEEZ_ORDERS = ("e", "u", "i", "a", "e", "", "o", "wa")
_GEEZ_THROAT = {"h", "'"}
_GEEZ_LABIALISED = {"qw", "hw", "kw", "gw"}  # rows laid out as wa, -, wi, wa, we, w(e), -, -


def _geez_table() -> dict[str, str]:
    table = {}
    for row, consonant in enumerate(_GEEZ_ROWS):
        for order, vowel in enumerate(_GEEZ_ORDERS):
            if consonant in _GEEZ_LABIALISED:
                if order not in (0, 2, 3, 4, 5):
                    continue
                latin = consonant + ("a" if order in (0, 3) else vowel)
            elif order == 0 and consonant in _GEEZ_THROAT:
                latin = consonant + "a"
            else:
                latin = consonant + vowel
            table[chr(0x1200 + 8 * row + order)] = latin.replace("'", "")
    return table


_GEEZ = _geez_table()

# --- Folding a name to a canonical Latin spelling ---------------------------------------------
# Applied in order, on lower-case letters without accents. Upper-case C and S stand for the
# sounds of "church" and "shoe", so that each is one symbol whatever digraph wrote it.
_REWRITES = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("dj", "j"),  # French writes the j sound dj (Djama)
        ("t?ch|tsh", "C"),  # English ch, French tch
        ("sch|sh", "S"),
        ("ph", "f"),
        ("th", "t"),
        ("dh", "d"),  # Somali and Oromo dh is a kind of d
        ("kh|gh(?=[aeiou])", "k"),
        ("gh", "g"),
        ("gu(?=[eiy])", "g"),  # French writes a hard g before e and i as gu (Guebre)
        ("qu|q|ck", "k"),  # Oromo and Somali q, the Arabic qaf: others write k
        ("ts|tz", "z"),  # the Ethiopic ts' sound, also written z or s
        ("x", "h"),  # Somali x is the h of Arabic names (Maxamed, Xasan)
        ("ou(?=[aeio])", "w"),  # French ou before a vowel is a w (Daouit)
        ("ou", "u"),  # and otherwise u (Youssouf)
        (r"(.)\1+", r"\1"),  # doubled letters: long vowels of Oromo and Somali, geminates
        ("(?<=[aeiou])h$", ""),  # a final h after a vowel is often not written (Farah)
        ("(?<=[ie])y(?=[aeiou])|(?<=[aeiou])y(?=i)", ""),  # a glide heard, not always written
        ("(?<=[ou])w(?=[aeiou])|(?<=[aeiou])w(?=u)", ""),
        ("y(?![aeiou])", "i"),  # y before a consonant or at the end is the vowel i (Abdy)
        ("w(?![aeiou])", "u"),  # and w is u (Asfaw)
        (r"(.)\1+", r"\1"),
    )
]
_VOWELS = frozenset("aeiou")


def fold(name: str) -> str:
    """A name's canonical Latin spelling, the same for most spellings of the same name.

    A remaining c is kept: Somali c is the 'ayn (Cabdi for Abdi), Oromo c the ch' sound
    (Caalaa for Chala), and the letter alone cannot tell which; `name_distance` allows both.
    """
    text = "".join(_GEEZ.get(ch, ch) for ch in name)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if "a" <= ch <= "z")
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


# --- Distance between two folded names -------------------------------------------------------
# Costs below 1 are changes that transliteration makes; 1 is a typo or another name. Vowels
# that writers of different conventions confuse cost least: e/a (the Amharic first order),
# o/u (Arabic has one u), e/i; a final -o/-a alternates in Somali women's names.
_VOWEL_COSTS = {
    "ae": 0.2,
    "ei": 0.2,
    "ou": 0.2,
    "ao": 0.35,
    "eo": 0.5,
    "eu": 0.5,
    "ai": 0.6,
    "au": 0.6,
    "io": 0.6,
    "iu": 0.6,
}
_CONSONANT_COSTS = {
    "iy": 0.15,  # y and i, w and u: one sound written two ways
    "uw": 0.15,
    "Cc": 0.15,  # Oromo c (ch') against ch
    "CS": 0.25,  # French ch is the English sh (Aicha, Aisha)
    "sz": 0.3,
    "bp": 0.3,
    "fv": 0.3,
    "jy": 0.4,  # Johannes, Yohannes
    "ck": 0.5,  # French c before a, o, u
    "Cj": 0.5,
    "Ss": 0.5,
    "dt": 0.5,  # Fadumo, Fatuma
    "gk": 0.5,
    "bv": 0.5,
    "fp": 0.5,
    "jz": 0.6,
}
# Inserting or dropping: vowels come and go between spellings (Mulugeta, Mulgeta), so do the
# glides y and w, the h (Tilahun, Tilaun) and the Somali 'ayn c (Cabdi, Abdi).
_INDEL_COSTS = {"c": 0.2, "h": 0.4, "w": 0.3, "y": 0.3} | dict.fromkeys("aeiou", 0.3)
_TRANSPOSE_COST = 0.8


def _substitution_costs() -> dict[tuple[str, str], float]:
    table = {}
    for (a, b), cost in (_VOWEL_COSTS | _CONSONANT_COSTS).items():
        table[a, b] = table[b, a] = cost
    for glide, vowel in (("y", "i"), ("w", "u")):
        for other in _VOWELS - {vowel}:
            table.setdefault((glide, other), 0.3)
            table.setdefault((other, glide), 0.3)
    return table


_SUBSTITUTE = _substitution_costs()

SAME, CLOSE, DIFFERENT = 0, 1, 2
SAME_AT_MOST = 0.55  # what spelling conventions alone change
CLOSE_AT_MOST = 1.3  # and a typo, or several conventions at once


def name_distance(a: str, b: str, limit: float = CLOSE_AT_MOST) -> float:
    """Weighted edit distance between two folded names (optimal string alignment).

    Returns early, with a value above `limit`, once the names cannot come within it."""
    if a == b:
        return 0.0
    indel, substitute = _INDEL_COSTS, _SUBSTITUTE
    before: list[float] = []
    previous = [0.0]
    for ch in b:
        previous.append(previous[-1] + indel.get(ch, 1.0))
    for i, ca in enumerate(a, 1):
        drop = indel.get(ca, 1.0)
        current = [previous[0] + drop]
        for j, cb in enumerate(b, 1):
            if ca == cb:
                best = previous[j - 1]
            else:
                best = min(
                    previous[j - 1] + substitute.get((ca, cb), 1.0),
                    previous[j] + drop,
                    current[j - 1] + indel.get(cb, 1.0),
                )
                if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                    best = min(best, before[j - 2] + _TRANSPOSE_COST)
            current.append(best)
        if min(current) > limit:
            return limit + 1.0
        before, previous = previous, current
    return previous[-1]


def name_level(a: str, b: str) -> int:
    """SAME, CLOSE or DIFFERENT, for two folded names."""
    distance = name_distance(a, b)
    if distance <= SAME_AT_MOST:
        return SAME
    return CLOSE if distance <= CLOSE_AT_MOST else DIFFERENT


# --- Coarse keys, for blocking ----------------------------------------------------------
# The consonant skeleton, consonants that alternate merged, h, y and w dropped: the spellings
# of a name share it (Mohamed, Muhammad and Maxamed give "mmt"). A leading vowel is kept as V.
_COARSE = str.maketrans("pvzSCdgy", "bfssstkj")


def coarse_keys(folded: str) -> tuple[str, ...]:
    """Blocking keys of a folded name: one for each reading of a Somali or Oromo c."""
    readings = [""]
    for ch in folded:
        if ch == "c" and len(readings) < 4:
            readings = [r + o for r in readings for o in ("", "C")]
        else:
            readings = [r + ch for r in readings]
    keys = []
    for reading in readings:
        reading = reading.replace("c", "")
        head = "V" if reading[:1] in _VOWELS else reading[:1].translate(_COARSE)
        tail = "".join(ch for ch in reading[1:] if ch not in "aeiouhwy").translate(_COARSE)
        keys.append(head + tail)
    return tuple(dict.fromkeys(keys))


# --- The model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What the matcher knows of one registration."""

    key: Hashable
    given_name: str
    father_name: str = ""
    grandfather_name: str = ""
    sex: str = ""  # "M", "F" or "" when not known
    birth_year: int | None = None  # Gregorian, as written (it may be an Ethiopian year)
    age_is_estimated: bool = False
    nationality: str = ""  # ISO 3166 alpha-3 or alpha-2
    other_names: tuple[str, ...] = ()  # other spellings of the given name, aliases, Ge'ez


@dataclass(frozen=True)
class Match:
    """An existing registration, likely the same person as the identity asked about."""

    key: Hashable
    score: float  # bits of evidence, before the prior
    probability: float


@dataclass(frozen=True)
class Pair:
    """Two registrations of the registry likely to be the same person."""

    key_a: Hashable
    key_b: Hashable
    score: float
    probability: float


# m-probabilities: how often two registrations of the same person show each level. Set from
# what is known of registration in the field, not learned from labels.
NAME_M = (0.88, 0.08, 0.04)  # SAME, CLOSE, DIFFERENT
MIN_NAME_SHARE = 0.0005  # a name met once still says no more than a 1-in-2,000 name
PSEUDO_COUNT = 100  # for a small registry: as if 100 more registrations had been counted,
PRIOR_SHARE = 0.01  # each of their names shared by 1 in 100,
PRIOR_YEARS = 40  # their birth years spread evenly over 40 years
SEX_M = (0.98, 0.02)  # agree, disagree
SEX_PSEUDO = 10  # a given name's sexes blended with 10 registrations of the registry's mix
SEX_U_MOST = 0.99  # the u of agreeing on sex, at most (from the registry's mix, at least)
NATIONALITY_M = (0.92, 0.08)
SWAP_PENALTY = 3.0  # bits: the father's name written first is the exception
# Birth years: how a written year departs from the person's true (Gregorian) one, by mechanism.
# A year not marked as estimated is right, or is an Ethiopian-calendar year written as
# Gregorian: 8 years less from January to September (before the Ethiopian new year), 7 from
# September to December. An estimated age is off by a few years either way, more rarely by
# many. Either may be a plain mistake, anywhere within YEAR_SPAN years. The likelihood of two
# written years for one person sums over what each may be (the differences of two departures);
# for two people it is the registry's own spread of years. The shares below only make the
# starting departures: `Matcher` learns the departures from the registry itself (no labels),
# see `_fit_years`.
YEAR_SPAN = 15
ETHIOPIAN_SHARE = 0.15  # of years not marked as estimated
ETHIOPIAN_EIGHT = 0.7  # of those, 8 years less (about 3/4 of the year is before September)
ESTIMATE_SPREAD = 3.0  # years, the standard deviation of an estimated age's error
YEAR_MISTAKE = 0.02  # a year wrong in any other way, spread over +-YEAR_SPAN years
YEAR_WINDOW = 13  # beyond, differences are weighed together
# What the departures are fitted on
FIT_PAIRS = 30_000  # pairs that share all three names, at most
FIT_BLOCK = 30  # registrations of a block taken, at most
FIT_MIN_PAIRS = 200
FIT_ROUNDS = 30
FIT_SETTLED = 1e-4  # no share of a departure moved more than this in a round
YEAR_PSEUDO = 0.5  # counts added to each departure: none is ruled out (Jeffreys' prior)
# Name communities: the latent classes of `_fit_communities` (a person's names come from the
# pools of a community, and a community from the mix of a few languages: Amharic, Oromo,
# Somali, Afar, Arabic...; more classes than languages, so that mixed families find one).
COMMUNITIES = 8
COMMUNITY_ROUNDS = 40
COMMUNITY_SAMPLE = 20_000  # registrations the classes are fitted on, at most
COMMUNITY_PSEUDO = 0.1  # counts added to each name of a class
# The prior: other registrations of the same person per registration, on average.
DUPLICATES_PER_RECORD = 0.5
PAIR_PROBABILITY = 0.2  # what the batch keeps for review (best F1 on the tuning half)
CANDIDATE_PROBABILITY = 0.05  # what the registration form shows
# What groups() links on: the best F1 on the tuning half when chosen (first round); since
# the fourth round 0.2 is a little better there (0.664 against 0.659), not chosen again.
GROUP_PROBABILITY = 0.15
SMALL_BLOCK = 40  # blocks compared pair by pair; larger ones by birth year first

# Nationality codes of the region, so that alpha-2 and alpha-3 codes compare.
_ALPHA3 = {
    "AE": "ARE",
    "DJ": "DJI",
    "EG": "EGY",
    "ER": "ERI",
    "ET": "ETH",
    "KE": "KEN",
    "OM": "OMN",
    "SA": "SAU",
    "SD": "SDN",
    "SO": "SOM",
    "SS": "SSD",
    "UG": "UGA",
    "YE": "YEM",
}


def _log2(x: float) -> float:
    return math.log2(max(x, 1e-12))


GIVEN, PATERNAL = 0, 1  # the two roles a name is weighed in: the pools differ (women's names)
MISSING = 3  # a name level: one side has no such name


@dataclass(slots=True)
class _Record:
    key: Hashable
    given: tuple[int, ...]  # folded name ids: the given name, then its other spellings
    father: int  # -1 when missing
    grandfather: int
    sex: str
    year: int | None
    estimated: bool
    nationality: str
    # The given, father's and grandfather's names as the communities count them (-1 when
    # missing): set once the communities are fitted.
    community: tuple[int, int, int] = (-1, -1, -1)
    female: float = 0.5  # the share of women among the registry's people of this given name


# The weights of a name in one role: SAME, CLOSE, DIFFERENT, then how often the name is
# written in that role, and how many of the registry's registrations of each spelling CLOSE
# to it are expected to be misspellings of it (see `_weight`).
_Weights = tuple[float, float, float, int, float]


def _weight(weights: list[_Weights], a: int, b: int, level: int) -> float:
    """Weight of two names at a level: the smaller of the two sides' (one side may be a
    misspelling of the other, which would look rare).

    A CLOSE pair may be one name and a misspelling of it: the rarer spelling y is then
    explained by the commoner t, and the pair says what t agreeing says. The share of y's
    registrations that t's misspellings explain is t's expected misspellings (its count times
    m CLOSE / m SAME) spread evenly over the spellings CLOSE to it, against y's count; the
    pair weighs t's SAME weight plus log2 of that share (at most y's SAME weight), or the
    plain CLOSE weight if that is more. A singleton next to a common name is a misspelling of
    it; two names both well attested are two names."""
    if level == MISSING:
        return 0.0
    if level == CLOSE:
        wa, wb = weights[a], weights[b]
        common, rare = (wa, wb) if wa[3] >= wb[3] else (wb, wa)
        share = min(1.0, common[4] / max(1, rare[3]))
        return max(min(wa[CLOSE], wb[CLOSE]), min(rare[SAME], common[SAME] + _log2(share)))
    return min(weights[a][level], weights[b][level])


@dataclass(frozen=True)
class Communities:
    """Name communities fitted to a registry (`Matcher.communities`), by folded name rather
    than by a matcher's name ids, so that another matcher over the same registry, or one a few
    registrations larger, can take them instead of fitting them again: fitting takes seconds
    (5 s for 20,000 registrations), and a registry's communities change slowly."""

    weights: tuple[float, ...]
    given: tuple[tuple[dict[str, float], float], ...]
    paternal: tuple[tuple[dict[str, float], float], ...]
    nationality: tuple[tuple[dict[str, float], float], ...]


class Matcher:
    """An index over the registry, built once; scores registrations against each other.

    Not thread-safe: asking about an identity adds its new spellings to the name index.

    `communities`: the name communities of an earlier matcher over this registry, taken
    instead of fitting them (see Communities)."""

    def __init__(
        self, identities: Iterable[Identity], communities: Communities | None = None
    ) -> None:
        self._ids: dict[str, int] = {}  # folded name -> name id
        self._spellings: dict[str, int] = {}  # name as written -> name id
        self._folded: list[str] = []
        self._keys: list[tuple[str, ...]] = []  # coarse keys of each name id
        self._near: dict[int, dict[int, int]] = defaultdict(dict)  # SAME or CLOSE names
        self._buckets: dict[str, list[int]] = defaultdict(list)  # coarse variant -> names
        self.records = [self._record(identity) for identity in identities]
        self._index_of: dict[Hashable, int] | None = None  # record by key, made when asked
        self._link_names()
        self._count()
        self._weights: tuple[list[_Weights], ...] = ([], [])
        self._extend_weights()
        for record in self.records:
            self._prepare(record, own=1)
        self._fit_communities(communities)
        for record in self.records:
            self._place(record)
        self._blocks: dict[tuple[str, ...], list[tuple[int, float]]] = defaultdict(list)
        self._typo_blocks: dict[tuple[str, str], list[tuple[int, float, str]]] = defaultdict(list)
        for index, record in enumerate(self.records):
            for token, bound in self._tokens(record).items():
                self._blocks[token].append((index, bound))
            for token, bound, key in self._typo_tokens(record):
                self._typo_blocks[token].append((index, bound, key))
        self._fit_years()

    def __len__(self) -> int:
        return len(self.records)

    # -- names

    def _name_id(self, name: str) -> int:
        found = self._spellings.get(name)
        if found is None:
            folded = fold(name)
            found = self._ids.get(folded, -1) if folded else -1
            if folded and found < 0:
                found = self._ids[folded] = len(self._folded)
                self._folded.append(folded)
                self._keys.append(coarse_keys(folded))
            self._spellings[name] = found
        return found

    def _record(self, identity: Identity) -> _Record:
        # An alias may be a whole name (in Ge'ez, say): its first word stands for the given name.
        names = [identity.given_name] + [n.split()[0] for n in identity.other_names if n.split()]
        given = tuple(dict.fromkeys(i for i in map(self._name_id, names) if i >= 0))
        nationality = identity.nationality.strip().upper()
        return _Record(
            key=identity.key,
            given=given or (-1,),
            father=self._name_id(identity.father_name),
            grandfather=self._name_id(identity.grandfather_name),
            sex=identity.sex.strip().upper()[:1],
            year=identity.birth_year,
            estimated=identity.age_is_estimated,
            nationality=_ALPHA3.get(nationality, nationality),
        )

    def _variants(self, name: int) -> set[str]:
        """The name's coarse keys and those keys less one letter: names within one typo of
        each other share one, and only those are compared letter by letter. Keys of one or
        two letters are not shortened: a typo there makes another name (Ali, Adi)."""
        keys = self._keys[name]
        variants = {k[:i] + k[i + 1 :] for k in keys if len(k) > 2 for i in range(len(k))}
        return variants.union(keys)

    def _link_names(self) -> None:
        self._linked = set(range(len(self._folded)))
        checked: set[tuple[int, int]] = set()
        for name in range(len(self._folded)):
            for variant in self._variants(name):
                for other in self._buckets[variant]:
                    if (other, name) not in checked:
                        checked.add((other, name))
                        self._link(other, name)
                self._buckets[variant].append(name)

    def _link(self, a: int, b: int) -> None:
        level = name_level(self._folded[a], self._folded[b])
        if level != DIFFERENT:
            self._near[a][b] = self._near[b][a] = level

    def _level(self, a: int, b: int) -> int:
        if a < 0 or b < 0:
            return MISSING
        if a == b:
            return SAME
        near = self._near.get(a)
        return near.get(b, DIFFERENT) if near else DIFFERENT

    def _ask(self, identity: Identity) -> _Record:
        """The record of an identity that is not in the registry, its new names linked."""
        record = self._record(identity)
        for name in (*record.given, record.father, record.grandfather):
            if name >= 0 and name not in self._linked:
                self._linked.add(name)
                for variant in self._variants(name):
                    bucket = self._buckets[variant]
                    for other in bucket:
                        if other not in self._near[name]:
                            self._link(other, name)
                    bucket.append(name)
        self._extend_weights()
        self._prepare(record, own=0)
        self._place(record)
        return record

    # -- weights, from the registry itself (no labels)

    def _count(self) -> None:
        """Count names, and weigh sex, nationality and birth years."""
        self._counts: tuple[Counter[int], Counter[int]] = (Counter(), Counter())
        for r in self.records:
            if r.given[0] >= 0:
                self._counts[GIVEN][r.given[0]] += 1
            for name in (r.father, r.grandfather):
                if name >= 0:
                    self._counts[PATERNAL][name] += 1
        self._totals = tuple(max(1, sum(c.values())) for c in self._counts)
        self._same_names: dict[int, list[int]] = {}

        sexes = Counter(r.sex for r in self.records if r.sex)
        # Agreeing on sex says no more than the registry's mix of sexes lets it (a given name
        # of one sex only ever makes it say less): the most the other fields add stays small.
        self._sex_agree = _agreement_u(sexes)
        self._female_share = sexes["F"] / max(1, sexes["F"] + sexes["M"])
        self._given_sexes: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.records:
            if r.sex in ("F", "M") and r.given[0] >= 0:
                self._given_sexes[r.given[0]][r.sex == "F"] += 1
        nationalities = Counter(r.nationality for r in self.records if r.nationality)
        self._nationality_weights = _agreement_weights(nationalities, NATIONALITY_M)

        # u of each signed difference between two birth years, by whether each was marked as
        # estimated, from the registry's own years (blended, for a small registry, with years
        # spread evenly over PRIOR_YEARS years); m from the departures, fitted to the registry.
        self._year_counts = (
            Counter(r.year for r in self.records if r.year is not None and not r.estimated),
            Counter(r.year for r in self.records if r.year is not None and r.estimated),
        )
        self._year_u = {
            (ea, eb): _difference_shares(self._year_counts[ea], self._year_counts[eb])
            for ea in (False, True)
            for eb in (False, True)
        }
        # How far a written year is from the true one, with its chance, for a declared year
        # (False) and an estimated age (True): learned by `_fit_years`.
        self.departures = _departures(
            ETHIOPIAN_SHARE, ETHIOPIAN_EIGHT, ESTIMATE_SPREAD, YEAR_MISTAKE
        )
        self._set_year_weights()

    def _set_year_weights(self) -> None:
        """Weights of each signed difference of two birth years (the first minus the second),
        by whether each was estimated; beyond YEAR_WINDOW, the differences weighed together."""
        departures = self.departures
        self._year_weights: dict[tuple[bool, bool], list[float]] = {}
        for (ea, eb), u in self._year_u.items():
            m = _difference_shares_of(departures[ea], departures[eb])
            weights = []
            for d in range(-YEAR_WINDOW - 1, YEAR_WINDOW + 2):
                if abs(d) <= YEAR_WINDOW:
                    m_d, u_d = m.get(d, 0.0), u.get(d, 0.0)
                else:
                    beyond = [k for k in u.keys() | m.keys() if k * d > 0 and abs(k) > YEAR_WINDOW]
                    m_d, u_d = (
                        sum(m.get(k, 0.0) for k in beyond),
                        sum(u.get(k, 0.0) for k in beyond),
                    )
                weights.append(_log2(max(m_d, 1e-6) / max(u_d, 1e-4)))
            self._year_weights[ea, eb] = weights
        # The most the fields other than names can add, to skip pairs that cannot pass.
        self._best_years = [
            max(w[YEAR_WINDOW + 1 + s * d] for w in self._year_weights.values() for s in (1, -1))
            for d in range(YEAR_WINDOW + 2)
        ]
        sex, nationality = _log2(SEX_M[0] / self._sex_agree), self._nationality_weights[0]
        self._best_categorical = max(0.0, sex) + max(0.0, nationality)
        self._best_others = max(self._best_years) + self._best_categorical

    def _fit_years(self) -> None:
        """Learn the departures of written years from the registry, without labels
        (expectation-maximisation, as Fellegi and Sunter do): over pairs that share all three
        names, each pair counts as the same person as much as its fields say with the current
        departures (E); a pair's difference of years is then shared among the departures of
        its two years that could make it, in proportion to their chances, and the departures
        are set to the shares so counted (M), until they settle. No shape is assumed: the
        calendar's 7 and 8 years, how estimated ages are rounded, come out of the registry."""
        records, pairs = self.records, []
        for token, block in self._blocks.items():
            if len(token) != 4 or len(block) < 2:
                continue
            dated = [records[i] for i, _ in block[:FIT_BLOCK] if records[i].year is not None]
            for a, b in combinations(dated, 2):
                others = self._score(a, b) - self._year_weight(a, b)
                pairs.append((a.estimated, b.estimated, a.year - b.year, others))  # type: ignore[operator]
            if len(pairs) >= FIT_PAIRS:
                break
        if len(pairs) < FIT_MIN_PAIRS:
            return  # too few to say: the starting values stay
        prior, span = self._prior(), range(-YEAR_SPAN, YEAR_SPAN + 1)
        for _ in range(FIT_ROUNDS):
            cells: defaultdict[tuple[bool, bool, int], float] = defaultdict(float)
            for ea, eb, d, others in pairs:
                table = self._year_weights[ea, eb]
                bits = (
                    others
                    + prior
                    + table[max(-YEAR_WINDOW - 1, min(YEAR_WINDOW + 1, d)) + YEAR_WINDOW + 1]
                )
                cells[ea, eb, d] += 1.0 / (1.0 + 2.0 ** -max(-60.0, min(60.0, bits)))
            old = self.departures
            counts: dict[bool, defaultdict[int, float]] = {
                False: defaultdict(float),
                True: defaultdict(float),
            }
            for (ea, eb, d), same in cells.items():
                ways = {
                    x: old[ea][x] * old[eb][x - d] for x in span if -YEAR_SPAN <= x - d <= YEAR_SPAN
                }
                total = sum(ways.values())
                if total <= 0:
                    continue
                for x, chance in ways.items():
                    counts[ea][x] += same * chance / total
                    counts[eb][x - d] += same * chance / total
            self.departures = {}
            for flag, counted in counts.items():
                total = sum(counted.values()) + YEAR_PSEUDO * len(span)
                self.departures[flag] = {x: (counted[x] + YEAR_PSEUDO) / total for x in span}
            self._set_year_weights()
            moved = max(abs(self.departures[f][x] - old[f][x]) for f in (False, True) for x in span)
            if moved < FIT_SETTLED:
                break

    def _year_weight(self, a: _Record, b: _Record) -> float:
        d = max(-YEAR_WINDOW - 1, min(YEAR_WINDOW + 1, a.year - b.year))  # type: ignore[operator]
        return self._year_weights[a.estimated, b.estimated][d + YEAR_WINDOW + 1]

    def _extend_weights(self) -> None:
        """Weights of SAME, CLOSE and DIFFERENT for each name not weighed yet, in each role:
        log2(m / u), u the share of the role's names at that level from this one."""
        for role, weights in enumerate(self._weights):
            counts, total = self._counts[role], self._totals[role]
            for name in range(len(weights), len(self._folded)):
                same, close, spellings = counts[name], 0, 0
                for other, level in self._near.get(name, {}).items():
                    if level == SAME:
                        same += counts[other]
                    else:
                        close += counts[other]
                        spellings += 1
                # A small registry says little about how common a name is: its counts are
                # blended with PRIOR_SHARE, as if PSEUDO_COUNT names of that share came first.
                u_same = (same + PSEUDO_COUNT * PRIOR_SHARE) / (total + PSEUDO_COUNT)
                u_close = (close + PSEUDO_COUNT * PRIOR_SHARE) / (total + PSEUDO_COUNT)
                u_same, u_close = max(MIN_NAME_SHARE, u_same), max(MIN_NAME_SHARE, u_close)
                agree = _log2(NAME_M[SAME] / u_same)
                weights.append(
                    (
                        agree,
                        # a misspelt agreement never says more than an exact one
                        min(agree, _log2(NAME_M[CLOSE] / u_close)),
                        _log2(NAME_M[DIFFERENT] / max(0.05, 1 - u_same - u_close)),
                        counts[name],
                        counts[name] * NAME_M[CLOSE] / NAME_M[SAME] / max(1, spellings),
                    )
                )

    def _same_as(self, name: int) -> list[int]:
        found = self._same_names.get(name)
        if found is None:
            near = self._near.get(name, {})
            found = self._same_names[name] = [name, *(o for o, lv in near.items() if lv == SAME)]
        return found

    def _female(self, record: _Record, own: int) -> float:
        """The share of women among the other registrations of the record's given name (and
        its SAME spellings), blended with SEX_PSEUDO registrations of the registry's mix."""
        men, women = 0, 0
        if record.given[0] >= 0:
            for name in self._same_as(record.given[0]):
                counts = self._given_sexes.get(name)
                if counts:
                    men, women = men + counts[0], women + counts[1]
        if own and record.sex == "F":
            women -= 1
        elif own and record.sex == "M":
            men -= 1
        return (women + SEX_PSEUDO * self._female_share) / (max(0, men + women) + SEX_PSEUDO)

    def _sex_weight(self, a: _Record, b: _Record) -> float:
        """Sex by given name: most given names are a man's or a woman's, so two registrations
        of such a name agree on sex whoever they are. The u of agreeing is that of people of
        these given names, counted in the registry (no labels)."""
        u = a.female * b.female + (1 - a.female) * (1 - b.female)
        u = min(SEX_U_MOST, max(self._sex_agree, u))
        if a.sex == b.sex:
            return _log2(SEX_M[0] / u)
        return _log2(SEX_M[1] / (1 - u))

    def _prepare(self, record: _Record, own: int) -> None:
        record.female = self._female(record, own)

    def _best(self, name: int) -> float:
        """The most a name can weigh: a SAME agreement, in either role (names swapped)."""
        return max(self._weights[GIVEN][name][SAME], self._weights[PATERNAL][name][SAME])

    def _tokens(self, record: _Record) -> dict[tuple[str, ...], float]:
        """Blocking tokens, each with the most the names it covers can weigh in a pair.

        A token is the unordered pair of coarse keys of two of the three names (so swapped
        names and a missing grandfather's name still meet), or of all three. The given name
        brings the keys of its other spellings too. A pair met under two names whose third
        names agree also meets under the three (SAME names share a key): the bound of a
        two-name token leaves the third name out, which misses a pair when that third name
        is only CLOSE (a typo changed its key) and the two others too common to pass alone."""
        present = [
            (keys, bound)
            for names in (record.given, (record.father,), (record.grandfather,))
            if names[0] >= 0
            for keys in [tuple(dict.fromkeys(k for name in names for k in self._keys[name]))]
            for bound in [max(self._best(name) for name in names)]
        ]
        tokens: dict[tuple[str, ...], float] = {}
        for (keys_a, bound_a), (keys_b, bound_b) in combinations(present, 2):
            for ka, kb in product(keys_a, keys_b):
                tokens[(ka, kb) if ka <= kb else (kb, ka)] = bound_a + bound_b
        if len(present) == 3:
            bound = sum(bound for _, bound in present)
            (first, _), (second, _), (third, _) = present
            for ka, kb, kc in product(first, second, third):
                tokens[((ka, kb) if ka <= kb else (kb, ka)) + (kc, "")] = bound
        return tokens

    def _typo_tokens(self, record: _Record) -> set[tuple[tuple[str, str], float, str]]:
        """Blocking tokens that survive a misspelt given or father's name (which changes its
        coarse key, so that the registrations share no token of `_tokens` when the
        grandfather's name is missing): the key of one of the two names with the key of the
        other or that key less one letter, each with the most the two names can weigh and the
        key it was made from. Two registrations meet when they share a token made from
        different keys (those from the same key meet in `_tokens`' blocks)."""
        given, father = record.given, record.father
        if given[0] < 0 or father < 0:
            return set()
        bound = max(self._best(name) for name in given) + self._best(father)
        keys_given = tuple(dict.fromkeys(k for name in given for k in self._keys[name]))
        keys_father = self._keys[father]
        found = set()
        for exact, fuzzy in ((keys_given, keys_father), (keys_father, keys_given)):
            for key in fuzzy:
                shorter = {key[:i] + key[i + 1 :] for i in range(len(key))} if len(key) > 2 else ()
                for variant in (key, *shorter):
                    for other in exact:
                        found.add(((other, variant), bound, key))
        return found

    # -- name communities

    def _representative(self, name: int) -> int:
        """The commonest of the names SAME as this one: the spellings of a name count as one
        in the communities."""
        if name < 0:
            return -1
        found = self._representatives.get(name)
        if found is None:
            given, paternal = self._counts
            found = min(self._same_as(name), key=lambda n: (-given[n] - paternal[n], n))
            self._representatives[name] = found
        return found

    def _fit_communities(self, fitted: Communities | None = None) -> None:
        """Latent classes of the registrations' names, fitted to the registry without labels
        (expectation-maximisation): each class draws the given name from its own shares, the
        father's and grandfather's names from other shares, and the nationality from its mix.
        Names of one community go together (Mohamed with Ahmed, Tolosa with Chala), so two
        registrations that agree on several of them say less than their weights added, and
        names of two communities agreeing say more: see `_community`."""
        self._representatives: dict[int, int] = {}
        self._community_bits: dict[tuple, float] = {}
        if fitted is not None:
            ids = self._ids

            def by_id(table: tuple[tuple[dict[str, float], float], ...]) -> _Shares:
                return [
                    ({ids[name]: x for name, x in shares.items() if name in ids}, unseen)
                    for shares, unseen in table
                ]

            self._classes = (
                list(fitted.weights),
                by_id(fitted.given),
                by_id(fitted.paternal),
                list(fitted.nationality),
            )
            return
        chosen = random.Random(0)  # noqa: S311 - a seeded start, not for secrets
        data = [
            (
                self._representative(r.given[0]),
                self._representative(r.father),
                self._representative(r.grandfather),
                r.nationality,
            )
            for r in self.records
        ]
        sample = data if len(data) <= COMMUNITY_SAMPLE else chosen.sample(data, COMMUNITY_SAMPLE)
        # A random start (seeded: the same registry gives the same classes).
        shares = []
        for _ in sample:
            start = [chosen.random() + 0.5 for _ in range(COMMUNITIES)]
            shares.append([x / sum(start) for x in start])
        self._classes = _community_shares(sample, shares)
        for _ in range(COMMUNITY_ROUNDS):
            self._classes = _community_shares(sample, _community_posteriors(sample, self._classes))
        if sample is not data:  # every name gets its shares
            self._classes = _community_shares(data, _community_posteriors(data, self._classes))

    @property
    def communities(self) -> Communities:
        """The name communities this matcher uses, for another matcher to take."""
        weights, given, paternal, nationality = self._classes
        folded = self._folded

        def by_name(table: _Shares) -> tuple[tuple[dict[str, float], float], ...]:
            return tuple(
                ({folded[i]: x for i, x in shares.items()}, unseen) for shares, unseen in table
            )

        return Communities(tuple(weights), by_name(given), by_name(paternal), tuple(nationality))

    def _place(self, record: _Record) -> None:
        record.community = (
            self._representative(record.given[0]),
            self._representative(record.father),
            self._representative(record.grandfather),
        )

    def _community(self, names: tuple[int, int, int], agree: tuple[bool | None, ...]) -> float:
        """Bits to add to the names' weights for their community: log2 of the chance that a
        random registration agrees with this one as the pair does (SAME: True, DIFFERENT:
        False, else not counted) if names were drawn independently, less log2 of that chance
        when a registration's names all come from one community."""
        key = (names, agree)
        found = self._community_bits.get(key)
        if found is not None:
            return found
        weights, given, paternal, _ = self._classes
        roles = (given, paternal, paternal)
        used = [
            ([shares.get(name, unseen) for shares, unseen in table], agreed)
            for name, table, agreed in zip(names, roles, agree, strict=True)
            if name >= 0 and agreed is not None
        ]
        bits = 0.0
        if len(used) > 1:
            independent, mixed = 1.0, list(weights)
            for shares, agreed in used:
                chances = shares if agreed else [1.0 - x for x in shares]
                independent *= sum(w * x for w, x in zip(weights, chances, strict=True))
                mixed = [m * x for m, x in zip(mixed, chances, strict=True)]
            bits = _log2(independent) - _log2(sum(mixed))
        self._community_bits[key] = bits
        return bits

    # -- scoring

    def _score(self, a: _Record, b: _Record) -> float:
        """Bits of evidence that two records are the same person (positive: likely)."""
        given, paternal = self._weights
        level = self._level
        ga, fa, gb, fb = a.given[0], a.father, b.given[0], b.father
        level_g, level_f = level(ga, gb), level(fa, fb)
        # Names of one community go together: weighed below, by `_community`.
        names = _weight(given, ga, gb, level_g) + _weight(paternal, fa, fb, level_f)
        if len(a.given) > 1 or len(b.given) > 1:
            names = max(names, self._other_spellings(a, b))
        ca, cb = a.grandfather, b.grandfather
        level_c = level(ca, cb)
        agree_c = _AGREES.get(level_c)
        agree = (_AGREES.get(level_g), _AGREES.get(level_f), agree_c)
        names += (self._community(a.community, agree) + self._community(b.community, agree)) / 2
        # The father's name written first: only worth weighing when the names cross-match.
        level_x, level_y = level(ga, fb), level(fa, gb)
        if level_x < DIFFERENT or level_y < DIFFERENT:
            # Either role may be the one written (a swapped registration counts its names in
            # the other role): the smaller weight counts.
            swapped = min(
                _weight(role, ga, fb, level_x) + _weight(role, fa, gb, level_y)
                for role in self._weights
            )
            (ra, rfa, rca), (rb, rfb, rcb) = a.community, b.community
            agree_x, agree_y = _AGREES.get(level_x), _AGREES.get(level_y)
            swapped += (
                self._community((rfa, ra, rca), (agree_y, agree_x, agree_c))
                + self._community((rfb, rb, rcb), (agree_x, agree_y, agree_c))
            ) / 2
            names = max(names, swapped - SWAP_PENALTY)
        total = names + _weight(paternal, ca, cb, level_c)
        if a.year is not None and b.year is not None:
            total += self._year_weight(a, b)
        if a.sex and b.sex:
            total += self._sex_weight(a, b)
        if a.nationality and b.nationality:
            total += self._nationality_weights[a.nationality != b.nationality]
        return total

    def _other_spellings(self, a: _Record, b: _Record) -> float:
        """The given and father's names, the given name taken in any of its spellings."""
        given, paternal = self._weights
        fa, fb = a.father, b.father
        level_f = self._level(fa, fb)
        best = -math.inf
        for x in a.given:
            for y in b.given:
                level_g = self._level(x, y)
                weight = _weight(given, x, y, level_g) + _weight(paternal, fa, fb, level_f)
                best = max(best, weight)
        return best

    def _prior(self) -> float:
        return _log2(DUPLICATES_PER_RECORD / max(1, len(self.records)))

    def probability(self, score: float) -> float:
        """The probability that a pair with this score is the same person, in this registry."""
        return 1.0 / (1.0 + 2.0 ** -max(-500.0, min(500.0, score + self._prior())))

    def threshold(self, probability: float) -> float:
        """The score at which a pair reaches this probability, in this registry."""
        return _log2(probability / (1 - probability)) - self._prior()

    def pair(self, key_a: Hashable, key_b: Hashable) -> Pair:
        """Two registrations of the registry, by key, scored as pairs() scores them."""
        if self._index_of is None:
            self._index_of = {record.key: index for index, record in enumerate(self.records)}
        a, b = self.records[self._index_of[key_a]], self.records[self._index_of[key_b]]
        score = self._score(a, b)
        return Pair(key_a, key_b, score, self.probability(score))

    def compare(self, a: Identity, b: Identity) -> float:
        """Bits of evidence that two identities are the same person, weighed in this registry."""
        return self._score(self._ask(a), self._ask(b))

    # -- the two uses

    def candidates(
        self,
        identity: Identity,
        limit: int = 10,
        min_probability: float = CANDIDATE_PROBABILITY,
    ) -> list[Match]:
        """The registrations most likely to be this (new) identity, best first."""
        record = self._ask(identity)
        threshold = self.threshold(min_probability) - self._best_others
        met = [
            (index, other_bound)
            for token, bound in self._tokens(record).items()
            if bound >= threshold
            for index, other_bound in self._blocks.get(token, ())
        ]
        met += [
            (index, other_bound)
            for token, bound, key in self._typo_tokens(record)
            if bound >= threshold
            for index, other_bound, other_key in self._typo_blocks.get(token, ())
            if other_key != key
        ]
        seen: set[int] = set()
        found: list[Match] = []
        for index, other_bound in met:
            if other_bound < threshold or index in seen:
                continue
            seen.add(index)
            other = self.records[index]
            if other.key == identity.key:
                continue
            score = self._score(record, other)
            if score >= threshold + self._best_others:
                found.append(Match(other.key, score, self.probability(score)))
        found.sort(key=lambda m: -m.score)
        return found[:limit]

    def pairs(self, min_probability: float = PAIR_PROBABILITY) -> list[Pair]:
        """All pairs of registrations at least this likely to be the same person, best first."""
        threshold = self.threshold(min_probability)
        # A pair met in a block can weigh no more than the names of the block allow, plus
        # the best of the other fields: registrations whose names are too common to reach
        # the threshold there are left out of that block (a third name shared brings them
        # together in another block, if they have one).
        needed = threshold - self._best_others
        records, n = self.records, len(self.records)
        seen: set[int] = set()
        found: list[Pair] = []
        met = (
            pair
            for block in self._blocks.values()
            for members in [[(index, bound) for index, bound in block if bound >= needed]]
            if len(members) > 1
            for pair in self._block_pairs(members, threshold)
        )
        for i, j in chain(met, self._typo_pairs(needed, threshold)):
            pair = i * n + j if i < j else j * n + i
            if pair in seen:
                continue
            seen.add(pair)
            score = self._score(records[i], records[j])
            if score >= threshold:
                a, b = sorted((i, j))
                found.append(Pair(records[a].key, records[b].key, score, self.probability(score)))
        found.sort(key=lambda p: -p.score)
        return found

    def groups(self, min_probability: float = GROUP_PROBABILITY) -> list[tuple[Hashable, ...]]:
        """The registrations of the registry grouped into likely persons (groups of two or
        more), for review a person at a time.

        Average linkage: starting from the best pairs, two groups are merged when the mean
        score over all their cross pairs reaches the threshold. A registration that matches
        two of a person's registrations well joins them even if it matches a third one less
        well (its grandfather's name missing, say); a chain of weak links does not. Two groups
        with different grandfather's names are two persons, however well the rest agrees: one
        person has one grandfather, and a misspelling of it is CLOSE, not DIFFERENT.

        The birth years are weighed for the whole group, not pair by pair: one true year is
        behind all of a person's written years, so the mean of the cross pairs' year weights
        is replaced by how much likelier the merged group's years are from one true year than
        the two groups' from two (`_years_bits`). A registration whose year fits a group's
        consensus joins more easily; groups whose years no one true year explains do not
        merge. For two single registrations it is the pair's own year weight."""
        threshold = self.threshold(min_probability)
        records = self.records
        index_of = {record.key: index for index, record in enumerate(records)}
        pairs = self.pairs(min_probability)
        known = {frozenset((index_of[p.key_a], index_of[p.key_b])): p.score for p in pairs}
        true_years = self._true_years()
        group_of: dict[int, list[int]] = {}
        for pair in pairs:
            a, b = index_of[pair.key_a], index_of[pair.key_b]
            group_a, group_b = group_of.get(a, [a]), group_of.get(b, [b])
            if group_a is group_b or self._grandfathers_differ(group_a, group_b):
                continue
            others = years = 0.0
            for i, j in product(group_a, group_b):
                score = known.get(frozenset((i, j)))
                if score is None:
                    score = self._score(records[i], records[j])
                if records[i].year is not None and records[j].year is not None:
                    year = self._year_weight(records[i], records[j])
                    score, years = score - year, years + year
                others += score
            if len(group_a) + len(group_b) > 2:
                years = (
                    self._years_bits(true_years, group_a + group_b)
                    - self._years_bits(true_years, group_a)
                    - self._years_bits(true_years, group_b)
                )
            if others / (len(group_a) * len(group_b)) + years >= threshold:
                group_a.extend(group_b)
                for index in group_a:
                    group_of[index] = group_a
        unique = {id(group): group for group in group_of.values()}.values()
        return [tuple(records[i].key for i in sorted(group)) for group in unique]

    def _true_years(self) -> dict[int, float]:
        """The chance of each true birth year: the registry's written years, each year within
        YEAR_SPAN of them given YEAR_PSEUDO counts more (a written year may depart that far)."""
        counts = Counter(record.year for record in self.records if record.year is not None)
        if not counts:
            return {}
        span = range(min(counts) - YEAR_SPAN, max(counts) + YEAR_SPAN + 1)
        total = sum(counts.values()) + YEAR_PSEUDO * len(span)
        return {year: (counts[year] + YEAR_PSEUDO) / total for year in span}

    def _years_bits(self, true_years: dict[int, float], group: list[int]) -> float:
        """log2 of the chance of the group's written years if one true year is behind them
        all, each departing from it as the learned departures say."""
        written = [
            (record.year, record.estimated)
            for record in (self.records[i] for i in group)
            if record.year is not None
        ]
        if not written:
            return 0.0
        chance = 0.0
        for true, share in true_years.items():
            for year, estimated in written:
                share *= self.departures[estimated].get(year - true, 0.0)
                if share == 0.0:
                    break
            chance += share
        return math.log2(max(chance, 1e-300))  # a large group's chance is far below _log2's floor

    def _grandfathers_differ(self, group_a: list[int], group_b: list[int]) -> bool:
        """Whether a registration of one group and one of the other both have a grandfather's
        name and the two are DIFFERENT."""
        records = self.records
        named_a = {records[i].grandfather for i in group_a if records[i].grandfather >= 0}
        named_b = {records[j].grandfather for j in group_b if records[j].grandfather >= 0}
        return any(self._level(x, y) == DIFFERENT for x, y in product(named_a, named_b))

    def _typo_pairs(self, needed: float, threshold: float) -> Iterator[tuple[int, int]]:
        """The pairs that meet in `_typo_tokens`' blocks, made from different keys, that could
        reach the threshold, judged by the most their names can weigh and their birth years."""
        records = self.records
        categorical, best_year = self._best_categorical, self._best_years
        for block in self._typo_blocks.values():
            if len(block) < 2:
                continue
            by_key: dict[str, list[tuple[int, float]]] = defaultdict(list)
            for index, bound, key in block:
                if bound >= needed:
                    by_key[key].append((index, bound))
            if len(by_key) < 2:
                continue
            for group_a, group_b in combinations(by_key.values(), 2):
                for i, bound_i in group_a:
                    year_i = records[i].year
                    for j, bound_j in group_b:
                        year_j = records[j].year
                        years = (
                            0.0
                            if year_i is None or year_j is None
                            else best_year[min(abs(year_i - year_j), YEAR_WINDOW + 1)]
                        )
                        if i != j and min(bound_i, bound_j) + categorical + years >= threshold:
                            yield i, j

    def _block_pairs(
        self, members: list[tuple[int, float]], threshold: float
    ) -> Iterator[tuple[int, int]]:
        """The pairs of a block that could reach the threshold, judged by the most their names
        can weigh and by their birth years: with common names, only close years can."""
        if len(members) <= SMALL_BLOCK:
            yield from ((i, j) for (i, _), (j, _) in combinations(members, 2))
            return
        records = self.records
        categorical, best_year = self._best_categorical, self._best_years
        top = max(bound for _, bound in members) + categorical
        by_year: dict[int | None, list[tuple[int, float]]] = defaultdict(list)
        for index, bound in members:
            by_year[records[index].year].append((index, bound))
        undated = by_year.pop(None, [])
        if top >= threshold:  # a missing year weighs nothing either way
            yield from ((i, j) for (i, _), (j, _) in combinations(undated, 2))
            yield from ((i, j) for i, _ in undated for group in by_year.values() for j, _ in group)
        if top + best_year[YEAR_WINDOW + 1] >= threshold:  # even far apart years could do
            dated = [m for group in by_year.values() for m in group]
            yield from ((i, j) for (i, _), (j, _) in combinations(dated, 2))
            return
        differences = [d for d in range(YEAR_WINDOW + 1) if top + best_year[d] >= threshold]
        for year, group in by_year.items():
            for d in differences:
                other = group if d == 0 else by_year.get(year + d)  # type: ignore[operator]
                if not other:
                    continue
                pairs = combinations(group, 2) if d == 0 else product(group, other)
                for (i, bound_i), (j, bound_j) in pairs:
                    if min(bound_i, bound_j) + categorical + best_year[d] >= threshold:
                        yield i, j


_AGREES = {SAME: True, DIFFERENT: False}  # what a level says of a name's community
# A community's weight, then its shares of given names, of paternal names and of nationalities:
# for each class, the shares met and the share of a value not met in that class.
_Shares = list[tuple[dict, float]]
_Classes = tuple[list[float], _Shares, _Shares, _Shares]
_Names = tuple[int, int, int, str]  # given, father's, grandfather's name, nationality


def _community_shares(data: list[_Names], posteriors: list[list[float]]) -> _Classes:
    """Each class's weight and shares, from the registrations counted by how likely each is
    to be of the class (the M step); a few pseudo counts for each name met."""
    size = len(posteriors)
    weights = [
        sum(p[k] for p in posteriors) / size if size else 1 / COMMUNITIES
        for k in range(COMMUNITIES)
    ]
    counted: list[list[defaultdict]] = [
        [defaultdict(float) for _ in range(COMMUNITIES)] for _ in range(3)
    ]
    given, paternal, nationality = counted
    for (g, f, c, n), posterior in zip(data, posteriors, strict=True):
        for k, x in enumerate(posterior):
            if g >= 0:
                given[k][g] += x
            if f >= 0:
                paternal[k][f] += x
            if c >= 0:
                paternal[k][c] += x
            if n:
                nationality[k][n] += x
    tables = []
    for role in counted:
        values = len(set().union(*role)) or 1
        table = []
        for found in role:
            total = sum(found.values()) + COMMUNITY_PSEUDO * values
            shares = {v: (x + COMMUNITY_PSEUDO) / total for v, x in found.items()}
            table.append((shares, COMMUNITY_PSEUDO / total))
        tables.append(table)
    return weights, tables[0], tables[1], tables[2]


def _community_posteriors(data: list[_Names], classes: _Classes) -> list[list[float]]:
    """How likely each registration is to be of each class (the E step)."""
    weights, given, paternal, nationality = classes
    out = []
    for g, f, c, n in data:
        chances = []
        for k, weight in enumerate(weights):
            x = weight
            if g >= 0:
                x *= given[k][0].get(g, given[k][1])
            if f >= 0:
                x *= paternal[k][0].get(f, paternal[k][1])
            if c >= 0:
                x *= paternal[k][0].get(c, paternal[k][1])
            if n:
                x *= nationality[k][0].get(n, nationality[k][1])
            chances.append(x)
        total = sum(chances) or 1e-300
        out.append([x / total for x in chances])
    return out


def _departures(
    ethiopian: float, eight: float, spread: float, mistake: float
) -> dict[bool, dict[int, float]]:
    """How far a written year is from the true one (written minus true), with its chance: for
    a year not marked as estimated (False) and for an estimated age (True)."""
    even = mistake / (2 * YEAR_SPAN + 1)
    declared = dict.fromkeys(range(-YEAR_SPAN, YEAR_SPAN + 1), even)
    declared[0] += (1 - mistake) * (1 - ethiopian)
    declared[-8] += (1 - mistake) * ethiopian * eight
    declared[-7] += (1 - mistake) * ethiopian * (1 - eight)
    bell = {k: math.exp(-0.5 * (k / spread) ** 2) for k in range(-YEAR_SPAN, YEAR_SPAN + 1)}
    total = sum(bell.values())
    estimated = {k: even + (1 - mistake) * v / total for k, v in bell.items()}
    return {False: declared, True: estimated}


def _difference_shares_of(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    """The distribution of x - y, x drawn from a and y from b."""
    out: defaultdict[int, float] = defaultdict(float)
    for x, p in a.items():
        for y, q in b.items():
            out[x - y] += p * q
    return out


def _difference_shares(a: Counter[int], b: Counter[int]) -> dict[int, float]:
    """u of each signed difference of two years, one from each count, blended with years
    spread evenly over PRIOR_YEARS years (for a small registry)."""
    na, nb = sum(a.values()), sum(b.values())
    weight = PSEUDO_COUNT / (PSEUDO_COUNT + min(na, nb))
    counted = _difference_shares_of(
        {y: n / na for y, n in a.items()} if na else {},
        {y: n / nb for y, n in b.items()} if nb else {},
    )
    even = _difference_shares_of(
        dict.fromkeys(range(PRIOR_YEARS), 1 / PRIOR_YEARS),
        dict.fromkeys(range(PRIOR_YEARS), 1 / PRIOR_YEARS),
    )
    return {
        d: (1 - weight) * counted.get(d, 0.0) + weight * even.get(d, 0.0)
        for d in counted.keys() | even.keys()
    }


def _agreement_u(counts: Counter[str]) -> float:
    """The chance that two registrations agree on a categorical field, from its distribution
    (blended, for a small registry, with an even chance of agreeing)."""
    pairs = sum(counts.values()) ** 2
    same = sum(n * n for n in counts.values())
    return (same + 0.5 * PSEUDO_COUNT**2) / (pairs + PSEUDO_COUNT**2)


def _agreement_weights(counts: Counter[str], m: tuple[float, float]) -> tuple[float, float]:
    """Weights of agreeing and disagreeing on a categorical field, u from its distribution."""
    agree = _agreement_u(counts)
    return _log2(m[0] / agree), _log2(m[1] / max(1e-3, 1 - agree))
