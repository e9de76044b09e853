"""Storing test records as the application's writes do, with their movement summaries, and
checking those summaries against the records."""

import datetime
from collections import Counter
from collections.abc import Iterable

from corridor.flows import summaries
from corridor.flows.models import GroupRecord, MovementSummary

COUNTS = summaries.COUNTS


def store_groups(records: Iterable[GroupRecord]) -> list[GroupRecord]:
    """bulk_create, then the summaries of the months touched, as every service does."""
    stored = GroupRecord.objects.bulk_create(records)
    summaries.refresh(record.day for record in stored)
    return stored


def expected_summaries() -> dict[tuple, tuple]:
    """Every summary row there should be, added up in Python from the records."""
    sums: dict[tuple, Counter] = {}
    for record in GroupRecord.objects.all():
        counts = Counter({name: getattr(record, name) for name in COUNTS})
        periods = [
            ("month", record.day.replace(day=1)),
            ("year", datetime.date(record.day.year, 1, 1)),
        ]
        breakdowns = [
            ("", ""),
            ("destination", record.final_destination_country_id or ""),
            ("reason", record.reason),
            ("previous_country", record.previous_country_id or ""),
        ]
        for span, start in periods:
            for breakdown, value in breakdowns:
                key = (
                    span,
                    start,
                    record.point_id,
                    record.kind_of_flow,
                    record.nationality_id,
                    breakdown,
                    value,
                )
                sums.setdefault(key, Counter()).update(counts)
    return {key: tuple(counter[name] for name in COUNTS) for key, counter in sums.items()}


def stored_summaries() -> dict[tuple, tuple]:
    rows = MovementSummary.objects.values_list(
        "span", "start", "point_id", "kind_of_flow", "nationality_id", "breakdown", "value", *COUNTS
    )
    stored = {row[:7]: row[7:] for row in rows}
    assert len(stored) == len(rows), "two summary rows for the same key"
    return stored


def assert_summaries_agree() -> None:
    expected = expected_summaries()
    stored = stored_summaries()
    assert stored.keys() == expected.keys()
    assert stored == expected
