"""The whole way of a form Corridor did not write: uploaded as XLSForm on the web page, listed
and downloaded by a phone following OpenRosa, filled (a group, a repeat, a cascading select),
sent, then read on the submission's page and in the XLSX export."""

from __future__ import annotations

import hashlib
import io

import pytest
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from corridor.accounts.models import Role
from corridor.collect.models import CollectForm, Submission, SubmissionState
from corridor.collect.tests.test_openrosa_helpers import Phone, new_instance_id
from corridor.collect.tests.xlsforms import foreign_form

XFORMS_LIST = "{http://openrosa.org/xforms/xformsList}"


@pytest.fixture
def administrator(personas):
    return personas.client_for("administrator@A")


def test_a_foreign_xlsform_goes_from_upload_to_phone_to_export(
    personas, administrator, django_capture_on_commit_callbacks
):
    # The administrator uploads the partner's XLSForm and gives it to the enumerators.
    upload = administrator.post(
        reverse("collect:form_upload"),
        {
            "file": SimpleUploadedFile("menage.xlsx", foreign_form()),
            "purpose": "",
            "holds_personal_data": "",
        },
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    form = CollectForm.objects.get(form_id="household_partner")
    assign = administrator.post(
        reverse("collect:form_assign", args=[form.pk]), {"roles": [Role.ENUMERATOR]}
    )
    assert assign.status_code == 302

    # An enumerator's phone lists it and downloads it: the hash is that of what it receives.
    phone = Phone(personas["enumerator@A"])
    listed = fromstring(phone.form_list().content)
    entry = next(
        xform
        for xform in listed.iter(f"{XFORMS_LIST}xform")
        if xform.findtext(f"{XFORMS_LIST}formID") == "household_partner"
    )
    assert entry.findtext(f"{XFORMS_LIST}version") == "2024061801"
    download = phone.get(entry.findtext(f"{XFORMS_LIST}downloadUrl"))
    assert download.status_code == 200
    served = download.content
    assert (
        entry.findtext(f"{XFORMS_LIST}hash")
        == "md5:" + hashlib.md5(served, usedforsecurity=False).hexdigest()
    )
    assert b"choice_filter" not in served and b"region" in served  # the cascading select

    # Filled on the phone: two members in the repeat, the town within the region.
    instance_id = new_instance_id()
    filled = (
        '<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms" id="household_partner" version="2024061801">'
        "<place><region>obock</region><town>fantaherou</town></place>"
        "<household_size>2</household_size>"
        "<member><member_name>Synthetic Amina</member_name><member_age>34</member_age>"
        "<in_school/></member>"
        "<member><member_name>Synthetic Omar</member_name><member_age>9</member_age>"
        "<in_school>yes</in_school></member>"
        "<adults>2</adults><summary/>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()
    assert phone.head_submission().status_code == 204
    with django_capture_on_commit_callbacks(execute=True):  # processed once stored, as served
        sent = phone.submit(filled)
    assert sent.status_code == 201
    assert phone.submit(filled).status_code == 202  # the phone did not hear the answer
    submission = Submission.objects.get(instance_id=instance_id)
    assert submission.state == SubmissionState.KEPT

    # It holds personal data (names): the enumerator's supervisor reads it, not the
    # administrator; labels in French, the repeat as a table.
    assert (
        administrator.get(reverse("collect:submission_detail", args=[submission.pk])).status_code
        == 404
    )
    supervisor = personas.client_for("supervisor@A")
    supervisor.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = supervisor.get(reverse("collect:submission_detail", args=[submission.pk]))
    text = page.content.decode()
    assert "Combien de personnes dans le ménage" in text
    assert "Fantaherou" in text and "Synthetic Omar" in text

    # And exports it: one column a question, the repeat in a sheet of its own.
    export = supervisor.get(reverse("collect:submission_export", args=[form.pk, "xlsx"]))
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    main = list(workbook.worksheets[0].values)
    assert "place/town" in main[0] and main[1][main[0].index("place/town")] == "fantaherou"
    members = list(workbook.worksheets[1].values)
    assert workbook.sheetnames == ["Soumissions", "member"]  # in the reader's language
    names = [row[members[0].index("member/member_name")] for row in members[1:]]
    assert names == ["Synthetic Amina", "Synthetic Omar"]
