"""What people see of what phones sent: a form's submissions, one submission, the review queue."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from corridor.audit.models import AuditEntry
from corridor.collect import processing
from corridor.collect.models import Submission, SubmissionState
from corridor.collect.tests.submission_fixtures import (
    PLAIN_XFORM,
    attach,
    make_form,
    make_submission,
    make_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    """A form holding personal data, its version 1, and a submission by A's enumerator."""
    form = make_form(personas["administrator@A"])
    version = make_version(form, personas["administrator@A"])
    submission = make_submission(version, personas["enumerator@A"], photo="photo-1.jpg")
    attach(submission, "photo-1.jpg", b"\xff\xd8\xffsynthetic-jpeg", "image/jpeg")
    return submission


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def audit_views(submission: Submission):
    return AuditEntry.objects.for_object("submission", submission.pk).filter(
        action=AuditEntry.Action.VIEW
    )


# One submission -----------------------------------------------------------------------------


def test_answers_are_shown_with_the_forms_french_labels(personas, household):
    client = personas.client_for("supervisor@A")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    # Question labels and choice labels from the XForm's French translation (the default).
    assert "Ville" in page and "Obock-ville" in page
    assert "Taille du ménage" in page
    # The repeat is a table: its title, its columns, one row per member.
    assert "Membre du ménage" in page
    assert "Prénom" in page and "Âge" in page
    assert "Test-Prenom-Un" in page and "Test-Prenom-Deux" in page
    assert "Obock town" not in page and "First name" not in page
    # The instance's own metadata is in the page's header, not among the answers.
    assert "meta/instanceID" not in page


def test_answers_follow_the_users_language_when_the_form_has_it(personas, household):
    client = in_english(personas.client_for("supervisor@A"))
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    assert "Town" in page and "Obock town" in page
    assert "First name" in page and "Household member" in page
    assert "Prénom" not in page


def test_a_language_the_form_lacks_falls_back_to_its_default(personas, household):
    client = personas.client_for("supervisor@A")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    assert "Prénom" in page


def test_a_question_without_label_shows_its_name(personas):
    admin = personas["administrator@A"]
    form = make_form(admin, form_id="plain", personal=False)
    version = make_version(form, admin, text=PLAIN_XFORM)
    xml = (
        '<data id="plain" version="1"><size>7</size><unlabelled>secret-sauce</unlabelled>'
        "<meta><instanceID>uuid:plain-1</instanceID></meta></data>"
    )
    submission = make_submission(version, admin, xml=xml, instance_id="uuid:plain-1")
    page = (
        personas.client_for("administrator@A")
        .get(reverse("collect:submission_detail", args=[submission.pk]))
        .content.decode()
    )
    assert "Group size" in page
    assert "unlabelled" in page and "secret-sauce" in page


def test_photo_is_shown_and_downloadable(personas, household):
    client = personas.client_for("supervisor@A")
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    file = household.attachments.get()
    url = reverse("collect:submission_attachment", args=[household.pk, file.pk])
    assert f'<img src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b"\xff\xd8\xffsynthetic-jpeg"


def test_a_file_that_could_run_in_the_browser_is_only_downloaded(personas, household):
    svg = attach(household, "drawing.svg", b"<svg><script>alert(1)</script></svg>", "image/svg+xml")
    client = personas.client_for("supervisor@A")
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    url = reverse("collect:submission_attachment", args=[household.pk, svg.pk])
    assert f'<img src="{url}"' not in page
    response = client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_every_view_and_download_of_personal_data_is_audited(personas, household):
    client = personas.client_for("supervisor@A")
    url = reverse("collect:submission_detail", args=[household.pk])
    client.get(url)
    client.get(url)
    entries = audit_views(household)
    assert entries.count() == 2
    assert {entry.actor_username for entry in entries} == {personas["supervisor@A"].username}
    file = household.attachments.get()
    client.get(reverse("collect:submission_attachment", args=[household.pk, file.pk]))
    assert audit_views(household).count() == 3
    assert audit_views(household).filter(details__file="photo-1.jpg").count() == 1


def test_a_form_without_personal_data_is_not_audited(personas):
    admin = personas["administrator@A"]
    version = make_version(make_form(admin, form_id="counts", personal=False), admin)
    submission = make_submission(version, personas["enumerator@A"])
    response = personas.client_for("information_officer@B").get(
        reverse("collect:submission_detail", args=[submission.pk])
    )
    assert response.status_code == 200
    assert not audit_views(submission).exists()


def test_a_refused_view_leaves_no_audit_entry_and_says_not_found(personas, household):
    """Guessing another organisation's submission id: not found, as for an id that is not."""
    response = personas.client_for("enumerator@B").get(
        reverse("collect:submission_detail", args=[household.pk])
    )
    assert response.status_code == 404
    response = personas.client_for("information_officer@A").get(
        reverse("collect:submission_detail", args=[household.pk])
    )
    assert response.status_code == 404
    assert not audit_views(household).exists()


def test_an_encrypted_submission_shows_only_its_metadata(personas, household):
    household.state = SubmissionState.ENCRYPTED
    household.save()
    client = personas.client_for("supervisor@A")
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    assert household.instance_id in page
    assert "Test-Prenom-Un" not in page and "Obock-ville" not in page
    assert "photo-1.jpg" not in page
    file = household.attachments.get()
    url = reverse("collect:submission_attachment", args=[household.pk, file.pk])
    assert client.get(url).status_code == 404
    assert audit_views(household).count() == 1  # the view of the metadata is audited too


def test_what_it_became_and_its_history(personas, household):
    household.state = SubmissionState.REPLACED
    household.save()
    edit = make_submission(
        household.version,
        personas["enumerator@A"],
        replaces=household,
        record="flows.grouprecord:12",
    )
    client = personas.client_for("supervisor@A")
    page = client.get(reverse("collect:submission_detail", args=[edit.pk])).content.decode()
    assert f'href="{reverse("flows:group_edit", args=[12])}"' in page
    assert f'href="{reverse("collect:submission_detail", args=[household.pk])}"' in page
    page = client.get(reverse("collect:submission_detail", args=[household.pk])).content.decode()
    assert f'href="{reverse("collect:submission_detail", args=[edit.pk])}"' in page


# A form's submissions -----------------------------------------------------------------------


def test_list_shows_the_submissions_with_state_and_reason(personas, household):
    make_submission(
        household.version, personas["enumerator@A"], state="to_review", problem="Point inconnu X9"
    )
    page = (
        personas.client_for("supervisor@A")
        .get(reverse("collect:submission_list", args=[household.form.pk]))
        .content.decode()
    )
    assert "Point inconnu X9" in page
    assert page.count(reverse("collect:submission_detail", args=[household.pk])) == 1
    assert str(personas["enumerator@A"]) in page  # who sent it


def test_list_filters_by_state_and_by_date(personas, household):
    other = make_submission(
        household.version, personas["enumerator@A"], state="to_review", problem="Reason Q"
    )
    Submission.objects.filter(pk=household.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=10)
    )
    client = personas.client_for("supervisor@A")
    url = reverse("collect:submission_list", args=[household.form.pk])
    household_link = reverse("collect:submission_detail", args=[household.pk])
    other_link = reverse("collect:submission_detail", args=[other.pk])
    page = client.get(url, {"state": "to_review"}).content.decode()
    assert other_link in page and household_link not in page
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    page = client.get(url, {"since": since}).content.decode()
    assert other_link in page and household_link not in page
    until = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    page = client.get(url, {"until": until}).content.decode()
    assert household_link in page and other_link not in page
    response = client.get(url, {"since": since, "until": until})
    assert other_link not in response.content.decode()
    assert "errors" in response.content.decode()


def test_a_sender_sees_only_their_own_submissions(personas, household):
    mine = make_submission(household.version, personas["administrator@A"])
    page = (
        personas.client_for("enumerator@A")
        .get(reverse("collect:submission_list", args=[household.form.pk]))
        .content.decode()
    )
    assert reverse("collect:submission_detail", args=[household.pk]) in page
    assert reverse("collect:submission_detail", args=[mine.pk]) not in page


def test_index_lists_only_the_forms_one_may_see(personas, household):
    admin = personas["administrator@A"]
    make_form(admin, form_id="counts", personal=False, title="Comptages test")
    page = personas.client_for("information_officer@A").get(reverse("collect:submission_index"))
    text = page.content.decode()
    assert "Comptages test" in text and "Ménages test" not in text
    text = personas.client_for("enumerator@A").get(reverse("collect:submission_index")).content
    assert "Ménages test" in text.decode() and "Comptages test" not in text.decode()


# Review queue -------------------------------------------------------------------------------


@pytest.fixture
def to_review(personas, household):
    household.state = SubmissionState.TO_REVIEW
    household.problem = "Le point de suivi OBK-99 n'existe pas."
    household.save()
    return household


def test_queue_shows_the_reason_to_those_who_may_see_it(personas, to_review):
    url = reverse("collect:review_queue")
    for name in ("supervisor@A", "enumerator@A"):
        page = personas.client_for(name).get(url).content.decode()
        assert "OBK-99" in page, name
    # Administrators see no personal data; B's supervisor not A's.
    for name in ("administrator@A", "information_officer@A", "enumerator@B", "supervisor@B"):
        page = personas.client_for(name).get(url).content.decode()
        assert "OBK-99" not in page, name


def test_only_a_reviewer_is_offered_to_keep_it(personas, to_review):
    keep = reverse("collect:submission_keep", args=[to_review.pk])
    queue = reverse("collect:review_queue")
    assert keep in personas.client_for("supervisor@A").get(queue).content.decode()
    assert keep not in personas.client_for("enumerator@A").get(queue).content.decode()
    assert personas.client_for("enumerator@A").post(keep, {"reason": "x"}).status_code == 403
    to_review.refresh_from_db()
    assert to_review.state == SubmissionState.TO_REVIEW


def test_keep_as_it_is_asks_for_a_reason_then_records_it(personas, to_review):
    client = personas.client_for("supervisor@A")
    url = reverse("collect:submission_keep", args=[to_review.pk])
    page = client.get(url).content.decode()
    assert "OBK-99" in page and 'name="reason"' in page
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    to_review.refresh_from_db()
    assert to_review.state == SubmissionState.TO_REVIEW
    response = client.post(url, {"reason": "Test de formation, pas un vrai groupe."})
    assert response.status_code == 302
    to_review.refresh_from_db()
    assert to_review.state == SubmissionState.KEPT
    entry = AuditEntry.objects.for_object("submission", to_review.pk).get(
        action=AuditEntry.Action.CHANGE
    )
    assert entry.reason == "Test de formation, pas un vrai groupe."
    assert entry.details["state"] == "kept"
    assert "OBK-99" not in client.get(reverse("collect:review_queue")).content.decode()
    page = client.get(reverse("collect:submission_detail", args=[to_review.pk])).content.decode()
    assert "Test de formation, pas un vrai groupe." in page


def test_keeping_twice_does_not_record_twice(personas, to_review):
    url = reverse("collect:submission_keep", args=[to_review.pk])
    personas.client_for("supervisor@A").post(url, {"reason": "Premier"})
    response = personas.client_for("supervisor@A").post(url, {"reason": "Second"})
    assert response.status_code == 302
    decisions = AuditEntry.objects.for_object("submission", to_review.pk).filter(
        action=AuditEntry.Action.CHANGE
    )
    assert [entry.reason for entry in decisions] == ["Premier"]


@pytest.mark.skipif(
    not hasattr(processing, "retry"),
    reason="corridor.collect.processing.retry(submission, by) is not written yet",
)
def test_try_again_runs_the_processing_again(personas, to_review):
    client = personas.client_for("supervisor@A")
    response = client.post(
        reverse("collect:submission_retry", args=[to_review.pk]), {"back": "queue"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("collect:review_queue")
    to_review.refresh_from_db()
    messages = [str(m) for m in response.wsgi_request._messages]
    # Either it became something, or it is still to review and the page says why.
    if to_review.state == SubmissionState.TO_REVIEW:
        assert any(to_review.problem in message for message in messages)
    else:
        assert any(str(to_review.get_state_display()) in message for message in messages)


def test_try_again_is_refused_to_who_cannot_see_it(personas, to_review):
    response = personas.client_for("enumerator@B").post(
        reverse("collect:submission_retry", args=[to_review.pk])
    )
    assert response.status_code == 404
    to_review.refresh_from_db()
    assert to_review.state == SubmissionState.TO_REVIEW
