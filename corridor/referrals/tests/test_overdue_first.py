"""OverdueFirst reads the lists of referrals in two parts; the order must be the one of sorting
by lateness, and the paginator's pages must cut it the same wherever a page starts."""

import pytest
from django.core.paginator import Paginator

from corridor.referrals.models import Referral
from corridor.referrals.tests.conftest import advance, referral_of


@pytest.fixture
def inbox(personas, clock):
    """Referrals to B sent an hour apart, overdue ones among the others."""
    for hour, (urgency, steps) in enumerate(
        [
            ("emergency", ()),  # overdue
            ("normal", ()),  # awaiting, not yet due
            ("emergency", ("accept",)),  # answered: never overdue
            ("emergency", ()),  # overdue
            ("normal", ("decline",)),
            ("emergency", ()),  # overdue
            ("normal", ()),
        ]
    ):
        clock(2026, 3, 2, 8 + hour, 0)
        advance(personas, referral_of(personas, urgency=urgency, given_name="Ordotest"), *steps)
    clock(2026, 3, 4, 12, 0)  # the emergencies' 24 hours are over, the normal 72 are not
    return Referral.objects.received_by(personas["service_focal_point@B"])


def test_overdue_first_is_the_order_of_sorting_by_lateness(inbox):
    expected = list(inbox.with_overdue().order_by("-late", "-sent_at", "-id"))
    assert [referral.late for referral in expected] == [True] * 3 + [False] * 4
    rows = inbox.overdue_first()
    assert rows.count() == 7
    for size in (1, 2, 3, 4, 7, 50):
        paginator = Paginator(rows, size)
        read = [r for number in paginator.page_range for r in paginator.page(number)]
        assert [(r.pk, r.late) for r in read] == [(r.pk, r.late) for r in expected], size


def test_overdue_first_filtered(inbox):
    waiting = inbox.filter(status="sent")
    expected = list(waiting.with_overdue().order_by("-late", "-sent_at", "-id"))
    rows = waiting.overdue_first()
    assert rows.count() == 5
    assert [(r.pk, r.late) for r in rows[0:50]] == [(r.pk, r.late) for r in expected]
    assert [r.pk for r in rows[2:4]] == [r.pk for r in expected[2:4]]
