from __future__ import annotations

from operator import itemgetter
from typing import Any, Protocol

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Model, QuerySet, TextField
from django.http import HttpRequest

PAGE_SIZE = 50
# Up to this many matches, a search's matches are found and counted in one query, and its pages
# read by primary key (Matches); beyond, the list says "more than 2,000" and shows the newest
# 2,000 by LIMIT/OFFSET.
MATCHES_READ_WHOLE = 2000


class Paginable(Protocol):
    """What the paginator reads: a count, and slices (a queryset, Matches, OverdueFirst)."""

    def count(self) -> int: ...

    def __getitem__(self, index: slice) -> Any: ...


def paginate(request: HttpRequest, rows: Paginable, per_page: int = PAGE_SIZE) -> Page:
    """The page asked for in ?page=, the last one if it is past the end, the first if garbled."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


class Matches:
    """A search's queryset for the paginator. When it has at most `whole` rows, one query reads
    their primary keys and what the list is ordered by, which gives the count and the order
    (sorted here), and each page is read by primary key. Past `whole` rows, it is the
    queryset's own COUNT and LIMIT/OFFSET.

    Why: the database's plan for a selective search (a name, through trigram indexes) finds
    every match anyway, so a COUNT and then a page would do that work twice; and for the page,
    told LIMIT 50, PostgreSQL may prefer to walk all the organisation's cases in the list's
    order hoping to meet 50 matches soon, which for a rare name means reading most of them
    (docs/performance.md, "Referral mechanism"). Past `whole` matches, that walk is short.

    Past `whole` matches the list is `capped`: it says "more than 2,000" and pages through the
    newest `whole` only. Counting 50,000 matches of a common name exactly took 300-400 ms over a
    million persons, for a figure nobody reads: who finds 2,000 "Mohamed" refines the search.

    The queryset's ordering must be by fields that are never null and are not text, as the
    sort here must give the database's order (text would sort by code point, not collation).
    """

    def __init__(self, queryset: QuerySet, whole: int | None = None) -> None:
        whole = MATCHES_READ_WHOLE if whole is None else whole
        self.queryset = queryset
        self.ordered = queryset.ordered  # the paginator warns about unordered lists
        meta = queryset.model._meta
        order = [str(item) for item in queryset.query.order_by or meta.ordering]
        names = [item.removeprefix("-") for item in order]
        names = [meta.pk.name if name == "pk" else name for name in names]
        for name in names:
            field = meta.get_field(name)
            if field.null or isinstance(field, CharField | TextField):
                raise ValueError(f"Matches cannot sort on {name!r}: nullable or text.")
        # In no order: the database takes its cheapest way to find them.
        rows = list(queryset.order_by().values_list("pk", *names)[: whole + 1])
        self.complete = len(rows) <= whole
        self.capped = not self.complete
        self.whole = whole
        for position in reversed(range(len(order))):  # stable sorts, the last key first
            rows.sort(key=itemgetter(position + 1), reverse=order[position].startswith("-"))
        self.keys = [row[0] for row in rows]

    def count(self) -> int:
        return len(self.keys) if self.complete else self.whole

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> QuerySet | list[Model]:
        if not self.complete:
            return self.queryset[index]
        keys = self.keys[index]
        return self.queryset.filter(pk__in=keys) if keys else []
