"""The audit log: who saw or changed personal data, who signed in, from where, and when.

Entries are only ever added. No view edits or deletes them, and database triggers (migration
0002) refuse UPDATE, DELETE and, on PostgreSQL, TRUNCATE on the table, so that neither a bug
nor a hand-typed SQL statement can rewrite the record.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from corridor.accounts.models import Organisation, Role

# Labels of the kinds of record the other apps name in `object_type`; an unknown kind is shown
# as its code.
OBJECT_TYPES = {
    "person": _("person"),
    "case": _("case"),
    "consent": _("consent"),
    "screening": _("screening"),
    "referral": _("referral"),
    "case_note": _("case note"),
    "case_action": _("case plan action"),
    "case_transfer": _("case transfer"),
    "duplicate": _("possible duplicate"),
    "distribution": _("distribution"),
    "audit": _("audit log"),
}


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> AuditEntryQuerySet:
        """Only active data protection officers read the log, of every organisation."""
        if getattr(user, "is_authenticated", False) and user.has_role(Role.DATA_PROTECTION_OFFICER):
            return self.all()
        return self.none()

    def for_object(self, object_type: str, object_id: str | int) -> AuditEntryQuerySet:
        """Everything done to one record: who saw it, who changed it."""
        return self.filter(object_type=object_type, object_id=str(object_id))

    def matching(
        self,
        *,
        since: datetime.date | None = None,
        until: datetime.date | None = None,
        actor_username: str = "",
        organisation: Organisation | None = None,
        action: str = "",
        object_type: str = "",
        object_id: str = "",
    ) -> AuditEntryQuerySet:
        """The entries a data protection officer's filters ask for; empty filters match all.

        Days are days in Djibouti (the project's time zone), from midnight to midnight, so that
        an entry at 01:30 in Djibouti belongs to that day although it is the day before in UTC.
        """
        entries = self
        if since:
            entries = entries.filter(at__gte=_start_of(since))
        if until:
            entries = entries.filter(at__lt=_start_of(until + datetime.timedelta(days=1)))
        if actor_username:
            entries = entries.filter(actor_username__iexact=actor_username)
        if organisation:
            entries = entries.filter(organisation=organisation)
        if action:
            entries = entries.filter(action=action)
        if object_type:
            entries = entries.filter(object_type=object_type)
        if object_id:
            entries = entries.filter(object_id=object_id)
        return entries


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        # With a context: the same words elsewhere ("Created" as a date's label) read differently.
        VIEW = "view", pgettext_lazy("audit action", "Viewed")
        CREATE = "create", pgettext_lazy("audit action", "Created")
        CHANGE = "change", pgettext_lazy("audit action", "Changed")
        EXPORT = "export", pgettext_lazy("audit action", "Exported")
        SEARCH = "search", pgettext_lazy("audit action", "Searched")
        CONSENT_OVERRIDE = "consent_override", pgettext_lazy("audit action", "Consent overridden")
        MERGE = "merge", pgettext_lazy("audit action", "Merged")
        ACCESS_REQUEST = "access_request", pgettext_lazy("audit action", "Access request")
        LOGIN = "login", pgettext_lazy("audit action", "Signed in")
        LOGIN_FAILED = "login_failed", pgettext_lazy("audit action", "Failed sign-in")
        LOGOUT = "logout", pgettext_lazy("audit action", "Signed out")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
        null=True,
        blank=True,
    )
    # Kept as text: the log must still say who it was if the account is renamed, and a failed
    # sign-in has only the name that was tried.
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("The user's organisation at the time."),
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    object_type = models.CharField(_("type of record"), max_length=40, blank=True)
    object_id = models.CharField(_("record identifier"), max_length=64, blank=True)
    # What was searched or which fields changed; never a copy of the record itself.
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.TextField(_("page"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        # Entries are never changed or deleted: no such permissions to hand out.
        default_permissions = ("add", "view")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="consent_override") | ~Q(reason=""),
                name="audit_override_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    @property
    def object_type_label(self) -> str:
        return str(OBJECT_TYPES.get(self.object_type, self.object_type))
