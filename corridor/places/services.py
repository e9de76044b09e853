from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.places.models import (
    FlowMonitoringPoint,
    FlowMonitoringPointAlias,
    normalise_place_name,
)


@transaction.atomic
def save_point(*, point: FlowMonitoringPoint, aliases: list[str]) -> FlowMonitoringPoint:
    """Save a point and its other spellings; a spelling may lead to one point only."""
    others = FlowMonitoringPoint.objects.exclude(pk=point.pk).resolver()
    for spelling in [point.name, point.code, *aliases]:
        clash = others.get(normalise_place_name(spelling))
        if clash:
            raise ValidationError(
                _("The spelling %(spelling)s already leads to the point %(point)s.")
                % {"spelling": spelling, "point": clash}
            )
    point.full_clean()
    point.save()
    point.aliases.all().delete()
    FlowMonitoringPointAlias.objects.bulk_create(
        FlowMonitoringPointAlias(point=point, name=name) for name in aliases
    )
    return point
