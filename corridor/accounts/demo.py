"""Demo organisations and accounts. Synthetic, and named so nobody mistakes them for real."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from corridor.accounts import totp
from corridor.accounts.models import Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint

# Public on purpose: printed by `make run`. seed_demo refuses to run with DEBUG off.
DEMO_PASSWORD = "corridor-demo"  # noqa: S105
# Public on purpose too, for the same reason: the demo accounts whose role needs a second
# factor share this TOTP secret, already enrolled, so that a tester adds it once to an
# authenticator app (or computes codes with `oathtool --totp -b SECRET`) and signs in as any.
DEMO_TOTP_SECRET = "CORRIDORDEMOSECRETCORRIDORDEMO23"  # noqa: S105

ORGANISATIONS = [
    ("Coordination nationale des migrations (démo)", "NCM-DEMO", Organisation.Kind.GOVERNMENT),
    ("Agence onusienne de suivi des flux (démo)", "DTM-DEMO", Organisation.Kind.UN_AGENCY),
    ("Association Exemple Alpha (fictive)", "ALPHA", Organisation.Kind.CSO),
    ("Association Exemple Bêta (fictive)", "BETA", Organisation.Kind.CSO),
]

ACCOUNTS = [
    # username, first name, last name, organisation acronym, role, assigned points
    ("demo.admin", "Démo", "Administrateur", "NCM-DEMO", Role.ADMINISTRATOR, []),
    ("demo.orgadmin", "Démo", "Admin-Alpha", "ALPHA", Role.ORGANISATION_ADMINISTRATOR, []),
    ("demo.info", "Démo", "Chargé-Information", "DTM-DEMO", Role.INFORMATION_OFFICER, []),
    (
        "demo.enumerator",
        "Démo",
        "Enquêteur",
        "DTM-DEMO",
        Role.ENUMERATOR,
        ["obock-ville", "fantaherou"],
    ),
    ("demo.partner", "Démo", "Partenaire", "BETA", Role.PARTNER_VIEWER, []),
]


@transaction.atomic
def seed() -> list[tuple[str, str, str]]:
    """Create or refresh the demo organisations and accounts; return (username, password, role),
    the role followed by the second factor's key for the roles that need one."""
    organisations = {}
    for name, acronym, kind in ORGANISATIONS:
        organisations[acronym], _ = Organisation.objects.update_or_create(
            acronym=acronym, defaults={"name": name, "kind": kind, "is_active": True}
        )
    logins = []
    for username, first_name, last_name, acronym, role, point_codes in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
                "organisation": organisations[acronym],
                "role": role,
                "is_active": True,
                "must_change_password": False,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.assigned_points.set(FlowMonitoringPoint.objects.filter(code__in=point_codes))
        description = role.label
        if user.needs_second_factor:
            _enrol_demo_second_factor(user)
            # Printed by seed_demo beside the password, where a tester looks for it.
            description = format_lazy(
                gettext_lazy("{role}; second factor (TOTP) key: {key}"),
                role=role.label,
                key=totp.grouped(DEMO_TOTP_SECRET),
            )
        logins.append((username, DEMO_PASSWORD, description))
    return logins


def _enrol_demo_second_factor(user: User) -> None:
    # Refreshed at every seed, so the demo accounts work whatever a tester did before.
    user.totp_secret = DEMO_TOTP_SECRET
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = None
    user.totp_failures = 0
    user.totp_locked_until = None
    user.save(
        update_fields=[
            "totp_secret",
            "totp_confirmed_at",
            "totp_last_step",
            "totp_failures",
            "totp_locked_until",
        ]
    )
