import datetime

import pytest
from django.utils import timezone

from corridor.audit.models import AuditEntry

DJIBOUTI = timezone.get_default_timezone()


def djibouti_time(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=DJIBOUTI)


@pytest.fixture
def make_entry():
    """An entry as record() would write it, at a chosen time (inserting is always allowed)."""

    def make(*, at: datetime.datetime | None = None, actor=None, **values) -> AuditEntry:
        if actor is not None:
            values |= {
                "actor": actor,
                "actor_username": actor.username,
                "organisation": actor.organisation,
            }
        values.setdefault("action", AuditEntry.Action.VIEW)
        return AuditEntry.objects.create(at=at or timezone.now(), **values)

    return make


@pytest.fixture
def dpo_client(personas):
    return personas.client_for("data_protection_officer@A")
