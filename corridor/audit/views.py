"""The data protection officer's view of the audit log: read and export, nothing else."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.audit.forms import AuditFilterForm
from corridor.audit.models import AuditEntry, AuditEntryQuerySet
from corridor.audit.services import record
from corridor.pagination import paginate

data_protection_officer = require(lambda user: user.has_role(Role.DATA_PROTECTION_OFFICER))


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, AuditEntryQuerySet]:
    form = AuditFilterForm(request.GET)
    entries = AuditEntry.objects.visible_to(request.user).select_related("organisation")
    return form, form.entries(entries)


@data_protection_officer
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    context = {"form": form, "page": paginate(request, entries)}
    return render(request, "audit/entry_list.html", context)


@data_protection_officer
@require_safe
def entry_export(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV, streamed: the log grows large. The export is itself logged."""
    form, entries = _filtered(request)
    if not form.is_valid():
        context = {"form": form, "page": paginate(request, entries)}
        return render(request, "audit/entry_list.html", context, status=400)
    own = record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        object_type="audit",
        details={"filters": form.summary()},
        request=request,
    )
    # The file shows the log as it stood when asked for, without its own export entry.
    rows = _csv_lines(entries.exclude(pk=own.pk))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    name = f"corridor-audit-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    """csv.writer writes to this, which hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


# Text a spreadsheet would run as a formula; a failed sign-in's user name is anyone's to choose.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_lines(entries: AuditEntryQuerySet) -> Iterator[str]:
    """UTF-8 with a byte order mark, as the flow exports, so that Excel shows the accents.

    Times are ISO 8601 in Djibouti time; actions are codes, the same in every language. The
    header is made here, in the request's language; the rows as the file is sent.
    """
    writer = csv.writer(_Echo())
    header = [
        _("When"),
        _("User name"),
        _("Organisation"),
        _("Action"),
        _("Type of record"),
        _("Record identifier"),
        _("Reason"),
        _("Address"),
        _("Page"),
        _("Details"),
    ]
    djibouti = timezone.get_default_timezone()

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for entry in entries.iterator(chunk_size=2000):
            details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
            texts = [
                entry.actor_username,
                str(entry.organisation or ""),
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.reason,
                entry.ip_address or "",
                entry.path,
                details if entry.details else "",
            ]
            at = timezone.localtime(entry.at, djibouti).isoformat()
            yield writer.writerow([at, *(_cell(text) for text in texts)])

    return rows()
