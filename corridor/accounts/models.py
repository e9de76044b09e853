"""Organisations, the people who use Corridor, and what their role lets them do."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        UN_AGENCY = "un_agency", _("UN agency")
        CSO = "cso", _("Civil-society organisation")
        RED_CRESCENT = "red_crescent", _("Red Crescent")
        HUMAN_RIGHTS_INSTITUTION = "nhri", _("National human rights institution")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Role(models.TextChoices):
    """What a user does; each role adds only what that work needs (design brief, "Roles")."""

    ADMINISTRATOR = "administrator", _("Administrator")
    ORGANISATION_ADMINISTRATOR = "organisation_administrator", _("Organisation administrator")
    INFORMATION_OFFICER = "information_officer", _("Information officer")
    ENUMERATOR = "enumerator", _("Enumerator")
    PARTNER_VIEWER = "partner_viewer", _("Partner viewer")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    SERVICE_FOCAL_POINT = "service_focal_point", _("Service focal point")
    REGISTRY_OFFICER = "registry_officer", _("Registry officer")
    COORDINATOR = "coordinator", _("Coordinator")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")


# Roles that see personal data of the people Corridor protects, or that can hand such access
# to someone: they sign in with a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.ORGANISATION_ADMINISTRATOR,
        Role.CASEWORKER,
        Role.SUPERVISOR,
        Role.SERVICE_FOCAL_POINT,
        Role.REGISTRY_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
    }
)


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> UserQuerySet:
        """The accounts a user may see and manage."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.ADMINISTRATOR:
            return self.all()
        if user.role == Role.ORGANISATION_ADMINISTRATOR and user.organisation_id:
            # Never the platform administrators, even of their own organisation: resetting
            # one's password would hand over the whole platform.
            return self.filter(organisation_id=user.organisation_id).exclude(
                role=Role.ADMINISTRATOR
            )
        return self.none()


class CorridorUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices, blank=True)
    assigned_points = models.ManyToManyField(
        "places.FlowMonitoringPoint",
        related_name="enumerators",
        verbose_name=_("assigned flow monitoring points"),
        blank=True,
        help_text=_("For enumerators: the points where they enter flow data."),
    )
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False
    )
    # The second factor (TOTP, see totp.py). The secret must stay readable to check codes, so
    # it cannot be hashed like a password; it is shown only while enrolling, and only once the
    # user proved their app has it (a first code) is it stored here.
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(
        _("second factor set on"), null=True, blank=True, editable=False
    )
    # The last step whose code was accepted: that code, and older ones, are refused (replay).
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)
    # Wrong codes in a row, and until when codes are refused after too many of them.
    totp_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    totp_locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CorridorUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *roles: Role) -> bool:
        return self.is_active and self.role in roles

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def has_second_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def can_manage_users(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR)

    @property
    def can_edit_reference_data(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    @property
    def can_read_reference_data(self) -> bool:
        return self.is_active and bool(self.role)

    def roles_it_may_grant(self) -> list[Role]:
        """An organisation administrator never creates a platform administrator."""
        if self.has_role(Role.ADMINISTRATOR):
            return list(Role)
        if self.has_role(Role.ORGANISATION_ADMINISTRATOR):
            return [role for role in Role if role != Role.ADMINISTRATOR]
        return []


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ApiTokenQuerySet:
        """Tokens of the accounts a user manages."""
        return self.filter(user__in=User.objects.visible_to(user))

    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key another system uses to call the API as one account, with that account's role.

    Only a hash of the key is stored: the key itself is shown once, when it is created.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("account")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the system using it.")
    )
    prefix = models.CharField(max_length=8, help_text=_("The first characters, to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
