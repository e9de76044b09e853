from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema


class CountryOut(Schema):
    code: str
    code_alpha3: str
    name_fr: str
    name_en: str
    name_ar: str


class RegionOut(Schema):
    code: str
    name: str
    country: str

    @staticmethod
    def resolve_country(region) -> str:
        return region.country_id


class FlowMonitoringPointOut(Schema):
    code: str
    name: str
    kind: str
    country: str
    region: str | None
    active_from: datetime.date
    active_until: datetime.date | None
    latitude: Decimal | None
    longitude: Decimal | None
    coordinates_approximate: bool
    aliases: list[str]

    @staticmethod
    def resolve_country(point) -> str:
        return point.country_id

    @staticmethod
    def resolve_region(point) -> str | None:
        return point.region.code if point.region else None

    @staticmethod
    def resolve_aliases(point) -> list[str]:
        return [alias.name for alias in point.aliases.all()]
