"""Access to the project-wide pages and the API documentation."""

import pytest

from corridor.testing import ANONYMOUS, EVERYONE, SIGNED_IN, Access, assert_access

ROUTES = [
    Access("home", allowed=SIGNED_IN),
    Access("health", allowed=EVERYONE),
    Access("set_language", allowed=EVERYONE, method="post", data={"language": "en"}),
    Access("api:openapi-view", allowed=SIGNED_IN),
    Access("api:openapi-json", allowed=SIGNED_IN),
    # Django Ninja's root only names the API's base path: it answers 404 to everyone.
    Access("api:api-root", allowed=set(), api=True),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)


def test_anonymous_is_listed_among_refused_personas_of_home():
    assert ANONYMOUS not in ROUTES[0].allowed
