"""Demo organisations and accounts. Synthetic, and named so nobody mistakes them for real.

Twenty-five organisations of the National Referral Mechanism: the public bodies named in the
shared reference (djibouti.md), each marked "(démo)", and associations with names that are
clearly made up. Besides the main demo logins below, each organisation gets the accounts its
work needs, named <login>.<role> (crd.caseworker, crd.focalpoint...), with the same password.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from corridor.accounts import totp
from corridor.accounts.models import SECOND_FACTOR_ROLES, Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint

# Public on purpose: printed by `make run`. seed_demo refuses to run with DEBUG off.
DEMO_PASSWORD = "corridor-demo"  # noqa: S105
# Public on purpose too, for the same reason: the demo accounts whose role needs a second
# factor share this TOTP secret, already enrolled, so that a tester adds it once to an
# authenticator app (or computes codes with `oathtool --totp -b SECRET`) and signs in as any.
DEMO_TOTP_SECRET = "CORRIDORDEMOSECRETCORRIDORDEMO23"  # noqa: S105

Kind = Organisation.Kind
ORG_ADMIN = Role.ORGANISATION_ADMINISTRATOR
# An organisation that works on cases and offers services: someone manages its accounts,
# caseworkers and a supervisor register and refer, a focal point answers referrals.
CASE_WORK = (ORG_ADMIN, Role.CASEWORKER, Role.SUPERVISOR, Role.SERVICE_FOCAL_POINT)
CASES_ONLY = (ORG_ADMIN, Role.CASEWORKER, Role.SUPERVISOR)


class DemoOrganisation(NamedTuple):
    name: str
    acronym: str
    kind: str
    login: str  # the first part of its generated accounts' usernames
    roles: tuple[Role, ...]  # one generated account for each
    offers_services: bool  # gets the directory's demo services (corridor.directory.demo)


def _association(letter: str, login: str) -> DemoOrganisation:
    return DemoOrganisation(
        f"Association Exemple {letter} (fictive)", login.upper(), Kind.CSO, login, CASE_WORK, True
    )


ORGANISATIONS = [
    # The four first ones, and their names, predate the NRM demo: kept for the tests and links.
    DemoOrganisation(
        "Coordination nationale des migrations (démo)",
        "NCM-DEMO",
        Kind.GOVERNMENT,
        "ncm",
        (Role.SERVICE_FOCAL_POINT,),
        True,
    ),
    # Stands for IOM: flow monitoring, and the migrant response centre in Obock.
    DemoOrganisation(
        "Agence onusienne de suivi des flux (démo)",
        "DTM-DEMO",
        Kind.UN_AGENCY,
        "dtm",
        CASE_WORK,
        True,
    ),
    DemoOrganisation(
        "Association Exemple Alpha (fictive)",
        "ALPHA",
        Kind.CSO,
        "alpha",
        (Role.SERVICE_FOCAL_POINT,),
        True,
    ),
    DemoOrganisation(
        "Association Exemple Bêta (fictive)", "BETA", Kind.CSO, "beta", CASES_ONLY, True
    ),
    _association("Gamma", "gamma"),
    _association("Delta", "delta"),
    _association("Epsilon", "epsilon"),
    _association("Zêta", "zeta"),
    _association("Êta", "eta"),
    _association("Thêta", "theta"),
    _association("Iota", "iota"),
    _association("Kappa", "kappa"),
    DemoOrganisation(
        "Office national d'assistance aux réfugiés et sinistrés (ONARS, démo)",
        "ONARS",
        Kind.GOVERNMENT,
        "onars",
        (*CASES_ONLY, Role.PARTNER_VIEWER),
        False,
    ),
    DemoOrganisation(
        "Institut national de la statistique (INS, démo)",
        "INS",
        Kind.GOVERNMENT,
        "ins",
        (Role.PARTNER_VIEWER,),
        False,
    ),
    DemoOrganisation(
        "Commission nationale des droits de l'homme (CNDH, démo)",
        "CNDH",
        Kind.HUMAN_RIGHTS_INSTITUTION,
        "cndh",
        CASE_WORK,
        True,
    ),
    DemoOrganisation(
        "Croissant-Rouge de Djibouti (démo)", "CRD", Kind.RED_CRESCENT, "crd", CASE_WORK, True
    ),
    DemoOrganisation(
        "Police nationale (démo)", "POLICE", Kind.LAW_ENFORCEMENT, "police", CASE_WORK, True
    ),
    DemoOrganisation(
        "Gendarmerie nationale (démo)",
        "GENDARMERIE",
        Kind.LAW_ENFORCEMENT,
        "gendarmerie",
        CASE_WORK,
        True,
    ),
    DemoOrganisation(
        "Garde-côtes (démo)", "GARDE-COTES", Kind.LAW_ENFORCEMENT, "gardecotes", CASES_ONLY, False
    ),
    # Local coordination of migration is done by the prefectures; they read the flow data.
    DemoOrganisation(
        "Préfecture d'Obock (démo)",
        "PREF-OBOCK",
        Kind.GOVERNMENT,
        "obock",
        (Role.PARTNER_VIEWER,),
        False,
    ),
    DemoOrganisation(
        "Préfecture de Tadjourah (démo)",
        "PREF-TADJOURAH",
        Kind.GOVERNMENT,
        "tadjourah",
        (Role.PARTNER_VIEWER,),
        False,
    ),
    DemoOrganisation(
        "Préfecture d'Ali Sabieh (démo)",
        "PREF-ALISABIEH",
        Kind.GOVERNMENT,
        "alisabieh",
        (Role.PARTNER_VIEWER,),
        False,
    ),
    # UN partners that receive DTM's data.
    DemoOrganisation(
        "Fonds des Nations unies pour l'enfance (UNICEF, démo)",
        "UNICEF",
        Kind.UN_AGENCY,
        "unicef",
        (Role.PARTNER_VIEWER,),
        False,
    ),
    DemoOrganisation(
        "Haut-Commissariat des Nations unies pour les réfugiés (HCR, démo)",
        "HCR",
        Kind.UN_AGENCY,
        "hcr",
        (Role.PARTNER_VIEWER,),
        False,
    ),
    DemoOrganisation(
        "Programme alimentaire mondial (PAM, démo)",
        "PAM",
        Kind.UN_AGENCY,
        "pam",
        (Role.PARTNER_VIEWER,),
        False,
    ),
]

# The main demo logins, printed by seed_demo: one for each role.
MAIN_ACCOUNTS = [
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
    # Alpha's cases are referred to Beta's services, among others: two logins see both sides.
    ("demo.caseworker", "Démo", "Gestionnaire-de-cas", "ALPHA", Role.CASEWORKER, []),
    ("demo.supervisor", "Démo", "Superviseur", "ALPHA", Role.SUPERVISOR, []),
    ("demo.focalpoint", "Démo", "Point-focal", "BETA", Role.SERVICE_FOCAL_POINT, []),
    ("demo.registry", "Démo", "Officier-du-registre", "NCM-DEMO", Role.REGISTRY_OFFICER, []),
    ("demo.coordinator", "Démo", "Coordinateur", "NCM-DEMO", Role.COORDINATOR, []),
    (
        "demo.dpo",
        "Démo",
        "Délégué-protection-données",
        "NCM-DEMO",
        Role.DATA_PROTECTION_OFFICER,
        [],
    ),
]
ROLE_LOGINS = {
    Role.ORGANISATION_ADMINISTRATOR: ("orgadmin", "Admin"),
    Role.CASEWORKER: ("caseworker", "Gestionnaire-de-cas"),
    Role.SUPERVISOR: ("supervisor", "Superviseur"),
    Role.SERVICE_FOCAL_POINT: ("focalpoint", "Point-focal"),
    Role.PARTNER_VIEWER: ("partner", "Partenaire"),
}
# Every demo account: the main ones, then those of each organisation, in a fixed order.
ACCOUNTS = MAIN_ACCOUNTS + [
    (
        f"{organisation.login}.{ROLE_LOGINS[role][0]}",
        "Démo",
        f"{ROLE_LOGINS[role][1]}-{organisation.acronym}",
        organisation.acronym,
        role,
        [],
    )
    for organisation in ORGANISATIONS
    for role in organisation.roles
]


def service_providers() -> list[Organisation]:
    """The demo organisations that offer services, in the order of ORGANISATIONS."""
    wanted = [o.acronym for o in ORGANISATIONS if o.offers_services]
    found = {o.acronym: o for o in Organisation.objects.filter(acronym__in=wanted)}
    return [found[o.acronym] for o in ORGANISATIONS if o.acronym in found]


@transaction.atomic
def seed() -> list[tuple[str, str, str]]:
    """Create or refresh the demo organisations and accounts; return the main logins as
    (username, password, role), the role followed by the second factor's key for the roles
    that need one."""
    organisations = {}
    for organisation in ORGANISATIONS:
        organisations[organisation.acronym], _ = Organisation.objects.update_or_create(
            acronym=organisation.acronym,
            defaults={"name": organisation.name, "kind": organisation.kind, "is_active": True},
        )
    # One hash for every account: Argon2 takes a tenth of a second each, on purpose.
    password = make_password(DEMO_PASSWORD)
    points = {point.code: point for point in FlowMonitoringPoint.objects.all()}
    now = timezone.now()
    main = {account[0] for account in MAIN_ACCOUNTS}
    logins = []
    for username, first_name, last_name, acronym, role, point_codes in ACCOUNTS:
        second_factor = role in SECOND_FACTOR_ROLES
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
                "password": password,
                # Refreshed at every seed, so the demo accounts work whatever a tester did.
                **(_DEMO_SECOND_FACTOR | {"totp_confirmed_at": now} if second_factor else {}),
            },
        )
        if point_codes or user.assigned_points.exists():
            user.assigned_points.set([points[code] for code in point_codes])
        if username not in main:
            continue
        description = role.label
        if second_factor:
            # Printed by seed_demo beside the password, where a tester looks for it.
            description = format_lazy(
                gettext_lazy("{role}; second factor (TOTP) key: {key}"),
                role=role.label,
                key=totp.grouped(DEMO_TOTP_SECRET),
            )
        logins.append((username, DEMO_PASSWORD, description))
    return logins


_DEMO_SECOND_FACTOR = {
    "totp_secret": DEMO_TOTP_SECRET,
    "totp_last_step": None,
    "totp_failures": 0,
    "totp_locked_until": None,
}
