"""Alerts on a point's unusual day: the rule of corridor.flows.alerts, figure by figure."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from corridor.flows.alerts import HIGH, LOW, recent_alerts
from corridor.flows.models import GroupRecord
from corridor.flows.tests.records import store_groups
from corridor.places.models import FlowMonitoringPoint

TODAY = datetime.date(2024, 11, 1)
YESTERDAY = TODAY - datetime.timedelta(days=1)  # 31 October, the last day judged


def days_before(day: datetime.date, count: int) -> list[datetime.date]:
    """The `count` days before `day`, oldest first."""
    return [day - datetime.timedelta(days=offset) for offset in range(count, 0, -1)]


@pytest.fixture
def point(db) -> FlowMonitoringPoint:
    return FlowMonitoringPoint.objects.get(code="obock-ville")


@pytest.fixture
def record(officer):
    """Store movements per day at a point, split in groups of at most 30 people of mixed ages."""

    def make(point: FlowMonitoringPoint, movements: dict[datetime.date, int]) -> None:
        records = []
        for day, total in movements.items():
            while total > 0:
                size = min(total, 30)
                total -= size
                men = (size + 1) // 2
                women, boys = (size - men + 1) // 2, (size - men) // 2
                records.append(
                    GroupRecord(
                        day=day,
                        point=point,
                        kind_of_flow="transit_arabian_peninsula",
                        nationality_id="ET",
                        adult_men=men,
                        adult_women=women,
                        boys=boys,
                        recorded_by=officer,
                    )
                )
        store_groups(records)

    return make


def steady(last_day: datetime.date, count: int = 28, level: int = 100) -> dict:
    """About `level` movements a day (level - 2, level, level + 2 in turn) up to `last_day`."""
    return {
        day: level + (index % 3 - 1) * 2
        for index, day in enumerate(days_before(last_day + datetime.timedelta(days=1), count))
    }


def test_a_day_well_above_the_usual_level_is_unusually_high(point, record):
    record(point, steady(YESTERDAY - datetime.timedelta(days=1)) | {YESTERDAY: 400})
    [alert] = recent_alerts(today=TODAY)
    assert alert.point == point
    assert alert.point.name == "Obock-ville"
    assert alert.day == YESTERDAY
    assert alert.movements == 400
    assert alert.direction == HIGH
    assert alert.median == 100
    assert alert.baseline_days == 28
    # The days differ by 2 at most: the spread is its floor, 20 % of the median.
    assert (alert.low, alert.high) == (40, 160)
    assert not alert.possibly_missing


def test_a_day_without_movement_where_movements_are_usual_is_possibly_missing_data(point, record):
    record(point, steady(YESTERDAY - datetime.timedelta(days=1)))
    [alert] = recent_alerts(today=TODAY)
    assert (alert.day, alert.movements, alert.direction) == (YESTERDAY, 0, LOW)
    assert (alert.median, alert.low, alert.high, alert.baseline_days) == (100, 40, 160, 28)
    assert alert.possibly_missing


def test_a_day_well_below_the_usual_level_is_unusually_low(point, record):
    record(point, steady(YESTERDAY - datetime.timedelta(days=1)) | {YESTERDAY: 25})
    [alert] = recent_alerts(today=TODAY)
    assert (alert.movements, alert.direction, alert.low) == (25, LOW, 40)
    assert not alert.possibly_missing


@pytest.mark.parametrize("movements", [40, 100, 160])
def test_a_day_inside_the_expected_range_raises_no_alert(point, record, movements):
    record(point, steady(YESTERDAY - datetime.timedelta(days=1)) | {YESTERDAY: movements})
    assert recent_alerts(today=TODAY) == []


def test_the_range_bounds_are_the_last_figures_that_raise_no_alert(point, record):
    record(point, steady(YESTERDAY - datetime.timedelta(days=1)) | {YESTERDAY: 161})
    assert [alert.movements for alert in recent_alerts(today=TODAY)] == [161]


def test_a_quiet_point_does_not_alert_on_a_handful_of_people(point, record):
    quiet = {day: 2 + index % 3 for index, day in enumerate(days_before(YESTERDAY, 28))}
    record(point, quiet | {YESTERDAY: 8})
    assert recent_alerts(today=TODAY) == []
    # A day without movement is ordinary there too: the median is below 20.
    GroupRecord.objects.filter(day=YESTERDAY).delete()
    assert recent_alerts(today=TODAY) == []


def test_a_quiet_point_still_alerts_beyond_its_floor(point, record):
    quiet = {day: 2 + index % 3 for index, day in enumerate(days_before(YESTERDAY, 28))}
    record(point, quiet | {YESTERDAY: 19})  # median 3, spread floor 5: range 0 to 18
    [alert] = recent_alerts(today=TODAY)
    assert (alert.median, alert.low, alert.high, alert.direction) == (3, 0, 18, HIGH)


def test_too_few_days_with_data_raise_no_alert(point, record):
    # The point started 13 days before: no usual level yet, no alert.
    record(point, {day: 100 for day in days_before(YESTERDAY, 13)} | {YESTERDAY: 400})
    assert recent_alerts(today=TODAY) == []


def test_fourteen_days_with_data_are_enough_and_days_without_data_are_not_zeros(point, record):
    # Half of the four weeks without data: counted as zeros, they would halve the median.
    record(point, {day: 100 for day in days_before(YESTERDAY, 14)} | {YESTERDAY: 400})
    [alert] = recent_alerts(today=TODAY)
    assert (alert.baseline_days, alert.median, alert.high) == (14, 100, 160)


def test_today_and_future_days_are_not_judged(point, record):
    tomorrow = TODAY + datetime.timedelta(days=1)
    record(point, steady(YESTERDAY) | {TODAY: 400, tomorrow: 400})
    assert recent_alerts(today=TODAY) == []
    # The next day, the day of 400 is yesterday's and is judged.
    [alert] = recent_alerts(today=tomorrow)
    assert (alert.day, alert.movements) == (TODAY, 400)


def test_only_the_last_seven_days_are_judged(point, record):
    eight_days_ago = TODAY - datetime.timedelta(days=8)
    baseline = steady(eight_days_ago - datetime.timedelta(days=1))
    record(point, baseline | {eight_days_ago: 400} | steady(YESTERDAY, count=7))
    assert recent_alerts(today=TODAY) == []
    assert [alert.day for alert in recent_alerts(today=TODAY - datetime.timedelta(days=1))] == [
        eight_days_ago
    ]


def test_a_point_is_judged_only_on_the_days_it_was_active(point, record):
    record(point, steady(YESTERDAY - datetime.timedelta(days=2)))
    point.active_until = YESTERDAY - datetime.timedelta(days=2)
    point.save()
    assert recent_alerts(today=TODAY) == []  # no "missing data" after the point closed


def test_alerts_latest_day_first_then_furthest_from_usual(record):
    far, near, earlier = FlowMonitoringPoint.objects.order_by("code")[:3]
    day_before = YESTERDAY - datetime.timedelta(days=1)
    record(near, steady(day_before) | {YESTERDAY: 250})  # 7.5 spreads above the median
    record(far, steady(day_before) | {YESTERDAY: 400})  # 15 spreads above
    record(earlier, steady(day_before - datetime.timedelta(days=1)) | {day_before: 1000})
    record(earlier, {YESTERDAY: 100})
    alerts = recent_alerts(today=TODAY)
    assert [(alert.point, alert.day) for alert in alerts] == [
        (far, YESTERDAY),
        (near, YESTERDAY),
        (earlier, day_before),
    ]


def test_one_query_whatever_the_number_of_points(record, django_assert_num_queries):
    points = list(FlowMonitoringPoint.objects.all())
    for point in points:
        record(point, steady(YESTERDAY - datetime.timedelta(days=1)) | {YESTERDAY: 400})
    with django_assert_num_queries(1):
        alerts = recent_alerts(today=TODAY)
        names = {str(alert.point) for alert in alerts}
    assert len(alerts) == len(points) and len(names) == len(points)


def test_today_is_djibouti_today_by_default(point, record):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    record(point, steady(yesterday - datetime.timedelta(days=1)) | {yesterday: 400})
    assert [alert.day for alert in recent_alerts()] == [yesterday]


def test_no_alert_renders_nothing(db):
    assert render_to_string("flows/_alerts.html", {"alerts": []}) == ""


def test_alerts_render_as_sentences_with_their_figures(point, record, english):
    day_before = YESTERDAY - datetime.timedelta(days=1)
    record(point, steady(day_before - datetime.timedelta(days=1)) | {day_before: 1250})
    alerts = recent_alerts(today=TODAY)  # 1 250 on 30 October, nothing on the 31st
    page = " ".join(render_to_string("flows/_alerts.html", {"alerts": alerts}).split())
    assert "<h2" in page and "Alerts" in page
    assert (
        "On October 31, 2024, no movement was recorded at Obock-ville, where the median is 100 "
        "movements a day over the 28 days with data of the four previous weeks: data are "
        "possibly missing." in page
    )
    assert (
        "On October 30, 2024, Obock-ville recorded 1,250 movements, unusually high: the expected "
        "range was 40 to 160 (median 100 over the 28 days with data of the four previous weeks)."
        in page
    )
    assert page.count('href="/flows/quality/?month=2024-10"') == 2


def test_the_officer_home_page_shows_the_alerts(officer, client):
    today = timezone.localdate()
    point = FlowMonitoringPoint.objects.get(code="galafi")
    store_groups(
        GroupRecord(
            day=today - datetime.timedelta(days=offset),
            point=point,
            kind_of_flow="incoming",
            nationality_id="ET",
            adult_men=400 if offset == 1 else 100,
            recorded_by=officer,
        )
        for offset in range(1, 30)
    )
    client.force_login(officer)
    page = client.get(reverse("home"))
    assert [alert.point.code for alert in page.context["alerts"]] == ["galafi"]
    assert "Galafi" in page.content.decode()
