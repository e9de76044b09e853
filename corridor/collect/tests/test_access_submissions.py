"""Who may reach the submissions routes of field data collection.

Two forms, each with a submission to review sent by the enumerator of A: one form holds
personal data, the other does not. A submission sent by B's enumerator stands for guessing
another organisation's id: A's enumerator gets "not found".
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.collect.models import CollectForm, Submission
from corridor.collect.tests.submission_fixtures import (
    attach,
    make_form,
    make_submission,
    make_version,
)
from corridor.testing import EVERY_ROLE, Access, Personas, assert_access, with_roles

ADMINISTRATORS = with_roles(Role.ADMINISTRATOR)
INFORMATION_OFFICERS = with_roles(Role.INFORMATION_OFFICER)
# Personal data: the sender and the supervisors of the sender's organisation; administrators
# see no personal data.
PERSONAL = {"enumerator@A", "supervisor@A"}
# No personal data: the sender, administrators and information officers.
NOT_PERSONAL = {"enumerator@A"} | ADMINISTRATORS | INFORMATION_OFFICERS
REVIEWERS_PERSONAL = {"supervisor@A"}
REVIEWERS_NOT_PERSONAL = ADMINISTRATORS | INFORMATION_OFFICERS


def waiting(personas: Personas, *, personal: bool = True, sender: str = "enumerator@A"):
    """A submission to review, with a photo, of a form with or without personal data."""
    form_id = "household" if personal else "counts"
    admin = personas["administrator@A"]
    form = CollectForm.objects.filter(form_id=form_id).first() or make_form(
        admin, form_id=form_id, personal=personal
    )
    version = form.versions.first() or make_version(form, admin)
    submission = make_submission(
        version, personas[sender], state="to_review", problem="Point inconnu", photo="p.jpg"
    )
    attach(submission, "p.jpg", b"\xff\xd8\xff synthetic", "image/jpeg")
    return submission


def submission_url(route: str, **options):
    def url(personas: Personas) -> str:
        return reverse(route, args=[waiting(personas, **options).pk])

    return url


def form_url(route: str, *extra: str, personal: bool = True):
    def url(personas: Personas) -> str:
        return reverse(route, args=[waiting(personas, personal=personal).form.pk, *extra])

    return url


def attachment_url(personal: bool = True):
    def url(personas: Personas) -> str:
        submission: Submission = waiting(personas, personal=personal)
        file = submission.attachments.get()
        return reverse("collect:submission_attachment", args=[submission.pk, file.pk])

    return url


ROUTES = [
    Access("collect:submission_index", allowed=EVERY_ROLE),
    Access("collect:review_queue", allowed=EVERY_ROLE),
    Access(
        "collect:submission_list",
        allowed=PERSONAL,
        url=form_url("collect:submission_list"),
    ),
    Access(
        "collect:submission_list",
        allowed=NOT_PERSONAL,
        url=form_url("collect:submission_list", personal=False),
    ),
    Access(
        "collect:submission_detail",
        allowed=PERSONAL,
        url=submission_url("collect:submission_detail"),
    ),
    Access(
        "collect:submission_detail",
        allowed=NOT_PERSONAL,
        url=submission_url("collect:submission_detail", personal=False),
    ),
    # Another organisation's submission: its id tells A's enumerator nothing.
    Access(
        "collect:submission_detail",
        allowed={"enumerator@B", "supervisor@B"},
        url=submission_url("collect:submission_detail", sender="enumerator@B"),
    ),
    Access("collect:submission_attachment", allowed=PERSONAL, url=attachment_url()),
    Access(
        "collect:submission_attachment", allowed=NOT_PERSONAL, url=attachment_url(personal=False)
    ),
    Access(
        "collect:submission_retry",
        allowed=PERSONAL,
        method="post",
        data={"back": "queue"},
        url=submission_url("collect:submission_retry"),
    ),
    Access(
        "collect:submission_retry",
        allowed=NOT_PERSONAL,
        method="post",
        url=submission_url("collect:submission_retry", personal=False),
    ),
    Access(
        "collect:submission_keep",
        allowed=REVIEWERS_PERSONAL,
        url=submission_url("collect:submission_keep"),
    ),
    Access(
        "collect:submission_keep",
        allowed=REVIEWERS_NOT_PERSONAL,
        url=submission_url("collect:submission_keep", personal=False),
    ),
    Access(
        "collect:submission_keep",
        allowed=REVIEWERS_PERSONAL,
        method="post",
        data={"reason": "Doublon d'essai"},
        url=submission_url("collect:submission_keep"),
    ),
    Access(
        "collect:submission_keep",
        allowed=REVIEWERS_NOT_PERSONAL,
        method="post",
        data={"reason": "Doublon d'essai"},
        url=submission_url("collect:submission_keep", personal=False),
    ),
    Access(
        "collect:submission_export",
        allowed=REVIEWERS_PERSONAL,
        url=form_url("collect:submission_export", "csv"),
    ),
    Access(
        "collect:submission_export",
        allowed=REVIEWERS_PERSONAL,
        url=form_url("collect:submission_export", "xlsx"),
    ),
    Access(
        "collect:submission_export",
        allowed=REVIEWERS_NOT_PERSONAL,
        url=form_url("collect:submission_export", "csv", personal=False),
    ),
    Access(
        "collect:submission_export",
        allowed=REVIEWERS_NOT_PERSONAL,
        url=form_url("collect:submission_export", "xlsx", personal=False),
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
