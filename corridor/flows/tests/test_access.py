import datetime

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.flows.models import GroupRecord, ImportBatch
from corridor.testing import Access, assert_access, with_roles

ENTERS_DATA = with_roles(Role.ENUMERATOR, Role.INFORMATION_OFFICER)
OFFICERS = with_roles(Role.INFORMATION_OFFICER)
ENUMERATOR_A_AND_OFFICERS = OFFICERS | {"enumerator@A"}


def record_of_enumerator_a(personas) -> GroupRecord:
    enumerator = personas["enumerator@A"]
    return GroupRecord.objects.create(
        day=datetime.date(2024, 6, 1),
        point=enumerator.assigned_points.get(),
        kind_of_flow="incoming",
        nationality_id="ET",
        adult_men=2,
        enumerator=enumerator,
        recorded_by=enumerator,
    )


def batch_of_enumerator_a(personas) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="registry",
        file_name="groups.csv",
        file_sha256="0" * 64,
        stored_path="missing.csv",
        status=ImportBatch.Status.INVALID,
        uploaded_by=personas["enumerator@A"],
    )


ROUTES = [
    Access("flows:group_list", allowed=ENTERS_DATA),
    Access("flows:group_create", allowed=ENTERS_DATA),
    Access(
        "flows:group_edit",
        allowed=ENUMERATOR_A_AND_OFFICERS,
        url=lambda p: reverse("flows:group_edit", args=[record_of_enumerator_a(p).pk]),
    ),
    Access("flows:interview_create", allowed=ENTERS_DATA),
    Access("flows:import_create", allowed=ENTERS_DATA),
    Access(
        "flows:import_detail",
        allowed=ENUMERATOR_A_AND_OFFICERS,
        url=lambda p: reverse("flows:import_detail", args=[batch_of_enumerator_a(p).pk]),
    ),
    Access(
        "flows:import_confirm",
        allowed=ENUMERATOR_A_AND_OFFICERS,
        method="post",
        url=lambda p: reverse("flows:import_confirm", args=[batch_of_enumerator_a(p).pk]),
    ),
    Access("flows:quality", allowed=OFFICERS),
    Access(
        "flows:report",
        allowed=with_roles(Role.ENUMERATOR, Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER),
        url=lambda p: reverse("flows:report", args=["2024-10", "html"]),
    ),
    Access(
        "flows:dashboard_export",
        allowed=with_roles(Role.ENUMERATOR, Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER),
        url=lambda p: reverse("flows:dashboard_export", args=["csv"]),
    ),
    Access(
        "api:dashboard",
        allowed=with_roles(Role.ENUMERATOR, Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER),
        api=True,
    ),
    Access(
        "flows:dashboard",
        allowed=with_roles(Role.ENUMERATOR, Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER),
    ),
    Access(
        "flows:validate_day",
        allowed=OFFICERS,
        method="post",
        url=lambda p: reverse(
            "flows:validate_day", args=[record_of_enumerator_a(p).point_id, "2024-06-01"]
        ),
    ),
    Access("flows:month_lock", allowed=OFFICERS, method="post", data={"month": "2024-06"}),
    Access(
        "flows:month_unlock",
        allowed=OFFICERS,
        method="post",
        data={"month": "2024-06", "reason": "Correction of a typing error"},
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
