"""Test-wide set-up. `make test` runs pytest with DEBUG=1 (development settings)."""

import pytest

from corridor.browser import chromium, reference_data  # noqa: F401  (fixtures)
from corridor.testing import personas  # noqa: F401


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is what production uses (tested on its own); here it would only slow the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
