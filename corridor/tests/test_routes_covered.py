"""Every route of the project has an access rule: a new page cannot ship without one."""

from django.urls import URLPattern, URLResolver, get_resolver

from corridor.accounts.tests.test_access import ROUTES as ACCOUNTS
from corridor.assistance.tests.test_access import ROUTES as ASSISTANCE
from corridor.audit.tests.test_access import ROUTES as AUDIT
from corridor.cases.tests.test_access import ROUTES as CASES
from corridor.collect.tests.test_access import ROUTES as COLLECT
from corridor.directory.tests.test_access import ROUTES as DIRECTORY
from corridor.flows.tests.test_access import ROUTES as FLOWS
from corridor.places.tests.test_access import ROUTES as PLACES
from corridor.referrals.tests.test_access import ROUTES as REFERRALS
from corridor.tests.test_access import ROUTES as PROJECT

COVERED = {
    rule.route
    for rule in [
        *PROJECT,
        *ACCOUNTS,
        *PLACES,
        *FLOWS,
        *AUDIT,
        *DIRECTORY,
        *CASES,
        *REFERRALS,
        *ASSISTANCE,
        *COLLECT,
    ]
}


def route_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else repr(pattern))
    return names


def test_every_route_has_an_access_test():
    routes = route_names(get_resolver())
    assert routes, "no route found: the walk over the URL configuration is broken"
    missing = sorted(routes - COVERED)
    assert not missing, f"routes without an access rule: {missing}"


def test_no_access_rule_names_a_route_that_does_not_exist():
    assert not COVERED - route_names(get_resolver())
