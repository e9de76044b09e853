"""Dates of the Ethiopian calendar, as many Ethiopians give their date of birth.

Twelve months of 30 days and a thirteenth (Pagumē) of 5 days, 6 in the year before a Gregorian
leap year; the year starts on 11 September (12 September before a Gregorian leap year) and is
7 or 8 years behind the Gregorian year. Converted through the day count from a fixed epoch.
"""

from __future__ import annotations

import datetime

# The Gregorian ordinal of 1 Mäskäräm of year 1 (Amete Mihret): 27 August 8 (Julian 29 August).
EPOCH = datetime.date(8, 8, 27).toordinal()


def is_leap(year: int) -> bool:
    """Pagumē has 6 days in the Ethiopian years that precede a Gregorian leap year."""
    return year % 4 == 3


def to_gregorian(year: int, month: int, day: int) -> datetime.date:
    """The Gregorian date of an Ethiopian one; ValueError when no such day exists."""
    if not 1 <= month <= 13:
        raise ValueError("month")
    last_day = (6 if is_leap(year) else 5) if month == 13 else 30
    if not 1 <= day <= last_day:
        raise ValueError("day")
    days = 365 * (year - 1) + year // 4 + 30 * (month - 1) + day - 1
    return datetime.date.fromordinal(EPOCH + days)


def from_gregorian(date: datetime.date) -> tuple[int, int, int]:
    """The Ethiopian (year, month, day) of a Gregorian date."""
    days = date.toordinal() - EPOCH
    year = (4 * days + 1463) // 1461
    start = 365 * (year - 1) + year // 4
    offset = days - start
    return year, offset // 30 + 1, offset % 30 + 1
