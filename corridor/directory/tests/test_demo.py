"""The demo services: plausible, deterministic, obviously fictional."""

import re

from corridor.accounts import demo as accounts_demo
from corridor.accounts.models import Organisation
from corridor.directory import demo
from corridor.directory.models import Service
from corridor.places.models import Region


def demo_organisations():
    accounts_demo.seed()
    return list(Organisation.objects.filter(acronym__in=["NCM-DEMO", "DTM-DEMO", "ALPHA", "BETA"]))


def test_seed_is_deterministic_and_idempotent(db):
    organisations = demo_organisations()
    first = {(s.name, s.contact_phone, s.contact_email) for s in demo.seed(organisations)}
    second = {(s.name, s.contact_phone, s.contact_email) for s in demo.seed(organisations)}
    assert first == second
    assert Service.objects.count() == len(first) > 0


def test_every_organisation_gets_services_and_two_associations_differ(db):
    organisations = demo_organisations()
    demo.seed(organisations)
    for organisation in organisations:
        assert organisation.services.exists(), organisation
    alpha, beta = (
        set(
            Service.objects.filter(organisation__acronym=acronym).values_list("category", flat=True)
        )
        for acronym in ("ALPHA", "BETA")
    )
    assert alpha != beta


def test_contacts_are_fictional(db):
    services = demo.seed(demo_organisations())
    for service in services:
        assert re.fullmatch(r"\+253 77 00 00 \d\d", service.contact_phone), service.contact_phone
        assert service.contact_email.endswith("@example.org")
        assert "(démo)" in service.name


def test_demo_answers_the_issues_example(db):
    demo.seed(demo_organisations())
    obock = Region.objects.get(code="DJ-OB")
    found = Service.objects.matching(
        category="medical", region=obock, sex="female", age=15, language="om"
    )
    assert "Soins médicaux au centre d'Obock (démo)" in {service.name for service in found}
    # And an adults-only service exists for the search to rule out.
    assert Service.objects.filter(min_age=18).exists()
