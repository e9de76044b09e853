"""Recording, correcting and removing distributions: one transaction each.

Every function checks who acts; a row linked to a person is recorded in the audit log, as
every change to personal data is (an anonymous row holds none).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.assistance.models import Distribution, ItemKind, records_distributions
from corridor.audit.services import record
from corridor.cases.models import Person
from corridor.places.models import FlowMonitoringPoint, Region

AUDIT_TYPE = "distribution"
# Shared by every line of a day's distributions.
PLACE_FIELDS = ("day", "region", "point", "place_name")
# What a correction may change; the organisation and who recorded it never change.
CORRECTABLE = (
    "day",
    "region",
    "point",
    "place_name",
    "kind",
    "quantity",
    "women",
    "men",
    "girls",
    "boys",
    "person",
)


@dataclass(frozen=True)
class Line:
    """One kind of item handed out: to people counted anonymously, or to one person."""

    kind: str
    quantity: int
    women: int = 0
    men: int = 0
    girls: int = 0
    boys: int = 0
    person: Person | None = None


def _require(user: User) -> None:
    if not records_distributions(user):
        raise PermissionDenied


def _check_person(user: User, person: Person | None) -> None:
    # Only a person the user's organisation works with: a form resolves case codes among the
    # organisation's own cases, so anything else is a mistake of the calling code.
    if person is not None and not Person.objects.visible_to(user).filter(pk=person.pk).exists():
        raise PermissionDenied(_("Your organisation has no case on this person."))


def _value(distribution: Distribution, name: str) -> object:
    # The id for a foreign key: comparing ids needs no query.
    return getattr(distribution, Distribution._meta.get_field(name).attname)


def _audit(*, by: User, action: str, distribution: Distribution, details: dict, request) -> None:
    record(
        actor=by,
        action=action,
        object_type=AUDIT_TYPE,
        object_id=distribution.pk,
        details=details,
        request=request,
    )


def _on_line(error: ValidationError, number: int, line: Line) -> ValidationError:
    """The day's and the place's problems stay on their fields (they are the same for every
    line); the others name the line they come from."""
    problems = getattr(error, "message_dict", {NON_FIELD_ERRORS: error.messages})
    label = ItemKind(line.kind).label if line.kind in ItemKind.values else line.kind
    keyed: dict[str, list[str]] = {}
    for field, messages in problems.items():
        if field in PLACE_FIELDS:
            keyed[field] = messages
            continue
        keyed.setdefault(NON_FIELD_ERRORS, []).extend(
            _("Line %(number)s (%(kind)s): %(problem)s")
            % {"number": number, "kind": label, "problem": message}
            for message in messages
        )
    return ValidationError(keyed)


@transaction.atomic
def record_distributions(
    *,
    by: User,
    day: datetime.date,
    region: Region | None,
    point: FlowMonitoringPoint | None = None,
    place_name: str = "",
    lines: Sequence[Line],
    request: HttpRequest | None = None,
) -> list[Distribution]:
    """A unit's distributions of one day at one place, all saved or none.

    All or none, so that a mistake in one line leaves nothing half-recorded and sending the
    corrected form again does not record the other lines twice. The region may be left out
    when the point gives it. Raises PermissionDenied or ValidationError (naming the line).
    """
    _require(by)
    if not lines:
        raise ValidationError(_("Nothing to record: fill in at least one line."))
    if region is None and point is not None:
        region = point.region
    if region is None:
        raise ValidationError({"region": _("Choose the region, or a point that has one.")})
    saved = []
    for number, line in enumerate(lines, start=1):
        _check_person(by, line.person)
        distribution = Distribution(
            organisation_id=by.organisation_id,
            recorded_by=by,
            day=day,
            region=region,
            point=point,
            place_name=place_name.strip(),
            **asdict(line),
        )
        try:
            distribution.full_clean()
        except ValidationError as error:
            raise _on_line(error, number, line) from error
        distribution.save()
        if distribution.person_id:
            _audit(
                by=by,
                action="create",
                distribution=distribution,
                details={"person": distribution.person_id},
                request=request,
            )
        saved.append(distribution)
    return saved


@transaction.atomic
def correct_distribution(
    *,
    by: User,
    distribution: Distribution,
    values: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Distribution:
    """Change the fields in `values` of a row of the user's organisation."""
    _require(by)
    unknown = set(values) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"not correctable fields of a distribution: {sorted(unknown)}")
    # Compared with the stored row, not with the object passed: a model form has already
    # written the new values into it.
    before = Distribution.objects.visible_to(by).filter(pk=distribution.pk).first()
    if before is None:
        raise PermissionDenied
    if "person" in values:
        _check_person(by, values["person"])
    for name, value in values.items():
        setattr(distribution, name, value)
    distribution.full_clean()
    changed = sorted(name for name in values if _value(before, name) != _value(distribution, name))
    distribution.save()
    if changed and (before.person_id or distribution.person_id):
        details: dict = {"fields": changed, "person": distribution.person_id}
        if before.person_id != distribution.person_id:
            details["previous_person"] = before.person_id
        _audit(by=by, action="change", distribution=distribution, details=details, request=request)
    return distribution


@transaction.atomic
def delete_distribution(
    *, by: User, distribution: Distribution, request: HttpRequest | None = None
) -> None:
    """Remove a row recorded by mistake (twice, or for the wrong unit)."""
    _require(by)
    if not Distribution.objects.visible_to(by).filter(pk=distribution.pk).exists():
        raise PermissionDenied
    if distribution.person_id:
        # The log has no "deleted" action; a change that says so keeps the trail readable.
        _audit(
            by=by,
            action="change",
            distribution=distribution,
            details={"deleted": True, "person": distribution.person_id},
            request=request,
        )
    distribution.delete()
