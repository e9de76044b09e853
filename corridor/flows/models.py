"""Flow monitoring: the registry of groups seen at the points, the survey, imports and locks."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User


class KindOfFlow(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
    TRANSIT_ARABIAN_PENINSULA = (
        "transit_arabian_peninsula",
        _("Transit towards the Arabian Peninsula"),
    )
    TRANSIT_ETHIOPIA = "transit_ethiopia", _("Transit towards Ethiopia")
    TRANSIT_WITHIN_DJIBOUTI = "transit_within_djibouti", _("Transit within Djibouti")
    UNDEFINED = "undefined", _("Undefined")


class ObservationPeriod(models.TextChoices):
    MORNING = "morning", _("Morning (6:00-12:00)")
    AFTERNOON = "afternoon", _("Afternoon (12:00-18:00)")
    EVENING = "evening", _("Evening (18:00-22:00)")
    NIGHT = "night", _("Night (22:00-6:00)")


class Transport(models.TextChoices):
    ON_FOOT = "on_foot", _("On foot")
    BUS = "bus", _("Bus")
    TRUCK = "truck", _("Truck")
    CAR = "car", _("Car")
    BOAT = "boat", _("Boat")
    TRAIN = "train", _("Train")
    ANIMAL = "animal", _("Animal")
    OTHER = "other", _("Other")


class Reason(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    CONFLICT = "conflict", _("Conflict")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    SEASONAL = "seasonal", _("Seasonal migration")
    FAMILY = "family", _("Family reunion or visit")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    FOOD_INSECURITY = "food_insecurity", _("Food insecurity")
    LIVING_CONDITIONS = "living_conditions", _("Poor living conditions")
    ACCESS_TO_SERVICES = "access_to_services", _("Access to services")
    COLLECT_AID = "collect_aid", _("Collect aid")
    BUY_GOODS = "buy_goods", _("Buy goods")
    TOURISM = "tourism", _("Tourism")
    RETURN_HOME = "return_home", _("Return to habitual residence")
    OTHER = "other", _("Other")


def country_field(verbose_name: str) -> models.ForeignKey:
    """An optional country of a flow entry; aggregates scan, so no index of its own."""
    return models.ForeignKey(
        "places.Country",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=verbose_name,
        null=True,
        blank=True,
    )


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting validation")
    VALIDATED = "validated", _("Validated")


class FlowEntryQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> FlowEntryQuerySet:
        """Information officers see every entry; enumerators those of their own points."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.INFORMATION_OFFICER:
            return self.all()
        if user.role == Role.ENUMERATOR:
            return self.filter(point__in=user.assigned_points.all())
        return self.none()

    def in_month(self, month: datetime.date) -> FlowEntryQuerySet:
        return self.filter(day__year=month.year, day__month=month.month)


class FlowEntry(models.Model):
    """What every flow monitoring entry has: when, where, who, where it came from, its status."""

    day = models.DateField(_("date"), db_index=True)
    point = models.ForeignKey(
        "places.FlowMonitoringPoint",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("flow monitoring point"),
        db_index=False,  # the (point, day) index serves
    )
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("enumerator"),
        null=True,
        blank=True,
    )
    nationality = models.ForeignKey(
        "places.Country",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("nationality"),
    )
    source_record_id = models.CharField(
        _("source record id"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("For example KoboToolbox's _uuid: a row already imported is skipped."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    import_batch = models.ForeignKey(
        "flows.ImportBatch",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("import"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("recorded by"),
        null=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = FlowEntryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["point", "day"], name="%(class)s_point_day")]


class GroupRecord(FlowEntry):
    """One group seen together at a flow monitoring point (Flow Monitoring Registry)."""

    COUNT_FIELDS = ("adult_men", "adult_women", "boys", "girls")
    VULNERABILITY_FIELDS = (
        "unaccompanied_children",
        "pregnant_or_lactating",
        "elderly",
        "disabled",
        "urgent_medical",
    )

    observation_period = models.CharField(
        _("observation period"), max_length=12, choices=ObservationPeriod.choices, blank=True
    )
    kind_of_flow = models.CharField(_("kind of flow"), max_length=30, choices=KindOfFlow.choices)
    origin_country = country_field(_("country of origin"))
    origin_region = models.CharField(_("region of origin"), max_length=100, blank=True)
    previous_country = country_field(_("previous country"))
    previous_place = models.CharField(_("previous place"), max_length=100, blank=True)
    next_destination = models.CharField(_("next destination"), max_length=100, blank=True)
    final_destination_country = country_field(_("intended final destination"))
    transport = models.CharField(
        _("mode of transport"), max_length=12, choices=Transport.choices, blank=True
    )
    reason = models.CharField(_("main reason"), max_length=20, choices=Reason.choices, blank=True)
    adult_men = models.PositiveIntegerField(_("adult men"), default=0)
    adult_women = models.PositiveIntegerField(_("adult women"), default=0)
    boys = models.PositiveIntegerField(_("boys"), default=0)
    girls = models.PositiveIntegerField(_("girls"), default=0)
    unaccompanied_children = models.PositiveIntegerField(_("unaccompanied children"), default=0)
    pregnant_or_lactating = models.PositiveIntegerField(_("pregnant or lactating women"), default=0)
    elderly = models.PositiveIntegerField(_("elderly people (60+)"), default=0)
    disabled = models.PositiveIntegerField(_("persons with a disability"), default=0)
    urgent_medical = models.PositiveIntegerField(_("people in urgent medical need"), default=0)

    class Meta(FlowEntry.Meta):
        verbose_name = _("group record")
        verbose_name_plural = _("group records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adult_men__gt=0)
                | models.Q(adult_women__gt=0)
                | models.Q(boys__gt=0)
                | models.Q(girls__gt=0),
                name="group_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    unaccompanied_children__lte=models.F("boys") + models.F("girls")
                ),
                name="group_unaccompanied_within_children",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.day:%Y-%m-%d} ({self.size})"

    @property
    def size(self) -> int:
        return self.adult_men + self.adult_women + self.boys + self.girls


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced or separated")
    WIDOWED = "widowed", _("Widowed")


class Education(models.TextChoices):
    NONE = "none", _("No formal education")
    RELIGIOUS = "religious", _("Religious school only")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    HIGHER = "higher", _("Vocational or higher")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed or farming")
    UNEMPLOYED = "unemployed", _("Unemployed, looking for work")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    AMHARIC = "am", _("Amharic")
    OROMO = "om", _("Afaan Oromo")
    TIGRINYA = "ti", _("Tigrinya")
    SOMALI = "so", _("Somali")
    AFAR = "aa", _("Afar")
    ARABIC = "ar", _("Arabic")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other")


class PaymentMeans(models.TextChoices):
    SAVINGS = "savings", _("Own savings")
    FAMILY = "family", _("Family or friends")
    LOAN = "loan", _("Loan")
    SOLD_ASSETS = "sold_assets", _("Sold land, animals or goods")
    WORK_ON_ROUTE = "work_on_route", _("Work on the way")
    PAY_LATER = "pay_later", _("Smuggler paid later, at destination")
    OTHER = "other", _("Other")


class Incident(models.TextChoices):
    VIOLENCE = "violence", _("Physical violence")
    DETENTION = "detention", _("Detention or kidnapping")
    EXTORTION = "extortion", _("Extortion or robbery")
    HUNGER = "hunger", _("Hunger")
    LACK_OF_WATER = "lack_of_water", _("Lack of water")
    SICKNESS = "sickness", _("Sickness without care")
    NONE = "none", _("None")


class Need(models.TextChoices):
    WATER = "water", _("Water")
    FOOD = "food", _("Food")
    SHELTER = "shelter", _("Shelter")
    HEALTH = "health", _("Health care")
    INFORMATION = "information", _("Information")
    PHONE = "phone", _("Phone call to family")
    NONE = "none", _("None")


class Intention(models.TextChoices):
    RETURN_HOME = "return_home", _("Return home")
    STAY_DJIBOUTI = "stay_djibouti", _("Stay in Djibouti")
    TRY_AGAIN = "try_again", _("Try again to reach the destination")
    OTHER_COUNTRY = "other_country", _("Go to another country")
    DO_NOT_KNOW = "do_not_know", _("Does not know")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NO_ANSWER = "no_answer", _("Prefers not to answer")


class SurveyInterview(FlowEntry):
    """One anonymous interview of an adult at a point (Flow Monitoring Survey): no names.

    Multiple-choice answers are stored as space-separated codes, as XLSForm's select_multiple
    sends them.
    """

    MULTIPLE_CHOICE = {
        "languages": Language,
        "payment_means": PaymentMeans,
        "incidents": Incident,
        "needs": Need,
    }

    # Demographics
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(_("age"))
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True
    )
    origin_region = models.CharField(_("region of origin"), max_length=100, blank=True)
    languages = models.CharField(_("languages spoken"), max_length=100, blank=True)
    # Before leaving
    education = models.CharField(
        _("education"), max_length=10, choices=Education.choices, blank=True
    )
    employment_before = models.CharField(
        _("employment before leaving"), max_length=14, choices=Employment.choices, blank=True
    )
    reason_for_leaving = models.CharField(
        _("main reason for leaving"), max_length=20, choices=Reason.choices
    )
    # Route and journey
    intended_destination = country_field(_("intended destination"))
    journey_days = models.PositiveSmallIntegerField(
        _("days since leaving home"), null=True, blank=True
    )
    payment_means = models.CharField(_("how the journey is paid"), max_length=100, blank=True)
    # Risks, needs and intentions
    incidents = models.CharField(_("incidents met on the way"), max_length=100, blank=True)
    needs = models.CharField(_("most pressing needs"), max_length=100, blank=True)
    aware_of_risks = models.CharField(
        _("aware of the risks of the route"), max_length=10, choices=Answer.choices, blank=True
    )
    intention_if_blocked = models.CharField(
        _("intention if the destination cannot be reached"),
        max_length=14,
        choices=Intention.choices,
        blank=True,
    )
    sends_remittances = models.CharField(
        _("expects to send money home"), max_length=10, choices=Answer.choices, blank=True
    )

    class Meta(FlowEntry.Meta):
        verbose_name = _("survey interview")
        verbose_name_plural = _("survey interviews")
        constraints = [
            models.CheckConstraint(condition=models.Q(age__gte=18), name="interview_adult")
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.day:%Y-%m-%d} #{self.pk}"


class GroupRecordCorrection(models.Model):
    """The values a group record had before a correction, who changed it, when and why."""

    record = models.ForeignKey(GroupRecord, on_delete=models.CASCADE, related_name="corrections")
    previous_values = models.JSONField(_("previous values"))
    reason = models.CharField(_("reason for the correction"), max_length=300)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"{self.record}: {self.reason}"


class MonthLock(models.Model):
    """A published month: its group records cannot change until an officer unlocks it."""

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month."))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="lock_first_of_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthLockEvent(models.Model):
    """The log of locks and unlocks: an unlock always says why."""

    class Action(models.TextChoices):
        LOCK = "lock", _("Locked")
        UNLOCK = "unlock", _("Unlocked")

    month = models.DateField(_("month"))
    action = models.CharField(max_length=6, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.action}"


class ImportBatch(models.Model):
    """One uploaded file: checked first (preview), then committed whole or not at all."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", _("Flow monitoring registry (groups)")
        SURVEY = "survey", _("Flow monitoring survey (interviews)")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: ready to import")
        INVALID = "invalid", _("Refused: the file has errors")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind of data"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    stored_path = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(
        default=0, help_text=_("Rows whose source record id was already imported.")
    )
    rows_added = models.PositiveIntegerField(default=0)
    movements = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    ignored_columns = models.JSONField(default=list)
    language = models.CharField(
        max_length=10, default="fr", help_text=_("The uploader's language, for the messages.")
    )
    failure = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["file_sha256"],
                condition=models.Q(status="imported"),
                name="file_imported_once",
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress_percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ImportProblem(models.Model):
    """One thing wrong in one row of an uploaded file, said in the uploader's language."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100)
    value = models.CharField(_("value"), max_length=200)
    message = models.CharField(_("problem"), max_length=500)

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.row}/{self.column}: {self.message}"


class MovementSummary(models.Model):
    """Group records added up per whole month or year, point, kind of flow and nationality.

    The dashboard reads these for the whole months and years of a period instead of millions of
    records; corridor.flows.summaries rebuilds a month's rows (and its year's) from the records
    in the same transaction as every write. Rows with a breakdown add the same records up once
    more per value of one more field (destination, reason, previous country).
    """

    class Span(models.TextChoices):
        MONTH = "month"
        YEAR = "year"

    class Breakdown(models.TextChoices):
        NONE = ""
        DESTINATION = "destination"
        REASON = "reason"
        PREVIOUS_COUNTRY = "previous_country"

    span = models.CharField(max_length=5, choices=Span.choices)
    start = models.DateField()  # the month's or the year's first day
    point = models.ForeignKey(
        "places.FlowMonitoringPoint", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind_of_flow = models.CharField(max_length=30, choices=KindOfFlow.choices)
    nationality = models.ForeignKey(
        "places.Country", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    breakdown = models.CharField(max_length=20, choices=Breakdown.choices, blank=True)
    value = models.CharField(max_length=20, blank=True)  # a country code or a reason; "" unknown
    adult_men = models.PositiveIntegerField(default=0)
    adult_women = models.PositiveIntegerField(default=0)
    boys = models.PositiveIntegerField(default=0)
    girls = models.PositiveIntegerField(default=0)
    unaccompanied_children = models.PositiveIntegerField(default=0)
    pregnant_or_lactating = models.PositiveIntegerField(default=0)
    elderly = models.PositiveIntegerField(default=0)
    disabled = models.PositiveIntegerField(default=0)
    urgent_medical = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["span", "start", "breakdown"], name="movementsummary_read"),
        ]
        constraints = [
            # One row a key, which summaries.add's upsert relies on.
            models.UniqueConstraint(
                fields=[
                    "span",
                    "start",
                    "breakdown",
                    "value",
                    "point",
                    "kind_of_flow",
                    "nationality",
                ],
                name="movementsummary_one_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.start:%Y-%m} {self.point_id} {self.breakdown}={self.value}"
