from __future__ import annotations

import datetime

from ninja import Schema


class CaseOut(Schema):
    id: int
    code: str
    status: str
    risk_level: str
    opened_at: datetime.datetime
    person_id: int
    given_name: str
    father_name: str
    grandfather_name: str
    sex: str
    birth_date: datetime.date | None
    birth_date_is_estimated: bool
    nationality: str | None

    @staticmethod
    def resolve_given_name(case) -> str:
        return case.person.given_name

    @staticmethod
    def resolve_father_name(case) -> str:
        return case.person.father_name

    @staticmethod
    def resolve_grandfather_name(case) -> str:
        return case.person.grandfather_name

    @staticmethod
    def resolve_sex(case) -> str:
        return case.person.sex

    @staticmethod
    def resolve_birth_date(case) -> datetime.date | None:
        return case.person.birth_date

    @staticmethod
    def resolve_birth_date_is_estimated(case) -> bool:
        return case.person.birth_date_is_estimated

    @staticmethod
    def resolve_nationality(case) -> str | None:
        return case.person.nationality_id
