import pytest

from corridor.accounts.models import Role
from corridor.testing import Access, assert_access, with_roles

DATA_PROTECTION_OFFICERS = with_roles(Role.DATA_PROTECTION_OFFICER)

ROUTES: list[Access] = [
    Access("audit:entry_list", allowed=DATA_PROTECTION_OFFICERS),
    Access("audit:entry_export", allowed=DATA_PROTECTION_OFFICERS),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
