"""Template helpers: locale-aware numbers and dates (Babel) and the translation notice."""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from django import template
from django.utils import timezone
from django.utils.translation import get_language

from corridor import i18n

register = template.Library()


def _locale() -> str:
    return (get_language() or "fr").replace("-", "_")


@register.filter
def number(value: int | float | Decimal | None) -> str:
    """435576 -> "435 576" in French, "435,576" in English."""
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=_locale())


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    if value is None or value == "":
        return ""
    pattern = "#,##0" + ("." + "0" * int(digits) if digits else "") + " %"
    return format_percent(value, format=pattern, locale=_locale())


@register.filter
def change(value: float | None) -> str:
    """A change as a signed whole percentage: "+12 %", "-8 %"."""
    if value is None or value == "":
        return ""
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return sign + format_percent(abs(value), locale=_locale())


@register.filter
def day(value: datetime.date | None, length: str = "long") -> str:
    """A date the way the reader writes it: "3 octobre 2024", "October 3, 2024"."""
    if not value:
        return ""
    return format_date(value, format=length, locale=_locale())


@register.filter
def moment(value: datetime.datetime | None, length: str = "medium") -> str:
    """A date and time in Djibouti time."""
    if not value:
        return ""
    return format_datetime(timezone.localtime(value), format=length, locale=_locale())


@register.simple_tag
def translation_status() -> str:
    return i18n.translation_status(get_language() or "fr")


@register.simple_tag
def texts_in_french() -> int:
    """How many texts of the page so far were shown in French for want of a translation."""
    return len(i18n.texts_fallen_back())
