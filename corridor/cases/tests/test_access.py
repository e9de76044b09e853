import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.cases import services
from corridor.cases.models import ConsentPurpose, ConsentText, DuplicateCandidate
from corridor.cases.tests.conftest import case_of
from corridor.testing import Access, assert_access, with_roles

CASE_WORKERS = with_roles(Role.CASEWORKER, Role.SUPERVISOR)
CASE_WORKERS_OF_A = with_roles(Role.CASEWORKER, Role.SUPERVISOR, organisations=["A"])


def consent_of_a(personas):
    case = case_of(personas, "A")
    ConsentText.objects.get_or_create(
        purpose=ConsentPurpose.STATISTICS, language="fr", version=1, defaults={"body": "Texte"}
    )
    return services.record_consent(
        by=personas["caseworker@A"],
        case=case,
        purpose=ConsentPurpose.STATISTICS,
        given=True,
        language="fr",
    )


def case_url(name: str):
    return lambda p: reverse(name, args=[case_of(p, "A").pk])


REGISTRY_OFFICERS = with_roles(Role.REGISTRY_OFFICER)


def duplicate_pair(personas) -> DuplicateCandidate:
    first, second = case_of(personas, "A").person, case_of(personas, "B").person
    return DuplicateCandidate.objects.create(person_a=first, person_b=second, probability=0.97)


ROUTES = [
    Access("cases:case_list", allowed=CASE_WORKERS),
    Access("cases:person_register", allowed=CASE_WORKERS),
    Access("cases:case_detail", allowed=CASE_WORKERS_OF_A, url=case_url("cases:case_detail")),
    Access("cases:consent_create", allowed=CASE_WORKERS_OF_A, url=case_url("cases:consent_create")),
    Access(
        "cases:screening_create",
        allowed=CASE_WORKERS_OF_A,
        url=case_url("cases:screening_create"),
    ),
    Access(
        "cases:consent_withdraw",
        allowed=CASE_WORKERS_OF_A,
        url=lambda p: reverse("cases:consent_withdraw", args=[consent_of_a(p).pk]),
    ),
    Access(
        "cases:person_detail",
        allowed=CASE_WORKERS_OF_A,
        url=lambda p: reverse("cases:person_detail", args=[case_of(p, "A").person_id]),
    ),
    Access("cases:access_request_list", allowed=CASE_WORKERS),
    Access(
        "cases:access_request",
        allowed=CASE_WORKERS,
        method="post",
        # Asking organisation A about its person: any caseworker or supervisor may ask.
        url=lambda p: reverse(
            "cases:access_request",
            args=[case_of(p, "A").person_id, p.organisations["A"].pk],
        ),
    ),
    Access("cases:duplicate_list", allowed=REGISTRY_OFFICERS),
    Access(
        "cases:duplicate_review",
        allowed=REGISTRY_OFFICERS,
        url=lambda p: reverse("cases:duplicate_review", args=[duplicate_pair(p).pk]),
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
