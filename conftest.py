"""Test-wide set-up. `make test` runs pytest with DEBUG=1 (development settings)."""

import pytest

from corridor.browser import chromium, reference_data  # noqa: F401  (fixtures)
from corridor.testing import personas  # noqa: F401


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is what production uses (tested on its own); here it would only slow the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_process_caches():
    # What a server process keeps between requests must not carry one test's data into the
    # next: answer parsers (points, countries), phone keys verified lately, the registry's name
    # communities.
    from corridor.cases.duplicates import forget_communities
    from corridor.collect.auth import forget_verified_keys
    from corridor.flows.imports import forget_parsers

    forget_parsers()
    forget_verified_keys()
    forget_communities()
