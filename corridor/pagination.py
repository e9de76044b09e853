from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The page asked for in ?page=, the last one if it is past the end, the first if garbled."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
