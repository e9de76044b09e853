"""French by default, English complete, Arabic right-to-left, and honest about translations."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from corridor.testing import Personas


def page_in(client, language, url):
    client.post(reverse("set_language"), {"language": language, "next": url})
    return client.get(url).content.decode()


def test_english_page(client, db):
    page = page_in(client, "en", reverse("accounts:login"))
    assert '<html lang="en" dir="ltr">' in page
    assert "Log in" in page
    # English is the source language: nothing to review, nothing shown in French.
    assert "not yet been reviewed" not in page


def test_arabic_page_is_right_to_left_translated_and_marked_unreviewed(client, db):
    page = page_in(client, "ar", reverse("accounts:login"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "تسجيل الدخول" in page
    assert 'class="translation-note"' in page
    assert "data-untranslated" not in page  # every text of the page is translated


def test_french_translation_is_also_marked_unreviewed(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="translation-note"' in page


@pytest.fixture
def arabic_missing_log_in():
    """Take "Log in" out of the Arabic catalogue, as for a text not translated yet."""
    catalogues = trans_real.translation("ar")._catalog._catalogs
    saved = [(c, c.pop("Log in")) for c in catalogues if "Log in" in c]
    assert saved, "the Arabic catalogue should translate 'Log in'"
    yield
    for catalogue, text in saved:
        catalogue["Log in"] = text


def test_untranslated_text_falls_back_to_french_and_says_so(client, db, arabic_missing_log_in):
    page = page_in(client, "ar", reverse("accounts:login"))
    assert "Se connecter" in page or "Connexion" in page
    assert 'data-untranslated="1"' in page


def test_every_role_home_page_renders_in_three_languages(db, django_assert_max_num_queries):
    personas = Personas()
    for name in personas:
        if personas[name] is None:
            continue
        client = personas.client_for(name)
        for language in ("fr", "en", "ar"):
            client.post(reverse("set_language"), {"language": language})
            with django_assert_max_num_queries(12):
                response = client.get(reverse("home"))
            assert response.status_code == 200
            assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "435\u202f576 · 3 octobre 2024"), ("en", "435,576 · October 3, 2024")],
)
def test_numbers_and_dates_follow_the_language(language, expected):
    template = Template("{% load corridor %}{{ n|number }} · {{ d|day }}")
    with translation.override(language):
        rendered = template.render(Context({"n": 435576, "d": datetime.date(2024, 10, 3)}))
    assert rendered == expected


def test_decimal_and_time_in_djibouti_time():
    template = Template("{% load corridor %}{{ x|number }} | {{ t|moment:'short' }}")
    evening_utc = datetime.datetime(2024, 10, 3, 21, 30, tzinfo=datetime.UTC)
    with translation.override("fr"), timezone.override("Africa/Djibouti"):
        rendered = template.render(Context({"x": Decimal("11.96"), "t": evening_utc}))
    assert rendered == "11,96 | 04/10/2024 00:30"


def test_changes_are_signed():
    template = Template("{% load corridor %}{{ up|change }} {{ down|change }}")
    with translation.override("fr"):
        rendered = template.render(Context({"up": 0.12, "down": -0.08}))
    assert rendered == "+12\xa0% -8\xa0%"
