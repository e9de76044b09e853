"""Mobile assistance: what units hand out along the routes, by day and place.

A distribution is either anonymous (how many women, men, girls and boys were reached) or
linked to one person the organisation works with; never both, never neither, and the database
refuses anything else. The two do not measure the same thing:

- anonymous counts are *contacts*: someone given water and food is counted in both lines, and
  again if the unit meets them the next day;
- a linked row names its person, so a report counts each person reached once.

A report therefore shows them side by side and never adds them (see report.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation, Role, User
from corridor.cases.models import Person
from corridor.places.models import FlowMonitoringPoint, Region

# Decision: no "mobile unit" role. A unit's staff are caseworkers of its organisation: when
# they link a distribution to a person they need that organisation's cases anyway, and a
# separate role would have to be given the same access to persons.
RECORDS_DISTRIBUTIONS = (Role.CASEWORKER, Role.SUPERVISOR)
# Coordinators read the national report, with small cells hidden, and no row.
READS_NATIONAL_REPORT = (Role.COORDINATOR,)

COUNT_FIELDS = ("women", "men", "girls", "boys")


def records_distributions(user: User) -> bool:
    return (
        user.is_authenticated
        and user.has_role(*RECORDS_DISTRIBUTIONS)
        and bool(user.organisation_id)
    )


def reads_national_report(user: User) -> bool:
    return user.is_authenticated and user.has_role(*READS_NATIONAL_REPORT)


def reads_report(user: User) -> bool:
    return records_distributions(user) or reads_national_report(user)


class ItemKind(models.TextChoices):
    WATER = "water", _("Water")
    FOOD = "food", _("Food")
    FIRST_AID = "first_aid", _("First aid")
    DIGNITY_KIT = "dignity_kit", _("Dignity kit")
    PHONE_CALL = "phone_call", _("Phone call")
    REFERRAL = "referral", _("Referral made")
    OTHER = "other", _("Other")


class DistributionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> DistributionQuerySet:
        """The rows a user may read: their own organisation's, for caseworkers and supervisors.

        Nobody reads another organisation's rows, coordinators included: a linked row names a
        person, and coordinators get the report's aggregates only.
        """
        if not records_distributions(user):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def counted_for(self, user: User) -> DistributionQuerySet:
        """The rows a user's report counts: every organisation's for coordinators (who see
        the figures with small cells hidden), their own organisation's for the others."""
        if reads_national_report(user):
            return self.all()
        return self.visible_to(user)

    def matching(
        self,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        region: Region | None = None,
        point: FlowMonitoringPoint | None = None,
        kind: str = "",
        place_name: str = "",
    ) -> DistributionQuerySet:
        """Filters of the list and the report; None or "" rules nothing out."""
        rows = self
        if start:
            rows = rows.filter(day__gte=start)
        if end:
            rows = rows.filter(day__lte=end)
        if region:
            rows = rows.filter(region=region)
        if point:
            rows = rows.filter(point=point)
        if kind:
            rows = rows.filter(kind=kind)
        if place_name := place_name.strip():
            rows = rows.filter(place_name__icontains=place_name)
        return rows


def contacts_expression() -> models.Expression:
    """The anonymous contacts of a row (0 for a linked row)."""
    return models.F("women") + models.F("men") + models.F("girls") + models.F("boys")


def person_reached() -> models.Expression:
    """The person a linked row counts for: after a duplicate was merged, the person kept, so
    that someone registered twice and helped under both registrations counts once."""
    return Coalesce("person__merged_into_id", "person_id")


class Distribution(models.Model):
    """What one unit handed out on one day at one place, of one kind of item."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The day in Djibouti (the project's time zone): help given at 01:00 belongs to that day.
    day = models.DateField(_("date"), db_index=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    point = models.ForeignKey(
        FlowMonitoringPoint,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("flow monitoring point"),
    )
    # Units mostly work between the points (on the road to the coast, at a well): the region
    # is what reports group by, the name says where exactly.
    place_name = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Where exactly, for example: road from Tadjourah to Obock, km 20."),
    )
    kind = models.CharField(_("item"), max_length=20, choices=ItemKind.choices)
    quantity = models.PositiveIntegerField(
        _("quantity"),
        validators=[MinValueValidator(1)],
        help_text=_("Items handed out, or calls or referrals made."),
    )
    women = models.PositiveIntegerField(_("women"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)
    girls = models.PositiveIntegerField(_("girls"), default=0)
    boys = models.PositiveIntegerField(_("boys"), default=0)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="distributions",
        null=True,
        blank=True,
        verbose_name=_("person"),
    )

    objects = DistributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["organisation", "day"], name="distribution_org_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True)
                & (Q(women__gt=0) | Q(men__gt=0) | Q(girls__gt=0) | Q(boys__gt=0))
                | Q(person__isnull=False, women=0, men=0, girls=0, boys=0),
                name="distribution_anonymous_or_person",
                violation_error_message=_(
                    "Give either how many women, men, girls and boys were reached, or the "
                    "one person helped; not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="distribution_quantity_positive",
                violation_error_message=_("The quantity is at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} × {self.quantity}"

    @property
    def contacts(self) -> int:
        return self.women + self.men + self.girls + self.boys

    @property
    def place(self) -> str:
        """What the list shows: the point or the place named, and the region."""
        where = [str(self.point) if self.point_id else "", self.place_name]
        return ", ".join([part for part in where if part] + [str(self.region)])

    def clean(self) -> None:
        errors = {}
        if self.day and self.day > timezone.localdate():
            errors["day"] = _("The date %(day)s is in the future.") % {"day": self.day}
        if (
            self.point_id
            and self.region_id
            and self.point.region_id
            and self.point.region_id != self.region_id
        ):
            errors["point"] = _("%(point)s is in %(point_region)s, not in %(region)s.") % {
                "point": self.point,
                "point_region": self.point.region,
                "region": self.region,
            }
        if errors:
            raise ValidationError(errors)
