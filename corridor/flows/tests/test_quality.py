"""The data quality view: missing days stand out, pending groups can be validated."""

import datetime

from django.urls import reverse

from corridor.flows import services
from corridor.flows.models import GroupRecord


def test_missing_days_pending_groups_and_corrections(officer, enumerator, group_values, client):
    record = services.record_group(
        by=enumerator, values=group_values(day=datetime.date(2024, 10, 3))
    )
    services.correct_group(
        by=officer, record=record, values=group_values(adult_men=5), reason="Recount"
    )
    client.force_login(officer)
    response = client.get(reverse("flows:quality"), {"month": "2024-10"})
    grid = {row["point"].code: row["days"] for row in response.context["grid"]}
    obock = grid["obock-ville"]
    assert obock[2]["entry"]["movements"] == 9 and obock[2]["entry"]["pending"] == 1
    assert obock[0]["expected"] and obock[0]["entry"] is None  # 1 October: nothing came in
    assert response.context["missing"] == 13 * 31 - 1
    assert response.context["pending_count"] == 1
    page = response.content.decode()
    assert "Recount" in page
    client.post(reverse("flows:validate_day", args=[record.point_id, "2024-10-03"]))
    record.refresh_from_db()
    assert record.status == "validated"


def test_quality_page_queries_do_not_grow_with_points(
    officer, client, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(15):
        client.get(reverse("flows:quality"), {"month": "2024-02"})


def test_month_lock_and_unlock_from_the_page(officer, client, group_values):
    client.force_login(officer)
    client.post(reverse("flows:month_lock"), {"month": "2024-10"})
    page = client.get(reverse("flows:quality"), {"month": "2024-10"}).content.decode()
    assert 'action="/flows/months/unlock/"' in page
    client.post(reverse("flows:month_unlock"), {"month": "2024-10", "reason": ""})
    assert client.get(reverse("flows:quality"), {"month": "2024-10"}).context["locked"]
    client.post(reverse("flows:month_unlock"), {"month": "2024-10", "reason": "Late paper forms"})
    response = client.get(reverse("flows:quality"), {"month": "2024-10"})
    assert response.context["locked"] is None
    assert "Late paper forms" in response.content.decode()
    assert not GroupRecord.objects.exists()
