"""Synthetic demo registry of the National Referral Mechanism: persons, their cases, consents
and screenings, over the last twelve months, at the demo organisations (accounts.demo).

Nobody here is real. Every name is a common name of the region from the small pools below,
combined at random (given name, father's name, grandfather's name), written in the spellings
organisations use in the field: English-style, French-style, Oromo Qubee, Somali orthography,
as the shared person-matching data generator does. Phone numbers are in the fictional
+253 77 00 xx xx range. A few dozen persons are registered twice, by two organisations that
spelt them differently, so that the registry officer's queue of likely duplicates has
something to review.

The data is the same on every run of a day (one fixed random seed, dates counted back from
midnight in Djibouti) and a run replaces the last one. Demo cases are those whose code starts
with "DEMO-" (the application numbers its cases DJI-...); demo persons are the persons with a
demo case, and everything recorded on them, by the demo or by a tester since, is deleted
before they are written again.

Rows are written in bulk, not through corridor.cases.services: the services write one row
and one audit entry at a time, which for some 15,000 rows would take most of a minute. So
the demo has no audit entries for them: nobody read or changed any of this.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from corridor.accounts import demo as accounts_demo
from corridor.accounts.models import Organisation, Role, User
from corridor.cases import duplicates, ethiopian_calendar
from corridor.cases import screening as screening_rules
from corridor.cases.matching import Matcher
from corridor.cases.models import (
    BirthCalendar,
    Case,
    CaseNameWord,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentLanguage,
    ConsentPurpose,
    ConsentText,
    GivenBy,
    Identification,
    Person,
    Screening,
    TraffickingStatus,
)
from corridor.places.models import FlowMonitoringPoint, Region

SEED = 20250701
CODE_PREFIX = "DEMO-"
PERSONS = 2_000  # rows of the registry, twins included
TWINS = 40  # persons registered a second time, as another person, by another organisation
HOMONYMS = 12  # pairs of different persons whose names and ages make them look like one
SECOND_CASES = 500  # persons a second organisation opened its own case on
DAYS = 365
WEEKEND = (4, 5)  # Friday and Saturday: the working week runs Sunday to Thursday
OFFICE = (7 * 60 + 30, 14 * 60 + 30)  # minutes after midnight
CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)

K = TypeVar("K", bound=Hashable)

# --- Names ------------------------------------------------------------------------------------
# Common names, each with the spellings met in the field (the first one is the usual English
# form), copied from the shared person-matching generator. Combined at random, they make
# people who do not exist. Pools: eth (Amharic), orm (Oromo), som (Somali), afar, tig
# (Tigrinya, for Eritreans), arab (for Yemenis).
MALE: dict[str, list[list[str]]] = {
    "eth": [
        ["Abebe"], ["Alemu", "Alemou"], ["Tesfaye", "Tesfay", "Tesfae"],
        ["Getachew", "Getacho", "Guetatchew"], ["Girma", "Germa"],
        ["Mulugeta", "Mulgeta", "Moulougueta"], ["Haile", "Hayle", "Hailé"],
        ["Tadesse", "Tadese", "Taddese"], ["Bekele", "Bekelle", "Békélé"],
        ["Kebede", "Kebbede", "Kébédé"], ["Dawit", "Dawitt", "Daouit"], ["Yonas", "Younas"],
        ["Solomon", "Selomon", "Salomon"], ["Tewodros", "Teodros"], ["Biniam", "Biniyam"],
        ["Henok", "Henock", "Hénok"], ["Mesfin", "Mesfen"], ["Yohannes", "Yohanes"],
        ["Tsegaye", "Tsegay", "Tségaye"], ["Berhanu", "Birhanu", "Brhanu"],
        ["Kassahun", "Kasahun"], ["Worku", "Werku"], ["Desta"], ["Ayele", "Ayelle"],
        ["Wondimu", "Wendimu"], ["Asfaw", "Asfew"], ["Lemma", "Lema"], ["Negash"],
        ["Shiferaw", "Shifera"], ["Tilahun", "Tilaun", "Tilahoun"], ["Zerihun", "Zerhun"],
        ["Habtamu"], ["Eyob", "Iyob"], ["Gebre", "Guebre"], ["Fikru", "Fikre"],
        ["Hailu", "Haylu"], ["Amanuel", "Amanouel"], ["Samuel", "Samouel"],
    ],
    "orm": [
        ["Abdi", "Abdy", "Abdii"], ["Tolosa", "Tolossa", "Tolasaa"],
        ["Gemechu", "Gammachuu", "Gemechuu"], ["Chala", "Caalaa", "Tchala"],
        ["Lemi", "Lammii"], ["Boru", "Booruu"], ["Dhaba", "Dhabaa", "Daba"],
        ["Fayisa", "Fayyisaa", "Fayissa"], ["Gudeta", "Guddataa"], ["Jemal", "Jamaal", "Djemal"],
        ["Kedir", "Kadir", "Qadir"], ["Lencho", "Lenco"], ["Obsa", "Obsaa"],
        ["Tamirat", "Tamrat"], ["Waqo", "Wako", "Waaqo"], ["Nuru", "Nour", "Nuuru"],
        ["Seid", "Said", "Saeed"],
    ],
    "som": [
        ["Mohamed", "Mohammed", "Mahamed", "Maxamed", "Mouhamed"], ["Ahmed", "Ahmad", "Axmed"],
        ["Ali", "Cali"], ["Hassan", "Hasan", "Xasan"], ["Hussein", "Xuseen", "Houssein"],
        ["Omar", "Cumar", "Oumar"], ["Abdullahi", "Cabdullaahi", "Abdillahi"],
        ["Abdirahman", "Cabdiraxmaan", "Abdourahman"], ["Ismail", "Ismaaciil"],
        ["Yusuf", "Yuusuf", "Youssouf"], ["Farah", "Faarax"], ["Osman", "Cusmaan", "Ousman"],
        ["Jama", "Jaamac", "Djama"], ["Warsame", "Warsama"], ["Aden", "Aadan"],
        ["Hersi", "Xirsi"], ["Dahir", "Daahir"], ["Ibrahim", "Ibraahim"],
        ["Musa", "Muuse", "Moussa"],
    ],
    "afar": [
        ["Houmed", "Humed"], ["Daoud", "Dawud"], ["Kamil", "Kamel"], ["Idriss", "Idris"],
        ["Abdoulkader", "Abdulkadir"], ["Mahamoud", "Mahmoud"], ["Moussa", "Musa"],
        ["Hassan", "Hasan"], ["Ali", "Aly"],
    ],
    "tig": [
        ["Yonas", "Younas"], ["Dawit", "Daouit"], ["Biniam", "Biniyam"],
        ["Tesfaye", "Tesfay"], ["Tsegaye", "Tsegay"], ["Henok", "Hénok"],
        ["Amanuel", "Amanouel"], ["Tewodros", "Teodros"], ["Mesfin", "Mesfen"],
        ["Yohannes", "Yohanes"], ["Gebre", "Guebre"],
    ],
    "arab": [
        ["Mohammed", "Mohamed", "Muhammad"], ["Ahmed", "Ahmad"], ["Ali"], ["Saleh", "Salih"],
        ["Nasser", "Naser"], ["Abdullah", "Abdallah"], ["Fuad", "Fouad"],
        ["Khaled", "Khalid"], ["Yahya", "Yehia"],
    ],
}  # fmt: skip
FEMALE: dict[str, list[list[str]]] = {
    "eth": [
        ["Almaz"], ["Tigist", "Tigest"], ["Hiwot", "Hewot"], ["Meron", "Meroun"],
        ["Selam", "Sélam"], ["Bethlehem", "Betelhem"], ["Mekdes", "Meqdes"],
        ["Tsion", "Tsiyon"], ["Hanna", "Hana"], ["Saba"], ["Eleni", "Elleni"],
        ["Marta", "Martha"], ["Aster", "Astér"], ["Genet", "Guenet"],
        ["Frehiwot", "Firehiwot"], ["Yeshi"], ["Birtukan", "Birtoukan"],
        ["Senait", "Senayt"], ["Azeb", "Azieb"], ["Kalkidan", "Kalkedan"],
    ],
    "orm": [
        ["Bontu", "Bontuu"], ["Chaltu", "Caaltuu", "Tchaltou"], ["Derartu", "Deraartuu"],
        ["Ebise", "Ebisee"], ["Hawi", "Hawwii"], ["Lalise", "Lalisee"], ["Obse", "Obsee"],
        ["Fatuma", "Fatouma", "Faatumaa"], ["Zeyneba", "Zeinaba"], ["Kedija", "Khadija"],
    ],
    "som": [
        ["Fadumo", "Faadumo"], ["Hodan", "Hoodan"], ["Amina", "Aamina"],
        ["Halima", "Xaliimo", "Halimo"], ["Sahra", "Sahro"], ["Ifrah", "Ifraax"],
        ["Khadra", "Khadro"], ["Nasra", "Nasro"], ["Asha", "Aasha"], ["Hibo"], ["Sagal"],
        ["Ubah", "Ubax", "Oubah"], ["Hawa", "Xawo"],
    ],
    "afar": [
        ["Fatouma", "Fatuma"], ["Aicha", "Aisha"], ["Hasna", "Hasno"], ["Mariam", "Maryam"],
        ["Kadra", "Khadra"], ["Zahra", "Sahra"],
    ],
    "tig": [
        ["Selam", "Sélam"], ["Senait", "Senayt"], ["Saba"], ["Azeb", "Azieb"],
        ["Hiwot", "Hewot"], ["Tsion", "Tsiyon"], ["Meron", "Meroun"], ["Aster", "Astér"],
    ],
    "arab": [
        ["Fatima", "Fatma"], ["Amal"], ["Huda", "Houda"], ["Nour", "Noor"],
        ["Maryam", "Mariam"], ["Samira", "Samirah"],
    ],
}  # fmt: skip
# The same names as their bearers write them (first word: the given name), for those known.
GEEZ = {
    "Abebe": "አበበ", "Alemu": "አለሙ", "Tesfaye": "ተስፋዬ", "Getachew": "ጌታቸው", "Girma": "ግርማ",
    "Mulugeta": "ሙሉጌታ", "Haile": "ኃይሌ", "Tadesse": "ታደሰ", "Bekele": "በቀለ", "Kebede": "ከበደ",
    "Dawit": "ዳዊት", "Yonas": "ዮናስ", "Solomon": "ሰሎሞን", "Tewodros": "ቴዎድሮስ",
    "Biniam": "ቢኒያም", "Henok": "ሄኖክ", "Mesfin": "መስፍን", "Yohannes": "ዮሐንስ",
    "Tsegaye": "ፀጋዬ", "Berhanu": "ብርሃኑ", "Kassahun": "ካሳሁን", "Worku": "ወርቁ", "Desta": "ደስታ",
    "Ayele": "አየለ", "Wondimu": "ወንድሙ", "Asfaw": "አስፋው", "Lemma": "ለማ", "Negash": "ነጋሽ",
    "Shiferaw": "ሽፈራው", "Tilahun": "ጥላሁን", "Zerihun": "ዘሪሁን", "Habtamu": "ሀብታሙ",
    "Eyob": "እዮብ", "Gebre": "ገብሬ", "Fikru": "ፍቅሩ", "Hailu": "ኃይሉ", "Amanuel": "አማኑኤል",
    "Samuel": "ሳሙኤል", "Almaz": "አልማዝ", "Tigist": "ትዕግስት", "Hiwot": "ሕይወት", "Meron": "ሜሮን",
    "Selam": "ሰላም", "Bethlehem": "ቤተልሔም", "Mekdes": "መቅደስ", "Tsion": "ጽዮን", "Hanna": "ሐና",
    "Saba": "ሳባ", "Eleni": "ኤሌኒ", "Marta": "ማርታ", "Aster": "አስቴር", "Genet": "ገነት",
    "Frehiwot": "ፍሬሕይወት", "Yeshi": "የሺ", "Birtukan": "ብርቱካን", "Senait": "ሰናይት",
    "Azeb": "አዜብ", "Kalkidan": "ቃልኪዳን",
}  # fmt: skip
ARABIC = {
    "Mohamed": "محمد", "Mohammed": "محمد", "Ahmed": "أحمد", "Ali": "علي", "Hassan": "حسن",
    "Hussein": "حسين", "Omar": "عمر", "Abdullahi": "عبدالله", "Abdullah": "عبدالله",
    "Abdirahman": "عبدالرحمن", "Ismail": "إسماعيل", "Yusuf": "يوسف", "Farah": "فارح",
    "Osman": "عثمان", "Ibrahim": "إبراهيم", "Musa": "موسى", "Moussa": "موسى", "Aden": "آدم",
    "Abdi": "عبدي", "Jemal": "جمال", "Nuru": "نور", "Seid": "سعيد", "Daoud": "داود",
    "Kamil": "كامل", "Idriss": "إدريس", "Abdoulkader": "عبدالقادر", "Mahamoud": "محمود",
    "Saleh": "صالح", "Nasser": "ناصر", "Fuad": "فؤاد", "Khaled": "خالد", "Yahya": "يحيى",
    "Fatuma": "فاطمة", "Fadumo": "فاطمة", "Fatouma": "فاطمة", "Fatima": "فاطمة",
    "Amina": "أمينة", "Halima": "حليمة", "Khadra": "خضرة", "Kadra": "خضرة", "Asha": "عائشة",
    "Aicha": "عائشة", "Hawa": "حواء", "Zeyneba": "زينب", "Kedija": "خديجة", "Mariam": "مريم",
    "Maryam": "مريم", "Zahra": "زهرة", "Sahra": "زهرة", "Amal": "أمل", "Huda": "هدى",
    "Nour": "نور", "Samira": "سميرة",
}  # fmt: skip
POOL_LANGUAGE = {"eth": "am", "orm": "om", "som": "so", "afar": "aa", "tig": "ti", "arab": "ar"}


def name_pool() -> set[str]:
    """Every spelling the demo may write, for checking that it writes nothing else."""
    return {
        spelling
        for pools in (MALE, FEMALE)
        for names in pools.values()
        for variants in names
        for spelling in variants
    }


# --- Who comes to the organisations ----------------------------------------------------------
NATIONALITIES = {"ET": 78, "SO": 9, "DJ": 5, "YE": 4, "ER": 4}
# The pools a person's names come from: (given name's, the fathers'), by nationality.
COMMUNITIES = {
    "ET": {("eth", "eth", "orm"): 50, ("orm", "orm", "som"): 35, ("som",): 15},
    "SO": {("som",): 1},
    "DJ": {("afar", "som"): 50, ("som",): 50},
    "YE": {("arab",): 1},
    "ER": {("tig",): 1},
}
# Organisations by their share of the cases; the other case-working organisations (the
# associations) get OTHER_CASE_SHARE each. The IOM-like UN agency runs the migrant centre.
CASE_SHARES = {
    "DTM-DEMO": 18,
    "CRD": 11,
    "ALPHA": 7,
    "CNDH": 7,
    "ONARS": 6,
    "POLICE": 5,
    "GENDARMERIE": 4,
    "GARDE-COTES": 4,
}
OTHER_CASE_SHARE = 4.5
# Police, gendarmes and coastguards register at any hour; the others in office hours.
ROUND_THE_CLOCK = {"POLICE", "GENDARMERIE", "GARDE-COTES"}
CSO_CHANNELS = {"cso_outreach": 60, "self_referral": 25, "hotline": 15}
CHANNELS = {
    "DTM-DEMO": {"fmp": 60, "mobile_unit": 25, "self_referral": 15},
    "CRD": {"mobile_unit": 70, "fmp": 20, "hotline": 10},
    "CNDH": {"information_centre": 75, "hotline": 25},
    "ONARS": {"self_referral": 60, "information_centre": 40},
    "POLICE": {"police": 1},
    "GENDARMERIE": {"gendarmerie": 1},
    "GARDE-COTES": {"coastguard": 1},
}
CSO_REGIONS = {"DJ-DJ": 55, "DJ-AR": 10, "DJ-AS": 20, "DJ-DI": 15}
REGIONS = {
    "DTM-DEMO": {"DJ-OB": 60, "DJ-TA": 20, "DJ-DI": 10, "DJ-AS": 10},
    "CRD": {"DJ-AS": 45, "DJ-DI": 35, "DJ-DJ": 20},
    "CNDH": {"DJ-TA": 25, "DJ-DI": 20, "DJ-AR": 15, "DJ-AS": 20, "DJ-OB": 20},
    "ONARS": {"DJ-AS": 50, "DJ-DJ": 50},
    "POLICE": {"DJ-DJ": 60, "DJ-OB": 15, "DJ-AR": 10, "DJ-AS": 15},
    "GENDARMERIE": {"DJ-DI": 30, "DJ-TA": 25, "DJ-AS": 25, "DJ-OB": 20},
    "GARDE-COTES": {"DJ-OB": 75, "DJ-TA": 20, "DJ-DJ": 5},
}
AT_A_POINT = {"fmp": 1.0, "mobile_unit": 0.5, "coastguard": 0.5}
MIGRATION_STATUSES = {
    "default": {
        "in_transit": 50,
        "stranded": 20,
        "returnee": 13,
        "asylum_seeker": 3,
        "refugee": 2,
        "resident": 2,
        "unknown": 10,
    },
    "ONARS": {"asylum_seeker": 45, "refugee": 40, "stranded": 10, "unknown": 5},
    "GARDE-COTES": {"returnee": 45, "in_transit": 45, "stranded": 10},
}

# --- Screening --------------------------------------------------------------------------------
# Chances of each vulnerability factor for an adult; the rules (screening.assess) then give
# the risk level and the needs.
FACTOR_CHANCES = {
    "no_food_water": 0.32,
    "no_shelter": 0.22,
    "no_documents": 0.28,
    "irregular_status": 0.28,
    "violence_on_route": 0.14,
    "separated_family": 0.12,
    "family_debt": 0.12,
    "wants_return": 0.18,
    "language_barrier": 0.08,
    "mental_distress": 0.06,
    "chronic_illness": 0.04,
    "sea_crossing_planned": 0.10,
    "no_services_access": 0.06,
    "discrimination": 0.03,
    "conflict_origin": 0.04,
    "urgent_medical": 0.03,
    "immediate_danger": 0.012,
}
TRAFFICKING_ACTS = ("act_recruited", "act_transported", "act_harboured")
TRAFFICKING_MEANS = (
    "means_threats",
    "means_force",
    "means_false_promises",
    "means_debt_bondage",
    "means_withholds_documents",
    "means_restricts_movement",
    "means_takes_earnings",
    "means_withholds_necessities",
)
PURPOSES = {
    "M": {"purpose_forced_labour": 80, "purpose_forced_begging": 15, "purpose_sexual": 5},
    "F": {
        "purpose_forced_labour": 25,
        "purpose_sexual": 35,
        "purpose_domestic_servitude": 30,
        "purpose_forced_marriage": 10,
    },
}
# Resolved once the first services were given, and so not found at a second screening.
RESOLVED = {"urgent_medical", "immediate_danger", "no_food_water", "no_shelter", "language_barrier"}

CLOSURE_REASONS = {
    ClosureReason.SERVICE_COMPLETED: 40,
    ClosureReason.CONTINUED_JOURNEY: 25,
    ClosureReason.RETURNED_HOME: 15,
    ClosureReason.LOST_CONTACT: 15,
    ClosureReason.REFUSED: 5,
}
# Case statuses by how long ago the case was opened (days, weights in CaseStatus order:
# open, active, follow-up, closed, closed and referred).
STATUS_BY_AGE = (
    (14, (45, 50, 5, 0, 0)),
    (60, (8, 55, 25, 8, 4)),
    (180, (2, 30, 28, 30, 10)),
    (DAYS + 1, (1, 12, 20, 55, 12)),
)
STATUSES = (
    CaseStatus.OPEN,
    CaseStatus.ACTIVE,
    CaseStatus.FOLLOW_UP,
    CaseStatus.CLOSED,
    CaseStatus.CLOSED_REFERRED,
)
CLOSED = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


# --- Time ---------------------------------------------------------------------------------------


def horizon() -> datetime.datetime:
    """Midnight this morning in Djibouti: everything in the demo happened before it."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


def at(day: datetime.date, minutes: int) -> datetime.datetime:
    """A moment of a day in Djibouti. Plain arithmetic on the zone: it has no summer time
    (and the helpers of django.utils.timezone are slow for a hundred thousand calls)."""
    midnight = datetime.datetime.combine(day, datetime.time(), timezone.get_default_timezone())
    return midnight + datetime.timedelta(minutes=minutes)


def later(
    rng: random.Random,
    after: datetime.datetime,
    hours: tuple[float, float],
    *,
    office: bool = True,
) -> datetime.datetime:
    """Some hours after a moment; in office hours (Sunday to Thursday) unless `office` is
    False, as for emergencies and for the police, who work round the clock."""
    moment = after + datetime.timedelta(hours=rng.uniform(*hours))
    if not office:
        return moment
    local = moment.astimezone(timezone.get_default_timezone())
    day, minutes = local.date(), local.hour * 60 + local.minute
    if minutes > OFFICE[1]:
        day += datetime.timedelta(days=1)
    if not OFFICE[0] <= minutes <= OFFICE[1]:
        minutes = rng.randint(OFFICE[0], OFFICE[0] + 150)
    while day.weekday() in WEEKEND:
        day += datetime.timedelta(days=1)
    return at(day, minutes)


def pick(rng: random.Random, weights: dict[K, float]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_child(born: datetime.date | None, day: datetime.date) -> bool:
    age = age_on(born, day)
    return age is not None and age < 18


# --- The plan -----------------------------------------------------------------------------------


@dataclass
class _Identity:
    """A synthetic person, before any organisation writes them down."""

    pools: tuple[str, ...]  # of the names, given name's first
    sex: str
    nationality: str
    languages: str
    born: datetime.date
    phone: str
    migration_status: str
    given: list[str] = field(default_factory=list)  # the spellings of each name
    father: list[str] = field(default_factory=list)
    grandfather: list[str] | None = None
    script: str = ""  # "geez", "arabic" or ""


@dataclass
class _CasePlan:
    organisation: Organisation
    worker: User
    opened_at: datetime.datetime
    status: str = CaseStatus.OPEN
    closed_at: datetime.datetime | None = None
    closure_reason: str = ""
    screenings: list[tuple[datetime.datetime, list[str]]] = field(default_factory=list)


@dataclass
class Seeded:
    """What a run wrote, and the planted pairs (ids of one person registered twice)."""

    persons: int
    cases: int
    consents: int
    screenings: int
    twins: list[tuple[int, int]]
    duplicate_pairs: int

    def __str__(self) -> str:
        return (
            f"Registry demo: {self.persons:,} persons ({len(self.twins)} registered twice by "
            f"two organisations), {self.cases:,} cases, {self.consents:,} consents, "
            f"{self.screenings:,} screenings; {self.duplicate_pairs} likely duplicate pairs "
            f"queued for the registry officer."
        )


class _Registry:
    """Draws the persons and their cases, in a fixed order from one seed."""

    def __init__(
        self,
        workers: dict[Organisation, list[User]],
        points: list[FlowMonitoringPoint],
        regions: dict[str, Region],
        end: datetime.datetime,
    ) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (synthetic data, not security)
        self.workers = workers
        self.shares = {
            org: CASE_SHARES.get(org.acronym, OTHER_CASE_SHARE) for org in sorted(workers, key=_key)
        }
        self.points: dict[str, list[FlowMonitoringPoint]] = defaultdict(list)
        for point in points:
            if point.region_id:
                self.points[point.region.code].append(point)
        self.regions = regions
        self.end = end
        first = end.date() - datetime.timedelta(days=DAYS)
        self.days = [first + datetime.timedelta(days=n) for n in range(DAYS)]
        self.working_days = [day for day in self.days if day.weekday() not in WEEKEND]
        # Popular names are given more often (Zipf-like), so common names collide, as in life.
        self.name_weights = {
            id(names): [1 / (rank + 1) ** 0.2 for rank in range(len(names))]
            for pools in (MALE, FEMALE)
            for names in pools.values()
        }

    # -- persons

    def name(self, names: list[list[str]]) -> list[str]:
        return self.rng.choices(names, weights=self.name_weights[id(names)])[0]

    def identity(self, number: int, registered: datetime.date) -> _Identity:
        rng = self.rng
        nationality = pick(rng, NATIONALITIES)
        pools = pick(rng, COMMUNITIES[nationality])
        pools = (rng.choice(pools), *pools)
        sex = "F" if rng.random() < 0.25 else "M"
        if rng.random() < 0.12:
            age = rng.randint(12, 17)
        else:
            age = min(62, 18 + int(rng.expovariate(1 / 8)))
        identity = _Identity(
            pools=pools,
            sex=sex,
            nationality=nationality,
            languages=self.languages(pools[0], nationality),
            born=registered - datetime.timedelta(days=365.25 * age + rng.randint(1, 360)),
            # +253 77 00 xx xx: a range no operator gives out, obviously made up.
            phone=f"+253 77 00 {10 + number // 100:02d} {number % 100:02d}"
            if rng.random() < 0.4
            else "",
            migration_status=pick(rng, MIGRATION_STATUSES["default"]),
        )
        self.draw_names(identity)
        return identity

    def draw_names(self, identity: _Identity) -> None:
        """Given name, father's and grandfather's (sometimes not known), and whether the
        person writes them in Ge'ez or Arabic script."""
        rng = self.rng
        given_pool, *pools = identity.pools
        identity.given = self.name((FEMALE if identity.sex == "F" else MALE)[given_pool])
        identity.father = self.name(MALE[rng.choice(pools)])
        identity.grandfather = self.name(MALE[rng.choice(pools)]) if rng.random() < 0.85 else None
        usual = [v[0] for v in (identity.given, identity.father, identity.grandfather) if v]
        identity.script = ""
        if given_pool in ("eth", "tig") and all(name in GEEZ for name in usual):
            identity.script = "geez" if rng.random() < 0.4 else ""
        elif given_pool in ("som", "afar", "arab") and all(name in ARABIC for name in usual):
            chance = 0.6 if given_pool == "arab" else 0.2
            identity.script = "arabic" if rng.random() < chance else ""

    def languages(self, pool: str, nationality: str) -> str:
        rng = self.rng
        spoken = [POOL_LANGUAGE[pool]]
        if nationality == "ET" and "am" not in spoken and rng.random() < 0.3:
            spoken.append("am")  # the lingua franca, besides the mother tongue
        if nationality in ("SO", "ER") and rng.random() < 0.15:
            spoken.append("ar")
        if nationality == "DJ":
            spoken.append("fr")
        if rng.random() < 0.03:
            spoken.append("en")
        return " ".join(dict.fromkeys(spoken))

    def spelling(self, variants: list[str], usual: float) -> str:
        return variants[0] if self.rng.random() < usual else self.rng.choice(variants)

    def registration(
        self, identity: _Identity, day: datetime.date, *, twin_of: Person | None = None
    ) -> dict:
        """The person's fields as one organisation wrote them on a day. A twin (the second
        registration of someone already registered) is spelt differently where it can be,
        and its date of birth may be an estimate."""
        return {
            **self.written_names(identity, twin_of),
            "sex": identity.sex,
            "nationality_id": identity.nationality,
            "languages": identity.languages,
            "phone": identity.phone,
            "migration_status": identity.migration_status,
            **self.birth(identity, day, estimate=bool(twin_of) and self.rng.random() < 0.6),
        }

    def written_names(self, identity: _Identity, twin_of: Person | None = None) -> dict:
        rng = self.rng
        usual = 0.3 if twin_of else 0.75
        names = {
            "given_name": self.spelling(identity.given, usual),
            "father_name": self.spelling(identity.father, usual),
            "grandfather_name": self.spelling(identity.grandfather, usual)
            if identity.grandfather and not (twin_of and rng.random() < 0.3)
            else "",
        }
        if twin_of and names["given_name"] == twin_of.given_name:
            others = [v for v in identity.given if v != twin_of.given_name]
            if others:
                names["given_name"] = rng.choice(others)
        if twin_of and rng.random() < 0.05:  # the father's name written first
            names["given_name"], names["father_name"] = names["father_name"], names["given_name"]
        names["other_names"] = ""
        if rng.random() < 0.06:
            others = [v for v in identity.given if v != names["given_name"]]
            names["other_names"] = rng.choice(others) if others else ""
        names["name_in_script"] = ""
        if identity.script and (not twin_of or rng.random() < 0.5):
            table = GEEZ if identity.script == "geez" else ARABIC
            usual_names = (identity.given, identity.father, identity.grandfather)
            names["name_in_script"] = " ".join(table[v[0]] for v in usual_names if v)
        return names

    def fewer_homonyms(self, rows: list[tuple[Person, _CasePlan]], identities: list) -> None:
        """Names drawn at random from small pools meet far more often than in a real registry
        of this size: left so, the registry officer's queue would hold over a hundred pairs of
        different people. Their names are drawn again, but for a few pairs, kept because
        telling homonyms apart is part of the work."""
        for _round in range(2):
            matcher = Matcher(
                dataclasses.replace(duplicates.identity_of(person), key=n)
                for n, (person, _plan) in enumerate(rows)
            )
            pairs = matcher.pairs()[HOMONYMS:]
            if not pairs:
                return
            for number in sorted({max(pair.key_a, pair.key_b) for pair in pairs}):
                person, identity = rows[number][0], identities[number]
                self.draw_names(identity)
                for name, value in self.written_names(identity).items():
                    setattr(person, name, value)

    def birth(self, identity: _Identity, day: datetime.date, *, estimate: bool) -> dict:
        """A date of birth as given: in the Ethiopian calendar (converted), in the Gregorian
        one, estimated from the age told, or not known."""
        rng = self.rng
        draw = rng.random()
        if estimate or 0.62 <= draw < 0.97:
            age = max(1, age_on(identity.born, day) + (rng.randint(-2, 2) if estimate else 0))
            return {
                "birth_date": datetime.date(day.year - age, 7, 1),
                "birth_date_is_estimated": True,
                "birth_calendar": BirthCalendar.GREGORIAN,
            }
        if draw >= 0.97:
            return {"birth_date": None}
        if identity.nationality in ("ET", "ER") and draw < 0.3:
            year, month, date = ethiopian_calendar.from_gregorian(identity.born)
            return {
                "birth_date": ethiopian_calendar.to_gregorian(year, month, date),
                "birth_date_is_estimated": False,
                "birth_calendar": BirthCalendar.ETHIOPIAN,
            }
        return {
            "birth_date": identity.born,
            "birth_date_is_estimated": False,
            "birth_calendar": BirthCalendar.GREGORIAN,
        }

    def identification(self, organisation: Organisation, status: str) -> dict:
        rng = self.rng
        acronym = organisation.acronym
        channel = pick(rng, CHANNELS.get(acronym, CSO_CHANNELS))
        region = pick(rng, REGIONS.get(acronym, CSO_REGIONS))
        point = None
        points = self.points[region]
        if channel == Identification.COASTGUARD:  # at sea, off the departure beaches
            points = [p for p in points if p.kind == FlowMonitoringPoint.Kind.COASTAL_DEPARTURE]
        if points and rng.random() < AT_A_POINT.get(channel, 0):
            point = rng.choice(points)
        if acronym in MIGRATION_STATUSES:
            status = pick(rng, MIGRATION_STATUSES[acronym])
        return {
            "identified_by": channel,
            "identified_at_point": point,
            "identified_in_region": self.regions[region],
            "migration_status": status,
        }

    # -- cases

    def organisation(self, other_than: Organisation | None = None) -> Organisation:
        shares = {org: share for org, share in self.shares.items() if org != other_than}
        return pick(self.rng, shares)

    def worker(self, organisation: Organisation) -> User:
        workers = self.workers[organisation]
        caseworkers = [user for user in workers if user.role == Role.CASEWORKER] or workers
        supervisors = [user for user in workers if user.role == Role.SUPERVISOR] or workers
        return self.rng.choice(caseworkers if self.rng.random() < 0.85 else supervisors)

    def opening(
        self, organisation: Organisation, after: datetime.datetime | None = None
    ) -> datetime.datetime:
        """When a case is opened: any day of the year, or some time after another case, and
        in either case before the end (callers give `after` at least six days before it)."""
        rng = self.rng
        round_the_clock = organisation.acronym in ROUND_THE_CLOCK
        if after is not None:
            # Office hours may move the moment on by up to three days (a Thursday evening).
            room = (self.end - after).total_seconds() / 3600 - 72
            return later(
                rng, after, (min(20, room / 2), min(60 * 24, room)), office=not round_the_clock
            )
        if round_the_clock:
            return at(rng.choice(self.days), rng.randint(0, 24 * 60 - 1))
        return at(rng.choice(self.working_days), rng.randint(*OFFICE))

    def row(
        self, values: dict, organisation: Organisation, opened_at: datetime.datetime
    ) -> tuple[Person, _CasePlan]:
        """A person as an organisation registered them, with that organisation's case."""
        values |= self.identification(organisation, values["migration_status"])
        person = Person(**values)
        plan = self.case(organisation, opened_at, person)
        person.registered_by, person.registered_at = plan.worker, opened_at
        return person, plan

    def case(
        self, organisation: Organisation, opened_at: datetime.datetime, person: Person
    ) -> _CasePlan:
        """A case's story: its status by its age, its screenings, its closure."""
        rng = self.rng
        plan = _CasePlan(organisation, self.worker(organisation), opened_at)
        age_days = (self.end - opened_at).days
        weights = next(w for limit, w in STATUS_BY_AGE if age_days < limit)
        status = rng.choices(STATUSES, weights=weights)[0]
        if status == CaseStatus.OPEN:
            return plan
        office = organisation.acronym not in ROUND_THE_CLOCK
        screened_at = later(rng, opened_at, (0.2, 48), office=office)
        if screened_at >= self.end:
            return plan
        factors = self.factors(organisation, person, opened_at.date())
        plan.screenings.append((screened_at, factors))
        plan.status = status
        last = screened_at
        if status != CaseStatus.ACTIVE and rng.random() < 0.2:
            again = later(rng, screened_at, (14 * 24, 60 * 24))
            if again < self.end:
                plan.screenings.append((again, [f for f in factors if f not in RESOLVED]))
                last = again
        if status in CLOSED:
            closed_at = later(rng, last, (10 * 24, 150 * 24))
            if closed_at >= self.end:
                plan.status = CaseStatus.FOLLOW_UP
            else:
                plan.closed_at = closed_at
                plan.closure_reason = (
                    ClosureReason.TRANSFERRED
                    if status == CaseStatus.CLOSED_REFERRED
                    else pick(rng, CLOSURE_REASONS)
                )
        return plan

    def factors(self, organisation: Organisation, person: Person, day: datetime.date) -> list[str]:
        rng = self.rng
        sex = person.sex
        chances = dict(FACTOR_CHANCES)
        if sex == "F":
            chances |= {"pregnant": 0.15, "gbv_survivor": 0.12}
        else:
            chances["gbv_survivor"] = 0.02
        child = is_child(person.birth_date, day)
        if child:
            chances.pop("pregnant", None)
            chances["family_debt"] = 0.05
        found = {code for code, chance in chances.items() if rng.random() < chance}
        if child:
            draw = rng.random()
            if draw < 0.45:
                found.add("child_unaccompanied")
            elif draw < 0.7:
                found.add("child_separated")
            if found & {"child_unaccompanied", "child_separated"} and rng.random() < 0.6:
                found.add("child_best_interests")
        # Trafficking: police and gendarmes meet it more often than the others.
        trafficked = 0.35 if organisation.acronym in ("POLICE", "GENDARMERIE") else 0.09
        draw = rng.random()
        if draw < trafficked:
            found.update(rng.sample(TRAFFICKING_ACTS, rng.randint(1, 2)))
            found.update(rng.sample(TRAFFICKING_MEANS, rng.randint(1, 3)))
            found.add(pick(rng, PURPOSES[sex]))
        elif draw < trafficked + 0.08:
            found.add(rng.choice(("means_false_promises", "means_debt_bondage")))
        return [code for code in screening_rules.QUESTIONS if code in found]

    def trafficking_status(self, plan: _CasePlan, result: screening_rules.Result) -> str:
        """Possible when the screening indicates trafficking; actual for some of those the
        police or gendarmes identified; else half of those screened are found not victims."""
        if result.trafficking_indicated:
            police = plan.organisation.acronym in ("POLICE", "GENDARMERIE")
            if police and self.rng.random() < 0.35:
                return TraffickingStatus.ACTUAL
            return TraffickingStatus.POSSIBLE
        return TraffickingStatus.NOT_VICTIM if self.rng.random() < 0.5 else ""


def _key(organisation: Organisation) -> tuple[str, int]:
    return (organisation.acronym, organisation.pk)


def _case_workers() -> dict[Organisation, list[User]]:
    """The demo caseworkers and supervisors, by organisation."""
    usernames = [account[0] for account in accounts_demo.ACCOUNTS]
    workers: dict[Organisation, list[User]] = defaultdict(list)
    found = User.objects.filter(username__in=usernames, role__in=CASE_ROLES, is_active=True)
    for user in found.select_related("organisation").order_by("username"):
        if user.organisation is not None:
            workers[user.organisation].append(user)
    return dict(workers)


# --- Clearing the last run ----------------------------------------------------------------------


def demo_persons() -> models.QuerySet[Person]:
    """The persons with a demo case, and those merged into them (or they into)."""
    ids = set(Case.objects.filter(code__startswith=CODE_PREFIX).values_list("person_id", flat=True))
    while True:
        linked = set(
            Person.objects.filter(
                models.Q(merged_into__in=ids) | models.Q(merged__in=ids)
            ).values_list("pk", flat=True)
        )
        if linked <= ids:
            return Person.objects.filter(pk__in=ids)
        ids |= linked


def delete_with_dependents(queryset: models.QuerySet) -> None:
    """Delete rows and, first, every row that points at them, whatever the model.

    Cases gather plans, notes, transfers and referrals from other apps as the application
    grows; walking the relations deletes them too without this module naming each one. One
    DELETE statement per relation: Django's collector would load every row first, and stops
    at PROTECT even when the protected rows go in the same run. Rows of the model itself
    (Person.merged_into) must already be in the queryset."""
    model = queryset.model
    # The ids, once: nested IN (subquery) deletes several relations deep took PostgreSQL
    # minutes on freshly loaded tables (no statistics yet, so nested loops over whole tables).
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    queryset = model._base_manager.filter(pk__in=ids)
    # With the hidden relations: most foreign keys here have related_name="+".
    for relation in model._meta.get_fields(include_hidden=True):
        reverse = relation.auto_created and not relation.concrete
        if not reverse or relation.many_to_many or relation.related_model is model:
            continue
        dependents = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": queryset}
        )
        delete_with_dependents(dependents)
    queryset._raw_delete(queryset.db)


# --- Writing ------------------------------------------------------------------------------------


def create_in_the_past(model: type[models.Model], objects: list, name: str) -> None:
    """Bulk-create rows whose `auto_now_add` field holds a moment of the demo's past.

    bulk_create stamps such fields with the present, on the objects too: the demo's moments
    are kept aside and written back by one UPDATE statement run for every row (bulk_update
    builds a CASE expression per row, and took seconds)."""
    moments = [getattr(obj, name) for obj in objects]
    model.objects.bulk_create(objects, batch_size=500)
    field = model._meta.get_field(name)
    quote = connection.ops.quote_name
    # Table and column names come from the model, not from input.
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(field.column)} = %s "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    rows = []
    for obj, moment in zip(objects, moments, strict=True):
        setattr(obj, name, moment)
        rows.append((field.get_db_prep_save(moment, connection), obj.pk))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def seed() -> Seeded:
    """Replace the demo registry: persons, cases, consents, screenings; queue duplicates."""
    delete_with_dependents(demo_persons())
    workers = _case_workers()
    if not workers:
        raise RuntimeError("Seed the demo accounts first: no demo caseworker was found.")
    end = horizon()
    registry = _Registry(
        workers,
        list(FlowMonitoringPoint.objects.select_related("region").order_by("code")),
        {region.code: region for region in Region.objects.filter(country="DJ")},
        end,
    )
    rng = registry.rng

    # Each row of the registry with its first case; then the twins, registered again later
    # by another organisation; then the second cases other organisations opened.
    rows: list[tuple[Person, _CasePlan]] = []
    identities: list[_Identity] = []
    for number in range(PERSONS - TWINS):
        organisation = registry.organisation()
        opened_at = registry.opening(organisation)
        identity = registry.identity(number, opened_at.date())
        values = registry.registration(identity, opened_at.date())
        identities.append(identity)
        rows.append(registry.row(values, organisation, opened_at))
    registry.fewer_homonyms(rows, identities)
    twins = []
    early = [n for n, (_, plan) in enumerate(rows) if (end - plan.opened_at).days > 30]
    for original in sorted(rng.sample(early, TWINS)):
        first, first_plan = rows[original]
        organisation = registry.organisation(other_than=first_plan.organisation)
        opened_at = registry.opening(organisation, after=first_plan.opened_at)
        values = registry.registration(identities[original], opened_at.date(), twin_of=first)
        twins.append((original, len(rows)))
        rows.append(registry.row(values, organisation, opened_at))
    plans = [(person, plan) for person, plan in rows]
    early = [n for n, (_, plan) in enumerate(rows) if (end - plan.opened_at).days > 6]
    for row in sorted(rng.sample(early, SECOND_CASES)):
        person, first_plan = rows[row]
        organisation = registry.organisation(other_than=first_plan.organisation)
        opened_at = registry.opening(organisation, after=first_plan.opened_at)
        plans.append((person, registry.case(organisation, opened_at, person)))

    # Screenings: the case takes the risk level of the latest, the person the trafficking
    # status the first one indicates.
    plans.sort(key=lambda item: item[1].opened_at)
    cases, screenings = [], []
    for number, (person, plan) in enumerate(plans, 1):
        case = Case(
            code=f"{CODE_PREFIX}{plan.opened_at.year}-{number:06d}",
            person=person,
            organisation=plan.organisation,
            caseworker=plan.worker,
            status=plan.status,
            closed_at=plan.closed_at,
            closure_reason=plan.closure_reason,
        )
        case.opened_at = plan.opened_at
        cases.append(case)
        for screened_at, factors in plan.screenings:
            child = is_child(person.birth_date, screened_at.date())
            result = screening_rules.assess(factors, is_child=child)
            screening = Screening(
                case=case,
                factors=factors,
                risk_level=result.risk_level,
                needs=result.needs,
                screened_by=plan.worker,
            )
            screening.screened_at = screened_at
            screenings.append(screening)
            case.risk_level = result.risk_level
            if not person.trafficking_status:
                person.trafficking_status = registry.trafficking_status(plan, result)

    persons = [person for person, _plan in rows]
    create_in_the_past(Person, persons, "registered_at")
    create_in_the_past(Case, cases, "opened_at")
    CaseNameWord.objects.index(case.pk for case in cases)
    create_in_the_past(Screening, screenings, "screened_at")
    consents = _consents(rng, cases, [plan for _person, plan in plans], end)
    create_in_the_past(Consent, consents, "obtained_at")

    # The nightly batch, run now so that the registry officer's queue is not empty.
    queued = duplicates.find_duplicates()
    return Seeded(
        persons=len(persons),
        cases=len(cases),
        consents=len(consents),
        screenings=len(screenings),
        twins=[(persons[a].pk, persons[b].pk) for a, b in twins],
        duplicate_pairs=queued,
    )


def consent_texts() -> dict[tuple[str, str], ConsentText]:
    """The latest version of each consent text, by purpose and language."""
    return {
        (text.purpose, text.language): text
        for text in ConsentText.objects.order_by("purpose", "language", "version")
    }


def consent_language(person: Person) -> str:
    """The first of the person's languages a consent text exists in; French otherwise."""
    spoken = [code for code in person.languages.split() if code in ConsentLanguage.values]
    return spoken[0] if spoken else ConsentLanguage.FRENCH


def consent(
    rng: random.Random,
    texts: dict[tuple[str, str], ConsentText],
    case: Case,
    purpose: str,
    given: bool,
    when: datetime.datetime,
    by: User,
    **values: object,
) -> Consent:
    """A consent as record_consent would write it: a parent, guardian or caregiver gives it
    for a child, and the child's assent is recorded."""
    person = case.person
    language = consent_language(person)
    text = texts.get((purpose, language)) or texts[purpose, ConsentLanguage.FRENCH]
    child = is_child(person.birth_date, when.date())
    record = Consent(
        case=case,
        purpose=purpose,
        given=given,
        text=text,
        given_by=(GivenBy.PARENT_OR_GUARDIAN if rng.random() < 0.4 else GivenBy.CAREGIVER)
        if child
        else GivenBy.PERSON,
        child_assent=(rng.random() < 0.92) if child else None,
        obtained_by=by,
        **values,
    )
    record.obtained_at = when
    return record


def _consents(
    rng: random.Random, cases: list[Case], plans: list[_CasePlan], end: datetime.datetime
) -> list[Consent]:
    """Registration (most cases; some just opened still lack it), statistics (most asked,
    a few refuse or later withdraw), sharing with law enforcement (when trafficking is
    indicated; often refused). Consents to share with an organisation come with the
    referrals (corridor.referrals.demo)."""
    texts = consent_texts()
    made = []
    for case, plan in zip(cases, plans, strict=True):
        worker = plan.worker
        opened = plan.opened_at
        if plan.status != CaseStatus.OPEN or rng.random() < 0.75:
            made.append(
                consent(
                    rng,
                    texts,
                    case,
                    ConsentPurpose.REGISTRATION,
                    True,
                    opened + _minutes(rng, 5, 20),
                    worker,
                )
            )
        draw = rng.random()
        if draw < 0.83:
            given = draw < 0.75
            statistics = consent(
                rng,
                texts,
                case,
                ConsentPurpose.STATISTICS,
                given,
                opened + _minutes(rng, 20, 30),
                worker,
            )
            if given and rng.random() < 0.015:
                withdrawn = later(rng, opened, (24, 90 * 24))
                if withdrawn < end:
                    statistics.withdrawn_at, statistics.withdrawn_by = withdrawn, worker
            made.append(statistics)
        if case.person.trafficking_status in (TraffickingStatus.POSSIBLE, TraffickingStatus.ACTUAL):
            for screened_at, _factors in plan.screenings[:1]:
                made.append(
                    consent(
                        rng,
                        texts,
                        case,
                        ConsentPurpose.LAW_ENFORCEMENT,
                        rng.random() < 0.4,
                        screened_at + _minutes(rng, 15, 45),
                        worker,
                    )
                )
    return made


def _minutes(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=rng.randint(low, high))
