"""record() and record_many(): who, what, which record, from where; in the caller's transaction."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from corridor.audit.models import AuditEntry
from corridor.audit.services import record, record_many


def test_record_keeps_who_what_and_the_address_and_page_of_the_request(personas):
    caseworker = personas["caseworker@A"]
    request = RequestFactory().get("/cases/12/?tab=notes", REMOTE_ADDR="192.0.2.44")
    record(actor=caseworker, action="view", object_type="case", object_id=12, request=request)
    entry = AuditEntry.objects.get()
    assert entry.actor == caseworker
    assert entry.actor_username == "caseworker-A"
    assert entry.organisation == personas.organisations["A"]
    assert (entry.action, entry.object_type, entry.object_id) == ("view", "case", "12")
    assert entry.ip_address == "192.0.2.44"
    assert entry.path == "/cases/12/"


def test_behind_a_proxy_the_address_the_proxy_saw_is_recorded(personas, settings):
    settings.PROXY_COUNT = 1
    request = RequestFactory().get(
        "/cases/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7"
    )
    entry = record(actor=personas["caseworker@A"], action="search", request=request)
    entry.refresh_from_db()
    assert entry.ip_address == "198.51.100.7"


def test_a_garbled_address_is_left_out_but_the_action_is_still_recorded(personas):
    request = RequestFactory().get("/cases/", REMOTE_ADDR="not-an-address")
    record(actor=personas["caseworker@A"], action="view", object_type="case", request=request)
    assert AuditEntry.objects.get().ip_address is None


def test_the_user_name_stays_when_the_account_is_renamed(personas):
    caseworker = personas["caseworker@A"]
    entry = record(actor=caseworker, action="view", object_type="person", object_id=3)
    caseworker.username = "someone-else"
    caseworker.save()
    entry.refresh_from_db()
    assert entry.actor_username == "caseworker-A"


def test_anonymous_actor_and_tried_user_name(db):
    entry = record(actor=AnonymousUser(), action="login_failed", username="guess")
    assert (entry.actor, entry.actor_username, entry.organisation) == (None, "guess", None)


def test_a_consent_override_is_recorded_only_with_its_reason(personas):
    supervisor = personas["supervisor@A"]
    with pytest.raises(ValueError, match="reason"):
        record(actor=supervisor, action="consent_override", object_type="case", object_id=4)
    assert not AuditEntry.objects.exists()
    # The database refuses it too, whoever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(action="consent_override", reason="")
    entry = record(
        actor=supervisor,
        action="consent_override",
        object_type="case",
        object_id=4,
        reason="Child at immediate risk",
    )
    entry.refresh_from_db()
    assert entry.reason == "Child at immediate risk"


def test_an_unknown_action_is_refused(personas):
    with pytest.raises(ValueError, match="Unknown audit action"):
        record(actor=personas["caseworker@A"], action="peek")
    assert not AuditEntry.objects.exists()


def test_record_many_writes_one_entry_per_record_shown(personas, django_assert_num_queries):
    request = RequestFactory().get("/cases/", REMOTE_ADDR="192.0.2.8")
    with django_assert_num_queries(1):
        record_many(
            actor=personas["caseworker@B"],
            action="view",
            object_type="case",
            object_ids=[5, 6, 7],
            request=request,
        )
    entries = AuditEntry.objects.order_by("object_id")
    assert [e.object_id for e in entries] == ["5", "6", "7"]
    assert {(e.actor_username, e.action, e.ip_address, e.path) for e in entries} == {
        ("caseworker-B", "view", "192.0.2.8", "/cases/")
    }


def test_record_many_of_an_empty_page_writes_nothing(personas, django_assert_num_queries):
    with django_assert_num_queries(0):
        entries = record_many(
            actor=personas["caseworker@B"], action="view", object_type="case", object_ids=[]
        )
    assert entries == []


def test_the_entry_commits_or_rolls_back_with_the_callers_transaction(personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=personas["caseworker@A"], action="change", object_type="case", object_id=1)
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()


def test_only_active_data_protection_officers_read_the_log(personas, make_entry):
    make_entry(actor=personas["caseworker@B"], object_type="case", object_id="1")
    assert AuditEntry.objects.visible_to(personas["data_protection_officer@A"]).count() == 1
    for name in ("caseworker@B", "administrator@A", "supervisor@B", "outsider"):
        assert not AuditEntry.objects.visible_to(personas[name]).exists(), name
    assert not AuditEntry.objects.visible_to(AnonymousUser()).exists()
    officer = personas["data_protection_officer@B"]
    officer.is_active = False
    officer.save()
    assert not AuditEntry.objects.visible_to(officer).exists()


def test_for_object_lists_what_was_done_to_one_record(personas, make_entry):
    make_entry(actor=personas["caseworker@A"], object_type="case", object_id="8")
    make_entry(actor=personas["caseworker@A"], object_type="person", object_id="8")
    make_entry(actor=personas["caseworker@B"], object_type="case", object_id="8")
    entries = AuditEntry.objects.for_object("case", 8)
    assert sorted(e.actor_username for e in entries) == ["caseworker-A", "caseworker-B"]
