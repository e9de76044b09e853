"""Synthetic referrals of the demo cases (corridor.cases.demo) to the services of other demo
organisations (corridor.directory.demo), with the consents to share they rest on and the
notifications each step sent.

Each screened case is referred for the needs its first screening found, to services that
would take the person (region, sex, age, nationality), as `services_for` proposes them; a
declined referral is often sent again to another service of the same kind. Each referral
then moves through its lifecycle as the two sides would move it: answered within hours or a
few days (some late, a few not at all: overdue), delivered, closed by the sender; declined
with a reason; or cancelled. Nothing happens after midnight this morning, nor after the case
was closed. Timestamps fall in office hours in Djibouti, Sunday to Thursday, but for
emergencies.

Deterministic like the registry (one seed, dates counted back from today), and a run
replaces the last: the referrals of the demo cases and their consents to share go first.
Written in bulk, with no audit entries, for the reason corridor.cases.demo gives.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from corridor.accounts import demo as accounts_demo
from corridor.accounts.models import Organisation, Role, User
from corridor.cases import demo as cases_demo
from corridor.cases.models import Case, CaseStatus, Consent, ConsentPurpose, Person, Screening
from corridor.directory.models import Service, SexesAccepted
from corridor.referrals import sharing
from corridor.referrals.models import (
    Notification,
    NotificationKind,
    Referral,
    Status,
    Urgency,
)
from corridor.referrals.services import default_fields, due_at

SEED = 20250702
MAX_PER_CASE = 5
NOTIFIED_DAYS = 90
# What a caseworker writes, by the category of the service: never a word about the person.
REASONS = {
    "shelter": "Sans abri ; besoin d'un hébergement sûr.",
    "food_water_nfi": "Sans nourriture ni eau à l'arrivée ; besoin d'un kit d'urgence.",
    "medical": "Besoin de soins médicaux constaté lors du dépistage.",
    "mental_health": "Détresse psychologique ; soutien psychosocial demandé.",
    "legal_aid": "Demande d'information sur ses droits et d'un accompagnement juridique.",
    "family_tracing": "Séparé de sa famille ; souhaite reprendre contact.",
    "child_protection": "Enfant non accompagné ou séparé : évaluation de l'intérêt supérieur.",
    "return_reintegration": "Souhaite rentrer ; demande d'aide au retour volontaire.",
    "documentation": "Sans document d'identité ; besoin d'une attestation.",
    "interpretation": "Ne parle aucune langue des services ; interprète nécessaire.",
    "phone_call": "Souhaite appeler sa famille.",
    "livelihood": "Souhaite se former pour gagner sa vie.",
    "education": "Enfant non scolarisé.",
}
DELIVERED = {
    "shelter": "Hébergement au centre, repas et douches.",
    "food_water_nfi": "Eau, repas et kit d'hygiène remis.",
    "medical": "Consultation et traitement.",
    "mental_health": "Deux séances d'écoute individuelle.",
    "legal_aid": "Entretien d'information juridique.",
    "family_tracing": "Message transmis ; contact rétabli avec la famille.",
    "child_protection": "Évaluation de l'intérêt supérieur faite ; suivi organisé.",
    "return_reintegration": "Documents de voyage obtenus ; départ organisé.",
    "documentation": "Attestation délivrée.",
    "interpretation": "Interprète présent à l'entretien.",
    "phone_call": "Appel à la famille passé.",
    "livelihood": "Inscription à la session de formation.",
    "education": "Inscription aux cours.",
}
DECLINE_REASONS = (
    "Capacité atteinte cette semaine : orienter vers un autre service.",
    "La personne ne s'est pas présentée.",
    "Hors de la zone desservie par l'équipe.",
    "Déjà pris en charge par un autre service.",
)
OVERRIDE_REASONS = (
    "Danger immédiat ; la personne, inconsciente, ne peut pas consentir.",
    "Enfant en danger immédiat, sans parent ni tuteur joignable.",
    "Urgence vitale ; le consentement sera demandé dès que possible.",
)
# What caseworkers tick beyond the category's defaults, for some referrals.
MORE_FIELDS = {
    "medical": ("risk_level", "needs", "phone"),
    "mental_health": ("risk_level", "screening_notes"),
    "child_protection": ("birth_date", "nationality", "screening_factors"),
    "legal_aid": ("nationality", "migration_status", "trafficking_status"),
    "return_reintegration": ("birth_date", "nationality", "grandfather_name"),
    "documentation": ("grandfather_name", "birth_date", "nationality"),
    "family_tracing": ("grandfather_name", "phone", "nationality"),
}
# Services anyone may be sent to besides what the screening found.
GENERAL = ("food_water_nfi", "phone_call", "interpretation")
URGENT = ("medical", "shelter", "child_protection")


@dataclass
class _Offer:
    """A service, with what its eligibility needs, read once."""

    service: Service
    regions: set[int]
    nationalities: set[str]

    def takes(self, person: Person, age: int | None, anywhere: bool) -> bool:
        service = self.service
        region = person.identified_in_region_id
        if not anywhere and not service.nationwide and region and region not in self.regions:
            return False
        wanted = {"F": SexesAccepted.FEMALE, "M": SexesAccepted.MALE}.get(person.sex)
        if service.sexes != SexesAccepted.ANY and service.sexes != wanted:
            return False
        if age is not None and service.min_age is not None and age < service.min_age:
            return False
        if age is not None and service.max_age is not None and age > service.max_age:
            return False
        return not self.nationalities or person.nationality_id in self.nationalities


@dataclass
class Seeded:
    referrals: int
    statuses: Counter
    overdue: int
    consents: int
    overrides: int
    notifications: int

    def __str__(self) -> str:
        spread = ", ".join(f"{self.statuses[status]:,} {status}" for status in Status.values)
        return (
            f"Referral demo: {self.referrals:,} referrals ({spread}; {self.overdue} overdue), "
            f"{self.consents:,} consents to share, {self.overrides} vital-interest overrides, "
            f"{self.notifications:,} notifications."
        )


class _Referrer:
    def __init__(self, end: datetime.datetime) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (synthetic data, not security)
        self.end = end
        usernames = [account[0] for account in accounts_demo.ACCOUNTS]
        users = User.objects.filter(username__in=usernames, is_active=True).order_by("username")
        self.focal_points: dict[int, list[User]] = defaultdict(list)
        self.supervisors: dict[int, list[User]] = defaultdict(list)
        for user in users:
            if user.role == Role.SERVICE_FOCAL_POINT:
                self.focal_points[user.organisation_id].append(user)
            elif user.role == Role.SUPERVISOR:
                self.supervisors[user.organisation_id].append(user)
        demo = Organisation.objects.filter(
            acronym__in=[o.acronym for o in accounts_demo.ORGANISATIONS]
        )
        services = (
            Service.objects.active()
            .filter(organisation__in=demo, organisation_id__in=list(self.focal_points))
            .prefetch_related("regions", "nationalities")
            .order_by("organisation__acronym", "name")
        )
        self.offers: dict[str, list[_Offer]] = defaultdict(list)
        for service in services:
            self.offers[service.category].append(
                _Offer(
                    service,
                    {region.pk for region in service.regions.all()},
                    {country.pk for country in service.nationalities.all()},
                )
            )
        self.defaults = {category: default_fields(category) for category in self.offers}
        self.texts = cases_demo.consent_texts()
        self.referrals: list[Referral] = []
        self.consents: list[Consent] = []
        self.notifications: list[Notification] = []

    def later(self, after: datetime.datetime, hours: tuple[float, float], office: bool = True):
        return cases_demo.later(self.rng, after, hours, office=office)

    def service(self, case: Case, category: str, when: datetime.datetime, exclude: set[int]):
        """A service of another organisation that would take the person; one in their region
        first, else, now and then, one further away."""
        person = case.person
        age = cases_demo.age_on(person.birth_date, when.date())
        for anywhere in (False, True):
            found = [
                offer.service
                for offer in self.offers.get(category, [])
                if offer.service.organisation_id != case.organisation_id
                and offer.service.pk not in exclude
                and offer.takes(person, age, anywhere)
            ]
            if found:
                return self.rng.choice(found)
            if self.rng.random() < 0.5:
                return None
        return None

    def refer(self, case: Case, screening: Screening, case_end: datetime.datetime) -> None:
        """The referrals of one case, for the needs its first screening found."""
        rng = self.rng
        wanted = list(screening.needs)
        if rng.random() < 0.7:
            wanted.append(rng.choice(GENERAL))
        wanted = list(dict.fromkeys(wanted))[:MAX_PER_CASE]
        emergency = screening.risk_level == "emergency"
        sent_at = screening.screened_at
        shared_with: dict[int, Consent] = {}
        used: set[int] = set()
        while wanted:
            category = wanted.pop(0)
            urgent = category in URGENT and (emergency or rng.random() < 0.1)
            sent_at = self.later(sent_at, (0.2, 3) if urgent else (1, 72), office=not urgent)
            if sent_at >= min(case_end, self.end):
                return
            service = self.service(case, category, sent_at, used)
            if service is None:
                continue
            used.add(service.pk)
            referral = self.referral(
                case, screening, service, category, sent_at, urgent, shared_with
            )
            if self.lifecycle(referral, case, case_end) == Status.DECLINED and rng.random() < 0.6:
                wanted.insert(0, category)  # sent again, elsewhere

    def referral(
        self,
        case: Case,
        screening: Screening,
        service: Service,
        category: str,
        sent_at: datetime.datetime,
        urgent: bool,
        shared_with: dict[int, Consent],
    ) -> Referral:
        rng = self.rng
        to = service.organisation_id
        sender = case.caseworker
        consent = shared_with.get(to)
        override = ""
        if (
            consent is None
            and urgent
            and screening.risk_level == "emergency"
            and rng.random() < 0.4
        ):
            # No time to ask, or no one able to consent: a supervisor's vital-interest override.
            sender = rng.choice(self.supervisors.get(case.organisation_id) or [sender])
            override = rng.choice(OVERRIDE_REASONS)
        elif consent is None:
            consent = cases_demo.consent(
                rng,
                self.texts,
                case,
                ConsentPurpose.REFERRAL_SHARING,
                True,
                sent_at - datetime.timedelta(minutes=rng.randint(5, 40)),
                sender,
                shared_with_id=to,
            )
            shared_with[to] = consent
            self.consents.append(consent)
        fields = set(self.defaults[category])
        if rng.random() < 0.5:
            fields.update(MORE_FIELDS.get(category, ()))
        codes = sharing.ordered(fields)
        urgency = Urgency.EMERGENCY if urgent else Urgency.NORMAL
        referral = Referral(
            case=case,
            service=service,
            from_organisation_id=case.organisation_id,
            to_organisation_id=to,
            urgency=urgency,
            reason=REASONS.get(category, "Orientation vers le service."),
            shared_fields=codes,
            shared_values={code: sharing.FIELDS[code].read(case, screening) for code in codes},
            sent_at=sent_at,
            sent_by=sender,
            due_at=due_at(urgency=urgency, sent_at=sent_at),
            consent=consent,
            overridden_by=sender if override else None,
            override_reason=override,
        )
        self.referrals.append(referral)
        self.notify(referral, NotificationKind.SENT, sent_at, organisation_id=to)
        return referral

    def lifecycle(self, referral: Referral, case: Case, case_end: datetime.datetime) -> str:
        """Move the referral on as far as the days since it was sent allow; its status."""
        rng = self.rng
        end = min(case_end, self.end)
        urgent = referral.urgency == Urgency.EMERGENCY
        focal = rng.choice(self.focal_points[referral.to_organisation_id])
        sender = case.caseworker
        category = referral.service.category
        # Most answer within the day; some late; a few not at all (more of the recent ones,
        # not yet chased).
        recent = (self.end - referral.sent_at).days < 30
        if rng.random() < (0.2 if recent else 0.02):
            return self.closed_with_case(referral, case, sender)
        if rng.random() < 0.02:
            withdrawn = self.later(referral.sent_at, (2, 48))
            if withdrawn < end:
                return self.cancel(referral, withdrawn, sender)
            return self.closed_with_case(referral, case, sender)
        answered = self.later(
            referral.sent_at,
            (0.2, 6) if urgent else (1, 110 if rng.random() < 0.15 else 48),
            office=not urgent,
        )
        if answered >= end:
            return self.closed_with_case(referral, case, sender)
        if rng.random() < 0.1:
            referral.status = Status.DECLINED
            referral.declined_at, referral.declined_by = answered, focal
            referral.decline_reason = rng.choice(DECLINE_REASONS)
            self.notify(referral, NotificationKind.DECLINED, answered, recipient=referral.sent_by)
            closed = self.later(answered, (2, 120))
            if closed < end and rng.random() < 0.7:
                referral.status, referral.closed_at, referral.closed_by = (
                    Status.CLOSED,
                    closed,
                    sender,
                )
                return Status.DECLINED
            self.closed_with_case(referral, case, sender)
            return Status.DECLINED
        referral.status = Status.ACCEPTED
        referral.accepted_at, referral.accepted_by = answered, focal
        self.notify(referral, NotificationKind.ACCEPTED, answered, recipient=referral.sent_by)
        if rng.random() < 0.06:
            withdrawn = self.later(answered, (24, 240))
            if withdrawn < end:
                return self.cancel(referral, withdrawn, sender)
            return self.closed_with_case(referral, case, sender)
        delivered = self.later(answered, (0.5, 24) if urgent else (2, 14 * 24), office=not urgent)
        recorded = self.later(delivered, (0.2, 30))
        if recorded >= end:
            return self.closed_with_case(referral, case, sender)
        referral.status = Status.DELIVERED
        referral.delivered_on = timezone.localtime(delivered).date()
        referral.delivered_what = DELIVERED.get(category, "Service rendu.")
        referral.delivery_recorded_at, referral.delivery_recorded_by = recorded, focal
        self.notify(referral, NotificationKind.DELIVERED, recorded, recipient=referral.sent_by)
        closed = self.later(recorded, (4, 10 * 24))
        if closed < end and rng.random() < 0.8:
            referral.status, referral.closed_at, referral.closed_by = Status.CLOSED, closed, sender
            return referral.status
        return self.closed_with_case(referral, case, sender)

    def cancel(self, referral: Referral, when: datetime.datetime, by: User) -> str:
        """The sender withdraws the referral."""
        referral.status, referral.cancelled_at, referral.cancelled_by = Status.CANCELLED, when, by
        self.notify(
            referral, NotificationKind.CANCELLED, when, organisation_id=referral.to_organisation_id
        )
        return referral.status

    def closed_with_case(self, referral: Referral, case: Case, by: User) -> str:
        """When its case is closed, the sender closes or cancels what is still open."""
        when = case.closed_at
        if when is None:
            return referral.status
        if referral.status in (Status.DELIVERED, Status.DECLINED):
            referral.status, referral.closed_at, referral.closed_by = Status.CLOSED, when, by
            return referral.status
        return self.cancel(referral, when, by)

    def notify(
        self,
        referral: Referral,
        kind: str,
        when: datetime.datetime,
        *,
        recipient: User | None = None,
        organisation_id: int | None = None,
    ) -> None:
        """As the services notify; read a while later, unless that is still to come. Only
        for the last NOTIFIED_DAYS: older ones, all read long ago, would only fill the
        table (and take seconds to write)."""
        if (self.end - when).days >= NOTIFIED_DAYS:
            return
        read = self.later(when, (0.5, 30))
        notification = Notification(
            recipient=recipient,
            organisation_id=organisation_id,
            kind=kind,
            referral=referral,
            read_at=read if read < self.end else None,
        )
        notification.created_at = when
        self.notifications.append(notification)


def demo_referrals():
    return Referral.objects.filter(case__code__startswith=cases_demo.CODE_PREFIX)


@transaction.atomic
def seed() -> Seeded:
    """Replace the referrals of the demo cases, their consents to share and notifications."""
    cases_demo.delete_with_dependents(demo_referrals())
    cases_demo.delete_with_dependents(
        Consent.objects.filter(
            case__code__startswith=cases_demo.CODE_PREFIX,
            purpose=ConsentPurpose.REFERRAL_SHARING,
        )
    )
    referrer = _Referrer(cases_demo.horizon())
    cases = (
        Case.objects.filter(code__startswith=cases_demo.CODE_PREFIX)
        .exclude(status=CaseStatus.OPEN)
        .select_related("person", "caseworker")
        .order_by("code")
    )
    first_screenings = {}
    for screening in Screening.objects.filter(case__in=cases).order_by("screened_at", "id"):
        first_screenings.setdefault(screening.case_id, screening)
    for case in cases:
        screening = first_screenings.get(case.pk)
        if screening is not None and case.caseworker is not None:
            referrer.refer(case, screening, case.closed_at or referrer.end)

    cases_demo.create_in_the_past(Consent, referrer.consents, "obtained_at")
    Referral.objects.bulk_create(referrer.referrals, batch_size=500)
    cases_demo.create_in_the_past(Notification, referrer.notifications, "created_at")
    now = timezone.now()
    return Seeded(
        referrals=len(referrer.referrals),
        statuses=Counter(referral.status for referral in referrer.referrals),
        overdue=sum(1 for r in referrer.referrals if r.status == Status.SENT and r.due_at < now),
        consents=len(referrer.consents),
        overrides=sum(1 for referral in referrer.referrals if referral.override_reason),
        notifications=len(referrer.notifications),
    )
