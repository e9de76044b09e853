"""Reference data about places: countries, regions and flow monitoring points."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def normalise_place_name(name: str) -> str:
    """The key two spellings of one place share: no accents, case, spaces or punctuation.

    "Holl-Holl", "holl holl" and "HOLLHOLL" all give "hollholl".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


class Country(models.Model):
    code = models.CharField(_("ISO 3166-1 code"), max_length=2, primary_key=True)
    code_alpha3 = models.CharField(_("ISO 3166-1 alpha-3 code"), max_length=3, unique=True)
    name_fr = models.CharField(_("name in French"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_ar = models.CharField(_("name in Arabic"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_fr"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, French where that language has none."""
        language = (get_language() or "fr")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fr


class Region(models.Model):
    """An administrative region (level 1); Djibouti's six come with the reference data."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="regions", verbose_name=_("country")
    )
    code = models.CharField(
        _("ISO 3166-2 code"),
        max_length=6,
        unique=True,
        help_text=_("For example DJ-OB for Obock."),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["country_id", "name"]
        constraints = [
            models.UniqueConstraint("country", Lower("name"), name="region_name_unique_in_country")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.code and self.country_id and not self.code.startswith(f"{self.country_id}-"):
            raise ValidationError(
                {
                    "code": _("The code %(code)s must start with %(prefix)s, the country's code.")
                    % {"code": self.code, "prefix": f"{self.country_id}-"}
                }
            )


class FlowMonitoringPointQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> FlowMonitoringPointQuerySet:
        return self.filter(active_from__lte=day).filter(
            models.Q(active_until__isnull=True) | models.Q(active_until__gte=day)
        )

    def resolver(self) -> dict[str, FlowMonitoringPoint]:
        """Map every spelling (canonical name, code and aliases) to its point, for imports."""
        points: dict[str, FlowMonitoringPoint] = {}
        for point in self.prefetch_related("aliases"):
            for spelling in [point.name, point.code, *(a.name for a in point.aliases.all())]:
                points[normalise_place_name(spelling)] = point
        return points

    def resolve(self, spelling: str) -> FlowMonitoringPoint | None:
        return self.resolver().get(normalise_place_name(spelling))


class FlowMonitoringPoint(models.Model):
    class Kind(models.TextChoices):
        BORDER_CROSSING = "border_crossing", _("Border crossing")
        TRANSIT_TOWN = "transit_town", _("Transit town")
        COASTAL_DEPARTURE = "coastal_departure", _("Coastal departure point")
        OTHER = "other", _("Other")

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short code used in imports.")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind of point"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="flow_monitoring_points",
        verbose_name=_("region"),
        null=True,
        blank=True,
    )
    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    coordinates_approximate = models.BooleanField(
        _("approximate coordinates"),
        default=True,
        help_text=_("Checked until someone has verified the coordinates on the ground."),
    )

    objects = FlowMonitoringPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("flow monitoring point")
        verbose_name_plural = _("flow monitoring points")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_until__isnull=True)
                | models.Q(active_until__gte=models.F("active_from")),
                name="point_active_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="point_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.active_until and self.active_from and self.active_until < self.active_from:
            errors["active_until"] = _("The end of the active period comes before its start.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if self.region_id and self.country_id and self.region.country_id != self.country_id:
            errors["region"] = _("The region %(region)s is not in %(country)s.") % {
                "region": self.region,
                "country": self.country,
            }
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)


class FlowMonitoringPointAlias(models.Model):
    """Another spelling of a point's name, as found in field forms and spreadsheets."""

    point = models.ForeignKey(
        FlowMonitoringPoint,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("flow monitoring point"),
    )
    name = models.CharField(_("spelling"), max_length=100)

    class Meta:
        verbose_name = _("other spelling")
        verbose_name_plural = _("other spellings")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="point_alias_unique")]

    def __str__(self) -> str:
        return self.name
