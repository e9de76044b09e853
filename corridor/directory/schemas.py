from __future__ import annotations

import datetime

from ninja import Schema


class ServiceQuery(Schema):
    """The directory's filters, as in the page's query string; codes rather than ids."""

    q: str = ""
    category: str = ""
    region: str = ""  # ISO 3166-2 code, e.g. DJ-OB
    sex: str = ""  # female or male
    age: int | None = None
    language: str = ""  # e.g. om for Afaan Oromo
    nationality: str = ""  # ISO 3166-1 alpha-2 code, e.g. ET
    inactive: bool = False


class ServiceOut(Schema):
    id: int
    name: str
    organisation: str
    organisation_acronym: str
    category: str
    category_label: str
    description: str
    nationwide: bool
    regions: list[str]
    places: str
    languages: list[str]
    sexes: str
    min_age: int | None
    max_age: int | None
    nationalities: list[str]
    capacity: int | None
    capacity_period: str
    hours: str
    contact_phone: str
    contact_email: str
    is_active: bool
    updated_at: datetime.datetime

    @staticmethod
    def resolve_organisation(service) -> str:
        return service.organisation.name

    @staticmethod
    def resolve_organisation_acronym(service) -> str:
        return service.organisation.acronym

    @staticmethod
    def resolve_category_label(service) -> str:
        return str(service.get_category_display())

    @staticmethod
    def resolve_regions(service) -> list[str]:
        return [region.code for region in service.regions.all()]

    @staticmethod
    def resolve_languages(service) -> list[str]:
        return service.languages.split()

    @staticmethod
    def resolve_nationalities(service) -> list[str]:
        return [country.code for country in service.nationalities.all()]
