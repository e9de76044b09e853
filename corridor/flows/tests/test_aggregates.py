"""Dashboard figures against an independent computation over the same records, in Python."""

import datetime
import random
from collections import Counter

import pytest

from corridor.flows.aggregates import FlowFilter, countable_records, dashboard
from corridor.flows.models import GroupRecord, KindOfFlow
from corridor.flows.tests.records import store_groups
from corridor.places.models import FlowMonitoringPoint, Region

KINDS = [kind.value for kind in KindOfFlow]


@pytest.fixture
def records(db, officer):
    """Four hundred synthetic groups over October and November 2024, stored and kept in memory."""
    rng = random.Random(7)
    points = list(FlowMonitoringPoint.objects.select_related("region"))
    made = []
    for _ in range(400):
        boys, girls = rng.randint(0, 2), rng.randint(0, 1)
        made.append(
            GroupRecord(
                day=datetime.date(2024, 10, 1) + datetime.timedelta(days=rng.randint(0, 60)),
                point=rng.choice(points),
                kind_of_flow=rng.choice(KINDS),
                nationality_id=rng.choice(["ET", "ET", "ET", "SO", "ER"]),
                previous_country_id=rng.choice([None, "ET", "YE", "SO"]),
                final_destination_country_id=rng.choice([None, "SA", "YE", "ET"]),
                reason=rng.choice(["economic", "family", "conflict", ""]),
                adult_men=rng.randint(1, 6),
                adult_women=rng.randint(0, 2),
                boys=boys,
                girls=girls,
                unaccompanied_children=rng.randint(0, boys + girls),
                elderly=rng.randint(0, 1),
                recorded_by=officer,
            )
        )
    store_groups(made)
    return made


def size(record: GroupRecord) -> int:
    return record.adult_men + record.adult_women + record.boys + record.girls


def expected_by(selected, key) -> dict:
    counter = Counter()
    for record in selected:
        counter[key(record)] += size(record)
    return {value: total for value, total in counter.items() if total}


def test_october_figures_match_an_independent_count(records, officer):
    october = FlowFilter(datetime.date(2024, 10, 1), datetime.date(2024, 10, 31))
    figures = dashboard(officer, october)
    selected = [r for r in records if october.start <= r.day <= october.end]
    september = []  # nothing was recorded before October
    assert figures.movements == sum(size(r) for r in selected)
    assert figures.daily_average == pytest.approx(figures.movements / 31)
    assert figures.previous_movements == sum(size(r) for r in september)
    assert figures.change is None
    assert figures.by_kind == expected_by(selected, lambda r: r.kind_of_flow)
    assert figures.by_point == expected_by(selected, lambda r: r.point.code)
    assert figures.by_region == expected_by(selected, lambda r: r.point.region.code)
    assert figures.by_nationality == expected_by(selected, lambda r: r.nationality_id)
    assert figures.by_destination == expected_by(selected, lambda r: r.final_destination_country_id)
    assert figures.by_reason == expected_by(selected, lambda r: r.reason)
    assert figures.by_day == expected_by(selected, lambda r: r.day)
    assert figures.by_month == {datetime.date(2024, 10, 1): figures.movements}
    assert figures.sex_and_age == {
        name: sum(getattr(r, name) for r in selected)
        for name in ("adult_men", "adult_women", "boys", "girls")
    }
    assert figures.vulnerabilities["unaccompanied_children"] == sum(
        r.unaccompanied_children for r in selected
    )
    incoming = [r for r in selected if r.kind_of_flow == "incoming"]
    assert figures.arrivals_from_ethiopia == sum(
        size(r) for r in incoming if r.previous_country_id == "ET"
    )
    assert figures.returns_from_yemen_by_point == expected_by(
        [r for r in incoming if r.previous_country_id == "YE"], lambda r: r.point.code
    )


def test_change_from_the_previous_period_of_the_same_length(records, officer):
    november = FlowFilter(datetime.date(2024, 11, 1), datetime.date(2024, 11, 30))
    figures = dashboard(officer, november)
    previous = [
        r for r in records if datetime.date(2024, 10, 2) <= r.day <= datetime.date(2024, 10, 31)
    ]
    assert november.previous().start == datetime.date(2024, 10, 2)
    assert figures.previous_movements == sum(size(r) for r in previous)
    assert figures.change == pytest.approx(
        (figures.movements - figures.previous_movements) / figures.previous_movements
    )


def test_filters_combine(records, officer):
    obock = Region.objects.get(code="DJ-OB")
    chosen = FlowFilter(
        datetime.date(2024, 10, 1),
        datetime.date(2024, 11, 30),
        region=obock,
        kind_of_flow="incoming",
        nationality="ET",
    )
    selected = [
        r
        for r in records
        if r.point.region_id == obock.pk
        and r.kind_of_flow == "incoming"
        and r.nationality_id == "ET"
    ]
    assert dashboard(officer, chosen).movements == sum(size(r) for r in selected)


def test_who_counts_what(records, officer, enumerator, personas):
    period = FlowFilter(datetime.date(2024, 10, 1), datetime.date(2024, 11, 30))
    everything = sum(size(r) for r in records)
    own = sum(size(r) for r in records if r.point.code == "obock-ville")
    assert dashboard(officer, period).movements == everything
    assert dashboard(personas["partner_viewer@A"], period).movements == everything
    assert dashboard(enumerator, period).movements == own
    for name in ("administrator@A", "organisation_administrator@B", "outsider"):
        assert not countable_records(personas[name]).exists()
