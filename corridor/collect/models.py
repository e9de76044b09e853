"""Field data collection: XLSForm forms, their versions, the phones that send, what they send.

A form keeps every version it ever had, because phones stay offline across form updates and
send what they filled with the version they had. A submission is stored as it came (its XML,
or for an encrypted form the encrypted envelope and files) before anything is made of it, so a
submission that fails a check is never lost: it waits in the review queue with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Role, User


class Purpose(models.TextChoices):
    """What Corridor makes of a form's submissions."""

    FLOW_REGISTRY = "flow_registry", _("Flow monitoring registry (group records)")
    FLOW_SURVEY = "flow_survey", _("Flow monitoring survey (interviews)")
    SCREENING = "screening", _("Referral screening (draft cases)")
    OTHER = "other", _("Other form (submissions kept as they are)")


# Forms whose answers name vulnerable people: a lost phone must reveal nothing of them, so
# phones get them only encrypted and the server takes them only encrypted.
ENCRYPTED_PURPOSES = (Purpose.SCREENING,)


class CollectFormQuerySet(models.QuerySet):
    def assigned_to(self, user: User) -> CollectFormQuerySet:
        """The active forms a user may download and fill: assigned to them or to their role."""
        if not user.is_authenticated or not user.is_active or not user.role:
            return self.none()
        return self.filter(
            models.Q(assigned_users=user) | models.Q(role_assignments__role=user.role),
            is_active=True,
        ).distinct()


class CollectForm(models.Model):
    """One form, identified by its XLSForm `form_id`, across all its versions."""

    form_id = models.CharField(_("form ID"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.OTHER
    )
    holds_personal_data = models.BooleanField(
        _("holds personal data"),
        default=True,
        help_text=_(
            "Its raw submissions are then shown only to the roles that may see personal data, "
            "and every view of them is audited."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    assigned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="collect_forms",
        verbose_name=_("assigned users"),
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CollectFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("collection form")
        verbose_name_plural = _("collection forms")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self) -> FormVersion | None:
        return self.versions.order_by("-uploaded_at", "-id").first()


class RoleAssignment(models.Model):
    """Every account with this role may fill the form."""

    form = models.ForeignKey(CollectForm, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)

    class Meta:
        verbose_name = _("form assigned to a role")
        verbose_name_plural = _("forms assigned to roles")
        constraints = [
            models.UniqueConstraint(fields=["form", "role"], name="collect_one_role_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.form} → {self.get_role_display()}"


class FormVersion(models.Model):
    """One uploaded XLSForm and the XForm pyxform made of it. Never changed once stored."""

    form = models.ForeignKey(
        CollectForm, on_delete=models.CASCADE, related_name="versions", verbose_name=_("form")
    )
    version = models.CharField(_("version"), max_length=100)
    xlsform = models.BinaryField(_("XLSForm file"))
    xlsform_name = models.CharField(_("file name"), max_length=200)
    xform = models.TextField(_("XForm"))
    # "md5:<hex>" of the XForm, as OpenRosa's form list expects.
    hash = models.CharField(_("hash"), max_length=40)
    warnings = models.JSONField(_("conversion warnings"), default=list, blank=True)
    # Set when the XLSForm's settings carry a public_key: phones encrypt what they send.
    public_key = models.TextField(_("public key"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="collect_one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.version}"

    @property
    def is_encrypted(self) -> bool:
        return bool(self.public_key)


class FormMedia(models.Model):
    """A file a form version needs on the phone (image, CSV of choices), listed in its manifest."""

    version = models.ForeignKey(
        FormVersion, on_delete=models.CASCADE, related_name="media", verbose_name=_("version")
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    hash = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("form media file")
        verbose_name_plural = _("form media files")
        constraints = [
            models.UniqueConstraint(fields=["version", "filename"], name="collect_one_media_name")
        ]

    def __str__(self) -> str:
        return self.filename


class DeviceKeyQuerySet(models.QuerySet):
    def active(self) -> DeviceKeyQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class DeviceKey(models.Model):
    """The password one phone uses for OpenRosa (HTTP Basic), instead of the account's own.

    A long random key, not a chosen password: a SHA-256 of it is enough to store and check it,
    so a busy phone costs no password hash per request, and the account's password (and its
    second factor) never goes on a phone. Shown once, as text and as an ODK Collect settings QR
    code; revoked when the phone is lost.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="device_keys",
        verbose_name=_("account"),
    )
    name = models.CharField(_("phone"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = DeviceKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("phone key")
        verbose_name_plural = _("phone keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class DecryptionKey(models.Model):
    """The private key of an encrypted form, itself encrypted with a passphrase (PKCS#8).

    The passphrase is never stored: an administrator types it to decrypt waiting submissions.
    """

    form = models.OneToOneField(
        CollectForm,
        on_delete=models.CASCADE,
        related_name="decryption_key",
        verbose_name=_("form"),
    )
    encrypted_private_key = models.TextField()
    public_key = models.TextField(_("public key"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("decryption key")
        verbose_name_plural = _("decryption keys")

    def __str__(self) -> str:
        return str(self.form)


class SubmissionState(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete (more parts expected)")
    ENCRYPTED = "encrypted", _("Encrypted, waiting to be decrypted")
    RECEIVED = "received", _("Received, not yet processed")
    PROCESSED = "processed", _("Processed into a record")
    TO_REVIEW = "to_review", _("To review")
    KEPT = "kept", _("Kept as it is")
    REPLACED = "replaced", _("Replaced by a later edit")


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> SubmissionQuerySet:
        """Raw submissions a user may open: their own; of forms without personal data, all of
        them for administrators and information officers; of forms with personal data, those
        sent from their organisation for supervisors. Administrators see no personal data
        (README, roles): what is made of such submissions (draft cases) is reached through
        the cases' own scoped lists."""
        if not user.is_authenticated or not user.is_active or not user.role:
            return self.none()
        mine = models.Q(submitted_by=user)
        if user.role in (Role.ADMINISTRATOR, Role.INFORMATION_OFFICER):
            return self.filter(mine | models.Q(form__holds_personal_data=False))
        if user.role == Role.SUPERVISOR and user.organisation_id:
            return self.filter(
                mine
                | models.Q(
                    form__holds_personal_data=True,
                    submitted_by__organisation=user.organisation_id,
                )
            )
        return self.filter(mine)


class Submission(models.Model):
    """One filled form instance as a phone (or an import) sent it."""

    form = models.ForeignKey(
        CollectForm,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("form"),
        db_index=False,  # the (form, received_at) index serves
    )
    version = models.ForeignKey(
        FormVersion,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("version"),
        db_index=False,
    )
    # The instance's meta/instanceID ("uuid:…"); for imports, the source tool's id.
    instance_id = models.CharField(_("instance ID"), max_length=100, unique=True)
    # The XML as received (for encrypted forms, the envelope until decrypted).
    xml = models.TextField(_("XML"))
    xml_hash = models.CharField(max_length=64)
    state = models.CharField(
        _("state"), max_length=12, choices=SubmissionState.choices, default=SubmissionState.RECEIVED
    )
    problem = models.TextField(_("reason for review"), blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="replaced_by",
        null=True,
        blank=True,
        verbose_name=_("replaces"),
    )
    # What the submission became: "flows.grouprecord:123", "cases.case:45".
    record = models.CharField(_("record"), max_length=60, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
        db_index=False,
    )
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["form", "-received_at"], name="collect_submission_form"),
            models.Index(fields=["state", "form"], name="collect_submission_state"),
        ]

    def __str__(self) -> str:
        return self.instance_id


class Attachment(models.Model):
    """A file sent with a submission (photo, signature, or an encrypted `.enc` file)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "filename"], name="collect_one_attachment_name"
            )
        ]

    def __str__(self) -> str:
        return self.filename
