"""The national registry of persons, each organisation's case on a person, consent, screening.

A person is registered once; every organisation that works with them opens its own case on
that person. Personal data is only reached through the `visible_to` querysets below, and the
views record every read in the audit log.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
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
    # Made from a screening form sent by a phone (corridor.collect.processing): a caseworker of
    # the organisation confirms it (services.confirm_draft) or discards it (discard_draft).
    DRAFT = "draft", _("Draft (from a phone, to review)")
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

    def search(self, text: str, *, organisation_id: int) -> CaseQuerySet:
        """Cases whose code is `text`, or whose person has, for each word of `text`, a word of
        their names that starts with it: "has moh" finds Hassan Mohamed Ali; letter case,
        accents and Arabic vowel marks do not matter (search_words).

        Names are looked up in the organisation's search index (CaseNameWord), never in the
        registry's persons: a common name is held by tens of thousands of persons nationally,
        and going from each of them to this organisation's cases is what made a search slow.
        Their matches are never in one OR with the case code, which would keep the database
        from using either index. A case code names one case: it is looked up first.
        """
        named = CaseNameWord.objects.matching(text, organisation_id=organisation_id)
        by_code = self._by_code(text)
        if named is None:
            return self.filter(pk__in=by_code)
        if not by_code:
            return self.filter(pk__in=named.values("case_id"))
        if not named.exists():
            return self.filter(pk__in=by_code)
        return self.filter(models.Q(pk__in=by_code) | models.Q(pk__in=named.values("case_id")))

    def newest_matches(self, text: str, *, organisation_id: int) -> models.QuerySet | None:
        """The keys of search(text)'s cases in the list's order, as (id, opened_at) rows read
        from the search index alone, for corridor.pagination.Matches; None when `text` is a
        case code or has no word (then the search itself is quick).

        Why: for the database, the matches of a name in the index are as many cases of the
        organisation as in the whole registry (it cannot know the index is filed by
        organisation), a fifth of the truth for a large organisation; so, asked for the
        newest 2,000 of 24,000 matches, it plans for 5,000 and sorts them all the slow way."""
        named = CaseNameWord.objects.matching(text, organisation_id=organisation_id)
        if named is None or self._by_code(text):
            return None
        return (
            named.values_list("case_id", "opened_at").order_by("-opened_at", "-case_id").distinct()
        )

    def _by_code(self, text: str) -> list[int]:
        return list(self.filter(code__iexact=text.strip()).values_list("pk", flat=True))


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
        indexes = [
            # An organisation's cases in the list's order: the page is read from the index, not
            # sorted from all of them (hundreds of thousands for a large organisation).
            models.Index(fields=["organisation", "-opened_at", "-id"], name="case_newest"),
            # The search by code, which compares letters in any case (code__iexact).
            models.Index(Upper("code"), name="case_code_upper"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=~models.Q(status__in=["closed", "closed_referred"]),
                name="one_open_case_per_person_and_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.code


def search_words(text: str) -> list[str]:
    """The words of `text` as the case search compares them: in lower case, without accents
    or Arabic vowel marks, split at anything that is not a letter or a digit (Ge'ez and Arabic
    letters are letters), each at most SEARCH_WORD_LENGTH long, without repeats."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = (word[:SEARCH_WORD_LENGTH] for word in re.findall(r"[^\W_]+", plain))
    return list(dict.fromkeys(words))


SEARCH_WORD_LENGTH = 100


class CaseNameWordQuerySet(models.QuerySet):
    def matching(self, text: str, *, organisation_id: int) -> CaseNameWordQuerySet | None:
        """The organisation's entries for the last word of `text`, of cases whose names start
        with every word of it; None if `text` has no word."""
        matching = None
        for word in search_words(text):
            entries = self.filter(organisation_id=organisation_id, word__startswith=word)
            if matching is not None:
                entries = entries.filter(case_id__in=matching.values("case_id"))
            matching = entries
        return matching

    def index(self, cases: Iterable[int]) -> None:
        """Write the search words of these cases (ids) again from their person's names, their
        organisation and opening moment, as they are now. Called by whatever changes those: a
        case opened, imported, transferred, moved to another person by a merge, a person's
        names edited."""
        cases = list(cases)
        self.filter(case_id__in=cases).delete()
        rows = Case.objects.filter(pk__in=cases).values_list(
            "pk",
            "organisation_id",
            "opened_at",
            "person__given_name",
            "person__father_name",
            "person__grandfather_name",
            "person__other_names",
            "person__name_in_script",
        )
        self.bulk_create(
            (
                CaseNameWord(
                    case_id=case, organisation_id=organisation, opened_at=opened_at, word=word
                )
                for case, organisation, opened_at, *names in rows
                for word in search_words(" ".join(names))
            ),
            batch_size=1000,
        )


class CaseNameWord(models.Model):
    """A word of the names of a case's person, filed under the case's organisation: the index
    the case search reads (CaseQuerySet.search). Derived from the case and its person, written
    by `CaseNameWord.objects.index`, and by `manage.py index_case_names` for all cases.

    Why a table: the search finds names by the start of their words in one organisation's
    cases, which one B-tree index on (organisation, word) answers by reading only the matching
    entries, however large the registry (docs/performance.md, "Referral mechanism")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField()  # the case's, the order of the case list
    word = models.CharField(max_length=SEARCH_WORD_LENGTH)

    objects = CaseNameWordQuerySet.as_manager()

    class Meta:
        indexes = [
            # word__startswith is LIKE 'word%': on PostgreSQL only the pattern operator class
            # lets a B-tree serve it whatever the database's collation; SQLite ignores it, and
            # `include` (the case and its order read from the index alone).
            models.Index(
                fields=["organisation", "word"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                include=["case", "opened_at"],
                name="case_name_word_search",
            ),
        ]

    def __str__(self) -> str:
        return self.word


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


# Case management: the plan, notes, closure and transfer of a case (corridor.cases.services
# holds the rules; these models hold the data and the invariants the database can keep).

CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)
CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


class CaseActionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CaseActionQuerySet:
        return self.filter(case__in=Case.objects.visible_to(user))

    def not_done(self) -> CaseActionQuerySet:
        return self.filter(done_at__isnull=True)

    def overdue(self, today: datetime.date | None = None) -> CaseActionQuerySet:
        """Not done, and the day it was due has passed (in Djibouti's time zone)."""
        return self.not_done().filter(due_on__lt=today or timezone.localdate())


class CaseAction(models.Model):
    """One item of a case plan: what is to be done, by whom, by when, and when it was done.

    HTCDS 2.0 "Support Plan" (spl_ fields): HTCDS keeps a plan as one record with free-text
    Objectives and Action Plan, a Type, a Planned End Date and an Actual End Date. Here the plan
    is the list of a case's actions, so that each can have its own date and be ticked off. To
    export: spl_ActionPlan (and spl_Objectives) <- the `what` of the actions, one per line;
    spl_PlannedEndDate <- the latest `due_on`; spl_ActualEndDate <- the latest `done_at` once
    every action is done. spl_Type has no counterpart: the plan has no type here.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="actions", verbose_name=_("case")
    )
    what = models.CharField(_("action"), max_length=300)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("due or follow-up date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("done by"),
    )

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("case plan action")
        verbose_name_plural = _("case plan actions")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.due_on:%Y-%m-%d} {self.what[:40]}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class CaseNoteQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> CaseNoteQuerySet:
        """Notes of the cases the user sees; a confidential note only to its author and to the
        supervisors of the organisation it was written in. Others get nothing of it, not even
        a placeholder: that a confidential note was written on a given day can itself tell
        what the person disclosed, and a colleague can do nothing with a locked line but ask
        the supervisor, who sees the note."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        shown = models.Q(confidential=False) | models.Q(author=user)
        if user.has_role(Role.SUPERVISOR) and user.organisation_id:
            shown |= models.Q(organisation_id=user.organisation_id)
        return self.filter(case__in=Case.objects.visible_to(user)).filter(shown)


class CaseNote(models.Model):
    """A note on a case. Never edited nor deleted: a correction is a new note, so what a
    colleague read and acted on stays readable."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="notes", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # The author's organisation when writing: whose supervisors may read a confidential note.
    # Kept on the note so that it does not change when the author moves to another
    # organisation or the case is transferred (the receiving organisation does not read the
    # sender's confidential notes).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"))
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Only you and your organisation's supervisors will read it."),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = CaseNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.created_at:%Y-%m-%d %H:%M}"


class ClosureReason(models.TextChoices):
    """Why a case is closed (HTCDS "Reason for Case Closure"); stored in Case.closure_reason."""

    SERVICE_COMPLETED = "service_completed", _("Services completed")
    CONTINUED_JOURNEY = "continued_journey", _("The person left Djibouti (continued their journey)")
    RETURNED_HOME = "returned_home", _("The person returned home (AVRR)")
    TRANSFERRED = "transferred", _("Handed over to another organisation")
    REFUSED = "refused", _("The person refused further help")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    DECEASED = "deceased", _("The person died")
    DUPLICATE = "duplicate", _("Duplicate case")
    OTHER = "other", _("Other reason")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ClosureRequestQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ClosureRequestQuerySet:
        return self.filter(case__in=Case.objects.visible_to(user))

    def pending(self) -> ClosureRequestQuerySet:
        return self.filter(status=RequestStatus.PENDING)


class ClosureRequest(models.Model):
    """A caseworker asks to close a case; a supervisor of the case's organisation decides."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="closure_requests", verbose_name=_("case")
    )
    reason = models.CharField(_("reason for closure"), max_length=20, choices=ClosureReason.choices)
    explanation = models.TextField(_("explanation"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)

    objects = ClosureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_closure_request_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="closure_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.reason} ({self.status})"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the receiving organisation")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class CaseTransferQuerySet(models.QuerySet):
    def received_by(self, user: User) -> CaseTransferQuerySet:
        """Transfers to the user's organisation, for its caseworkers and supervisors: they read
        the person's identity and the reason to decide (the consent, or override, on the
        transfer lets them)."""
        if not user.is_authenticated or not user.has_role(*CASE_ROLES) or not user.organisation_id:
            return self.none()
        return self.filter(to_organisation_id=user.organisation_id)

    def incoming(self, user: User) -> CaseTransferQuerySet:
        """Those still awaiting the receiving organisation's answer."""
        return self.received_by(user).pending()

    def pending(self) -> CaseTransferQuerySet:
        return self.filter(status=TransferStatus.PENDING)


class CaseTransfer(models.Model):
    """A case handed from one organisation to another; see services.request_transfer."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("case")
    )
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    reason = models.TextField(_("reason for the transfer"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    # The basis for handing the person's data over, as for a referral: the consent in force,
    # or a supervisor's vital-interest override with its reason.
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    override_reason = models.TextField(_("reason for the vital-interest override"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    objects = CaseTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(consent__isnull=False)
                | models.Q(overridden_by__isnull=False) & ~models.Q(override_reason=""),
                name="transfer_has_a_basis_for_sharing",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="transfer_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_organisation=models.F("to_organisation")),
                name="transfer_to_another_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.from_organisation_id} -> {self.to_organisation_id}"

    @property
    def is_override(self) -> bool:
        return self.consent_id is None
