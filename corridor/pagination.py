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
    """A search's queryset for the paginator: the primary keys of its matches are read once, in
    the list's order, and each page is read by primary key.

    First, in no order, at most `whole` + 1 of them with what the list is ordered by: the
    database takes its cheapest way to find them, and up to `whole` they are sorted here.
    Past `whole` matches the list is `capped`: it says "more than 2,000" and pages through the
    newest `whole`, whose keys a second query reads in the list's order. Counting 50,000
    matches of a common name exactly took 300-400 ms over a million persons, for a figure
    nobody reads: who finds 2,000 "Mohamed" refines the search.

    Why not COUNT and then LIMIT/OFFSET: the plan for a selective search finds every match
    anyway, so the count and the page would do that work twice; and told LIMIT 50 and an
    order, PostgreSQL may walk all the organisation's cases in that order hoping to meet 50
    matches soon, or join every match to its person before sorting them
    (docs/performance.md, "Referral mechanism"). Reading keys alone avoids both.

    The queryset's ordering must be by fields that are never null and are not text, as the
    sort here must give the database's order (text would sort by code point, not collation).

    `keys`, when the caller has a quicker way to them (the case search's own index): a
    queryset of rows whose first item is the primary key of a match, all the matches and only
    them, in the list's order; one query then reads at most `whole` + 1 of them.
    """

    def __init__(
        self, queryset: QuerySet, whole: int | None = None, keys: QuerySet | None = None
    ) -> None:
        whole = MATCHES_READ_WHOLE if whole is None else whole
        self.queryset = queryset
        self.ordered = queryset.ordered  # the paginator warns about unordered lists
        self.whole = whole
        if keys is not None:
            rows = list(keys[: whole + 1])
            self.capped = len(rows) > whole
            self.keys = [row[0] for row in rows[:whole]]
            return
        meta = queryset.model._meta
        order = [str(item) for item in queryset.query.order_by or meta.ordering]
        names = [item.removeprefix("-") for item in order]
        names = [meta.pk.name if name == "pk" else name for name in names]
        for name in names:
            field = meta.get_field(name)
            if field.null or isinstance(field, CharField | TextField):
                raise ValueError(f"Matches cannot sort on {name!r}: nullable or text.")
        rows = list(queryset.order_by().values_list("pk", *names)[: whole + 1])
        self.capped = len(rows) > whole
        if self.capped:
            self.keys = list(queryset.values_list("pk", flat=True)[:whole])
            return
        for position in reversed(range(len(order))):  # stable sorts, the last key first
            rows.sort(key=itemgetter(position + 1), reverse=order[position].startswith("-"))
        self.keys = [row[0] for row in rows]

    def count(self) -> int:
        return len(self.keys)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> QuerySet | list[Model]:
        keys = self.keys[index]
        return self.queryset.filter(pk__in=keys) if keys else []
