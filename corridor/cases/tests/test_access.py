import datetime

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.cases import services
from corridor.cases.models import ConsentPurpose, ConsentText, DuplicateCandidate
from corridor.cases.tests.conftest import case_of, person_values
from corridor.cases.tests.test_management import closed_case, closure_of, transfer_to_b
from corridor.testing import Access, assert_access, with_roles

CASE_WORKERS = with_roles(Role.CASEWORKER, Role.SUPERVISOR)
CASE_WORKERS_OF_A = with_roles(Role.CASEWORKER, Role.SUPERVISOR, organisations=["A"])
CASE_WORKERS_OF_B = with_roles(Role.CASEWORKER, Role.SUPERVISOR, organisations=["B"])
SUPERVISORS = with_roles(Role.SUPERVISOR)
SUPERVISOR_OF_A = with_roles(Role.SUPERVISOR, organisations=["A"])


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


def draft_of_a(personas):
    """A draft case, as a screening form sent from a phone by the caseworker of A makes it."""
    _person, case = services.register_person(
        by=personas["caseworker@A"], values=person_values(), draft=True
    )
    return case


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
    Access("api:list_cases", allowed=CASE_WORKERS, api=True),
    Access(
        "api:get_case",
        allowed=CASE_WORKERS_OF_A,
        api=True,
        url=lambda p: reverse("api:get_case", args=[case_of(p, "A").pk]),
    ),
    Access("cases:duplicate_list", allowed=REGISTRY_OFFICERS),
    Access(
        "cases:duplicate_review",
        allowed=REGISTRY_OFFICERS,
        url=lambda p: reverse("cases:duplicate_review", args=[duplicate_pair(p).pk]),
    ),
]


def action_of_a(personas):
    return services.add_action(
        by=personas["caseworker@A"],
        case=case_of(personas, "A"),
        what="Testaction",
        due_on=datetime.date.today(),
    )


# Case management. Object routes name organisation A's case, or a transfer from A to B.
MANAGEMENT_ROUTES = [
    Access("cases:action_create", allowed=CASE_WORKERS_OF_A, url=case_url("cases:action_create")),
    Access(
        "cases:action_done",
        allowed=CASE_WORKERS_OF_A,
        method="post",
        url=lambda p: reverse("cases:action_done", args=[action_of_a(p).pk]),
    ),
    Access("cases:note_list", allowed=CASE_WORKERS_OF_A, url=case_url("cases:note_list")),
    Access("cases:note_create", allowed=CASE_WORKERS_OF_A, url=case_url("cases:note_create")),
    Access("cases:status_change", allowed=CASE_WORKERS_OF_A, url=case_url("cases:status_change")),
    Access(
        "cases:closure_request", allowed=CASE_WORKERS_OF_A, url=case_url("cases:closure_request")
    ),
    Access(
        "cases:case_reopen",
        allowed=CASE_WORKERS_OF_A,
        url=lambda p: reverse("cases:case_reopen", args=[closed_case(p).pk]),
    ),
    Access(
        "cases:draft_confirm",
        allowed=CASE_WORKERS_OF_A,
        method="post",
        url=lambda p: reverse("cases:draft_confirm", args=[draft_of_a(p).pk]),
    ),
    Access(
        "cases:draft_discard",
        allowed=CASE_WORKERS_OF_A,
        url=lambda p: reverse("cases:draft_discard", args=[draft_of_a(p).pk]),
    ),
    Access(
        "cases:transfer_create", allowed=CASE_WORKERS_OF_A, url=case_url("cases:transfer_create")
    ),
    Access("cases:closure_requests", allowed=SUPERVISORS),
    Access(
        "cases:closure_decide",
        allowed=SUPERVISOR_OF_A,
        url=lambda p: reverse("cases:closure_decide", args=[closure_of(p, case_of(p, "A")).pk]),
    ),
    Access("cases:transfer_list", allowed=CASE_WORKERS),
    Access(
        "cases:transfer_accept",
        allowed=CASE_WORKERS_OF_B,
        url=lambda p: reverse("cases:transfer_accept", args=[transfer_to_b(p).pk]),
    ),
    Access(
        "cases:transfer_decline",
        allowed=CASE_WORKERS_OF_B,
        url=lambda p: reverse("cases:transfer_decline", args=[transfer_to_b(p).pk]),
    ),
    Access(
        "cases:transfer_cancel",
        allowed=CASE_WORKERS_OF_A,
        url=lambda p: reverse("cases:transfer_cancel", args=[transfer_to_b(p).pk]),
    ),
]

ROUTES += MANAGEMENT_ROUTES

# Cases as CSV keyed by HTCDS 2.0 field names: the organisation's own cases, both ways.
ROUTES += [
    Access("cases:htcds_export", allowed=CASE_WORKERS),
    Access("cases:htcds_import", allowed=CASE_WORKERS),
    Access("cases:htcds_import", allowed=CASE_WORKERS, method="post"),
]


def same_roles_in_the_other_organisation(allowed: set[str]) -> set[str]:
    other = {"A": "B", "B": "A"}
    return {f"{name[:-1]}{other[name[-1]]}" for name in allowed}


@pytest.mark.parametrize("rule", [r for r in MANAGEMENT_ROUTES if r.url], ids=str)
def test_another_organisations_ids_are_not_found(personas, rule):
    """The same roles in the other organisation are not told the record exists: 404."""
    url = rule.resolve(personas)
    for name in same_roles_in_the_other_organisation(rule.allowed):
        response = getattr(personas.client_for(name), rule.method)(url, rule.data)
        assert response.status_code == 404, (name, response.status_code)


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
