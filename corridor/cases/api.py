"""Cases for other systems: the same scoping and auditing as the pages.

Session authentication only (with its second factor): an API token is a second credential
without a second factor, so it reaches no personal data.
"""

# No `from __future__ import annotations`: @paginate resolves the annotations at run time.
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from corridor.audit.services import record, record_many
from corridor.cases.models import Case
from corridor.cases.schemas import CaseOut
from corridor.cases.services import WORKS_ON_CASES

router = Router(tags=["cases"])


def _cases(request: HttpRequest):
    if request.headers.get("Authorization"):
        raise HttpError(403, _("API tokens do not reach personal data: sign in instead."))
    if not request.auth.has_role(*WORKS_ON_CASES):
        raise HttpError(403, _("Your role does not give access to cases."))
    return Case.objects.visible_to(request.auth).select_related("person")


@router.get("/", response=list[CaseOut])
@paginate
def list_cases(request: HttpRequest, q: str = ""):
    """Your organisation's cases, newest first; `q` finds a case code, or names by the start of
    each of its words ("has moh": Hassan Mohamed); every search is audited."""
    cases = _cases(request)
    if q.strip():
        cases = cases.search(q, organisation_id=request.auth.organisation_id)
        record(
            actor=request.auth,
            action="search",
            object_type="case",
            details={"query": q.strip(), "via": "api"},
            request=request,
        )
    return _Audited(cases, request)


@router.get("/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: int):
    case = get_object_or_404(_cases(request), pk=case_id)
    record(
        actor=request.auth, action="view", object_type="case", object_id=case.pk, request=request
    )
    return case


class _Audited:
    """A queryset whose slice (the page the paginator takes) records a view of each case."""

    def __init__(self, cases, request: HttpRequest) -> None:
        self.cases, self.request = cases, request

    def count(self) -> int:
        return self.cases.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        page = list(self.cases[window])
        record_many(
            actor=self.request.auth,
            action="view",
            object_type="case",
            object_ids=[case.pk for case in page],
            details={"via": "api"},
            request=self.request,
        )
        return page
