"""Who may reach the imports of KoboToolbox and ODK Central exports (information officers)."""

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.flows.models import ImportBatch
from corridor.testing import Access, assert_access, with_roles

OFFICERS = with_roles(Role.INFORMATION_OFFICER)


def batch_of_officer_a(personas) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="registry",
        file_name="kobo-export.csv",
        file_sha256="1" * 64,
        stored_path="missing.csv",
        status=ImportBatch.Status.INVALID,
        uploaded_by=personas["information_officer@A"],
    )


ROUTES = [
    Access("collect:export_import", allowed=OFFICERS),
    Access(
        "collect:export_import_detail",
        allowed=OFFICERS,
        url=lambda p: reverse("collect:export_import_detail", args=[batch_of_officer_a(p).pk]),
    ),
    Access(
        "collect:export_import_confirm",
        allowed=OFFICERS,
        method="post",
        url=lambda p: reverse("collect:export_import_confirm", args=[batch_of_officer_a(p).pk]),
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
