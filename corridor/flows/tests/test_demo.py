"""The flow monitoring demo data: calibrated to DTM's published figures, plausible, valid, stable.

The seed writes some 150,000 records, so it runs once for the whole module (twice, to prove a
second run changes nothing) outside the tests' transactions; the module removes it at the end.
Totals here are computed from the stored records with the ORM, never taken from the generator.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.utils import timezone

from corridor.accounts import demo as accounts_demo
from corridor.accounts.models import Organisation, User
from corridor.flows import checks, demo, summaries
from corridor.flows.models import (
    Answer,
    Education,
    Employment,
    EntryStatus,
    GroupRecord,
    Incident,
    Intention,
    KindOfFlow,
    Language,
    MaritalStatus,
    MonthLock,
    Need,
    ObservationPeriod,
    PaymentMeans,
    Reason,
    SurveyInterview,
    Transport,
)
from corridor.flows.tests.records import assert_summaries_agree
from corridor.places.models import FlowMonitoringPoint

# Copied from the shared reference dtm-published-figures.csv, independently of demo.py.
PUBLISHED = {
    "2023-07": 21_573,
    "2023-08": 25_213,
    "2023-09": 17_292,
    "2023-10": 22_709,
    "2023-11": 22_968,
    "2023-12": 29_636,
    "2024-04": 35_512,
    "2024-05": 33_685,
    "2024-10": 44_273,
    "2024-12": 32_681,
}
PUBLISHED_RETURNS_FROM_YEMEN = {
    "2023-07": 805,
    "2023-08": 349,
    "2023-09": 559,
    "2023-10": 588,
    "2023-11": 505,
    "2023-12": 286,
    "2024-04": 631,
    "2024-05": 1_240,
    "2024-09": 1_561,
    "2024-10": 1_567,
}
PUBLISHED_OBOCK_MOVEMENTS = {
    "2023-08": 4_357,
    "2023-09": 3_691,
    "2023-10": 4_875,
    "2023-11": 6_400,
    "2023-12": 8_216,
}
# Towards the Arabian Peninsula, incoming, within Djibouti, towards Ethiopia, outgoing (%).
PUBLISHED_KIND_SHARES = {
    "2023-08": (45, 43, 5, 4, 3),
    "2023-09": (41, 45, 5, 7, 2),
    "2023-10": (48, 41, 7, 4, 1),
    "2023-11": (51, 39, 4, 5, 1),
    "2023-12": (48, 43, 4, 4, 1),
}
KIND_ORDER = (
    KindOfFlow.TRANSIT_ARABIAN_PENINSULA,
    KindOfFlow.INCOMING,
    KindOfFlow.TRANSIT_WITHIN_DJIBOUTI,
    KindOfFlow.TRANSIT_ETHIOPIA,
    KindOfFlow.OUTGOING,
)
YEAR_2024 = 435_576
NOVEMBER_2024 = 35_523  # 32,681 / 0.92
JANUARY_TO_APRIL_2025 = 42_187
OBOCK_POINTS = {"obock-ville", "fantaherou", "godoria"}
LOCKED_MONTH = datetime.date(2024, 10, 1)

SIZE = F("adult_men") + F("adult_women") + F("boys") + F("girls")


def within(value: float, expected: float, tolerance: float = 0.01) -> bool:
    return abs(value - expected) <= tolerance * expected


def demo_groups():
    return GroupRecord.objects.filter(source_record_id__startswith="demo-")


def demo_interviews():
    return SurveyInterview.objects.filter(source_record_id__startswith="demo-")


def movements(queryset=None) -> int:
    queryset = demo_groups() if queryset is None else queryset
    return queryset.aggregate(total=Sum(SIZE, output_field=IntegerField()))["total"] or 0


def by_month(queryset=None, **filters) -> dict[str, int]:
    queryset = demo_groups() if queryset is None else queryset
    rows = (
        queryset.filter(**filters)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(total=Sum(SIZE, output_field=IntegerField()))
    )
    return {f"{row['month']:%Y-%m}": row["total"] for row in rows}


def shares(field: str, queryset=None) -> dict[str, float]:
    """Percent of the movements for each value of a field."""
    queryset = demo_groups() if queryset is None else queryset
    rows = queryset.values(field).annotate(total=Sum(SIZE, output_field=IntegerField()))
    whole = sum(row["total"] for row in rows)
    return {row[field]: 100 * row["total"] / whole for row in rows}


def snapshot() -> dict:
    """Counts, sums and a fingerprint of every demo row's values (all but the primary key)."""
    result = {}
    for model, queryset in ((GroupRecord, demo_groups()), (SurveyInterview, demo_interviews())):
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        rows = queryset.order_by("source_record_id").values_list(*fields)
        numbers = [
            f.attname
            for f in model._meta.concrete_fields
            if f.get_internal_type() in ("PositiveIntegerField", "PositiveSmallIntegerField")
        ]
        result[model.__name__] = {
            "count": queryset.count(),
            "sums": queryset.aggregate(*(Sum(name) for name in numbers)),
            "fingerprint": hashlib.sha256(repr(list(rows)).encode()).hexdigest(),
        }
    return result


@dataclass
class Seeded:
    first_summary: str
    second_summary: str
    first: dict
    second: dict
    locked_ids_before: list[int]
    locked_ids_after: list[int]
    other_ids_before: int
    other_ids_after: int


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("id").values_list("id", flat=True))


def _clean_up() -> None:
    demo_groups().delete()
    demo_interviews().delete()
    summaries.rebuild()
    MonthLock.objects.filter(month=LOCKED_MONTH).delete()
    User.objects.filter(username__in=[account[0] for account in accounts_demo.ACCOUNTS]).delete()
    Organisation.objects.filter(
        acronym__in=[organisation[1] for organisation in accounts_demo.ORGANISATIONS]
    ).delete()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Seeded:
    """The accounts, then the flow demo twice; the second time with October 2024 locked."""
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        ):
            accounts_demo.seed()
            first_summary = demo.seed()
            first = snapshot()
            locked = demo_groups().filter(day__year=2024, day__month=10)
            others = demo_groups().exclude(day__year=2024, day__month=10)
            locked_ids_before, other_ids_before = _ids(locked), max(_ids(others))
            MonthLock.objects.create(
                month=LOCKED_MONTH, locked_by=User.objects.get(username="demo.info")
            )
            second_summary = demo.seed()
            seeded = Seeded(
                first_summary,
                second_summary,
                first,
                snapshot(),
                locked_ids_before,
                _ids(locked),
                other_ids_before,
                min(_ids(others)),
            )
        yield seeded
    finally:
        with django_db_blocker.unblock():
            _clean_up()


# --- The plan (no database) ----------------------------------------------------------------


def test_the_plan_holds_the_published_totals():
    targets = {f"{month:%Y-%m}": value for month, value in demo.monthly_targets().items()}
    assert len(targets) == 30
    assert min(targets) == "2023-01" and max(targets) == "2025-06"
    for month, published in PUBLISHED.items():
        assert targets[month] == published, month
    assert targets["2024-11"] == NOVEMBER_2024
    assert sum(v for m, v in targets.items() if m.startswith("2024")) == YEAR_2024
    assert sum(targets[f"2025-0{n}"] for n in range(1, 5)) == JANUARY_TO_APRIL_2025
    first_half_2023 = [targets[f"2023-0{n}"] for n in range(1, 7)]
    assert first_half_2023 == sorted(first_half_2023)
    assert first_half_2023[0] > 19_156 and first_half_2023[-1] < 21_573
    average_2025 = JANUARY_TO_APRIL_2025 / 4
    assert within(targets["2025-05"], average_2025, 0.05)
    assert within(targets["2025-06"], average_2025, 0.05)


def test_every_code_in_the_tables_is_a_valid_choice():
    tables = [
        (demo.MARITAL, MaritalStatus),
        (demo.EDUCATION, Education),
        (demo.EMPLOYMENT, Employment),
        (demo.SURVEY_REASONS, Reason),
        (demo.MAIN_PAYMENT, PaymentMeans),
        (demo.PAYMENT_CHANCES, PaymentMeans),
        (demo.MAIN_INCIDENT, Incident),
        (demo.INCIDENT_CHANCES, Incident),
        (demo.MAIN_NEED, Need),
        (demo.NEED_CHANCES, Need),
        (demo.AWARE, Answer),
        (demo.REMITTANCES, Answer),
        (demo.INTENTIONS, Intention),
        *((table, Reason) for table in demo.REASONS.values()),
        *((table, Transport) for table in demo.TRANSPORT.values()),
        *((table, ObservationPeriod) for table in demo.PERIODS.values()),
    ]
    for table, choices in tables:
        assert set(table) <= set(choices.values), (table, choices)
    spoken = {code for codes in demo.LANGUAGES_OF_REGION.values() for code in codes}
    spoken |= {code for codes in demo.LANGUAGES_OF_NATIONALITY.values() for code in codes}
    assert spoken <= set(Language.values)


def test_apportion_keeps_the_total():
    assert demo.apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert demo.apportion(7, {"a": 0, "b": 2}) == {"a": 0, "b": 7}
    assert demo.apportion(5, {"a": 0}) == {"a": 0}


def test_groups_fall_on_open_days_only_and_the_month_total_holds(db):
    points = {p.code: p for p in FlowMonitoringPoint.objects.all()}
    points["galafi"].active_until = datetime.date(2024, 3, 10)
    for code in demo.OBOCK_POINTS:
        points[code].active_from = datetime.date(2024, 3, 20)
    month_plan = next(p for p in demo.plan() if p.month == datetime.date(2024, 3, 1))
    generator = demo._Generator(points, timezone.localdate())
    groups = list(generator.groups(month_plan))
    assert sum(g["adult_men"] + g["adult_women"] + g["boys"] + g["girls"] for g in groups) == (
        month_plan.movements
    )
    for group in groups:
        assert group["point"].is_active_on(group["day"])
    assert any(g["point"].code == "galafi" for g in groups)
    assert any(g["point"].code == "obock-ville" for g in groups)


def test_seed_demo_prints_the_flow_summary(db, settings, monkeypatch, capsys):
    settings.DEBUG = True
    monkeypatch.setattr(demo, "seed", lambda: "Flow monitoring demo: summary.")
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "Flow monitoring demo: summary." in output
    assert "demo.info" in output


# --- The stored data -------------------------------------------------------------------------


def test_monthly_movements_match_the_published_figures(seeded, db):
    stored = by_month()
    targets = {f"{month:%Y-%m}": value for month, value in demo.monthly_targets().items()}
    assert stored == targets  # every month, exactly
    for month, published in PUBLISHED.items():
        assert within(stored[month], published), (month, stored[month], published)
    assert within(stored["2024-11"], NOVEMBER_2024)
    january_to_april = sum(stored[f"2025-0{n}"] for n in range(1, 5))
    assert within(january_to_april, JANUARY_TO_APRIL_2025)


def test_the_2024_total_is_iom_s(seeded, db):
    total = movements(demo_groups().filter(day__year=2024))
    assert within(total, YEAR_2024)
    assert total == YEAR_2024


def test_kinds_of_flow_look_like_the_2023_dashboards(seeded, db):
    overall = shares("kind_of_flow")
    assert 45 <= overall[KindOfFlow.TRANSIT_ARABIAN_PENINSULA] <= 50
    assert 40 <= overall[KindOfFlow.INCOMING] <= 44
    assert 4 <= overall[KindOfFlow.TRANSIT_WITHIN_DJIBOUTI] <= 6
    assert 3.5 <= overall[KindOfFlow.TRANSIT_ETHIOPIA] <= 5.5
    assert 1 <= overall[KindOfFlow.OUTGOING] <= 3
    assert KindOfFlow.UNDEFINED not in overall
    for month, published in PUBLISHED_KIND_SHARES.items():
        year, number = (int(part) for part in month.split("-"))
        month_shares = shares(
            "kind_of_flow", demo_groups().filter(day__year=year, day__month=number)
        )
        for kind, percent in zip(KIND_ORDER, published, strict=True):
            assert abs(month_shares[kind] - percent / sum(published) * 100) < 0.5, (month, kind)


def test_who_travels(seeded, db):
    nationality = shares("nationality")
    assert nationality["ET"] > 90
    assert 2 <= nationality["SO"] <= 6
    assert set(nationality) <= {"ET", "SO", "ER", "YE", "SD"}
    total = movements()
    people = demo_groups().aggregate(
        *(Sum(name) for name in GroupRecord.COUNT_FIELDS + GroupRecord.VULNERABILITY_FIELDS)
    )
    percent = {name.removesuffix("__sum"): 100 * value / total for name, value in people.items()}
    assert 70 <= percent["adult_men"] <= 75
    assert 12 <= percent["adult_women"] <= 16
    assert 6 <= percent["boys"] <= 10
    assert 3 <= percent["girls"] <= 6
    assert 1 <= percent["unaccompanied_children"] <= 6
    for name in ("pregnant_or_lactating", "elderly", "disabled", "urgent_medical"):
        assert 0.1 <= percent[name] <= 5, name


def test_where_they_are_counted(seeded, db):
    points = shares("point__code")
    assert set(points) == {p.code for p in FlowMonitoringPoint.objects.all()}
    obock = by_month(point__code__in=OBOCK_POINTS)
    for month, total in by_month().items():
        assert 15 <= 100 * obock[month] / total <= 29, month
    for month, published in PUBLISHED_OBOCK_MOVEMENTS.items():
        assert within(obock[month], published), month


def test_returns_from_yemen(seeded, db):
    returns = demo_groups().filter(kind_of_flow=KindOfFlow.INCOMING, previous_country="YE")
    monthly = by_month(returns)
    assert len(monthly) == 30
    assert all(200 <= value <= 2_000 for value in monthly.values())
    for month, published in PUBLISHED_RETURNS_FROM_YEMEN.items():
        assert within(monthly[month], published), month
    assert shares("point__code", returns)["obock-ville"] > 50
    assert shares("reason", returns)[Reason.RETURN_HOME] > 60
    assert shares("transport", returns)[Transport.BOAT] > 70


def test_routes_destinations_and_reasons(seeded, db):
    towards_arabia = demo_groups().filter(kind_of_flow=KindOfFlow.TRANSIT_ARABIAN_PENINSULA)
    assert shares("final_destination_country", towards_arabia)["SA"] > 80
    towards_ethiopia = demo_groups().filter(kind_of_flow=KindOfFlow.TRANSIT_ETHIOPIA)
    assert shares("final_destination_country", towards_ethiopia)["ET"] > 95
    incoming = demo_groups().filter(kind_of_flow=KindOfFlow.INCOMING)
    assert shares("previous_country", incoming)["ET"] > 75
    assert shares("transport")[Transport.ON_FOOT] > 60
    coast = {"obock-ville", "fantaherou", "godoria", "tadjourah-ville"}
    assert (
        not demo_groups().filter(transport=Transport.BOAT).exclude(point__code__in=coast).exists()
    )
    assert shares("reason")[Reason.ECONOMIC] > 60
    periods = shares("observation_period")
    assert set(periods) == set(ObservationPeriod.values)
    assert max(periods.values()) < 50


def test_group_sizes(seeded, db):
    sizes = dict(demo_groups().annotate(size=SIZE).values_list("size").annotate(n=Count("id")))
    assert min(sizes) == 1 and max(sizes) == 15
    groups = sum(sizes.values())
    assert sum(n for size, n in sizes.items() if 2 <= size <= 6) > 0.55 * groups


def test_every_record_obeys_the_rules(seeded, db):
    groups = demo_groups()
    size = SIZE
    broken = {
        "empty": Q(adult_men=0, adult_women=0, boys=0, girls=0),
        "unaccompanied": Q(unaccompanied_children__gt=F("boys") + F("girls")),
        "pregnant": Q(pregnant_or_lactating__gt=F("adult_women") + F("girls")),
        "elderly": Q(elderly__gt=size),
        "disabled": Q(disabled__gt=size),
        "urgent_medical": Q(urgent_medical__gt=size),
        "future": Q(day__gt=timezone.localdate()),
        "before the point opened": Q(day__lt=F("point__active_from")),
        "after the point closed": Q(day__gt=F("point__active_until")),
        "outside the demo": Q(day__lt=datetime.date(2023, 1, 1))
        | Q(day__gt=datetime.date(2025, 6, 30)),
    }
    for rule, condition in broken.items():
        assert not groups.filter(condition).exists(), rule
    # And the checks themselves, as an import or a web form would run them.
    officer = User.objects.get(username="demo.info")
    context = checks.CheckContext(officer)
    context.locked_months = set()  # the test's own lock is not a broken rule
    points = {p.pk: p for p in FlowMonitoringPoint.objects.all()}
    fields = ["day", "point_id", *GroupRecord.COUNT_FIELDS, *GroupRecord.VULNERABILITY_FIELDS]
    for row in groups.values(*fields).iterator(chunk_size=20_000):
        row["point"] = points[row.pop("point_id")]
        assert checks.check_group(row, context) == [], row
    interview_fields = ["day", "point_id", "age", "incidents", "needs", "journey_days"]
    for row in demo_interviews().values(*interview_fields):
        row["point"] = points[row.pop("point_id")]
        assert checks.check_interview(row, context) == [], row


def test_status_recorder_and_enumerator(seeded, db):
    officer = User.objects.get(username="demo.info")
    enumerator = User.objects.get(username="demo.enumerator")
    own_points = set(enumerator.assigned_points.values_list("code", flat=True))
    assert own_points == {"obock-ville", "fantaherou"}
    last_two = Q(day__gte=datetime.date(2025, 5, 1))
    for queryset in (demo_groups(), demo_interviews()):
        assert not queryset.filter(last_two).exclude(status=EntryStatus.PENDING).exists()
        assert not queryset.exclude(last_two).exclude(status=EntryStatus.VALIDATED).exists()
        assert queryset.filter(recorded_by=officer).count() == queryset.count()
        at_own = queryset.filter(point__code__in=own_points)
        assert at_own.exists()
        assert at_own.filter(enumerator=enumerator).count() == at_own.count()
        assert not queryset.exclude(point__code__in=own_points).filter(enumerator__isnull=False)
        assert not queryset.filter(recorded_at__date__lt=F("day")).exists()
        assert not queryset.filter(import_batch__isnull=False).exists()


def test_source_record_ids_are_numbered(seeded, db):
    for queryset, prefix in (
        (demo_groups(), "demo-registry-"),
        (demo_interviews(), "demo-survey-"),
    ):
        ids = set(queryset.values_list("source_record_id", flat=True))
        assert ids == {f"{prefix}{n}" for n in range(1, len(ids) + 1)}


def test_survey_interviews(seeded, db):
    interviews = demo_interviews()
    assert 3_000 <= interviews.count() <= 6_000
    per_month = dict(
        interviews.annotate(month=TruncMonth("day")).values_list("month").annotate(n=Count("id"))
    )
    assert len(per_month) == 30
    assert all(100 <= n <= 200 for n in per_month.values())
    ages = interviews.aggregate(
        low=Count("id", filter=Q(age__lt=18) | Q(age__gt=70)),
        young=Count("id", filter=Q(age__lte=30)),
    )
    assert ages["low"] == 0
    assert ages["young"] > 0.6 * interviews.count()
    multiple = SurveyInterview.MULTIPLE_CHOICE
    filled = [
        f.attname
        for f in SurveyInterview._meta.concrete_fields
        if f.attname not in ("id", "enumerator_id", "import_batch_id")
    ]
    for row in interviews.values(*filled):
        assert all(value not in (None, "") for value in row.values()), row
        for field, choices in multiple.items():
            codes = row[field].split()
            assert codes and set(codes) <= set(choices.values), (field, row[field])
            assert len(codes) == len(set(codes))
            assert "none" not in codes or codes == ["none"], (field, row[field])
    nationality = dict(interviews.values_list("nationality").annotate(n=Count("id")))
    assert nationality["ET"] > 0.85 * interviews.count()
    assert {p for p in interviews.values_list("point__code", flat=True).distinct()} == {
        p.code for p in FlowMonitoringPoint.objects.all()
    }


def test_a_second_run_changes_nothing(seeded, db):
    assert seeded.first == seeded.second
    assert seeded.first["GroupRecord"]["count"] > 100_000
    assert seeded.first_summary.startswith("Flow monitoring demo: ")
    assert f"{seeded.first['GroupRecord']['count']:,} group records" in seeded.first_summary
    assert f"({movements():,} movements)" in seeded.first_summary


def test_a_locked_month_is_left_as_it_was(seeded, db):
    # October 2024 was locked before the second run: the same rows, not rewritten...
    assert seeded.locked_ids_before and seeded.locked_ids_after == seeded.locked_ids_before
    # ...while every other month was deleted and written again.
    assert seeded.other_ids_after > seeded.other_ids_before
    assert "2024-10" in seeded.second_summary


def test_summaries_agree_with_the_demo_records(seeded, db):
    assert_summaries_agree()
