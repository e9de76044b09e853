"""The cases API: scoped like the pages, audited, and never reached with a token."""

from django.urls import reverse

from corridor.accounts.services import create_api_token
from corridor.audit.models import AuditEntry
from corridor.cases.tests.conftest import case_of


def test_the_list_holds_only_the_own_organisation_and_records_each_view(personas):
    mine = case_of(personas, "A", given_name="Apitesta")
    case_of(personas, "B", given_name="Apitestb")
    response = personas.client_for("caseworker@A").get(reverse("api:list_cases"), {"q": "Apitest"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["code"] for item in items] == [mine.code]
    assert items[0]["given_name"] == "Apitesta"
    assert AuditEntry.objects.filter(action="search", details__query="Apitest").count() == 1
    assert AuditEntry.objects.filter(
        action="view", object_type="case", object_id=str(mine.pk)
    ).exists()


def test_another_organisations_case_is_not_found(personas):
    theirs = case_of(personas, "B")
    response = personas.client_for("caseworker@A").get(reverse("api:get_case", args=[theirs.pk]))
    assert response.status_code == 404


def test_a_token_reaches_no_personal_data(personas):
    case_of(personas, "A")
    _token, key = create_api_token(
        by=personas["administrator@A"], user=personas["caseworker@A"], name="essai"
    )
    response = personas.client_for("anonymous").get(
        reverse("api:list_cases"), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
    assert "tokens" in response.json()["detail"]
