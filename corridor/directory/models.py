"""The National Referral Mechanism's service directory: what each organisation offers, where,
in which languages and to whom.

It holds no personal data, so every NRM role reads it; referrals and screenings find services
through `Service.objects.matching(...)`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation, Role, User
from corridor.flows.models import Language, Sex
from corridor.places.models import Country, Region

# The directory reuses the flow survey's languages of the region, so that the codes a survey,
# a screening and a service hold are the same. "Other" says nothing a caseworker can act on.
SERVICE_LANGUAGES = [language for language in Language if language != Language.OTHER]
LANGUAGE_CODES = frozenset(language.value for language in SERVICE_LANGUAGES)

# Every signed-in NRM role and the administrators read the directory: it holds no personal
# data, and a caseworker must be able to find any organisation's service to refer someone.
READS_DIRECTORY = (
    Role.ADMINISTRATOR,
    Role.ORGANISATION_ADMINISTRATOR,
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.SERVICE_FOCAL_POINT,
    Role.REGISTRY_OFFICER,
    Role.COORDINATOR,
)
# Service focal points receive the referrals sent to their organisation: they are the first
# to know when its hours, capacity or eligibility change, so they keep their own
# organisation's entries current rather than waiting for an administrator. Like organisation
# administrators, they never touch another organisation's services.
MANAGES_OWN_SERVICES = (Role.ORGANISATION_ADMINISTRATOR, Role.SERVICE_FOCAL_POINT)

MAX_AGE = 120
# Regions are many-to-many, so Service.clean cannot see them: the service layer and the form
# both check, with this one message.
NO_REGION = _("Tick the regions where the service is offered, or all of Djibouti.")


def reads_directory(user: User) -> bool:
    return user.is_authenticated and user.has_role(*READS_DIRECTORY)


def manages_services(user: User) -> bool:
    """Whether the user may add services at all (to which organisations: `organisations_for`)."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return user.has_role(*MANAGES_OWN_SERVICES) and bool(user.organisation_id)


def organisations_for(user: User) -> models.QuerySet[Organisation]:
    """The active organisations a user may add services to."""
    organisations = Organisation.objects.filter(is_active=True)
    if not manages_services(user):
        return organisations.none()
    if user.has_role(Role.ADMINISTRATOR):
        return organisations
    return organisations.filter(pk=user.organisation_id)


class ServiceCategory(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    FOOD_WATER_NFI = "food_water_nfi", _("Food, water and non-food items")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health and psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    FAMILY_TRACING = "family_tracing", _("Family tracing and reunification")
    CHILD_PROTECTION = "child_protection", _("Child protection and best-interests procedures")
    RETURN_REINTEGRATION = (
        "return_reintegration",
        _("Assisted voluntary return and reintegration"),
    )
    LIVELIHOOD = "livelihood", _("Livelihood")
    EDUCATION = "education", _("Education")
    DOCUMENTATION = "documentation", _("Documentation")
    TRANSPORT = "transport", _("Transport")
    PHONE_CALL = "phone_call", _("Phone call")
    INTERPRETATION = "interpretation", _("Interpretation")


class SexesAccepted(models.TextChoices):
    """Whom a service takes; the values match a person's sex (`flows.models.Sex`)."""

    ANY = "any", _("Everyone")
    FEMALE = Sex.FEMALE.value, _("Women and girls only")
    MALE = Sex.MALE.value, _("Men and boys only")


class CapacityPeriod(models.TextChoices):
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


def validate_language_codes(value: str) -> None:
    unknown = [code for code in value.split() if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown language code: %(codes)s. Expected one of %(expected)s.")
            % {
                "codes": ", ".join(unknown),
                "expected": ", ".join(lang.value for lang in SERVICE_LANGUAGES),
            }
        )


validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()./-]{5,28}$",
    _("Enter a phone number in digits, for example +253 77 00 00 01."),
)


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ServiceQuerySet:
        """Every service, active or not, for the roles that read the directory; else none.

        Deactivated services stay readable: referrals made earlier point at them.
        """
        return self.all() if reads_directory(user) else self.none()

    def editable_by(self, user: User) -> ServiceQuerySet:
        """Administrators edit every service; organisation administrators and service focal
        points those of their own organisation."""
        if not manages_services(user):
            return self.none()
        if user.has_role(Role.ADMINISTRATOR):
            return self.all()
        return self.filter(organisation_id=user.organisation_id)

    def active(self) -> ServiceQuerySet:
        """Offered now: the service and its organisation are both active."""
        return self.filter(is_active=True, organisation__is_active=True)

    def matching(
        self,
        *,
        category: str | None = None,
        region: Region | int | None = None,
        sex: str | None = None,
        age: int | None = None,
        language: str | None = None,
        nationality: Country | str | None = None,
        text: str = "",
        include_inactive: bool = False,
    ) -> ServiceQuerySet:
        """The active services that would take this person, for this need, in this region.

        Every criterion is optional: None (or "") means "not known", which rules nothing out.
        `region` is a Region or its id, `nationality` a Country or its ISO alpha-2 code,
        `language` a code of `SERVICE_LANGUAGES`, `sex` "female" or "male". `text` looks in
        the name, description, places and organisation. Chain after `visible_to(user)`.
        `include_inactive` is for the directory's own pages, where editors find what they
        deactivated; a referral or a screening leaves it False.
        """
        services = self if include_inactive else self.active()
        if category:
            if category not in ServiceCategory.values:
                raise ValueError(f"unknown service category {category!r}")
            services = services.filter(category=category)
        if region:
            in_region = Service.regions.through.objects.filter(
                service=OuterRef("pk"), region=region
            )
            services = services.filter(Q(nationwide=True) | Exists(in_region))
        if sex:
            if sex not in Sex.values:
                raise ValueError(f"unknown sex {sex!r}")
            services = services.filter(sexes__in=[SexesAccepted.ANY, sex])
        if age is not None:
            if age < 0:
                raise ValueError(f"negative age {age}")
            services = services.filter(
                Q(min_age__isnull=True) | Q(min_age__lte=age),
                Q(max_age__isnull=True) | Q(max_age__gte=age),
            )
        if language:
            if language not in LANGUAGE_CODES:
                raise ValueError(f"unknown language {language!r}")
            # Codes are stored space-separated; padding with spaces makes " om " match the
            # whole code only, with one LIKE that works on SQLite and PostgreSQL alike.
            services = services.alias(
                padded_languages=Concat(Value(" "), "languages", Value(" "))
            ).filter(padded_languages__contains=f" {language} ")
        if nationality:
            nationalities = Service.nationalities.through.objects.filter(service=OuterRef("pk"))
            services = services.filter(
                ~Exists(nationalities) | Exists(nationalities.filter(country=nationality))
            )
        if text := text.strip():
            services = services.filter(
                Q(name__icontains=text)
                | Q(description__icontains=text)
                | Q(places__icontains=text)
                | Q(organisation__name__icontains=text)
                | Q(organisation__acronym__iexact=text)
            )
        return services


class Service(models.Model):
    """One service an organisation offers to migrants and victims of trafficking.

    Services are deactivated, never deleted: referrals will point at them.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(
        _("category"), max_length=30, choices=ServiceCategory.choices, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    # A flag rather than "every region ticked": a service offered everywhere stays so when a
    # region is added, and the search need not count regions.
    nationwide = models.BooleanField(
        _("all of Djibouti"),
        default=False,
        help_text=_("Offered in every region; the regions below are then left empty."),
    )
    regions = models.ManyToManyField(
        Region, related_name="services", verbose_name=_("regions served"), blank=True
    )
    # Free text, not flow monitoring points: services are given in centres, hospitals,
    # offices and by mobile teams, which are mostly not FMPs; the points are DTM's list and
    # change with its needs. The region is what searches filter on.
    places = models.CharField(
        _("places"),
        max_length=300,
        blank=True,
        help_text=_("Where exactly: a centre, an address, or the route a mobile team covers."),
    )
    languages = models.CharField(
        _("languages"),
        max_length=100,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("The languages the service is given in, without an interpreter."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("How many people it can take, if known."),
    )
    capacity_period = models.CharField(
        _("capacity period"), max_length=5, choices=CapacityPeriod.choices, blank=True
    )
    sexes = models.CharField(
        _("sexes accepted"),
        max_length=6,
        choices=SexesAccepted.choices,
        default=SexesAccepted.ANY,
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE)],
        help_text=_("In years; empty if there is none."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE)],
        help_text=_("In years, included: 17 for children only. Empty if there is none."),
    )
    nationalities = models.ManyToManyField(
        Country,
        related_name="+",
        verbose_name=_("nationalities accepted"),
        blank=True,
        help_text=_("Leave empty if the service takes every nationality."),
    )
    hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        help_text=_("For example: Sunday to Thursday, 7:30-14:00; emergencies 24 hours a day."),
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="service_name_unique_in_organisation",
                violation_error_message=_("This organisation already has a service of that name."),
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="service_ages_ordered",
                violation_error_message=_("The minimum age is above the maximum age."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True, capacity_period="")
                | Q(capacity__isnull=False) & ~Q(capacity_period=""),
                name="service_capacity_with_period",
                violation_error_message=_("Give the capacity with its period, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _(
                "The maximum age (%(max)s) is below the minimum age (%(min)s)."
            ) % {"max": self.max_age, "min": self.min_age}
        if self.capacity is not None and not self.capacity_period:
            errors["capacity_period"] = _("Say whether the capacity is per day, week or month.")
        if self.capacity is None and self.capacity_period:
            errors["capacity"] = _("Give the number of people, or leave the period empty.")
        if not self.contact_phone and not self.contact_email:
            errors["contact_phone"] = _(
                "Give a phone number or an e-mail address, so that caseworkers can reach "
                "the service."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def language_list(self) -> list[Language]:
        """The languages, in the order the forms list them (the route's first)."""
        codes = set(self.languages.split())
        return [language for language in SERVICE_LANGUAGES if language.value in codes]

    @property
    def ages(self) -> str:
        """The age range in words, for pages: "all ages", "18 and over", "0 to 17"."""
        if self.min_age is None and self.max_age is None:
            return str(_("all ages"))
        if self.max_age is None:
            return str(_("%(min)s and over") % {"min": self.min_age})
        if self.min_age is None:
            return str(_("up to %(max)s") % {"max": self.max_age})
        return str(_("%(min)s to %(max)s") % {"min": self.min_age, "max": self.max_age})
