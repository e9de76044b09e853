"""Entering a group or an interview through the web form, as an enumerator on a phone would."""

from django.urls import reverse
from django.utils import timezone

from corridor.flows.models import GroupRecord, SurveyInterview
from corridor.places.models import FlowMonitoringPoint


def group_form(**overrides):
    point = FlowMonitoringPoint.objects.get(code="obock-ville")
    form = {
        "day": "2024-10-03",
        "point": point.pk,
        "kind_of_flow": "transit_arabian_peninsula",
        "nationality": "ET",
        "adult_men": "3",
        "adult_women": "0",
        "boys": "1",
        "girls": "0",
        "unaccompanied_children": "0",
        "pregnant_or_lactating": "0",
        "elderly": "0",
        "disabled": "0",
        "urgent_medical": "0",
    }
    return form | overrides


def test_enumerator_form_offers_only_own_points(enumerator, client):
    client.force_login(enumerator)
    form = client.get(reverse("flows:group_create")).context["form"]
    assert [p.code for p in form.fields["point"].queryset] == ["obock-ville"]
    assert form.initial["day"] == timezone.localdate()


def test_enumerator_records_a_group(enumerator, client):
    client.force_login(enumerator)
    response = client.post(reverse("flows:group_create"), group_form())
    assert response.status_code == 302
    record = GroupRecord.objects.get()
    assert (record.size, record.enumerator, record.status) == (4, enumerator, "pending")


def test_form_errors_are_in_french_next_to_their_field(enumerator, client):
    client.force_login(enumerator)
    response = client.post(
        reverse("flows:group_create"), group_form(unaccompanied_children="3", adult_men="-1")
    )
    errors = response.context["form"].errors
    assert "adult_men" in errors
    response = client.post(reverse("flows:group_create"), group_form(unaccompanied_children="3"))
    errors = response.context["form"].errors
    assert errors["unaccompanied_children"] == [
        "3 enfants non accompagnés, mais le groupe ne compte que 1 enfants (garçons + filles)."
    ]
    assert not GroupRecord.objects.exists()


def test_interview_is_anonymous_and_checked(enumerator, client):
    client.force_login(enumerator)
    point = FlowMonitoringPoint.objects.get(code="obock-ville")
    form = {
        "day": "2024-10-03",
        "point": point.pk,
        "sex": "female",
        "age": "23",
        "nationality": "ET",
        "reason_for_leaving": "economic",
        "languages": ["am", "om"],
        "incidents": ["none", "hunger"],
        "needs": ["water"],
    }
    response = client.post(reverse("flows:interview_create"), form)
    assert "incidents" in response.context["form"].errors
    response = client.post(reverse("flows:interview_create"), form | {"incidents": ["hunger"]})
    assert response.status_code == 302
    interview = SurveyInterview.objects.get()
    assert (interview.languages, interview.incidents, interview.enumerator) == (
        "am om",
        "hunger",
        enumerator,
    )
    assert not any("name" in field.name for field in SurveyInterview._meta.fields)
