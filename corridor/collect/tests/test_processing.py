"""From a phone's submission to a record: each purpose end to end, from the XML ODK Collect
sends for Corridor's shipped forms; failing checks in review with a readable reason; edits;
retries after the cause is fixed; draft cases confirmed or discarded, and by whom."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from corridor.audit.models import AuditEntry
from corridor.cases.models import Case, CaseStatus, Consent, Person, Screening
from corridor.collect import processing
from corridor.collect.models import CollectForm, Purpose, Submission, SubmissionState
from corridor.collect.tests.phone import load_forms, send
from corridor.collect.tests.xlsforms import simple_form
from corridor.collect.xlsforms import definitions
from corridor.flows.models import GroupRecord, GroupRecordCorrection, SurveyInterview
from corridor.places.models import FlowMonitoringPoint

REGISTRY, SURVEY, SCREENING = (
    definitions.REGISTRY_FORM_ID,
    definitions.SURVEY_FORM_ID,
    definitions.SCREENING_FORM_ID,
)


@pytest.fixture(autouse=True)
def english(settings):
    """Reasons for review are written in the default language: English here, to read them."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def forms(personas):
    return load_forms(personas["administrator@A"])


def yesterday() -> str:
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def group(**answers) -> dict:
    """A group of four at the first point of enumerator@A (assamo), as the phone fills it."""
    return {
        "day": yesterday(),
        "point": "assamo",
        "kind_of_flow": "transit_arabian_peninsula",
        "nationality": "ET",
        "transport": "on_foot",
        "adult_men": "2",
        "adult_women": "1",
        "boys": "1",
        "girls": "0",
        "unaccompanied_children": "1",
    } | answers


def interview(**answers) -> dict:
    return {
        "day": yesterday(),
        "point": "assamo",
        "sex": "female",
        "age": "24",
        "nationality": "ET",
        "languages": "am om",
        "reason_for_leaving": "economic",
        "needs": "water food",
        "incidents": "none",
    } | answers


def screening(**answers) -> dict:
    return {
        "consent_language": "en",
        "consent": "yes",
        "given_by": "person",
        "given_name": "Testa",
        "father_name": "Exemplu",
        "grandfather_name": "Fictivo",
        "sex": "F",
        "birth_date_known": "no",
        "estimated_age": "25",
        "nationality": "ET",
        "languages": "am",
        "migration_status": "in_transit",
        "identified_by": "fmp",
        "identified_at_point": "obock-ville",
        "identified_in_region": "DJ-OB",
        "factors": "no_food_water separated_family",
        "notes": "Met at the bus stop.",
    } | answers


# Flow monitoring registry.


def test_a_group_sent_from_a_phone_becomes_a_group_record(forms, personas):
    enumerator = personas["enumerator@A"]
    submission = send(forms[REGISTRY], enumerator, group())
    assert submission.state == SubmissionState.PROCESSED, submission.problem
    record = GroupRecord.objects.get()
    assert submission.record == f"flows.grouprecord:{record.pk}"
    assert submission.processed_at is not None
    assert (record.point.code, record.nationality_id, record.kind_of_flow) == (
        "assamo",
        "ET",
        "transit_arabian_peninsula",
    )
    assert (record.adult_men, record.adult_women, record.boys, record.size) == (2, 1, 1, 4)
    assert record.enumerator == enumerator and record.recorded_by == enumerator
    assert record.source_record_id == submission.instance_id


def test_processing_the_same_submission_again_makes_no_second_record(forms, personas):
    submission = send(forms[REGISTRY], personas["enumerator@A"], group())
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.RECEIVED)
    submission.refresh_from_db()
    processing.process(submission)
    submission.refresh_from_db()
    assert GroupRecord.objects.count() == 1
    assert submission.state == SubmissionState.PROCESSED
    assert submission.record == f"flows.grouprecord:{GroupRecord.objects.get().pk}"


def test_a_failing_check_sends_the_submission_to_review_with_the_reason(forms, personas):
    # galafi is not a point of enumerator@A; the group has more unaccompanied than children.
    submission = send(
        forms[REGISTRY],
        personas["enumerator@A"],
        group(point="galafi", unaccompanied_children="3"),
    )
    assert submission.state == SubmissionState.TO_REVIEW
    assert not GroupRecord.objects.exists()
    assert "Question “point”, answer “galafi”" in submission.problem
    assert "not one of them" in submission.problem
    assert "Question “unaccompanied_children”, answer “3”" in submission.problem
    assert "only 1 children" in submission.problem


def test_an_unknown_point_waits_in_review_and_is_processed_once_the_point_exists(forms, personas):
    officer = personas["information_officer@A"]
    submission = send(forms[REGISTRY], officer, group(point="ali-sabieh-gare"))
    assert submission.state == SubmissionState.TO_REVIEW
    assert "Question “point”, answer “ali-sabieh-gare”" in submission.problem
    assert "expected a flow monitoring point known to Corridor" in submission.problem

    retried = processing.retry(submission, by=officer)
    assert retried.state == SubmissionState.TO_REVIEW  # nothing changed yet

    FlowMonitoringPoint.objects.create(
        code="ali-sabieh-gare",
        name="Ali Sabieh gare",
        kind="transit_town",
        country_id="DJ",
        active_from=datetime.date(2020, 1, 1),
    )
    retried = processing.retry(submission, by=officer)
    assert retried.state == SubmissionState.PROCESSED
    assert retried.problem == ""
    assert GroupRecord.objects.get().point.code == "ali-sabieh-gare"
    assert AuditEntry.objects.filter(
        object_type="collect.submission", object_id=str(submission.pk), details__retry=True
    ).exists()


def test_only_a_submission_waiting_for_review_is_retried_and_only_by_who_sees_it(forms, personas):
    submission = send(forms[REGISTRY], personas["enumerator@A"], group())
    with pytest.raises(processing.ValidationError):
        processing.retry(submission, by=personas["enumerator@A"])
    with pytest.raises(processing.PermissionDenied):
        processing.retry(submission, by=personas["enumerator@B"])


def test_a_role_that_may_not_enter_flow_data_goes_to_review(forms, personas):
    submission = send(forms[REGISTRY], personas["caseworker@A"], group())
    assert submission.state == SubmissionState.TO_REVIEW
    assert "Caseworker" in submission.problem
    assert "may not make what this form makes" in submission.problem
    assert not GroupRecord.objects.exists()


def test_an_edit_on_the_phone_corrects_the_group_record_and_keeps_its_history(forms, personas):
    enumerator = personas["enumerator@A"]
    first = send(forms[REGISTRY], enumerator, group())
    edit = send(forms[REGISTRY], enumerator, group(adult_men="5"), replaces=first)
    assert edit.state == SubmissionState.PROCESSED, edit.problem
    record = GroupRecord.objects.get()
    assert edit.record == first.record == f"flows.grouprecord:{record.pk}"
    assert record.adult_men == 5
    assert record.source_record_id == first.instance_id
    correction = GroupRecordCorrection.objects.get(record=record)
    assert correction.reason == "Edited on the phone"
    assert correction.previous_values["adult_men"] == 2


def test_an_edit_of_a_submission_that_went_to_review_is_processed_as_new(forms, personas):
    enumerator = personas["enumerator@A"]
    first = send(forms[REGISTRY], enumerator, group(point="galafi"))
    assert first.state == SubmissionState.TO_REVIEW
    edit = send(forms[REGISTRY], enumerator, group(), replaces=first)
    assert edit.state == SubmissionState.PROCESSED, edit.problem
    assert GroupRecord.objects.get().source_record_id == edit.instance_id


# Flow monitoring survey.


def test_an_interview_sent_from_a_phone_becomes_a_survey_interview(forms, personas):
    submission = send(forms[SURVEY], personas["information_officer@A"], interview())
    assert submission.state == SubmissionState.PROCESSED, submission.problem
    found = SurveyInterview.objects.get()
    assert submission.record == f"flows.surveyinterview:{found.pk}"
    assert (found.sex, found.age, found.languages, found.needs) == (
        "female",
        24,
        "am om",
        "water food",
    )
    assert found.source_record_id == submission.instance_id


def test_an_interview_failing_a_check_goes_to_review(forms, personas):
    submission = send(
        forms[SURVEY], personas["enumerator@A"], interview(needs="none water", age="")
    )
    assert submission.state == SubmissionState.TO_REVIEW
    assert "Question “age” (no answer): This question must be answered." in submission.problem
    assert not SurveyInterview.objects.exists()


def test_an_edited_interview_is_changed_in_place(forms, personas):
    enumerator = personas["enumerator@A"]
    first = send(forms[SURVEY], enumerator, interview())
    edit = send(forms[SURVEY], enumerator, interview(age="31"), replaces=first)
    assert edit.state == SubmissionState.PROCESSED, edit.problem
    assert edit.record == first.record
    assert SurveyInterview.objects.get().age == 31


# Other forms.


def test_a_form_of_another_purpose_is_kept_as_it_is(personas):
    from corridor.collect import services

    version = services.upload_form(
        by=personas["administrator@A"], content=simple_form(), filename="simple.xlsx"
    )
    assert version.form.purpose == Purpose.OTHER
    submission = send(version, personas["enumerator@A"], {"name": "Testa", "age": "3"})
    assert submission.state == SubmissionState.KEPT
    assert submission.record == ""


# Screening: draft cases.


def test_a_screening_sent_by_a_caseworker_becomes_a_draft_case(forms, personas):
    caseworker = personas["caseworker@A"]
    submission = send(forms[SCREENING], caseworker, screening())
    assert submission.state == SubmissionState.PROCESSED, submission.problem
    case = Case.objects.get()
    assert submission.record == f"cases.case:{case.pk}"
    assert case.status == CaseStatus.DRAFT
    assert (case.organisation, case.caseworker) == (caseworker.organisation, caseworker)
    person = case.person
    assert (person.given_name, person.sex, person.nationality_id, person.languages) == (
        "Testa",
        "F",
        "ET",
        "am",
    )
    assert person.birth_date_is_estimated
    assert person.identified_at_point.code == "obock-ville"
    assert person.identified_in_region.code == "DJ-OB"
    consent = Consent.objects.get(case=case)
    assert consent.given and consent.purpose == "registration"
    assert consent.text.language == "en"
    assert consent.obtained_by == caseworker
    screening_made = Screening.objects.get(case=case)
    assert screening_made.factors == ["no_food_water", "separated_family"]
    assert screening_made.notes == "Met at the bus stop."
    assert case.risk_level == screening_made.risk_level == "medium"


def test_draft_cases_show_in_the_case_list_and_its_status_filter(forms, personas):
    draft = Case.objects.get(
        pk=send(forms[SCREENING], personas["caseworker@A"], screening()).record.split(":")[1]
    )
    client = personas.client_for("caseworker@A")
    page = client.get(reverse("cases:case_list"), {"status": "draft"}).content.decode()
    assert draft.code in page
    assert "Draft (from a phone, to review)" in page
    page = client.get(reverse("cases:case_list"), {"status": "open"}).content.decode()
    assert draft.code not in page


def test_only_caseworkers_and_supervisors_may_send_the_screening_form(forms, personas):
    submission = send(forms[SCREENING], personas["enumerator@A"], screening())
    assert submission.state == SubmissionState.TO_REVIEW
    assert "Enumerator" in submission.problem
    assert not Person.objects.exists()


def test_a_refused_consent_registers_nothing(forms, personas):
    submission = send(
        forms[SCREENING],
        personas["caseworker@A"],
        screening(consent="no", given_name="", estimated_age=""),
    )
    assert submission.state == SubmissionState.KEPT
    assert "did not agree" in submission.problem
    assert not Person.objects.exists() and not Case.objects.exists()
    # Nor are the answers kept: only which form was sent, and its instanceID.
    submission.refresh_from_db()
    assert "Exemplu" not in submission.xml and "consent" not in submission.xml
    assert submission.instance_id in submission.xml


def test_a_child_consenting_alone_goes_to_review_and_nothing_is_half_made(forms, personas):
    submission = send(forms[SCREENING], personas["caseworker@A"], screening(estimated_age="12"))
    assert submission.state == SubmissionState.TO_REVIEW
    assert "Question “given_by”, answer “person”" in submission.problem
    assert "a parent, guardian or caregiver gives consent" in submission.problem
    # One transaction: no person without a case, no case without its consent.
    assert not Person.objects.exists() and not Case.objects.exists()


def test_an_edit_of_a_draft_changes_it_and_of_a_confirmed_case_goes_to_review(forms, personas):
    from corridor.cases import services

    caseworker = personas["caseworker@A"]
    first = send(forms[SCREENING], caseworker, screening())
    edit = send(forms[SCREENING], caseworker, screening(given_name="Testina"), replaces=first)
    assert edit.state == SubmissionState.PROCESSED, edit.problem
    case = Case.objects.get()
    assert edit.record == first.record
    assert case.person.given_name == "Testina"
    # The case list's search finds the draft by its new name.
    listed = caseworker.organisation_id
    assert (
        Case.objects.visible_to(caseworker).search("testina", organisation_id=listed).get() == case
    )

    services.confirm_draft(by=caseworker, case=case)
    again = send(forms[SCREENING], caseworker, screening(given_name="Testo"), replaces=edit)
    assert again.state == SubmissionState.TO_REVIEW
    assert case.code in again.problem and "already confirmed" in again.problem
    case.person.refresh_from_db()
    assert case.person.given_name == "Testina"


def test_a_colleague_confirms_the_draft_and_another_organisation_cannot(forms, personas):
    send(forms[SCREENING], personas["caseworker@A"], screening())
    case = Case.objects.get()
    url = reverse("cases:draft_confirm", args=[case.pk])
    assert personas.client_for("caseworker@B").post(url).status_code == 404
    page = personas.client_for("supervisor@A").get(reverse("cases:case_detail", args=[case.pk]))
    assert "Confirm the case" in page.content.decode()
    response = personas.client_for("supervisor@A").post(url)
    assert response.status_code == 302
    case.refresh_from_db()
    # Screened on the phone: active, as a case screened at the desk.
    assert case.status == CaseStatus.ACTIVE
    assert AuditEntry.objects.filter(
        object_type="case", object_id=str(case.pk), details__confirmed=True
    ).exists()
    page = personas.client_for("supervisor@A").get(reverse("cases:case_detail", args=[case.pk]))
    assert "Confirm the case" not in page.content.decode()


def test_a_discarded_draft_and_its_person_are_shown_nowhere(forms, personas):
    submission = send(forms[SCREENING], personas["caseworker@A"], screening())
    case = Case.objects.get()
    client = personas.client_for("caseworker@A")
    url = reverse("cases:draft_discard", args=[case.pk])
    assert "This cannot be undone" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and Case.objects.filter(pk=case.pk).exists()
    assert personas.client_for("caseworker@B").post(url, {"reason": "x"}).status_code == 404

    response = client.post(url, {"reason": "Test sent by mistake"})
    assert response.status_code == 302
    assert not Case.objects.exists() and not Person.objects.exists()
    assert "discarded" in client.get(reverse("cases:case_list")).content.decode()  # the message
    assert case.code not in client.get(reverse("cases:case_list")).content.decode()
    registry = personas.client_for("registry_officer@A")
    assert "Testa" not in registry.get(reverse("cases:duplicate_list")).content.decode()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.KEPT and submission.record == ""
    assert "Test sent by mistake" in submission.problem
    entry = AuditEntry.objects.get(object_type="case", details__discarded=True)
    assert entry.reason == "Test sent by mistake" and entry.details["code"] == case.code


def test_a_draft_cannot_be_closed_or_set_active_before_it_is_confirmed(forms, personas):
    from django.core.exceptions import ValidationError

    from corridor.cases import services

    send(forms[SCREENING], personas["caseworker@A"], screening())
    case = Case.objects.get()
    with pytest.raises(ValidationError, match="confirm it first"):
        services.set_status(by=personas["caseworker@A"], case=case, status=CaseStatus.ACTIVE)
    with pytest.raises(ValidationError, match="confirm it first"):
        services.request_closure(by=personas["caseworker@A"], case=case, reason="refused")


def test_the_shipped_forms_are_loaded_with_their_purposes(forms):
    purposes = dict(CollectForm.objects.values_list("form_id", "purpose"))
    assert purposes == {
        REGISTRY: Purpose.FLOW_REGISTRY,
        SURVEY: Purpose.FLOW_SURVEY,
        SCREENING: Purpose.SCREENING,
    }
