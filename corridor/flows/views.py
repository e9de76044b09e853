from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.flows import aggregates, charts, imports, presentation, services, worker
from corridor.flows.forms import (
    CorrectionForm,
    DashboardForm,
    GroupRecordForm,
    ImportForm,
    MonthForm,
    SurveyInterviewForm,
    UnlockForm,
)
from corridor.flows.models import (
    EntryStatus,
    GroupRecord,
    GroupRecordCorrection,
    ImportBatch,
    MonthLock,
    MonthLockEvent,
)
from corridor.pagination import paginate
from corridor.places.models import FlowMonitoringPoint

enters_flow_data = require(lambda user: user.has_role(*services.ENTERS_FLOW_DATA))
information_officer = require(lambda user: user.has_role(Role.INFORMATION_OFFICER))


def _entry_values(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}


@enters_flow_data
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupRecordForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_group(by=request.user, values=_entry_values(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Group of %(size)s people recorded at %(point)s.")
                % {"size": record.size, "point": record.point},
            )
            return redirect(
                "flows:group_create" if "another" in request.POST else "flows:group_list"
            )
    return render(request, "flows/group_form.html", {"form": form, "record": None})


@enters_flow_data
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(GroupRecord.objects.visible_to(request.user), pk=pk)
    form = CorrectionForm(request.POST or None, instance=record, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_group(
                by=request.user,
                record=record,
                values=_entry_values(form),
                reason=form.cleaned_data["reason_for_correction"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The correction was saved, with the earlier values."))
            return redirect("flows:group_list")
    corrections = record.corrections.select_related("corrected_by")
    return render(
        request,
        "flows/group_form.html",
        {"form": form, "record": record, "corrections": corrections},
    )


@enters_flow_data
def group_list(request: HttpRequest) -> HttpResponse:
    records = GroupRecord.objects.visible_to(request.user).select_related("point", "nationality")
    point = request.GET.get("point")
    if point and point.isdigit():
        records = records.filter(point_id=point)
    return render(request, "flows/group_list.html", {"page": paginate(request, records)})


@enters_flow_data
@require_http_methods(["GET", "POST"])
def interview_create(request: HttpRequest) -> HttpResponse:
    form = SurveyInterviewForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_interview(by=request.user, values=_entry_values(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Interview recorded. No name is kept."))
            return redirect("flows:interview_create")
    return render(request, "flows/interview_form.html", {"form": form})


@enters_flow_data
@require_http_methods(["GET", "POST"])
def import_create(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.start_import(
                by=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                language=translation.get_language() or "fr",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("flows:import_detail", pk=batch.pk)
    batches = ImportBatch.objects.filter(uploaded_by=request.user).select_related("uploaded_by")
    guides = [(kind.label, imports.column_guide(spec)) for kind, spec in imports.SPECS.items()]
    context = {"form": form, "page": paginate(request, batches), "guides": guides}
    return render(request, "flows/import_form.html", context)


def _visible_batches(user):
    if user.has_role(Role.INFORMATION_OFFICER):
        return ImportBatch.objects.all()
    return ImportBatch.objects.filter(uploaded_by=user)


@enters_flow_data
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(_visible_batches(request.user), pk=pk)
    working = batch.status in (ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING)
    context = {
        "batch": batch,
        "working": working,
        "rows_done": worker.rows_done(batch) if working else batch.rows_done,
        "problems": paginate(request, batch.problems.all(), per_page=100),
    }
    template = (
        "flows/_import_status.html"
        if request.headers.get("HX-Request")
        else "flows/import_detail.html"
    )
    return render(request, template, context)


@enters_flow_data
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(_visible_batches(request.user), pk=pk)
    try:
        services.confirm_import(by=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("flows:import_detail", pk=batch.pk)


def _month(request: HttpRequest) -> datetime.date:
    form = MonthForm(request.GET or None)
    if form.is_valid():
        return form.cleaned_data["month"].replace(day=1)
    return timezone.localdate().replace(day=1)


@information_officer
def quality(request: HttpRequest) -> HttpResponse:
    """Per point and day of a month: did data come in, what awaits validation, what changed."""
    month = _month(request)
    days_in_month = calendar.monthrange(month.year, month.month)[1]
    days = [month.replace(day=d) for d in range(1, days_in_month + 1)]
    today = timezone.localdate()
    points = list(
        FlowMonitoringPoint.objects.filter(active_from__lte=days[-1]).filter(
            Q(active_until__isnull=True) | Q(active_until__gte=month)
        )
    )
    cells = defaultdict(dict)
    for row in (
        GroupRecord.objects.in_month(month)
        .values("point_id", "day")
        .annotate(
            groups=Count("id"),
            pending=Count("id", filter=Q(status=EntryStatus.PENDING)),
            movements=Sum("adult_men") + Sum("adult_women") + Sum("boys") + Sum("girls"),
        )
    ):
        cells[row["point_id"]][row["day"]] = row
    grid = [
        {
            "point": point,
            "days": [
                {
                    "day": day,
                    "entry": cells[point.pk].get(day),
                    "expected": point.is_active_on(day) and day <= today,
                }
                for day in days
            ],
        }
        for point in points
    ]
    missing = sum(
        1 for row in grid for cell in row["days"] if cell["expected"] and not cell["entry"]
    )
    pending = GroupRecord.objects.in_month(month).filter(status=EntryStatus.PENDING)
    corrections = GroupRecordCorrection.objects.filter(
        record__day__year=month.year, record__day__month=month.month
    ).select_related("record__point", "corrected_by")[:50]
    context = {
        "month": month,
        "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
        "next_month": (month + datetime.timedelta(days=32)).replace(day=1),
        "days": days,
        "grid": grid,
        "missing": missing,
        "pending_count": pending.count(),
        "corrections": corrections,
        "locked": MonthLock.objects.filter(month=month).select_related("locked_by").first(),
        "lock_events": MonthLockEvent.objects.filter(month=month).select_related("by")[:20],
        "unlock_form": UnlockForm(initial={"month": month}),
    }
    return render(request, "flows/quality.html", context)


@information_officer
@require_POST
def validate_day(request: HttpRequest, point: int, day: str) -> HttpResponse:
    try:
        when = datetime.date.fromisoformat(day)
    except ValueError:
        messages.error(request, _("%(day)s is not a date.") % {"day": day})
        return redirect("flows:quality")
    point_object = get_object_or_404(FlowMonitoringPoint, pk=point)
    count = services.validate_entries(by=request.user, point=point_object, day=when)
    messages.success(
        request,
        _("%(count)s groups validated at %(point)s on %(day)s.")
        % {"count": count, "point": point_object, "day": when.isoformat()},
    )
    return redirect(f"{reverse('flows:quality')}?month={when:%Y-%m}")


@information_officer
@require_POST
def month_lock(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if form.is_valid():
        services.lock_month(by=request.user, month=form.cleaned_data["month"])
        messages.success(request, _("The month is published and locked."))
        return redirect(f"{reverse('flows:quality')}?month={form.cleaned_data['month']:%Y-%m}")
    messages.error(request, _("Give the month as YYYY-MM."))
    return redirect("flows:quality")


@information_officer
@require_POST
def month_unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if form.is_valid():
        services.unlock_month(
            by=request.user, month=form.cleaned_data["month"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The month is unlocked; the unlock is logged."))
        return redirect(f"{reverse('flows:quality')}?month={form.cleaned_data['month']:%Y-%m}")
    messages.error(request, _("Give the month and the reason for unlocking it."))
    return redirect("flows:quality")


sees_flow_figures = require(
    lambda user: user.has_role(Role.INFORMATION_OFFICER, Role.ENUMERATOR, Role.PARTNER_VIEWER)
)


@sees_flow_figures
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures of DTM's monthly dashboard, live, for the filters chosen."""
    form = DashboardForm(request.GET or None)
    figures = aggregates.dashboard(request.user, form.flow_filter())
    context = {
        "form": form,
        "figures": figures,
        "headline": presentation.headline(request.user, figures.movements),
        "arrivals": presentation.headline(request.user, figures.arrivals_from_ethiopia),
        "tables": [(table, _chart(table)) for table in _with_daily(request.user, figures)],
        "partner": presentation.is_partner(request.user),
    }
    return render(request, "flows/dashboard.html", context)


def _chart(table: presentation.Table):
    if table.over_time:
        return charts.line_chart(table)
    if table.by_point:
        return charts.point_map(table)
    return charts.bar_chart(table)


def _with_daily(user, figures: aggregates.Dashboard) -> list[presentation.Table]:
    """The day-by-day series goes after the monthly one, when the period is short enough."""
    tables = presentation.tables(user, figures)
    daily = presentation.daily_table(user, figures)
    return [*tables[:2], daily, *tables[2:]] if daily else tables
