"""The NRM demo data: organisations and accounts, the registry, its cases and referrals.

The seed writes some 20,000 rows, so it runs once for the whole module (twice, to prove a
second run changes nothing) outside the tests' transactions; the module removes it at the end.
Figures here are read back from the database, never taken from the generators.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from corridor.accounts import demo as accounts_demo
from corridor.accounts.models import Organisation, Role, User
from corridor.cases import demo, duplicates
from corridor.cases import screening as screening_rules
from corridor.cases.models import (
    BirthCalendar,
    Case,
    CaseStatus,
    ClosureReason,
    Consent,
    ConsentPurpose,
    DuplicateCandidate,
    GivenBy,
    Identification,
    MigrationStatus,
    Person,
    Screening,
)
from corridor.directory import demo as directory_demo
from corridor.directory.models import Service, ServiceCategory
from corridor.flows import demo as flows_demo
from corridor.flows.models import Language
from corridor.places.models import Region
from corridor.referrals import demo as referrals_demo
from corridor.referrals import sharing
from corridor.referrals.models import Notification, Referral, Status
from corridor.testing import signed_in

PHONE = re.compile(r"\+253 77 00 \d\d \d\d")


def near(value: int, target: int, tolerance: float = 0.1) -> bool:
    return abs(value - target) <= tolerance * target


def demo_persons():
    return Person.objects.filter(pk__in=demo_cases().values("person_id"))


def demo_cases():
    return Case.objects.filter(code__startswith=demo.CODE_PREFIX)


def demo_referrals():
    return Referral.objects.filter(case__code__startswith=demo.CODE_PREFIX)


def demo_consents():
    return Consent.objects.filter(case__code__startswith=demo.CODE_PREFIX)


def demo_users():
    return User.objects.filter(username__in=[account[0] for account in accounts_demo.ACCOUNTS])


def demo_organisations():
    return Organisation.objects.filter(
        acronym__in=[organisation.acronym for organisation in accounts_demo.ORGANISATIONS]
    )


def fingerprint(queryset, *fields: str) -> str:
    rows = list(queryset.order_by(*fields).values_list(*fields))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def snapshot() -> dict:
    """Counts, and fingerprints of the values (never the ids, which a second run changes)."""
    return {
        "organisations": demo_organisations().count(),
        "users": demo_users().count(),
        "services": Service.objects.filter(organisation__in=demo_organisations()).count(),
        "persons": demo_persons().count(),
        "cases": fingerprint(
            demo_cases(),
            "code",
            "person__given_name",
            "person__father_name",
            "person__birth_date",
            "organisation__acronym",
            "status",
            "risk_level",
            "opened_at",
            "closed_at",
        ),
        "consents": fingerprint(demo_consents(), "case__code", "purpose", "obtained_at", "given"),
        "screenings": Screening.objects.filter(case__in=demo_cases()).count(),
        "referrals": fingerprint(
            demo_referrals(), "case__code", "sent_at", "service__name", "status", "due_at"
        ),
        "notifications": Notification.objects.filter(referral__in=demo_referrals()).count(),
        "pairs": DuplicateCandidate.objects.count(),
    }


@dataclass
class Seeded:
    first: dict
    second: dict
    registry: demo.Seeded
    referrals: referrals_demo.Seeded
    now: datetime.datetime


def _clean_up() -> None:
    demo.delete_with_dependents(demo.demo_persons())
    DuplicateCandidate.objects.all().delete()
    Service.objects.filter(organisation__in=demo_organisations()).delete()
    demo_users().delete()
    demo_organisations().delete()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Seeded:
    """The accounts and services, then the registry and referrals twice, on the same day
    (midnight is fixed, so that a run across it would not see two days)."""
    end = demo.horizon()
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
            pytest.MonkeyPatch.context() as patch,
        ):
            patch.setattr(demo, "horizon", lambda: end)
            accounts_demo.seed()
            directory_demo.seed(accounts_demo.service_providers())
            demo.seed()
            referrals_demo.seed()
            first = snapshot()
            accounts_demo.seed()
            directory_demo.seed(accounts_demo.service_providers())
            registry = demo.seed()
            referrals = referrals_demo.seed()
            yield Seeded(first, snapshot(), registry, referrals, timezone.now())
    finally:
        with django_db_blocker.unblock():
            _clean_up()


# --- The tables (no seeding) -----------------------------------------------------------------


def test_every_code_in_the_tables_is_a_valid_choice(db):
    acronyms = {organisation.acronym for organisation in accounts_demo.ORGANISATIONS}
    regions = set(Region.objects.values_list("code", flat=True))
    for table in demo.CHANNELS.values():
        assert set(table) <= set(Identification.values)
    assert set(demo.CSO_CHANNELS) <= set(Identification.values)
    for table in demo.MIGRATION_STATUSES.values():
        assert set(table) <= set(MigrationStatus.values)
    for table in (*demo.REGIONS.values(), demo.CSO_REGIONS):
        assert set(table) <= regions
    assert set(demo.CASE_SHARES) | set(demo.CHANNELS) | set(demo.REGIONS) <= acronyms
    questions = set(screening_rules.QUESTIONS)
    factors = {*demo.FACTOR_CHANCES, *demo.TRAFFICKING_ACTS, *demo.TRAFFICKING_MEANS}
    factors |= {code for table in demo.PURPOSES.values() for code in table} | demo.RESOLVED
    assert factors <= questions
    assert set(demo.POOL_LANGUAGE.values()) <= set(Language.values)
    assert set(demo.CLOSURE_REASONS) <= set(ClosureReason.values)
    categories = set(ServiceCategory.values)
    assert set(referrals_demo.REASONS) | set(referrals_demo.DELIVERED) <= categories
    assert set(referrals_demo.MORE_FIELDS) | set(referrals_demo.GENERAL) <= categories
    assert {c for codes in referrals_demo.MORE_FIELDS.values() for c in codes} <= sharing.CODES


def test_the_organisations_and_accounts_are_declared_once():
    organisations = accounts_demo.ORGANISATIONS
    assert len(organisations) == 25
    assert len({o.acronym for o in organisations}) == len({o.login for o in organisations}) == 25
    usernames = [account[0] for account in accounts_demo.ACCOUNTS]
    assert len(usernames) == len(set(usernames))
    # The CSOs' names say they are made up; every public body is marked as a demo one.
    for organisation in organisations:
        marker = "(fictive)" if organisation.kind == Organisation.Kind.CSO else "démo"
        assert marker in organisation.name, organisation.name


def test_seed_demo_prints_a_line_for_each_part(db, settings, monkeypatch, capsys):
    settings.DEBUG = True
    monkeypatch.setattr(flows_demo, "seed", lambda: "Flow monitoring demo: summary.")
    monkeypatch.setattr(demo, "seed", lambda: "Registry demo: summary.")
    monkeypatch.setattr(referrals_demo, "seed", lambda: "Referral demo: summary.")
    call_command("seed_demo")
    output = capsys.readouterr().out
    for line in ("Flow monitoring demo", "Registry demo", "Referral demo"):
        assert f"{line}: summary." in output
    assert "Accounts demo: 25 organisations" in output
    assert "Directory demo: " in output
    assert "Collect forms: corridor_flow_registry" in output and ": loaded" in output
    for username in ("demo.caseworker", "demo.focalpoint", "demo.registry", "demo.dpo"):
        assert f"  {username} " in output
    more = len(accounts_demo.ACCOUNTS) - len(accounts_demo.MAIN_ACCOUNTS)
    assert f"...and {more} more" in output and "crd.caseworker" in output
    assert "crd.caseworker " not in output  # named, not listed one per line


# --- The stored data -------------------------------------------------------------------------


def test_a_second_run_changes_nothing(seeded, db):
    assert seeded.first == seeded.second
    assert "Registry demo: 2,000 persons" in str(seeded.registry)
    assert str(seeded.referrals).startswith("Referral demo: ")


def test_counts_are_near_the_targets(seeded, db):
    assert demo_organisations().count() == 25
    assert near(demo_persons().count(), 2_000)
    assert near(demo_cases().count(), 2_500)
    assert near(demo_referrals().count(), 5_000)
    assert demo_referrals().count() == seeded.referrals.referrals


def test_every_role_has_a_demo_user_who_can_sign_in(seeded, db):
    users = demo_users()
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    assert users.filter(role=Role.REGISTRY_OFFICER).count() == 1
    assert users.filter(role=Role.COORDINATOR).count() == 1
    assert users.filter(role=Role.DATA_PROTECTION_OFFICER).count() == 1
    for user in users:
        assert user.check_password(accounts_demo.DEMO_PASSWORD), user
        assert user.has_second_factor == user.needs_second_factor, user
        assert user.email == f"{user.username}@example.org"
    # Each organisation that works on cases has a caseworker and a supervisor; each that
    # offers services, a focal point to answer its referrals.
    for organisation in demo_organisations():
        roles = set(users.filter(organisation=organisation).values_list("role", flat=True))
        if demo_cases().filter(organisation=organisation).exists():
            assert {Role.CASEWORKER, Role.SUPERVISOR} <= roles, organisation
        if organisation.services.exists():
            assert Role.SERVICE_FOCAL_POINT in roles, organisation


def test_names_phones_and_addresses_look_made_up(seeded, db):
    pool = demo.name_pool()
    scripts = set(demo.GEEZ.values()) | set(demo.ARABIC.values())
    persons = demo_persons()
    for person in persons.values(
        "given_name", "father_name", "grandfather_name", "other_names", "name_in_script", "phone"
    ):
        names = [person["given_name"], person["father_name"], person["grandfather_name"]]
        assert set(filter(None, names)) <= pool, person
        assert set(person["other_names"].split()) <= pool, person
        assert set(person["name_in_script"].split()) <= scripts, person
        assert not person["phone"] or PHONE.fullmatch(person["phone"]), person
    assert persons.exclude(phone="").exists()


def test_persons_look_like_those_of_the_region(seeded, db):
    persons = demo_persons()
    total = persons.count()
    nationality = dict(persons.values_list("nationality").annotate(n=Count("id")))
    assert [code for code, _ in sorted(nationality.items(), key=lambda kv: -kv[1])][:2] == [
        "ET",
        "SO",
    ]
    assert set(nationality) == {"ET", "SO", "DJ", "YE", "ER"}
    assert nationality["ET"] > 0.6 * total
    assert persons.filter(grandfather_name="").exists()
    assert persons.filter(birth_calendar=BirthCalendar.ETHIOPIAN).exists()
    assert persons.filter(birth_date_is_estimated=True).exists()
    assert persons.filter(birth_date=None).exists()
    assert persons.filter(name_in_script__regex=r"[\u1200-\u137F]").exists()  # Ge'ez
    assert persons.filter(name_in_script__regex=r"[\u0600-\u06FF]").exists()  # Arabic
    assert not persons.filter(sex="").exists()
    for languages in persons.values_list("languages", flat=True):
        assert languages and set(languages.split()) <= set(Language.values), languages
    assert set(persons.values_list("identified_by", flat=True)) <= set(Identification.values)
    at_points = persons.exclude(identified_at_point=None)
    assert at_points.exists()
    assert not at_points.exclude(identified_at_point__region=F("identified_in_region")).exists()
    assert not persons.filter(identified_in_region=None).exists()


def test_cases_consents_and_screenings(seeded, db):
    cases = demo_cases()
    persons = demo_persons()
    two_cases = persons.annotate(n=Count("cases")).filter(n=2)
    assert 0.2 <= two_cases.count() / persons.count() <= 0.3
    by_organisations = persons.annotate(
        organisations=Count("cases__organisation", distinct=True), n=Count("cases")
    )
    assert not by_organisations.filter(organisations__lt=F("n")).exists()
    # Every status but draft: drafts come from phones' screening forms, not from the desk.
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values) - {
        CaseStatus.DRAFT
    }
    # The case takes the risk level of its latest screening, as the service would set it.
    for case in cases.prefetch_related("screenings").select_related("person"):
        screenings = list(case.screenings.all())
        assert (case.status == CaseStatus.OPEN) == (not screenings), case
        assert case.risk_level == (screenings[0].risk_level if screenings else ""), case
        closed = case.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
        assert closed == (case.closed_at is not None), case
        if closed:
            assert case.closure_reason in ClosureReason.values
            assert case.closed_at > case.opened_at
    for screening in Screening.objects.filter(case__in=cases).select_related("case__person"):
        child = demo.is_child(screening.case.person.birth_date, screening.screened_at.date())
        result = screening_rules.assess(screening.factors, is_child=child)
        assert (screening.risk_level, screening.needs) == (result.risk_level, result.needs)
        assert screening.screened_at >= screening.case.opened_at
    risks = set(cases.values_list("risk_level", flat=True))
    assert risks == {"", "low", "medium", "high", "emergency"}
    # Consent to register for all but some cases just opened; statistics for most.
    consents = demo_consents()
    registered = consents.filter(purpose=ConsentPurpose.REGISTRATION, given=True)
    assert not cases.exclude(status=CaseStatus.OPEN).exclude(consents__in=registered).exists()
    assert registered.count() > 0.9 * cases.count()
    assert consents.filter(purpose=ConsentPurpose.STATISTICS, given=True).count() > (
        0.6 * cases.count()
    )
    assert consents.filter(purpose=ConsentPurpose.STATISTICS, given=False).exists()
    assert consents.filter(withdrawn_at__isnull=False).exists()
    # A parent, guardian or caregiver consents for a child, and the child's assent is noted.
    for consent in consents.select_related("case__person"):
        child = demo.is_child(consent.case.person.birth_date, consent.obtained_at.date())
        assert (consent.given_by != GivenBy.PERSON) == child, consent
        assert (consent.child_assent is not None) == child, consent
        assert consent.obtained_at >= consent.case.opened_at
    assert consents.exclude(given_by=GivenBy.PERSON).exists()


def test_no_referral_without_consent_or_override(seeded, db):
    referrals = demo_referrals()
    assert not referrals.filter(consent=None, overridden_by=None).exists()
    assert not referrals.filter(consent=None, override_reason="").exists()
    with_consent = referrals.exclude(consent=None)
    assert not with_consent.exclude(
        consent__purpose=ConsentPurpose.REFERRAL_SHARING,
        consent__given=True,
        consent__case=F("case"),
        consent__shared_with=F("to_organisation"),
        consent__obtained_at__lte=F("sent_at"),
    ).exists()
    overrides = referrals.filter(consent=None)
    assert overrides.exists()
    assert set(overrides.values_list("overridden_by__role", flat=True)) == {Role.SUPERVISOR}
    assert not overrides.exclude(overridden_by=F("sent_by")).exists()


def test_referrals_move_through_their_lifecycle(seeded, db):
    referrals = demo_referrals()
    assert set(referrals.values_list("status", flat=True)) == set(Status.values)
    assert referrals.overdue(seeded.now).exists()
    assert not referrals.filter(from_organisation=F("to_organisation")).exists()
    assert not referrals.exclude(service__organisation=F("to_organisation")).exists()
    assert not referrals.exclude(from_organisation=F("case__organisation")).exists()
    year_ago = seeded.now - datetime.timedelta(days=366)
    moments = ("sent_at", "accepted_at", "declined_at", "delivery_recorded_at", "closed_at")
    for name in (*moments, "cancelled_at"):
        assert not referrals.filter(**{f"{name}__gt": seeded.now}).exists(), name
        assert not referrals.filter(**{f"{name}__lt": year_ago}).exists(), name
    in_order = (
        ("sent_at", "accepted_at"),
        ("sent_at", "declined_at"),
        ("accepted_at", "delivery_recorded_at"),
        ("delivery_recorded_at", "closed_at"),
        ("declined_at", "closed_at"),
        ("sent_at", "cancelled_at"),
        ("accepted_at", "cancelled_at"),
    )
    for earlier, later in in_order:
        assert not referrals.filter(**{f"{later}__lt": F(earlier)}).exists(), (earlier, later)
    assert not referrals.filter(sent_at__lt=F("case__opened_at")).exists()
    assert not referrals.filter(sent_at__gt=F("case__closed_at")).exists()
    # A closed case leaves no referral open behind it.
    closed_cases = Q(case__status__in=[CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED])
    assert (
        not referrals.filter(closed_cases)
        .exclude(status__in=[Status.CLOSED, Status.CANCELLED])
        .exists()
    )
    assert not referrals.filter(status=Status.DECLINED, decline_reason="").exists()
    assert not referrals.filter(due_at__lte=F("sent_at")).exists()
    for referral in referrals.select_related("service"):
        assert referral.shared_fields == sharing.ordered(referral.shared_fields)
        # jsonb keeps no key order: the page orders by shared_fields.
        assert set(referral.shared_values) == set(referral.shared_fields)
        assert referral.reason
        if referral.delivered_on:
            assert referral.delivered_on >= timezone.localdate(referral.sent_at)
    # The focal points are told, in the application, of what reached their organisation.
    unread = Notification.objects.filter(referral__in=referrals, read_at=None)
    assert unread.filter(organisation__isnull=False).exists()


def test_timestamps_are_office_hours_in_djibouti(seeded, db):
    """Associations open cases Sunday to Thursday, 7:30 to 14:30, Djibouti time."""
    djibouti = timezone.get_default_timezone()
    opened = demo_cases().exclude(organisation__acronym__in=demo.ROUND_THE_CLOCK)
    for moment in opened.values_list("opened_at", flat=True):
        local = moment.astimezone(djibouti)
        assert local.weekday() not in demo.WEEKEND, local
        assert demo.OFFICE[0] <= local.hour * 60 + local.minute <= demo.OFFICE[1], local


def test_the_registry_holds_likely_duplicates_across_organisations(seeded, db):
    queued = set(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id"))
    planted = {tuple(sorted(pair)) for pair in seeded.registry.twins}
    assert len(planted) >= 30
    assert len(planted & queued) >= 0.75 * len(planted)
    # Each twin was registered by another organisation than its original.
    for original, twin in planted:
        first, again = (
            Case.objects.filter(person_id=pk).order_by("opened_at").first()
            for pk in (original, twin)
        )
        assert again.organisation_id != first.organisation_id
        assert again.opened_at > first.opened_at
    # A few dozen pairs in all, and the batch finds them again from an empty queue.
    assert 30 <= len(queued) <= 120
    DuplicateCandidate.objects.all().delete()
    assert duplicates.find_duplicates() == len(queued)


def test_the_main_demo_logins_see_the_demo(seeded, db):
    """Each side of the demo, as its main login sees it: pages render and hold demo data."""

    def page(username: str, route: str, *args: object) -> str:
        client = signed_in(Client(), User.objects.get(username=username))
        response = client.get(reverse(route, args=args))
        assert response.status_code == 200, (username, route)
        return response.content.decode()

    alpha_case = demo_cases().filter(organisation__acronym="ALPHA", referrals__isnull=False)[0]
    assert alpha_case.code in page("demo.caseworker", "cases:case_list")
    assert alpha_case.person.given_name in page(
        "demo.caseworker", "cases:case_detail", alpha_case.pk
    )
    sent = demo_referrals().filter(from_organisation__acronym="ALPHA").first()
    assert sent.reference in page("demo.supervisor", "referrals:sent")
    page("demo.caseworker", "referrals:referral_detail", sent.pk)
    received = demo_referrals().filter(to_organisation__acronym="BETA").first()
    assert received.reference in page("demo.focalpoint", "referrals:inbox")
    page("demo.focalpoint", "referrals:referral_detail", received.pk)
    page("demo.focalpoint", "referrals:notifications")
    pair = DuplicateCandidate.objects.first()
    assert pair.person_a.given_name in page("demo.registry", "cases:duplicate_list")
    page("demo.registry", "cases:duplicate_review", pair.pk)
