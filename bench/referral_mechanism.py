"""How fast the National Referral Mechanism's two busiest pages answer at national scale.

Run by hand, never by the tests (timings live in bench/, see bench/README.md):

    .venv/bin/python bench/referral_mechanism.py [--persons 1000000] [--referrals 100000]
        [--other-referrals 50000] [--part search|inbox|both] [--runs 20] [--explain]
        [--postgres-setting shared_buffers=1GB ...]

On a fresh PostgreSQL 15 (initdb and pg_ctl on a private socket directory, no TCP, removed at
the end: import_flows.postgres_server, initdb's settings unless --postgres-setting), migrated,
it writes with psycopg COPY:

  - synthetic persons (default 1,000,000): names drawn from a pool of Horn-of-Africa names with
    the spellings met in the field (Mohamed, Mohammed, Maxamed...), by frequency rank, so that
    every person is a random combination and obviously synthetic; organisations "Synthetic
    organisation NN", case codes "SYN-...";
  - their cases, spread over 25 organisations (the largest, whose caseworker searches, holds
    about a fifth; a tenth of the persons also have a case at a second organisation), and the
    case search's index of their names (CaseNameWord);
  - referrals, each with the consent it was sent under: --referrals (default 100,000) to the
    services of one organisation, whose service focal point reads the inbox, and
    --other-referrals (default 50,000) between others. Statuses follow the age of the referral:
    recent ones await an answer or are accepted, old ones are mostly closed, and a backlog of
    about 2 % still awaits an answer after the deadline (overdue).

The secondary indexes of those tables are dropped for the load and built again after it, then
VACUUM ANALYZE. Loading is timed and printed; it is not what the targets are about. Then, with
DEBUG off (no query log) and over HTTPS, through Django's test Client signed in with the second
factor passed, it times 2 warm-ups and then 20 runs (median and 95th percentile, nearest rank):

  - part "search": GET /cases/?q=<term> as a caseworker of the largest organisation, for a few
    terms: the commonest name, a mid-frequency one, a rare spelling, the start of a name, the
    starts of two names, a typo that matches nothing, a case code. Each request writes its
    audit entries, one "search" and one "view" per case shown, as in production: they are part
    of the time (target 100 ms).
    The case list without a search is timed too, for comparison (no target);
  - part "inbox": GET /referrals/inbox/ as the focal point (first page, overdue first; target
    200 ms), and a later page and the "awaiting an answer" filter.

Before each series it checks the page's answer and the audit entries it wrote, and prints how
long each SQL statement of one request took; --explain adds the EXPLAIN (ANALYZE, BUFFERS) of
its reads. The load average is printed before and after: other work on the machine slows the
timings, so compare runs made under a similar load.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import itertools
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlencode

# The machine's description and the private PostgreSQL server are import_flows.py's; the
# timing helpers are aggregates.py's, so that every benchmark counts runs the same way.
from aggregates import capture, median, p95, timed
from import_flows import REPO, machine, postgres_server

SEED = 20261123
TARGETS = {"search": 100, "inbox": 200}  # milliseconds, by part; the plain case list has none
ORGANISATIONS = 25
SECOND_CASE_SHARE = 0.1  # persons who also have a case at a second organisation
CHUNK = 200_000  # rows per COPY transaction: bounds the server's queue of foreign key checks
INBOX_ORGANISATION = 1  # index of the receiving organisation (the second largest)
SEARCH_ORGANISATION = 0  # the caseworker's organisation: the largest, the slowest to search

# Each entry is one name and its spellings met in registration records (English-style, French,
# Somali and Oromo orthographies, with and without doubled letters); the first is the commonest.
# The pools are in rough order of frequency: the first names are drawn far more often.
MALE_NAMES = [
    ["Mohamed", "Mohammed", "Muhammad", "Mahamed", "Maxamed", "Mohamad"],
    ["Ahmed", "Ahmad", "Axmed", "Ahmet"],
    ["Abdi", "Abdy", "Cabdi"],
    ["Hassan", "Hasan", "Xasan", "Hassen"],
    ["Ali", "Aly", "Cali"],
    ["Omar", "Umar", "Cumar", "Omer"],
    ["Ibrahim", "Ibraahim", "Ebrahim"],
    ["Abdullahi", "Abdillahi", "Cabdullaahi", "Abdallah"],
    ["Yusuf", "Youssouf", "Yuusuf", "Youssef"],
    ["Osman", "Usman", "Cismaan", "Othman"],
    ["Daoud", "Dawud", "Daud", "Daauud"],
    ["Houssein", "Hussein", "Xuseen", "Husen"],
    ["Idriss", "Idris", "Idiris"],
    ["Moussa", "Musa", "Muuse"],
    ["Said", "Saeed", "Saciid"],
    ["Getachew", "Guetatchew", "Getachaw"],
    ["Tesfaye", "Tesfay", "Tesfaie"],
    ["Mulugeta", "Mulugueta", "Mulegeta"],
    ["Girma", "Guirma", "Germa"],
    ["Tadesse", "Tadese", "Tadessé"],
    ["Bekele", "Bekelle", "Békélé"],
    ["Alemu", "Alemou", "Alamu"],
    ["Kebede", "Kebbede", "Kébédé"],
    ["Haile", "Hayle", "Hailé"],
    ["Yohannes", "Yohanes", "Yohanis", "Yohannès"],
    ["Dawit", "Dawitt", "Dauit"],
    ["Solomon", "Selomon", "Salomon"],
    ["Gemechu", "Gamachuu", "Guemetchou"],
    ["Lemma", "Lamaa", "Lemmaa"],
    ["Tolera", "Tolaraa", "Tolléra"],
    ["Chala", "Caalaa", "Tchala"],
    ["Abdo", "Abdu", "Abdou"],
    ["Kedir", "Kadir", "Qadir"],
    ["Jemal", "Jamal", "Djemal"],
    ["Mesfin", "Mesfine"],
    ["Berhane", "Birhane", "Berhané"],
    ["Gebremedhin", "Gebremedin", "Guebremedhin"],
    ["Aden", "Adan", "Aadan"],
    ["Farah", "Faarax", "Fara"],
    ["Warsame", "Warsama"],
    ["Goumaneh", "Gumane"],
    ["Hamadou", "Hamadu", "Hammadou"],
    ["Houmed", "Humed", "Hoummed"],
    ["Saleh", "Salah", "Saalax"],
    ["Nasser", "Naser", "Naasir"],
    ["Fuad", "Fouad", "Fuaad"],
]
FEMALE_NAMES = [
    ["Fatuma", "Fatima", "Faadumo", "Fatouma"],
    ["Amina", "Aamina", "Amena"],
    ["Hawa", "Xaawo", "Hawo"],
    ["Khadija", "Khadiija", "Kadija", "Xadiija"],
    ["Asha", "Aisha", "Caasha", "Aïcha"],
    ["Halima", "Xaliimo", "Halimo"],
    ["Zahra", "Sahra", "Zahara"],
    ["Mariam", "Maryan", "Meryem", "Mariama"],
    ["Hodan", "Hoodan"],
    ["Sadia", "Saadia", "Sacdiya"],
    ["Tigist", "Tigest", "Tiguist"],
    ["Meseret", "Meserete", "Méséret"],
    ["Almaz", "Almaze", "Almas"],
    ["Hirut", "Hiroute", "Herut"],
    ["Mulu", "Moulou"],
    ["Genet", "Guenet", "Ganet"],
    ["Selam", "Salam", "Sélam"],
    ["Aster", "Astair", "Astère"],
    ["Bizunesh", "Bezunesh", "Bizounech"],
    ["Chaltu", "Caaltuu", "Tchaltou"],
    ["Lensa", "Lensaa", "Lenssa"],
    ["Ayantu", "Ayyaantuu", "Ayantou"],
    ["Hana", "Hanna", "Haana"],
    ["Saba", "Sabaa"],
    ["Kadra", "Qadra", "Kaadra"],
    ["Filsan", "Filsaan"],
    ["Deka", "Deeqa", "Dekha"],
    ["Nimco", "Nimo", "Nimao"],
    ["Samira", "Samiira", "Sameera"],
    ["Roda", "Rooda", "Rhoda"],
]
# What the caseworker types: the commonest name, a mid-frequency one, a rare spelling, the
# start of a name, a typo that matches nothing; the case code is added once the data exists.
SEARCH_TERMS = ["Mohamed", "Tigist", "Guetatchew", "hass", "hass moh", "Qwxyz"]
# The server's settings that the timings depend on most, printed with the figures.
SHOWN_SETTINGS = ("shared_buffers", "random_page_cost", "effective_cache_size", "work_mem")
NATIONALITIES = {"ET": 70, "SO": 14, "YE": 7, "ER": 5, "DJ": 4}
LANGUAGES = {"ET": ["om", "am", "ti"], "SO": ["so"], "YE": ["ar"], "ER": ["ti"], "DJ": ["aa", "so"]}
MIGRATION_STATUSES = {"in_transit": 55, "stranded": 20, "returnee": 15, "unknown": 10}
IDENTIFIED_BY = {
    "fmp": 40,
    "information_centre": 15,
    "mobile_unit": 15,
    "cso_outreach": 10,
    "hotline": 5,
    "police": 5,
    "coastguard": 5,
    "self_referral": 5,
}
CASE_STATUSES = {"open": 20, "active": 35, "follow_up": 15, "closed": 28, "closed_referred": 2}
RISK_LEVELS = {"": 30, "low": 30, "medium": 25, "high": 12, "emergency": 3}
# The inbox organisation's services, and each other organisation's.
INBOX_SERVICES = ["medical", "shelter", "mental_health", "food_water_nfi", "legal_aid"]
OTHER_SERVICES = ["shelter", "return_reintegration"]
YEARS_OF_REFERRALS = 3


# Drawing -------------------------------------------------------------------------------------


class Picker:
    """Weighted draws from a fixed table, the cumulative weights computed once."""

    def __init__(self, rng: random.Random, weights: dict) -> None:
        self.rng = rng
        self.keys = list(weights)
        self.totals = list(itertools.accumulate(weights.values()))

    def __call__(self):
        return self.keys[bisect.bisect(self.totals, self.rng.random() * self.totals[-1])]


class Names:
    """Names by frequency rank (Zipf-like), and a spelling of each (the first most often)."""

    def __init__(self, rng: random.Random, pool: list[list[str]]) -> None:
        self.rng = rng
        self.pool = pool
        self.rank = Picker(rng, {index: 1 / (index + 1) for index in range(len(pool))})

    def __call__(self) -> tuple[int, str]:
        index = self.rank()
        return index, self.spelling(index)

    def spelling(self, index: int) -> str:
        spellings = self.pool[index]
        if len(spellings) == 1 or self.rng.random() < 0.6:
            return spellings[0]
        return self.rng.choice(spellings[1:])

    def other_spelling(self, index: int, used: str) -> str:
        others = [name for name in self.pool[index] if name != used]
        return self.rng.choice(others) if others else used


def organisation_weights() -> list[float]:
    """Cases per organisation, a few large ones and many small (1/rank^0.8)."""
    return [1 / (rank + 1) ** 0.8 for rank in range(ORGANISATIONS)]


# The database --------------------------------------------------------------------------------


def copy_rows(connection, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into table in transactions of CHUNK rows; how many were written."""
    from django.db import transaction

    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
    written = 0
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        with transaction.atomic(), connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in chunk:
                copy.write_row(row)
        written += len(chunk)
    return written


def secondary_indexes(connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of tables that back no constraint: those dropped
    before a bulk load and built again after it, as one builds them faster than it updates
    them row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname "
            "WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema() "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
            [tables],
        )
        return cursor.fetchall()


def set_sequences(connection, tables: list[str]) -> None:
    """Rows were written with their ids: move each id sequence past them."""
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)  # our own table names
            last = f"SELECT coalesce(max(id), 1) FROM {quoted}"  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({last}))", [table])


def model_row(model) -> tuple[list[str], Callable[[dict], tuple]]:
    """The columns of a model, and a function turning values by field name into a COPY row.

    Fields not given take their default, so that a field added to the model later does not
    break the benchmark."""
    fields = model._meta.concrete_fields
    names = [field.attname for field in fields]
    defaults = {}
    for field in fields:
        default = field.get_default()
        defaults[field.attname] = (
            json.dumps(default) if isinstance(default, dict | list) else default
        )

    def row(given: dict) -> tuple:
        return tuple(given[name] if name in given else defaults[name] for name in names)

    return [field.column for field in fields], row


# The child process: load, then time ----------------------------------------------------------


def child(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.utils import timezone

    from corridor.accounts.models import Organisation, Role, User
    from corridor.audit.models import AuditEntry
    from corridor.cases.models import Case, CaseNameWord, Consent, ConsentText, Person, search_words
    from corridor.directory.models import Service
    from corridor.pagination import PAGE_SIZE
    from corridor.places.models import FlowMonitoringPoint, Region
    from corridor.referrals.models import Referral
    from corridor.testing import signed_in

    assert connection.vendor == "postgresql", connection.vendor
    assert not settings.DEBUG, "DEBUG would log every query"

    def say(text: str) -> None:
        print(f"  {text}", flush=True)

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0].split()[0]
        server_settings = {}
        for name in SHOWN_SETTINGS:
            cursor.execute(f"SHOW {name}")
            server_settings[name] = cursor.fetchone()[0]

    rng = random.Random(SEED)  # noqa: S311 - synthetic data, not secrets
    now = timezone.now()

    # Organisations, their people and their services: a few dozen rows, through the ORM.
    organisations = [
        Organisation.objects.create(
            name=f"Synthetic organisation {number:02d}",
            acronym=f"SYN{number:02d}",
            kind=Organisation.Kind.CSO,
        )
        for number in range(1, ORGANISATIONS + 1)
    ]

    def user(username: str, role: Role, organisation: Organisation) -> User:
        return User.objects.create(
            username=username,
            first_name="Synthetic",
            last_name=username,
            role=role,
            organisation=organisation,
            must_change_password=False,
        )

    caseworkers = [
        user(f"bench-caseworker-{index:02d}", Role.CASEWORKER, organisation)
        for index, organisation in enumerate(organisations)
    ]
    inbox_organisation = organisations[INBOX_ORGANISATION]
    focal_point = user("bench-focal-point", Role.SERVICE_FOCAL_POINT, inbox_organisation)
    services: dict[int, list[int]] = {}
    for index, organisation in enumerate(organisations):
        categories = INBOX_SERVICES if index == INBOX_ORGANISATION else OTHER_SERVICES
        services[index] = [
            Service.objects.create(
                organisation=organisation,
                name=f"Synthetic {category.replace('_', ' ')} service",
                category=category,
                nationwide=True,
            ).pk
            for category in categories
        ]
    points = list(FlowMonitoringPoint.objects.values_list("pk", flat=True))
    regions = list(Region.objects.values_list("pk", flat=True))
    consent_text = ConsentText.objects.get(purpose="referral_sharing", language="fr", version=1)

    # The tables written in bulk, in the order they are written.
    tables = [model._meta.db_table for model in (Person, Case, CaseNameWord, Consent, Referral)]
    dropped = secondary_indexes(connection, tables)
    with connection.cursor() as cursor:
        for name, _definition in dropped:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    say(f"dropped {len(dropped)} secondary indexes for the load (built again after it)")
    load: dict[str, float] = {}

    # Persons --------------------------------------------------------------------------------
    male, female = Names(rng, MALE_NAMES), Names(rng, FEMALE_NAMES)
    nationality = Picker(rng, NATIONALITIES)
    migration_status = Picker(rng, MIGRATION_STATUSES)
    identified_by = Picker(rng, IDENTIFIED_BY)
    # What the referrals copy of a person later: (given, father, sex, birth year, languages).
    kept: list[tuple[str, str, str, int, str]] = []
    # The search words of each person (index = person id - 1), filed later under their cases.
    words_of: list[list[str]] = []
    registered: list[datetime.datetime] = []
    first_day = now - datetime.timedelta(days=365 * (YEARS_OF_REFERRALS + 1))
    span = (now - first_day).total_seconds()

    person_columns, person_row = model_row(Person)

    def persons() -> Iterator[tuple]:
        for pk in range(1, args.persons + 1):
            sex = "M" if rng.random() < 0.7 else "F"
            names = male if sex == "M" else female
            given_rank, given = names()
            father_rank, father = male()
            _grandfather_rank, grandfather = male()
            others = []
            if rng.random() < 0.3:  # another spelling was written down somewhere
                others.append(
                    f"{names.other_spelling(given_rank, given)} "
                    f"{male.other_spelling(father_rank, father)}"
                )
                if rng.random() < 0.15:
                    others.append(f"{given} {father} {grandfather}".upper())
            country = nationality()
            born = datetime.date(rng.randint(1960, 2010), rng.randint(1, 12), rng.randint(1, 28))
            languages = " ".join(rng.sample(LANGUAGES[country], k=1))
            at = first_day + datetime.timedelta(seconds=rng.random() * span)
            kept.append((given, father, sex, born.year, languages))
            words_of.append(search_words(" ".join([given, father, grandfather, *others])))
            registered.append(at)
            yield person_row(
                {
                    "id": pk,
                    "given_name": given,
                    "father_name": father,
                    "grandfather_name": grandfather,
                    "other_names": "\n".join(others),
                    "sex": sex,
                    "birth_date": born,
                    "birth_date_is_estimated": rng.random() < 0.4,
                    "nationality_id": country,
                    "languages": languages,
                    "migration_status": migration_status(),
                    "identified_by": identified_by(),
                    "identified_at_point_id": rng.choice(points) if rng.random() < 0.5 else None,
                    "identified_in_region_id": rng.choice(regions),
                    "registered_at": at,
                    "registered_by_id": None,
                    "merged_into_id": None,
                }
            )

    started = time.perf_counter()
    written = copy_rows(connection, Person._meta.db_table, person_columns, persons())
    load["persons"] = time.perf_counter() - started
    say(f"persons: {written:,} in {load['persons']:.0f} s")

    # Cases ------------------------------------------------------------------------------------
    weights = organisation_weights()
    organisation_of = Picker(rng, dict(enumerate(weights)))
    case_status = Picker(rng, CASE_STATUSES)
    risk_level = Picker(rng, RISK_LEVELS)
    case_person: list[int] = [0]  # index = case id
    case_organisation: list[int] = [0]
    case_opened: list[datetime.datetime] = [now]
    case_columns, case_row = model_row(Case)

    def cases() -> Iterator[tuple]:
        pk = 0
        for person in range(1, args.persons + 1):
            first = organisation_of()
            held = [first]
            if rng.random() < SECOND_CASE_SHARE:
                second = organisation_of()
                if second != first:
                    held.append(second)
            for index in held:
                pk += 1
                status = case_status()
                opened = registered[person - 1] + datetime.timedelta(days=rng.random() * 30)
                opened = min(opened, now)
                closed = status.startswith("closed")
                case_person.append(person)
                case_organisation.append(index)
                case_opened.append(opened)
                yield case_row(
                    {
                        "id": pk,
                        "code": f"SYN-{pk:09d}",
                        "person_id": person,
                        "organisation_id": organisations[index].pk,
                        "caseworker_id": caseworkers[index].pk,
                        "status": status,
                        "risk_level": risk_level(),
                        "opened_at": opened,
                        "closed_at": opened + datetime.timedelta(days=20) if closed else None,
                        "closure_reason": "service_completed" if closed else "",
                    }
                )

    started = time.perf_counter()
    written = copy_rows(connection, Case._meta.db_table, case_columns, cases())
    load["cases"] = time.perf_counter() - started
    cases_total = written
    say(f"cases: {written:,} in {load['cases']:.0f} s")

    # The case search's index, as CaseNameWord.objects.index writes it, by COPY.
    def case_name_words() -> Iterator[tuple]:
        for case in range(1, cases_total + 1):
            organisation = organisations[case_organisation[case]].pk
            for word in words_of[case_person[case] - 1]:
                yield (case, organisation, case_opened[case], word)

    started = time.perf_counter()
    written = copy_rows(
        connection,
        CaseNameWord._meta.db_table,
        ["case_id", "organisation_id", "opened_at", "word"],
        case_name_words(),
    )
    load["case_name_words"] = time.perf_counter() - started
    say(f"case search index: {written:,} words in {load['case_name_words']:.0f} s")

    # Referrals and their consents -----------------------------------------------------------
    consent_columns, consent_row = model_row(Consent)
    referral_columns, referral_row = model_row(Referral)
    referral_plan: list[tuple[int, int]] = []  # (case id, receiving organisation index)
    candidates = [
        pk for pk in range(1, cases_total + 1) if case_organisation[pk] != INBOX_ORGANISATION
    ]
    for case in rng.sample(candidates, min(args.referrals, len(candidates))):
        referral_plan.append((case, INBOX_ORGANISATION))
    for _ in range(args.other_referrals):
        case = rng.randint(1, cases_total)
        to = rng.choice([i for i in (2, 3, 4, 5, 0) if i != case_organisation[case]])
        referral_plan.append((case, to))
    rng.shuffle(referral_plan)  # ids in no particular order of organisation, as in real use
    emergency = Picker(rng, {"normal": 85, "emergency": 15})
    recent = Picker(rng, {"sent": 60, "accepted": 30, "declined": 5, "cancelled": 5})
    month = Picker(
        rng, {"sent": 10, "accepted": 45, "delivered": 30, "declined": 8, "cancelled": 7}
    )
    older = Picker(
        rng,
        {
            "sent": 1.5,
            "accepted": 5,
            "delivered": 10,
            "closed": 70,
            "declined": 8,
            "cancelled": 5.5,
        },
    )
    referral_span = datetime.timedelta(days=365 * YEARS_OF_REFERRALS).total_seconds()
    referral_rows: list[tuple] = []
    consent_rows: list[tuple] = []
    for pk, (case, to) in enumerate(referral_plan, start=1):
        source = case_organisation[case]
        sender = caseworkers[source].pk
        receiver = focal_point.pk if to == INBOX_ORGANISATION else caseworkers[to].pk
        sent_at = now - datetime.timedelta(seconds=rng.random() * referral_span)
        age = now - sent_at
        pick = recent if age.days < 3 else month if age.days < 30 else older
        status = pick()
        urgency = emergency()
        hours = 24 if urgency == "emergency" else 72
        given, father, sex, born, languages = kept[case_person[case] - 1]
        answered = sent_at + datetime.timedelta(hours=rng.random() * hours)
        delivered = answered + datetime.timedelta(days=rng.random() * 10)
        accepted = status in ("accepted", "delivered", "closed")
        was_delivered = status in ("delivered", "closed")
        consent_rows.append(
            consent_row(
                {
                    "id": pk,
                    "case_id": case,
                    "purpose": "referral_sharing",
                    "shared_with_id": organisations[to].pk,
                    "given": True,
                    "text_id": consent_text.pk,
                    "given_by": "person",
                    "child_assent": None,
                    "obtained_by_id": sender,
                    "obtained_at": sent_at - datetime.timedelta(minutes=10),
                    "withdrawn_at": None,
                    "withdrawn_by_id": None,
                }
            )
        )
        referral_rows.append(
            referral_row(
                {
                    "id": pk,
                    "case_id": case,
                    "service_id": rng.choice(services[to]),
                    "from_organisation_id": organisations[source].pk,
                    "to_organisation_id": organisations[to].pk,
                    "urgency": urgency,
                    "reason": "Synthetic referral written by the benchmark.",
                    "shared_fields": json.dumps(["given_name", "father_name", "sex", "age"]),
                    "shared_values": json.dumps(
                        {
                            "given_name": given,
                            "father_name": father,
                            "sex": sex,
                            "age": {"years": now.year - born, "estimated": True},
                            "languages": languages.split(),
                        }
                    ),
                    "status": status,
                    "sent_at": sent_at,
                    "sent_by_id": sender,
                    "due_at": sent_at + datetime.timedelta(hours=hours),
                    "consent_id": pk,
                    "overridden_by_id": None,
                    "override_reason": "",
                    "accepted_at": answered if accepted else None,
                    "accepted_by_id": receiver if accepted else None,
                    "declined_at": answered if status == "declined" else None,
                    "declined_by_id": receiver if status == "declined" else None,
                    "decline_reason": "No place left." if status == "declined" else "",
                    "delivered_on": delivered.date() if was_delivered else None,
                    "delivered_what": "Synthetic service." if was_delivered else "",
                    "delivery_recorded_at": delivered if was_delivered else None,
                    "delivery_recorded_by_id": receiver if was_delivered else None,
                    "closed_at": delivered if status == "closed" else None,
                    "closed_by_id": sender if status == "closed" else None,
                    "cancelled_at": answered if status == "cancelled" else None,
                    "cancelled_by_id": sender if status == "cancelled" else None,
                }
            )
        )
    started = time.perf_counter()
    copy_rows(connection, Consent._meta.db_table, consent_columns, consent_rows)
    written = copy_rows(connection, Referral._meta.db_table, referral_columns, referral_rows)
    load["referrals"] = time.perf_counter() - started
    say(f"referrals and their consents: {written:,} each in {load['referrals']:.0f} s")

    started = time.perf_counter()
    set_sequences(connection, tables)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")  # this session's index builds
        for _name, definition in dropped:
            cursor.execute(definition)
        for table in tables:
            # VACUUM too: autovacuum, due after so many inserts, must not run during the
            # timings, and the visibility map it sets lets counts read the indexes alone.
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    load["indexes"] = time.perf_counter() - started
    say(
        f"{len(dropped)} indexes built, VACUUM ANALYZE in {load['indexes']:.0f} s; "
        f"database {size / 2**20:,.0f} MiB"
    )
    inbox_total = Referral.objects.filter(to_organisation=inbox_organisation).count()
    overdue = Referral.objects.filter(to_organisation=inbox_organisation).overdue().count()
    caseworker = caseworkers[SEARCH_ORGANISATION]
    own_cases = Case.objects.visible_to(caseworker).count()
    say(
        f"the caseworker's organisation holds {own_cases:,} cases; the inbox "
        f"{inbox_total:,} referrals, {overdue:,} of them overdue"
    )

    result: dict = {
        "server_version": server_version,
        "server_settings": server_settings,
        "persons": args.persons,
        "cases": cases_total,
        "own_cases": own_cases,
        "referrals": len(referral_plan),
        "inbox_referrals": inbox_total,
        "overdue": overdue,
        "database_mib": size / 2**20,
        "load_seconds": load,
        "timings": [],
    }

    def measure(part: str, label: str, user: User, url: str, audited: int) -> HttpResponse:
        """Time GET url as user, after checking it answers and writes `audited` entries."""
        client = signed_in(Client(), user)
        before = AuditEntry.objects.count()
        response = client.get(url, secure=True)
        added = AuditEntry.objects.count() - before
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
        if added != audited:
            raise SystemExit(f"{url} wrote {added} audit entries, not {audited}")
        queries = capture(connection, lambda: client.get(url, secure=True))
        say(
            f"{label}: one request's statements (ms): "
            + ", ".join(f"{statement_name(sql)} {ms:.1f}" for sql, _params, ms in queries)
        )
        if args.explain:
            explain(connection, label, queries)
        load_before = os.getloadavg()
        durations = timed(lambda: client.get(url, secure=True), args.runs, args.warmup)
        load_after = os.getloadavg()
        say(
            f"{label}: median {median(durations):.0f} ms, p95 {p95(durations):.0f} ms "
            f"(load average {load_before[0]:.2f} then {load_after[0]:.2f})"
        )
        result["timings"].append(
            {
                "part": part,
                "label": label,
                "url": url,
                "ms": durations,
                "queries": [(statement_name(sql), ms) for sql, _params, ms in queries],
                "load": [load_before[0], load_after[0]],
            }
        )
        return response

    if args.part in ("search", "both"):
        own = Case.objects.visible_to(caseworker)
        # The list itself, for comparison: the newest cases, one "view" entry for each.
        measure("list", "case list, no search", caseworker, "/cases/", min(own_cases, PAGE_SIZE))
        code = own.order_by("id").values_list("code", flat=True)[own_cases // 2]
        for term in [*SEARCH_TERMS, code]:
            # The page's own filter, for the count; the page writes one "search" entry and one
            # "view" per case shown.
            found = own.search(term, organisation_id=caseworker.organisation_id).count()
            label = f"search {term!r} ({found:,} cases)"
            url = f"/cases/?{urlencode({'q': term})}"
            measure("search", label, caseworker, url, 1 + min(found, PAGE_SIZE))

    if args.part in ("inbox", "both"):
        received = Referral.objects.received_by(focal_point)
        response = measure(
            "inbox",
            "inbox, first page",
            focal_point,
            "/referrals/inbox/",
            min(inbox_total, PAGE_SIZE),
        )
        # Overdue ones first: the rows marked overdue, then the others.
        rows = re.findall(r'<tr( class="overdue")?><td><a href="/referrals/', response.text)
        marked = [bool(mark) for mark in rows]
        if marked != sorted(marked, reverse=True) or sum(marked) != min(overdue, PAGE_SIZE):
            raise SystemExit("the inbox does not show the overdue referrals first")
        later = min(40, max(inbox_total // PAGE_SIZE, 1))
        measure(
            "inbox",
            f"inbox, page {later}",
            focal_point,
            f"/referrals/inbox/?page={later}",
            min(max(inbox_total - (later - 1) * PAGE_SIZE, 0), PAGE_SIZE),
        )
        waiting = received.filter(status="sent").count()
        measure(
            "inbox",
            f"inbox, awaiting an answer ({waiting:,})",
            focal_point,
            "/referrals/inbox/?status=sent",
            min(waiting, PAGE_SIZE),
        )
    Path(args.result).write_text(json.dumps(result))


def statement_name(sql: str) -> str:
    """A short name for a statement of a request, for the per-statement timings."""
    text = sql.lstrip().upper()
    for marker, name in (
        ('INSERT INTO "AUDIT_AUDITENTRY"', "audit insert"),
        ("DJANGO_SESSION", "session"),
        ('FROM "ACCOUNTS_USER"', "user"),
        ('FROM "ACCOUNTS_ORGANISATION"', "organisation"),
        ('UPPER("CASES_CASE"."CODE"', "code lookup"),
        ('AS "PK"', "matches"),  # corridor.pagination.Matches: the keys of every match
        ('SELECT 1 AS "A"', "exists"),
    ):
        if marker in text:
            return name
    if "COUNT(*)" in text:
        return "overdue count" if '"DUE_AT" <' in text else "count"
    if text.startswith("SELECT"):
        return "page"
    return text.split()[0].lower()


def explain(connection, label: str, queries: list[tuple[str, tuple, float]]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the reads of the main tables (the writes are not redone)."""
    with connection.cursor() as cursor:
        for sql, params, ms in queries:
            name = statement_name(sql)
            if name not in ("count", "overdue count", "matches", "page"):
                continue
            print(f"\n  {label}, {name} ({ms:.1f} ms):\n    {sql}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            for (line,) in cursor.fetchall():
                print("    " + line)
    print(flush=True)


# The report ----------------------------------------------------------------------------------


def report(result: dict, args, load_before: tuple, load_after: tuple) -> None:
    print(
        f"\nResults: PostgreSQL {result['server_version']}, milliseconds over {args.runs} warm "
        f"runs (after {args.warmup} warm-ups), test Client, DEBUG off:\n"
    )
    print(f"{'page':<56}{'median':>8}{'p95':>8}   target")
    for timing in result["timings"]:
        ms = timing["ms"]
        target = TARGETS.get(timing["part"])
        if target is None:
            verdict = "(no target)"
        else:
            met = "met" if p95(ms) < target else "median met" if median(ms) < target else "NOT MET"
            verdict = f"under {target} ms: {met}"
        print(f"{timing['label']:<56}{median(ms):>8.0f}{p95(ms):>8.0f}   {verdict}")
    load = result["load_seconds"]
    print(
        f"\n{result['persons']:,} persons, {result['cases']:,} cases "
        f"({result['own_cases']:,} in the caseworker's organisation), {result['referrals']:,} "
        f"referrals ({result['inbox_referrals']:,} in the inbox, {result['overdue']:,} overdue); "
        f"database {result['database_mib']:,.0f} MiB."
    )
    print(
        "Loading (not in the targets): "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in load.items())
        + f", {sum(load.values()):.0f} s in all."
    )
    print(
        "Server settings: "
        + ", ".join(f"{name} {value}" for name, value in result["server_settings"].items())
        + "."
    )
    print(
        f"Load average (1, 5, 15 min) before: {' '.join(f'{v:.2f}' for v in load_before)}; "
        f"after: {' '.join(f'{v:.2f}' for v in load_after)} on {os.cpu_count()} cores."
    )
    print(
        "The targets are judged on the p95 ('met'); 'median met' means the median is under "
        "the target and the 95th percentile is not."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="persons registered")
    parser.add_argument(
        "--referrals", type=int, default=100_000, help="referrals to the inbox's organisation"
    )
    parser.add_argument(
        "--other-referrals", type=int, default=50_000, help="referrals between the others"
    )
    parser.add_argument("--part", choices=["search", "inbox", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before them")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds for the child")
    parser.add_argument("--explain", action="store_true", help="print the reads' plans")
    parser.add_argument(
        "--postgres-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the server (repeatable), e.g. shared_buffers=1GB",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.persons < 1000 or args.referrals < 0 or args.other_referrals < 0 or args.runs < 1:
        parser.error("--persons at least 1000, --referrals 0 or more, --runs 1 or more")
    settings = {}
    for setting in args.postgres_setting:
        # Passed on pg_ctl's command line: plain names and values only.
        if not re.fullmatch(r"[a-z_]+=[\w.]+", setting):
            parser.error(f"--postgres-setting {setting!r}: NAME=VALUE, e.g. shared_buffers=1GB")
        name, value = setting.split("=", 1)
        settings[name] = value
    if args.child:
        child(args)
        return

    # Stopped from outside: clean up as on any other exit (the child, the server, the files).
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    print("Machine:")
    for name, value in machine():
        print(f"  {name:<16}{value}")
    print(f"\nCommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    load_before = os.getloadavg()
    print(f"Load average before: {' '.join(f'{v:.2f}' for v in load_before)}\n", flush=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATA_DIR", "PYTHONPATH", "DEBUG"}
    }
    # As in production: DEBUG off, HTTPS only (the client asks over HTTPS), a real secret.
    env["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    env["ALLOWED_HOSTS"] = "testserver"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as folder:
        result_path = Path(folder) / "result.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "--result",
            str(result_path),
            *sys.argv[1:],
        ]
        try:
            with postgres_server(settings) as url:
                env["DATABASE_URL"] = url
                subprocess.run(  # noqa: S603 - this script itself, no shell
                    command, cwd=REPO, env=env, timeout=args.timeout, check=True
                )
        except subprocess.CalledProcessError as error:
            raise SystemExit(f"The run failed (exit {error.returncode}).") from None
        except subprocess.TimeoutExpired:
            raise SystemExit(f"The run took over {args.timeout} s.") from None
        result = json.loads(result_path.read_text())
    report(result, args, load_before, os.getloadavg())


if __name__ == "__main__":
    main()
