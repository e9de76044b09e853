"""Demo services for the demo organisations. Synthetic: fictional numbers, no real persons.

`seed(organisations)` is deterministic and idempotent: the same organisations in the same
order always get the same services, numbers and addresses, and a second run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from corridor.accounts.models import Organisation
from corridor.directory.models import Service
from corridor.places.models import Country, Region

ALL = "*"  # every region: a nationwide service
# The languages migrants on the Eastern Route speak, and the country's own.
ROUTE_LANGUAGES = "am om ti so ar fr en"
# Mobile teams and offices in the south, where the routes from Ethiopia and Somalia enter.
SOUTH = ["DJ-AS", "DJ-DI"]
NORTH = ["DJ-OB", "DJ-TA"]


@dataclass(frozen=True)
class Template:
    name: str
    category: str
    regions: list[str] | str
    places: str
    languages: str
    hours: str
    description: str = ""
    sexes: str = "any"
    min_age: int | None = None
    max_age: int | None = None
    capacity: int | None = None
    capacity_period: str = ""
    nationalities: list[str] = field(default_factory=list)


MIGRANT_CENTRE = "Centre d'orientation des migrants d'Obock (démo)"

# Per kind of organisation, one or more packages: the i-th organisation of a kind gets the
# package i modulo their number, so two associations do not offer the very same services.
PACKAGES: dict[str, list[list[Template]]] = {
    Organisation.Kind.UN_AGENCY: [
        [
            Template(
                "Hébergement d'urgence au centre d'Obock (démo)",
                "shelter",
                ["DJ-OB"],
                MIGRANT_CENTRE,
                ROUTE_LANGUAGES,
                "Tous les jours, 24 h sur 24",
                "Lit, repas et douches pour les migrants en transit ou de retour du Yémen.",
                capacity=250,
                capacity_period="day",
            ),
            Template(
                "Soins médicaux au centre d'Obock (démo)",
                "medical",
                NORTH,
                f"{MIGRANT_CENTRE}; patrouilles médicales sur la côte de Tadjourah",
                ROUTE_LANGUAGES,
                "Dimanche à jeudi, 7 h 30-15 h; urgences 24 h sur 24",
                "Consultations, premiers soins, orientation vers l'hôpital régional.",
                capacity=80,
                capacity_period="day",
            ),
            Template(
                "Soutien psychosocial (démo)",
                "mental_health",
                NORTH,
                MIGRANT_CENTRE,
                "am om so fr",
                "Dimanche à jeudi, 8 h-14 h",
                "Écoute individuelle et groupes de parole, avec des interprètes.",
                capacity=30,
                capacity_period="week",
            ),
            Template(
                "Retour volontaire assisté vers l'Éthiopie (démo)",
                "return_reintegration",
                ALL,
                "Départs depuis Djibouti-ville et Obock",
                "am om ti fr en",
                "Inscriptions du dimanche au jeudi, 8 h-13 h",
                "Documents de voyage avec les autorités consulaires, transport et aide à la "
                "réintégration à l'arrivée.",
                nationalities=["ET"],
            ),
            Template(
                "Appels téléphoniques aux familles (démo)",
                "phone_call",
                ["DJ-OB"],
                MIGRANT_CENTRE,
                ROUTE_LANGUAGES,
                "Tous les jours, 9 h-17 h",
            ),
        ]
    ],
    Organisation.Kind.GOVERNMENT: [
        [
            Template(
                "Protection de l'enfance et intérêt supérieur de l'enfant (démo)",
                "child_protection",
                ALL,
                "Bureaux des préfectures",
                "fr ar so aa",
                "Dimanche à jeudi, 7 h 30-14 h",
                "Évaluation et détermination de l'intérêt supérieur des enfants non "
                "accompagnés ou séparés, avec le groupe de travail transfrontalier.",
                max_age=17,
            ),
            Template(
                "Documents d'identité et attestations (démo)",
                "documentation",
                ["DJ-DJ"],
                "Djibouti-ville, guichet unique",
                "fr ar",
                "Dimanche à jeudi, 7 h 30-13 h",
                min_age=18,
            ),
        ]
    ],
    Organisation.Kind.CSO: [
        [
            Template(
                "Aide juridique et accompagnement (démo)",
                "legal_aid",
                ["DJ-DJ", "DJ-AR"],
                "Permanence juridique, Djibouti-ville",
                "fr ar so am",
                "Dimanche à mercredi, 8 h-12 h",
                "Information sur les droits, accompagnement des victimes de traite.",
                min_age=18,
            ),
            Template(
                "Espace sûr pour femmes et filles (démo)",
                "mental_health",
                ["DJ-DJ"],
                "Quartier 7, Djibouti-ville",
                "fr so am om",
                "Dimanche à jeudi, 8 h-16 h",
                "Écoute, soutien psychosocial et orientation pour les survivantes de violences.",
                sexes="female",
                capacity=20,
                capacity_period="day",
            ),
            Template(
                "Cours d'alphabétisation pour enfants (démo)",
                "education",
                ["DJ-DJ"],
                "Centre communautaire, Balbala",
                "fr so am",
                "Dimanche à jeudi, 15 h-17 h",
                min_age=6,
                max_age=17,
                capacity=40,
                capacity_period="week",
            ),
        ],
        [
            Template(
                "Distribution de nourriture, d'eau et de kits (démo)",
                "food_water_nfi",
                SOUTH,
                "Points de passage de Guelileh, Holl-Holl et Galafi",
                "so am om fr",
                "Mardi et jeudi, 6 h-11 h",
                "Eau en bouteille, repas, kits d'hygiène et vêtements.",
                capacity=300,
                capacity_period="week",
            ),
            Template(
                "Formation professionnelle et moyens de subsistance (démo)",
                "livelihood",
                ["DJ-DJ", "DJ-AS"],
                "Centre de formation, Ali Sabieh",
                "fr so ar",
                "Sessions de quatre semaines, inscriptions le dimanche",
                min_age=18,
                max_age=35,
                capacity=25,
                capacity_period="month",
            ),
            Template(
                "Interprétariat pour les services (démo)",
                "interpretation",
                ALL,
                "Par téléphone, ou sur place sur rendez-vous",
                "am om ti so aa ar fr en",
                "Dimanche à jeudi, 8 h-17 h",
                "Interprètes pour les entretiens, les consultations et les audiences.",
            ),
        ],
    ],
    Organisation.Kind.RED_CRESCENT: [
        [
            Template(
                "Unité mobile d'assistance sur les routes du sud (démo)",
                "food_water_nfi",
                SOUTH,
                "Routes entre Guelileh, Holl-Holl et Ali Sabieh",
                "so am om ar fr",
                "Tous les jours, 6 h-12 h",
                "Eau, nourriture, premiers secours et kits de dignité.",
                capacity=100,
                capacity_period="day",
            ),
            Template(
                "Rétablissement des liens familiaux (démo)",
                "family_tracing",
                ALL,
                "Siège et unités mobiles",
                "am om ti so ar fr",
                "Dimanche à jeudi, 8 h-14 h",
                "Recherche de proches, messages et appels aux familles.",
            ),
        ]
    ],
    Organisation.Kind.HUMAN_RIGHTS_INSTITUTION: [
        [
            Template(
                "Centres d'information et de plainte (démo)",
                "legal_aid",
                ["DJ-TA", "DJ-DI", "DJ-AR", "DJ-AS", "DJ-OB"],
                "Centres d'information de Tadjourah, Dikhil, Arta, Ali Sabieh et Obock",
                "fr ar am om",
                "Dimanche à jeudi, 8 h-13 h",
                "Information sur les droits, réception des plaintes, orientation des cas "
                "vulnérables.",
            )
        ]
    ],
    Organisation.Kind.LAW_ENFORCEMENT: [
        [
            Template(
                "Accueil des victimes de traite (démo)",
                "legal_aid",
                ["DJ-DJ", "DJ-OB"],
                "Brigades de Djibouti-ville et d'Obock",
                "fr ar so",
                "Tous les jours, 24 h sur 24",
                "Dépôt de plainte et mise en relation avec le mécanisme national d'orientation.",
            )
        ]
    ],
}


def _phone(number: int) -> str:
    # +253 77 00 00 xx: obviously made up, and the same on every run.
    return f"+253 77 00 00 {number:02d}"


@transaction.atomic
def seed(organisations: Iterable[Organisation]) -> list[Service]:
    """Give each organisation its kind's package of demo services; return the services."""
    regions = {region.code: region for region in Region.objects.filter(country="DJ")}
    countries = {country.code: country for country in Country.objects.filter(code__in=["ET"])}
    seen_of_kind: Counter[str] = Counter()
    number = 0
    services = []
    for organisation in organisations:
        packages = PACKAGES.get(organisation.kind, [])
        if not packages:
            continue
        package = packages[seen_of_kind[organisation.kind] % len(packages)]
        seen_of_kind[organisation.kind] += 1
        mailbox = slugify(organisation.acronym or organisation.name)[:30] or "service"
        for template in package:
            number += 1
            nationwide = template.regions == ALL
            service, _created = Service.objects.update_or_create(
                organisation=organisation,
                name=template.name,
                defaults={
                    "category": template.category,
                    "description": template.description,
                    "nationwide": nationwide,
                    "places": template.places,
                    "languages": " ".join(sorted(template.languages.split())),
                    "sexes": template.sexes,
                    "min_age": template.min_age,
                    "max_age": template.max_age,
                    "capacity": template.capacity,
                    "capacity_period": template.capacity_period,
                    "hours": template.hours,
                    "contact_phone": _phone(number),
                    "contact_email": f"{mailbox}-{number:02d}@example.org",
                    "is_active": True,
                },
            )
            service.full_clean()
            service.regions.set([] if nationwide else [regions[code] for code in template.regions])
            service.nationalities.set([countries[code] for code in template.nationalities])
            services.append(service)
    return services
