"""Each rule of a group record, through the service the web form and the phone both use."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.flows import services
from corridor.flows.models import GroupRecord, MonthLockEvent
from corridor.places.models import FlowMonitoringPoint


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_valid_group_is_recorded_pending(officer, group_values, english):
    record = services.record_group(by=officer, values=group_values())
    assert record.size == 8
    assert record.status == "pending"
    assert record.recorded_by == officer


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"adult_men": 0, "adult_women": 0, "boys": 0, "girls": 0, "unaccompanied_children": 0},
            "adult_men",
            "The group is empty",
        ),
        (
            {"unaccompanied_children": 4},
            "unaccompanied_children",
            "4 unaccompanied children, but the group has only 3 children",
        ),
        (
            {"pregnant_or_lactating": 3},
            "pregnant_or_lactating",
            "3 pregnant or lactating women, but the group has only 2 women and girls",
        ),
        ({"elderly": 9}, "elderly", "9 elderly people (60+), more than the 8 people"),
        ({"disabled": 9}, "disabled", "9 persons with a disability, more than the 8 people"),
        ({"urgent_medical": 9}, "urgent_medical", "more than the 8 people in the group"),
        (
            {"day": datetime.date(2017, 4, 1)},
            "day",
            "On 2017-04-01 the point Obock-ville was not active (active from 2017-05-01",
        ),
    ],
)
def test_each_rule_names_field_value_and_expectation(
    officer, group_values, english, overrides, field, message
):
    errors = errors_of(lambda: services.record_group(by=officer, values=group_values(**overrides)))
    assert any(message in text for text in errors[field]), errors
    assert not GroupRecord.objects.exists()


def test_no_date_in_the_future_in_djibouti_time(officer, group_values, english, settings):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    errors = errors_of(lambda: services.record_group(by=officer, values=group_values(day=tomorrow)))
    assert "is in the future: today is" in errors["day"][0]


def test_enumerator_enters_only_at_own_points(enumerator, group_values, english):
    galafi = FlowMonitoringPoint.objects.get(code="galafi")
    errors = errors_of(
        lambda: services.record_group(by=enumerator, values=group_values(point=galafi))
    )
    assert "Galafi is not one of them" in errors["point"][0]
    own = services.record_group(by=enumerator, values=group_values())
    assert own.enumerator == enumerator


def test_partner_viewer_cannot_record(officer, group_values):
    officer.role = "partner_viewer"
    with pytest.raises(PermissionDenied):
        services.record_group(by=officer, values=group_values())


def test_a_published_month_cannot_change_until_unlocked(officer, enumerator, group_values, english):
    record = services.record_group(by=officer, values=group_values())
    services.lock_month(by=officer, month=datetime.date(2024, 10, 17))
    errors = errors_of(lambda: services.record_group(by=enumerator, values=group_values()))
    assert "2024-10 is published and locked" in errors["day"][0]
    with pytest.raises(ValidationError, match="locked"):
        services.correct_group(
            by=officer, record=record, values=group_values(adult_men=5), reason="typo"
        )
    with pytest.raises(ValidationError):
        services.unlock_month(by=officer, month=datetime.date(2024, 10, 1), reason="  ")
    services.unlock_month(by=officer, month=datetime.date(2024, 10, 1), reason="Late forms")
    services.record_group(by=enumerator, values=group_values())
    events = list(MonthLockEvent.objects.order_by("at").values_list("action", "reason", "by"))
    assert events == [("lock", "", officer.pk), ("unlock", "Late forms", officer.pk)]


def test_a_correction_keeps_the_earlier_values(officer, enumerator, group_values, english):
    record = services.record_group(by=enumerator, values=group_values())
    services.validate_entries(by=officer, point=record.point, day=record.day)
    record.refresh_from_db()
    assert record.status == "validated"
    services.correct_group(
        by=enumerator, record=record, values=group_values(adult_men=6), reason="Counted twice"
    )
    record.refresh_from_db()
    assert (record.adult_men, record.status) == (6, "pending")
    correction = record.corrections.get()
    assert correction.previous_values["adult_men"] == 4
    assert (correction.reason, correction.corrected_by) == ("Counted twice", enumerator)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"age": 16}, "age", "Age 16: the survey interviews adults, from 18 to 110 years old."),
        ({"age": 111}, "age", "Age 111: the survey interviews adults"),
        ({"needs": "none water"}, "needs", "“None” cannot be chosen together with other answers."),
        ({"incidents": "hunger none"}, "incidents", "“None” cannot be chosen together"),
        ({"journey_days": 4000}, "journey_days", "4000 days since leaving home: expected at most"),
    ],
)
def test_each_interview_rule(officer, english, overrides, field, message):
    values = {
        "day": datetime.date(2024, 10, 3),
        "point": FlowMonitoringPoint.objects.get(code="galafi"),
        "sex": "male",
        "age": 30,
        "nationality_id": "ET",
        "reason_for_leaving": "economic",
    }
    errors = errors_of(lambda: services.record_interview(by=officer, values=values | overrides))
    assert any(text.startswith(message) for text in errors[field]), errors
