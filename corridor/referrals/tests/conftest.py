import datetime

import pytest
from django.test import Client
from django.utils import timezone

from corridor.cases import services as case_services
from corridor.cases.models import Case, ConsentPurpose, ConsentText
from corridor.cases.tests.conftest import case_of
from corridor.directory.models import Service
from corridor.directory.tests.conftest import make_service
from corridor.referrals import services
from corridor.referrals.models import Referral

DJIBOUTI = timezone.get_default_timezone()
# Synthetic, and obviously so; each distinct, so a page can be searched for any of them.
PERSON = {
    "given_name": "Testa",
    "father_name": "Exemplu",
    "grandfather_name": "Fictivo",
    "phone": "+253 77 12 34 56",
}


def label(personas, organisation_id: int) -> str:
    """ "A" or "B": the persona organisation of an id."""
    return next(key for key, org in personas.organisations.items() if org.pk == organisation_id)


def consent_to_share(personas, case: Case, organisation: str):
    """The person agrees to their data going to organisation "A" or "B"."""
    ConsentText.objects.get_or_create(
        purpose=ConsentPurpose.REFERRAL_SHARING,
        language="fr",
        version=1,
        defaults={"body": "Texte de test"},
    )
    return case_services.record_consent(
        by=personas[f"caseworker@{label(personas, case.organisation_id)}"],
        case=case,
        purpose=ConsentPurpose.REFERRAL_SHARING,
        given=True,
        language="fr",
        shared_with=personas.organisations[organisation],
    )


def service_of(personas, organisation: str, **fields) -> Service:
    """A medical service of organisation "A" or "B" (the same one when asked again)."""
    name = fields.get("name", "Soins médicaux (test)")
    found = Service.objects.filter(organisation=personas.organisations[organisation], name=name)
    return found.first() or make_service(personas.organisations[organisation], **fields)


def referral_of(
    personas,
    sender: str = "A",
    receiver: str = "B",
    *,
    fields=("given_name", "sex"),
    urgency: str = "normal",
    **person,
) -> Referral:
    """A referral sent with consent by the caseworker of `sender` to a service of `receiver`."""
    case = case_of(personas, sender, **(PERSON | person))
    consent_to_share(personas, case, receiver)
    return services.send_referral(
        by=personas[f"caseworker@{sender}"],
        case=case,
        service=service_of(personas, receiver),
        urgency=urgency,
        reason="Soins urgents (test)",
        shared_fields=list(fields),
    )


def advance(personas, referral: Referral, *steps: str) -> Referral:
    """Move a referral A -> B along: "accept", "decline", "deliver", "close", "cancel"."""
    sender = personas[f"caseworker@{label(personas, referral.from_organisation_id)}"]
    focal_point = personas[f"service_focal_point@{label(personas, referral.to_organisation_id)}"]
    for step in steps:
        if step == "accept":
            referral = services.accept_referral(by=focal_point, referral=referral)
        elif step == "decline":
            referral = services.decline_referral(
                by=focal_point, referral=referral, reason="Complet"
            )
        elif step == "deliver":
            referral = services.record_delivery(
                by=focal_point,
                referral=referral,
                delivered_on=timezone.localdate(),
                what="Consultation (test)",
            )
        elif step == "close":
            referral = services.close_referral(by=sender, referral=referral)
        elif step == "cancel":
            referral = services.cancel_referral(by=sender, referral=referral)
        else:
            raise ValueError(step)
    return referral


def in_english(client: Client) -> Client:
    """Texts asserted in English, the source language, whatever the catalogues say."""
    client.cookies["corridor_language"] = "en"
    return client


@pytest.fixture
def clock(monkeypatch):
    """Set the time everything reads (timezone.now) to a moment in Djibouti."""

    def set_to(*args: int) -> datetime.datetime:
        moment = datetime.datetime(*args, tzinfo=DJIBOUTI)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to
