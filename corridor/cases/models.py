"""The national registry of persons, each organisation's case on a person, consent, screening.

A person is registered once; every organisation that works with them opens its own case on
that person. Personal data is only reached through the `visible_to` querysets below, and the
views record every read in the audit log.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User
from corridor.flows.models import Language


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Identification(models.TextChoices):
    """How and where a person first came to an organisation's attention."""

    FLOW_MONITORING_POINT = "fmp", _("Flow monitoring point")
    INFORMATION_CENTRE = "information_centre", _("Information centre")
    HOTLINE = "hotline", _("Hotline")
    CSO_OUTREACH = "cso_outreach", _("Civil-society outreach")
    MOBILE_UNIT = "mobile_unit", _("Mobile unit")
    POLICE = "police", _("Police")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    COASTGUARD = "coastguard", _("Coastguard")
    SELF_REFERRAL = "self_referral", _("Self-referral")


class MigrationStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("Migrant in transit")
    STRANDED = "stranded", _("Stranded migrant")
    RETURNEE = "returnee", _("Returnee")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    REFUGEE = "refugee", _("Refugee")
    RESIDENT = "resident", _("Resident")
    UNKNOWN = "unknown", _("Not known")


class TraffickingStatus(models.TextChoices):
    """HTCDS 2.0 vic_TraffickingStatus."""

    NOT_ASSESSED = "", _("Not assessed")
    POSSIBLE = "possible", _("Possible victim of trafficking")
    ACTUAL = "actual", _("Actual victim of trafficking")
    NOT_VICTIM = "not_victim", _("Not a victim of trafficking")


class BirthCalendar(models.TextChoices):
    GREGORIAN = "gregorian", _("Gregorian")
    ETHIOPIAN = "ethiopian", _("Ethiopian")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PersonQuerySet:
        """Caseworkers and supervisors: the persons their organisation has a case on. Registry
        officers: every person, for identity fields only (the views show no case content)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.REGISTRY_OFFICER:
            return self.all()
        if user.role in (Role.CASEWORKER, Role.SUPERVISOR) and user.organisation_id:
            return self.filter(cases__organisation_id=user.organisation_id).distinct()
        return self.none()


class Person(models.Model):
    """One person in the national registry (names as built in the region)."""

    given_name = models.CharField(_("given name"), max_length=100)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=100, blank=True)
    other_names = models.TextField(
        _("aliases and other spellings"), blank=True, help_text=_("One per line.")
    )
    name_in_script = models.CharField(
        _("name in its own script"),
        max_length=200,
        blank=True,
        help_text=_("Ge'ez or Arabic, as the person writes it."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_is_estimated = models.BooleanField(_("estimated from the age given"), default=False)
    birth_calendar = models.CharField(
        _("calendar of the date given"),
        max_length=10,
        choices=BirthCalendar.choices,
        default=BirthCalendar.GREGORIAN,
    )
    nationality = models.ForeignKey(
        "places.Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("nationality"),
    )
    languages = models.CharField(
        _("languages"), max_length=100, blank=True, help_text=_("Codes separated by spaces.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    migration_status = models.CharField(
        _("migration status"),
        max_length=20,
        choices=MigrationStatus.choices,
        default=MigrationStatus.UNKNOWN,
    )
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=12, choices=TraffickingStatus.choices, blank=True
    )
    identified_by = models.CharField(
        _("identified through"), max_length=20, choices=Identification.choices
    )
    identified_at_point = models.ForeignKey(
        "places.FlowMonitoringPoint",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("flow monitoring point"),
    )
    identified_in_region = models.ForeignKey(
        "places.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("region"),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # A duplicate merged into another person keeps its row, so that history still reads.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="merged", null=True, blank=True
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["given_name", "father_name", "id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(n for n in (self.given_name, self.father_name, self.grandfather_name) if n)

    def age_on(self, day: datetime.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def language_list(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages.split()]


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    CLOSED_REFERRED = "closed_referred", _("Closed (referred)")


class RiskLevel(models.TextChoices):
    NOT_SCREENED = "", _("Not screened")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    EMERGENCY = "emergency", _("Emergency")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CaseQuerySet:
        """Caseworkers and supervisors see their own organisation's cases; no one else."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in (Role.CASEWORKER, Role.SUPERVISOR) and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        return self.none()


class Case(models.Model):
    """One organisation's work with one person."""

    code = models.CharField(_("case code"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("caseworker"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_reason = models.TextField(_("reason for closure"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=~models.Q(status__in=["closed", "closed_referred"]),
                name="one_open_case_per_person_and_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.code


class CaseNumber(models.Model):
    """The last case number given in a year: codes run DJI-2026-000001, -000002, ..."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    REFERRAL_SHARING = "referral_sharing", _("Sharing with a named organisation for a referral")
    LAW_ENFORCEMENT = "law_enforcement", _("Sharing with law enforcement")
    STATISTICS = "statistics", _("Anonymous use in statistics")


class ConsentLanguage(models.TextChoices):
    """The languages consent is explained in (design brief, principle 2)."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    AMHARIC = "am", _("Amharic")
    OROMO = "om", _("Afaan Oromo")
    SOMALI = "so", _("Somali")
    AFAR = "aa", _("Afar")


class ConsentText(models.Model):
    """A versioned consent text in one language, as read out or shown to the person."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    language = models.CharField(_("language"), max_length=2, choices=ConsentLanguage.choices)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    reviewed_by_native_speaker = models.BooleanField(
        _("reviewed by a native speaker"), default=False
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.language}, v{self.version})"


class GivenBy(models.TextChoices):
    PERSON = "person", _("The person themself")
    PARENT_OR_GUARDIAN = "guardian", _("Parent or legal guardian")
    CAREGIVER = "caregiver", _("Caregiver")


class ConsentQuerySet(models.QuerySet):
    def in_force(self) -> ConsentQuerySet:
        return self.filter(given=True, withdrawn_at__isnull=True)


class Consent(models.Model):
    """Consent (or refusal) for one purpose, as recorded by one case's organisation."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="consents", verbose_name=_("case")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    # For referral sharing: the organisation the person agreed their data may go to.
    shared_with = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("shared with"),
    )
    given = models.BooleanField(_("consent given"))
    text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="+", verbose_name=_("text shown")
    )
    given_by = models.CharField(
        _("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.PERSON
    )
    child_assent = models.BooleanField(_("the child agrees"), null=True, blank=True)
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("obtained by"),
    )
    obtained_at = models.DateTimeField(_("obtained at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-obtained_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.purpose} {'+' if self.given else '-'}"


class Screening(models.Model):
    """A vulnerability screening of one case: the answers, and what the rules derived."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("case")
    )
    # Codes of the questions answered yes (corridor.cases.screening lists them): a short list,
    # read and written whole, like the multi-answers of the flow monitoring survey.
    factors = models.JSONField(_("factors present"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    needs = models.JSONField(_("needs"), default=list)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(_("screened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.screened_at:%Y-%m-%d} {self.risk_level}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    MERGED = "merged", _("Merged")
    DISTINCT = "distinct", _("Different persons")


class DuplicateCandidate(models.Model):
    """Two registrations the matcher finds likely to be one person, for the registry officer."""

    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField(_("probability"))
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.probability:.2f})"


class AccessRequest(models.Model):
    """A user asks the organisation holding a likely match to get in touch about a person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.requested_by_id} -> {self.organisation_id} about {self.person_id}"
