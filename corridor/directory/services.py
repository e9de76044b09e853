"""Write use-cases of the service directory: each checks who may do it and runs in one
transaction. The HTML views and, later, the API call these; neither writes a Service itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, User
from corridor.directory.models import NO_REGION, Service, organisations_for
from corridor.places.models import Country, Region

# The fields a caller sets; regions and nationalities are many-to-many and passed apart.
FIELDS = (
    "name",
    "category",
    "description",
    "nationwide",
    "places",
    "languages",
    "capacity",
    "capacity_period",
    "sexes",
    "min_age",
    "max_age",
    "hours",
    "contact_phone",
    "contact_email",
)


def _save(
    service: Service,
    *,
    values: Mapping[str, Any],
    regions: Iterable[Region] | None,
    nationalities: Iterable[Country] | None,
) -> Service:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not fields of a service: {sorted(unknown)}")
    for name, value in values.items():
        setattr(service, name, value)
    if isinstance(service.languages, list | tuple):
        service.languages = " ".join(service.languages)
    # One spelling of the codes, whatever the caller passed: sorted, no duplicates.
    service.languages = " ".join(sorted(set(service.languages.split())))
    # None leaves a service's regions or nationalities as they are (none for a new one).
    if regions is None:
        regions = service.regions.all() if service.pk else []
    if nationalities is None:
        nationalities = service.nationalities.all() if service.pk else []
    regions = [] if service.nationwide else list(regions)
    # Every problem at once, the many-to-many one with the model's own.
    errors: dict[str, list] = {}
    if not regions and not service.nationwide:
        errors["regions"] = [str(NO_REGION)]
    try:
        service.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    service.save()
    service.regions.set(regions)
    service.nationalities.set(list(nationalities))
    return service


@transaction.atomic
def create_service(
    *,
    by: User,
    organisation: Organisation,
    values: Mapping[str, Any],
    regions: Iterable[Region] = (),
    nationalities: Iterable[Country] = (),
) -> Service:
    """Add a service to an organisation the user manages the services of.

    `values` holds fields of FIELDS; `languages` may be a list of codes or a space-separated
    string. Raises PermissionDenied or ValidationError (keyed by field).
    """
    if not organisations_for(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You may add services to your own organisation only."))
    return _save(
        Service(organisation=organisation),
        values=values,
        regions=regions,
        nationalities=nationalities,
    )


@transaction.atomic
def update_service(
    *,
    by: User,
    service: Service,
    values: Mapping[str, Any],
    regions: Iterable[Region] | None = None,
    nationalities: Iterable[Country] | None = None,
) -> Service:
    """Change a service the user may edit; its organisation never changes, since referrals
    sent to the service go to that organisation.

    Only the fields in `values` change; regions and nationalities only when given.
    """
    if not Service.objects.editable_by(by).filter(pk=service.pk).exists():
        raise PermissionDenied(_("You may edit your own organisation's services only."))
    return _save(service, values=values, regions=regions, nationalities=nationalities)


@transaction.atomic
def set_service_active(*, by: User, service: Service, active: bool) -> Service:
    """Deactivate a service no longer offered, or offer it again. Services are never deleted:
    referrals point at them."""
    if not Service.objects.editable_by(by).filter(pk=service.pk).exists():
        raise PermissionDenied(_("You may edit your own organisation's services only."))
    if service.is_active != active:
        service.is_active = active
        service.save(update_fields=["is_active", "updated_at"])
    return service
