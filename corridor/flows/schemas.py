from __future__ import annotations

import datetime

from ninja import Schema


class CellOut(Schema):
    key: str
    label: str
    value: int | None
    share: float | None
    suppressed: bool


class TableOut(Schema):
    title: str
    rows: list[CellOut]
    total: int | None


class DashboardOut(Schema):
    start: datetime.date
    end: datetime.date
    movements: int | None
    daily_average: float | None
    change: float | None
    arrivals_from_ethiopia: int | None
    suppressed: bool
    tables: list[TableOut]
