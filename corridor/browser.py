"""Browser tests in a real Chromium (Debian's, never a downloaded one) driven by Playwright.

The browser's path comes from CORRIDOR_CHROMIUM (default /usr/bin/chromium). Without it the
tests are skipped, unless CORRIDOR_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.urls import reverse

from corridor.accounts import totp
from corridor.accounts.models import User
from corridor.testing import second_factor_code

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
# Chromium's background services would try the network, which the field and CI may not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Live-server tests commit for real, and the database is emptied after each one.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def reference_data(transactional_db) -> None:
    """Countries, regions and points, loaded by the same code as the data migration."""
    from django.apps import apps

    from corridor.places.models import Country

    if not Country.objects.exists():
        importlib.import_module("corridor.places.migrations.0002_reference_data").load(apps, None)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium or set CORRIDOR_CHROMIUM"
        )
        if os.environ.get("CORRIDOR_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # tests themselves stay synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the real form, then pass the second factor if the role needs one:
    enrolling with the key the page shows, or typing a code from the stored secret."""
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    path = page.url.removeprefix(live_server.url).split("?")[0]
    if path == reverse("accounts:second_factor_enrol"):
        code = totp.code_now(page.locator("#totp-secret").inner_text().replace(" ", ""))
    elif path == reverse("accounts:second_factor_verify"):
        code = second_factor_code(User.objects.get(username=username))
    else:
        return
    form = page.locator("form", has=page.locator("#id_code"))
    form.locator("#id_code").fill(code)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
