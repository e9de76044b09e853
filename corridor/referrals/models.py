"""Referrals of the National Referral Mechanism: from one organisation's case to a service of
another organisation (or its own), with a deadline for the answer, and only the fields the
referring caseworker ticked.

Who sees a referral (`ReferralQuerySet.visible_to`):
- the sending side: caseworkers and supervisors of the organisation whose case it came from,
  as they see that organisation's cases;
- the receiving side: the service focal points of the organisation the service belongs to,
  and only the fields shared (`shared_values`), never the case.
Nobody else, not even supervisors or caseworkers of the receiving organisation: the person
agreed to their data going to an organisation for this referral, and the focal point is the
one who handles it there. Handing it on inside the receiving organisation (opening its own
case) is a new registration with its own consent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User
from corridor.cases.models import Case
from corridor.directory.models import Service, ServiceCategory, ServiceQuerySet
from corridor.referrals import sharing

SENDING_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)
RECEIVING_ROLES = (Role.SERVICE_FOCAL_POINT,)


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    NORMAL = "normal", _("Normal")


class Status(models.TextChoices):
    SENT = "sent", _("Sent, awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Service delivered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Side(models.TextChoices):
    SENDING = "sending", _("Sending")
    RECEIVING = "receiving", _("Receiving")


class Action(models.TextChoices):
    """What can happen to a referral once sent; TRANSITIONS says from where and by whom."""

    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    DELIVER = "deliver", _("Record the service delivered")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")


# action -> (statuses it may start from, status it leads to, side that does it). The receiving
# side answers and records delivery; the sending side, which owns the case, closes the loop
# once the service was delivered (or the referral declined) and may cancel until delivery.
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    Action.ACCEPT: (frozenset({Status.SENT}), Status.ACCEPTED, Side.RECEIVING),
    Action.DECLINE: (frozenset({Status.SENT}), Status.DECLINED, Side.RECEIVING),
    Action.DELIVER: (frozenset({Status.ACCEPTED}), Status.DELIVERED, Side.RECEIVING),
    Action.CLOSE: (frozenset({Status.DELIVERED, Status.DECLINED}), Status.CLOSED, Side.SENDING),
    Action.CANCEL: (frozenset({Status.SENT, Status.ACCEPTED}), Status.CANCELLED, Side.SENDING),
}


def side_of(user: User, referral: Referral) -> str | None:
    """Which side of this referral the user works on, if any."""
    if not user.is_authenticated or not user.organisation_id:
        return None
    if user.has_role(*SENDING_ROLES) and user.organisation_id == referral.from_organisation_id:
        return Side.SENDING
    if user.has_role(*RECEIVING_ROLES) and user.organisation_id == referral.to_organisation_id:
        return Side.RECEIVING
    return None


def reference_of(pk: int) -> str:
    return f"REF-{pk:06d}"


def hours_for(urgency: str) -> int:
    """Calendar hours to answer: nights, weekends and holidays count, since a person in need
    waits through them too. Configurable in the settings."""
    if urgency == Urgency.EMERGENCY:
        return int(getattr(settings, "REFERRAL_HOURS_EMERGENCY", 24))
    return int(getattr(settings, "REFERRAL_HOURS_NORMAL", 72))


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReferralQuerySet:
        """The referrals the user's side sent or received (see the module's docstring)."""
        if not user.is_authenticated or not user.is_active or not user.organisation_id:
            return self.none()
        if user.has_role(*SENDING_ROLES):
            return self.sent_by(user)
        if user.has_role(*RECEIVING_ROLES):
            return self.received_by(user)
        return self.none()

    def sent_by(self, user: User) -> ReferralQuerySet:
        """Sent from the cases of the user's organisation, for its caseworkers and supervisors."""
        if not user.has_role(*SENDING_ROLES) or not user.organisation_id:
            return self.none()
        return self.filter(from_organisation_id=user.organisation_id)

    def received_by(self, user: User) -> ReferralQuerySet:
        """Sent to the user's organisation, for its service focal points."""
        if not user.has_role(*RECEIVING_ROLES) or not user.organisation_id:
            return self.none()
        return self.filter(to_organisation_id=user.organisation_id)

    def overdue(self, now: datetime.datetime | None = None) -> ReferralQuerySet:
        """Still awaiting an answer after the deadline."""
        return self.filter(status=Status.SENT, due_at__lt=now or timezone.now())

    def with_overdue(self, now: datetime.datetime | None = None) -> ReferralQuerySet:
        """Annotated `late`, to put overdue referrals first."""
        late = Q(status=Status.SENT, due_at__lt=now or timezone.now())
        return self.annotate(
            late=models.ExpressionWrapper(late, output_field=models.BooleanField())
        )

    def overdue_first(self, now: datetime.datetime | None = None) -> OverdueFirst:
        """For a paginated list: overdue referrals first, then the others, newest first."""
        return OverdueFirst(self, now or timezone.now())


class OverdueFirst:
    """Referrals in the order of `with_overdue().order_by("-late", "-sent_at", "-id")`, read for
    the paginator (its count and its slices) as two queries: the overdue ones, then the others.

    Ordering by `late`, a condition on the current time, cannot follow an index: PostgreSQL
    read and sorted every referral of the organisation for each page (100,000 in the
    benchmark, docs/performance.md). Each part here is newest first along an index on
    (organisation, sent_at, id), and the overdue ones are few and found by their own index
    on (organisation, status, due_at).
    """

    ordered = True  # for the paginator, which warns about unordered lists

    def __init__(self, referrals: ReferralQuerySet, now: datetime.datetime) -> None:
        late = Q(status=Status.SENT, due_at__lt=now)
        newest = ("-sent_at", "-id")
        self.referrals = referrals
        self.late = referrals.filter(late).annotate(late=models.Value(True)).order_by(*newest)
        self.others = referrals.exclude(late).annotate(late=models.Value(False)).order_by(*newest)
        self._late_count: int | None = None

    def count(self) -> int:
        return self.referrals.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Referral]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("OverdueFirst is read by slices, as the paginator does.")
        start, stop = index.start or 0, index.stop
        if self._late_count is None:
            self._late_count = self.late.count()
        late = self._late_count
        if stop is None:
            stop = late + self.others.count()
        rows: list[Referral] = []
        if start < late:
            rows += self.late[start : min(stop, late)]
        if stop > late:
            rows += self.others[max(start - late, 0) : stop - late]
        return rows


class Referral(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    # Both kept on the row, although the case and the service name them: scoping filters on
    # them, and a service never changes organisation (directory.services.update_service).
    from_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    reason = models.TextField(_("reason for the referral"))
    # Codes of sharing.CATALOGUE, and the values they had when the referral was sent.
    shared_fields = models.JSONField(_("fields shared"), default=list)
    shared_values = models.JSONField(default=dict, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )

    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("answer due by"), db_index=True)

    # The basis for sharing: the consent in force when sent, or a supervisor's override.
    consent = models.ForeignKey(
        "cases.Consent",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("consent"),
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("consent overridden by"),
    )
    override_reason = models.TextField(_("reason for the vital-interest override"), blank=True)

    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivered_what = models.TextField(_("service delivered"), blank=True)
    delivery_recorded_at = models.DateTimeField(null=True, blank=True)
    delivery_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [
            # Each side's referrals by status, and the overdue ones (sent, due_at passed).
            models.Index(fields=["to_organisation", "status", "due_at"], name="referral_received"),
            models.Index(fields=["from_organisation", "status", "due_at"], name="referral_sent"),
            # Each side's list, newest first, read from the index (OverdueFirst).
            models.Index(
                fields=["to_organisation", "-sent_at", "-id"], name="referral_received_newest"
            ),
            models.Index(
                fields=["from_organisation", "-sent_at", "-id"], name="referral_sent_newest"
            ),
        ]
        constraints = [
            # Nothing is shared without a basis: consent, or an override with its reason.
            models.CheckConstraint(
                condition=Q(consent__isnull=False)
                | Q(overridden_by__isnull=False) & ~Q(override_reason=""),
                name="referral_has_a_basis_for_sharing",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="referral_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """What people quote on the phone and on the slip: no personal data in it."""
        return reference_of(self.pk) if self.pk else ""

    @property
    def is_overdue(self) -> bool:
        return self.status == Status.SENT and self.due_at < timezone.now()

    @property
    def is_override(self) -> bool:
        return self.consent_id is None

    def shown_fields(self) -> list[tuple[str, str]]:
        """The shared fields in words: all the receiving side ever reads of the person."""
        return sharing.shown(self.shared_values)

    def may(self, action: str, user: User) -> bool:
        """Whether the user may do this action to the referral now."""
        sources, _target, side = TRANSITIONS[action]
        return self.status in sources and side_of(user, self) == side

    def actions_for(self, user: User) -> list[str]:
        return [action for action in TRANSITIONS if self.may(action, user)]


class SharedFieldsDefault(models.Model):
    """The fields ticked to start with when referring to a service of a category: the minimum
    such a service needs, set by administrators. The caseworker may tick more or fewer."""

    category = models.CharField(
        _("category"), max_length=30, choices=ServiceCategory.choices, unique=True
    )
    fields = models.JSONField(_("fields shared by default"), default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("fields shared by default")
        verbose_name_plural = _("fields shared by default")
        ordering = ["category"]

    def __str__(self) -> str:
        return self.get_category_display()


class NotificationKind(models.TextChoices):
    SENT = "sent", _("New referral")
    ACCEPTED = "accepted", _("Referral accepted")
    DECLINED = "declined", _("Referral declined")
    DELIVERED = "delivered", _("Service delivered")
    CANCELLED = "cancelled", _("Referral cancelled")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """Those addressed to the user, and, for service focal points, those addressed to their
        organisation."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        addressed = Q(recipient=user)
        if user.has_role(*RECEIVING_ROLES) and user.organisation_id:
            addressed |= Q(organisation_id=user.organisation_id)
        return self.filter(addressed)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice. Its text is made from its kind and the referral's reference when
    shown, in the reader's language, and never names the person."""

    # One user (the sender hears back), or an organisation (its focal points, any of whom may
    # answer: once one has read it, it is read for all).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=True, organisation__isnull=False)
                | Q(recipient__isnull=False, organisation__isnull=True),
                name="notification_has_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return notification_text(self.kind, self.referral_id)

    @property
    def link(self) -> str:
        return reverse("referrals:referral_detail", args=[self.referral_id])


def notification_text(kind: str, referral_id: int) -> str:
    """A sentence naming the referral by its reference only."""
    texts = {
        NotificationKind.SENT: gettext("Your organisation received referral %(reference)s."),
        NotificationKind.ACCEPTED: gettext("Referral %(reference)s was accepted."),
        NotificationKind.DECLINED: gettext("Referral %(reference)s was declined."),
        NotificationKind.DELIVERED: gettext("The service of referral %(reference)s was delivered."),
        NotificationKind.CANCELLED: gettext("Referral %(reference)s was cancelled."),
    }
    return texts[kind] % {"reference": reference_of(referral_id)}


def services_for(user: User, case: Case, *, every_need: bool = False) -> ServiceQuerySet:
    """The active services that would take the case's person: by the latest screening's needs
    (unless `every_need`), region of identification, sex, age and nationality."""
    person = case.person
    screening = case.screenings.first()
    found = Service.objects.visible_to(user).matching(
        region=person.identified_in_region_id,
        sex={"F": "female", "M": "male"}.get(person.sex),
        age=person.age_on(timezone.localdate()),
        nationality=person.nationality_id,
    )
    if not every_need:
        found = found.filter(category__in=screening.needs if screening else [])
    return found.select_related("organisation")
