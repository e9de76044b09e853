"""Demo organisations and accounts. Synthetic, and named so nobody mistakes them for real."""

from __future__ import annotations

from django.db import transaction

from corridor.accounts.models import Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint

# Public on purpose: printed by `make run`. seed_demo refuses to run with DEBUG off.
DEMO_PASSWORD = "corridor-demo"  # noqa: S105

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
    """Create or refresh the demo organisations and accounts; return (username, password, role)."""
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
        logins.append((username, DEMO_PASSWORD, role.label))
    return logins
