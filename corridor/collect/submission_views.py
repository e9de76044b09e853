"""The pages where people see what phones sent: the submissions of a form, one submission, the
review queue, and exports.

Who sees what (docs/collect.md, "Submissions, review queue and exports"):

- a submission: `Submission.objects.visible_to(user)` (everyone their own; forms without
  personal data: administrators and information officers all; forms with personal data:
  supervisors those sent from their organisation, administrators none); anything else is
  "not found", so that an id tells nothing;
- a form's pages: the forms with at least one submission the user may see, plus, for
  administrators and information officers, every form without personal data;
- the review queue: the submissions to review the user may see. "Try again" is for anyone who
  sees the submission (it runs the same checks again, nothing is lost); "Keep as it is" is a
  reviewer's decision: administrators and information officers for forms without personal
  data, supervisors for forms with personal data;
- exports: the same reviewers, each of what they see.

Every view of a submission of a form holding personal data, every download of one of its files
and every export of such a form is written in the audit log first.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from corridor.accounts.auth import require
from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEntry
from corridor.audit.services import record
from corridor.collect import exports, processing
from corridor.collect.models import Attachment, CollectForm, Submission, SubmissionState
from corridor.pagination import paginate

OBJECT_TYPE = "submission"
FORM_OBJECT_TYPE = "collect_form"

has_role = require(lambda user: user.is_active and bool(user.role))

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Images a browser may show in the page. Anything else a phone sent (an SVG could carry a
# script) is only ever downloaded, never shown.
INLINE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}

# Where a submission's record is seen: "flows.grouprecord:12" -> flows:group_edit(12).
RECORD_PAGES = {
    "flows.grouprecord": "flows:group_edit",
    "cases.case": "cases:case_detail",
    "cases.person": "cases:person_detail",
}


def forms_visible_to(user: User) -> QuerySet[CollectForm]:
    """The forms whose submission pages a user may open (see the module's docstring)."""
    if not user.is_authenticated or not user.is_active or not user.role:
        return CollectForm.objects.none()
    sent = Exists(Submission.objects.visible_to(user).filter(form=OuterRef("pk")))
    if user.role in (Role.ADMINISTRATOR, Role.INFORMATION_OFFICER):
        return CollectForm.objects.filter(sent | Q(holds_personal_data=False))
    return CollectForm.objects.filter(sent)


def may_review(user: User, form: CollectForm) -> bool:
    """Who decides to keep a submission as it is, without making a record of it: for forms
    without personal data administrators and information officers; for forms with personal
    data supervisors (for their organisation's submissions, as they see no others)."""
    if form.holds_personal_data:
        return user.has_role(Role.SUPERVISOR)
    return user.has_role(Role.ADMINISTRATOR, Role.INFORMATION_OFFICER)


def may_export(user: User, form: CollectForm) -> bool:
    """The reviewers export, each what they see."""
    return may_review(user, form)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight in Djibouti: a day of the filters is a day where the phones are."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


class SubmissionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All states")), *SubmissionState.choices],
    )
    since = forms.DateField(label=gettext_lazy("Received from"), required=False, widget=DATE_INPUT)
    until = forms.DateField(label=gettext_lazy("Received until"), required=False, widget=DATE_INPUT)

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date comes before the start date."))
        return cleaned

    def submissions(self, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        """The filtered submissions; none while the filters are wrong."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["since"]:
            queryset = queryset.filter(received_at__gte=_start_of(data["since"]))
        if data["until"]:
            next_day = data["until"] + datetime.timedelta(days=1)
            queryset = queryset.filter(received_at__lt=_start_of(next_day))
        return queryset

    def summary(self) -> dict:
        """The filters as the audit log keeps them."""
        return {name: str(value) for name, value in (self.cleaned_data or {}).items() if value}


class KeepForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why keep it as it is?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "It will not become a record. The reason is kept in the audit log with your name."
        ),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the submission is kept as it is."))
        return reason


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.visible_to(request.user).select_related(
            "form", "version", "submitted_by"
        ),
        pk=pk,
    )


@has_role
@require_safe
def submission_index(request: HttpRequest) -> HttpResponse:
    """The forms the user may see, with how many submissions of each they may see."""
    counts = {
        row["form"]: row
        for row in Submission.objects.visible_to(request.user)
        .order_by()
        .values("form")
        .annotate(
            total=Count("id"),
            to_review=Count("id", filter=Q(state=SubmissionState.TO_REVIEW)),
        )
    }
    rows = [
        {
            "form": form,
            "total": counts.get(form.pk, {}).get("total", 0),
            "to_review": counts.get(form.pk, {}).get("to_review", 0),
            "may_export": may_export(request.user, form),
        }
        for form in forms_visible_to(request.user)
    ]
    to_review = sum(row["to_review"] for row in rows)
    return render(request, "collect/submissions/index.html", {"rows": rows, "to_review": to_review})


@has_role
@require_safe
def submission_list(request: HttpRequest, form: int) -> HttpResponse:
    collect_form = get_object_or_404(forms_visible_to(request.user), pk=form)
    filters = SubmissionFilterForm(request.GET)
    submissions = filters.submissions(
        Submission.objects.visible_to(request.user)
        .filter(form=collect_form)
        .select_related("version", "submitted_by")
        .defer("xml")
    )
    repeats = []
    if may_export(request.user, collect_form):
        repeats = list(exports.plan(submissions).repeats)
    context = {
        "form": collect_form,
        "filters": filters,
        "page": paginate(request, submissions),
        "may_export": may_export(request.user, collect_form),
        "repeats": repeats,
    }
    return render(request, "collect/submissions/list.html", context)


@dataclass
class AnswerRow:
    path: str
    label: str
    value: str
    choice: str = ""
    attachment: Attachment | None = None


@dataclass
class RepeatTable:
    path: str
    label: str
    columns: list[str]
    rows: list[list[AnswerRow]]


def _answer_rows(
    form: exports.XFormStructure,
    paths: list[str],
    values: dict[str, str],
    language: str,
    files: dict[str, Attachment],
    prefix: str = "",
) -> list[AnswerRow]:
    """Rows for the answers, in the order of the form; an answer the form does not know (sent
    with a hand-made XML) still shows, under its path."""
    known = [path for path in paths if path.removeprefix(prefix) in values]
    extra = [
        prefix + path
        for path in values
        if prefix + path not in paths and not path.startswith(exports.META_GROUP + "/")
    ]
    return [
        AnswerRow(
            path=path,
            label=form.label(path, language),
            value=values[path.removeprefix(prefix)],
            choice=form.choice_label(path, values[path.removeprefix(prefix)], language),
            attachment=files.get(values[path.removeprefix(prefix)]),
        )
        for path in [*known, *extra]
    ]


def _record_link(record_name: str) -> dict | None:
    """ "flows.grouprecord:12" -> its page, when Corridor has one; the page checks access."""
    kind, _sep, pk = record_name.partition(":")
    if not record_name:
        return None
    url = None
    if kind in RECORD_PAGES and pk.isdigit():
        try:
            url = reverse(RECORD_PAGES[kind], args=[int(pk)])
        except NoReverseMatch:
            url = None
    return {"name": record_name, "url": url}


@has_role
@require_safe
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    if submission.form.holds_personal_data:
        record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type=OBJECT_TYPE,
            object_id=submission.pk,
            request=request,
        )
    # Encrypted and not yet decrypted: its metadata only, nothing of what it holds.
    sealed = submission.state == SubmissionState.ENCRYPTED
    language = get_language() or "fr"
    rows: list[AnswerRow] = []
    tables: list[RepeatTable] = []
    attachments: list[Attachment] = []
    if not sealed:
        attachments = list(submission.attachments.defer("content").order_by("filename"))
        files = {attachment.filename: attachment for attachment in attachments}
        form = exports.structure(submission.version.xform)
        found = exports.submission_answers(submission, form)
        rows = _answer_rows(form, form.columns, found.values, language, files)
        for path in [*form.repeats, *(p for p in found.repeats if p not in form.repeats)]:
            columns = form.repeats.get(path, [])
            occurrences = found.repeats.get(path, [])
            tables.append(
                RepeatTable(
                    path=path,
                    label=form.label(path, language),
                    columns=[form.label(column, language) for column in columns],
                    rows=[
                        _answer_rows(form, columns, occurrence, language, files, path + "/")
                        for occurrence in occurrences
                    ],
                )
            )
    visible = Submission.objects.visible_to(request.user)
    replaces = submission.replaces
    replaced_by = Submission.objects.filter(replaces=submission).first()
    context = {
        "submission": submission,
        "sealed": sealed,
        "rows": rows,
        "tables": tables,
        "attachments": attachments,
        "inline_images": INLINE_IMAGES,
        "record": _record_link(submission.record),
        "replaces": replaces,
        "replaces_visible": replaces is not None and visible.filter(pk=replaces.pk).exists(),
        "replaced_by": replaced_by,
        "replaced_by_visible": replaced_by is not None
        and visible.filter(pk=replaced_by.pk).exists(),
        "decisions": AuditEntry.objects.for_object(OBJECT_TYPE, submission.pk).filter(
            action=AuditEntry.Action.CHANGE, details__state=SubmissionState.KEPT.value
        ),
        "may_review": may_review(request.user, submission.form),
        "may_retry": hasattr(processing, "retry"),
    }
    return render(request, "collect/submissions/detail.html", context)


@has_role
@require_safe
def submission_attachment(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    if submission.state == SubmissionState.ENCRYPTED:
        raise Http404
    found = get_object_or_404(Attachment.objects.filter(submission=submission), pk=attachment)
    if submission.form.holds_personal_data:
        record(
            actor=request.user,
            action=AuditEntry.Action.VIEW,
            object_type=OBJECT_TYPE,
            object_id=submission.pk,
            details={"file": found.filename},
            request=request,
        )
    shown = found.content_type in INLINE_IMAGES
    response = HttpResponse(
        bytes(found.content),
        content_type=found.content_type if shown else "application/octet-stream",
    )
    disposition = "inline" if shown else "attachment"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", found.filename) or "file"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    # The file is personal data: not to be kept by a shared browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response


@has_role
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        Submission.objects.visible_to(request.user)
        .filter(state=SubmissionState.TO_REVIEW)
        .select_related("form", "version", "submitted_by")
        .defer("xml")
        .order_by("received_at", "id")  # the oldest first: it has waited longest
    )
    forms_waiting = forms_visible_to(request.user).filter(pk__in=waiting.order_by().values("form"))
    chosen = request.GET.get("form", "")
    if chosen.isdigit():
        waiting = waiting.filter(form_id=int(chosen))
    page = paginate(request, waiting)
    for submission in page:
        submission.may_review = may_review(request.user, submission.form)
    context = {
        "page": page,
        "forms": forms_waiting,
        "chosen": chosen,
        "may_retry": hasattr(processing, "retry"),
    }
    return render(request, "collect/submissions/review_queue.html", context)


def _back(request: HttpRequest, submission: Submission):
    if request.POST.get("back") == "queue":
        return redirect("collect:review_queue")
    return redirect("collect:submission_detail", submission.pk)


@has_role
@require_POST
def submission_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the processing again: after a place was added or a form corrected, say."""
    submission = _visible_submission(request, pk)
    retry = getattr(processing, "retry", None)
    if retry is None:
        messages.error(request, _("Trying again is not available yet."))
        return _back(request, submission)
    if submission.state != SubmissionState.TO_REVIEW:
        messages.info(request, _("This submission is no longer waiting for review."))
        return _back(request, submission)
    try:
        retry(submission, by=request.user)
    except ValidationError as error:  # it was decided meanwhile
        messages.error(request, " ".join(error.messages))
        return _back(request, submission)
    submission.refresh_from_db()
    if submission.state == SubmissionState.TO_REVIEW:
        messages.warning(
            request,
            _("Still to review: %(problem)s") % {"problem": submission.problem or "—"},
        )
    else:
        messages.success(
            request,
            _("Tried again: %(state)s.") % {"state": submission.get_state_display()},
        )
    return _back(request, submission)


def keep_as_it_is(*, submission: Submission, by: User, reason: str, request: HttpRequest) -> bool:
    """Mark a submission to review as kept, with the reason, audited; False if it is no
    longer to review (someone else decided, or a retry made a record of it)."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.state != SubmissionState.TO_REVIEW:
            return False
        locked.state = SubmissionState.KEPT
        locked.save(update_fields=["state"])
        record(
            actor=by,
            action=AuditEntry.Action.CHANGE,
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            details={"state": SubmissionState.KEPT.value, "was": SubmissionState.TO_REVIEW.value},
            reason=reason,
            request=request,
        )
    return True


@has_role
@require_http_methods(["GET", "POST"])
def submission_keep(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    if not may_review(request.user, submission.form):
        raise PermissionDenied
    if submission.state != SubmissionState.TO_REVIEW:
        messages.info(request, _("This submission is no longer waiting for review."))
        return redirect("collect:submission_detail", submission.pk)
    form = KeepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if keep_as_it_is(
            submission=submission,
            by=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        ):
            messages.success(request, _("The submission is kept as it is."))
        else:
            messages.info(request, _("This submission is no longer waiting for review."))
        return redirect("collect:review_queue")
    return render(
        request, "collect/submissions/keep.html", {"submission": submission, "form": form}
    )


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_name(form: CollectForm, suffix: str, fmt: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", form.form_id) or "form"
    day = timezone.localdate().isoformat()
    return f"{base}{suffix}-{day}.{fmt}"


@has_role
@require_safe
def submission_export(request: HttpRequest, form: int, fmt: str) -> HttpResponse:
    """The form's submissions the user may see, filtered as the list is (same query string).
    Without a state filter, submissions replaced by a later edit are left out: the edit is
    the current answer, as in Kobo's exports."""
    if fmt not in FORMATS:
        raise Http404
    collect_form = get_object_or_404(forms_visible_to(request.user), pk=form)
    if not may_export(request.user, collect_form):
        raise PermissionDenied
    filters = SubmissionFilterForm(request.GET)
    if not filters.is_valid():
        return HttpResponse(
            _("Correct the filters to export: %(errors)s") % {"errors": filters.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    submissions = filters.submissions(
        Submission.objects.visible_to(request.user).filter(form=collect_form)
    )
    if not filters.cleaned_data["state"]:
        submissions = submissions.exclude(state=SubmissionState.REPLACED)
    submissions = submissions.order_by("received_at", "id")
    export_plan = exports.plan(submissions)
    repeat = request.GET.get("repeat") if fmt == "csv" else None
    if repeat is not None and repeat not in export_plan.repeats:
        raise Http404
    if collect_form.holds_personal_data:
        record(
            actor=request.user,
            action=AuditEntry.Action.EXPORT,
            object_type=FORM_OBJECT_TYPE,
            object_id=collect_form.pk,
            details={
                "form": collect_form.form_id,
                "format": fmt,
                "rows": submissions.count(),
                **({"repeat": repeat} if repeat else {}),
                **({"filters": filters.summary()} if filters.summary() else {}),
            },
            request=request,
        )
    if fmt == "csv":
        suffix = "-" + repeat.replace("/", "-") if repeat else ""
        response = StreamingHttpResponse(
            exports.csv_lines(submissions, export_plan, repeat), content_type=FORMATS[fmt]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{_file_name(collect_form, suffix, fmt)}"'
        )
        return response
    workbook = exports.write_xlsx(submissions, export_plan, _("Submissions"))
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=_file_name(collect_form, "", fmt),
        content_type=FORMATS[fmt],
    )
