import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    """The tests read the English source texts, in pages, messages and phone answers alike
    (a test about French labels asks for French itself)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
