"""Honesty about translations.

French is the default; the source texts in the code are English. A catalogue the team
translated is "not yet reviewed" until a native speaker has read it and its language is added
to REVIEWED_LANGUAGES. A text missing from a catalogue falls back to French (Django's fallback
to LANGUAGE_CODE); the middleware counts those texts per request so the page can say so.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import trans_real

SOURCE_LANGUAGE = "en"
# Add a language here only when a native speaker has reviewed its whole catalogue.
REVIEWED_LANGUAGES: frozenset[str] = frozenset()

_fallen_back: ContextVar[set[str] | None] = ContextVar("fallen_back", default=None)


class _RecordingFallback:
    """Wraps the French catalogue behind another language and notes what it had to supply."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def _note(self, message: str) -> None:
        seen = _fallen_back.get()
        if seen is not None and message:
            seen.add(message)

    def gettext(self, message: str) -> str:
        self._note(message)
        return self.inner.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._note(singular)
        return self.inner.ngettext(singular, plural, n)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def translation_status(language: str) -> str:
    """One of "source", "reviewed", "not_reviewed"."""
    if language == SOURCE_LANGUAGE:
        return "source"
    return "reviewed" if language in REVIEWED_LANGUAGES else "not_reviewed"


def texts_fallen_back() -> set[str]:
    """The texts of the current request that were shown in French for want of a translation."""
    return set(_fallen_back.get() or ())


class TranslationFallbackMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language()
        if language and language != settings.LANGUAGE_CODE and language != SOURCE_LANGUAGE:
            catalogue = trans_real.translation(language)
            if catalogue._fallback is not None and not isinstance(
                catalogue._fallback, _RecordingFallback
            ):
                catalogue._fallback = _RecordingFallback(catalogue._fallback)
        token = _fallen_back.set(set())
        try:
            return self.get_response(request)
        finally:
            _fallen_back.reset(token)
