"""Write use-cases of flow monitoring: each checks who may do it and runs in one transaction."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.flows import checks, summaries
from corridor.flows.models import (
    EntryStatus,
    GroupRecord,
    GroupRecordCorrection,
    ImportBatch,
    MonthLock,
    MonthLockEvent,
    SurveyInterview,
)
from corridor.places.models import FlowMonitoringPoint

ENTERS_FLOW_DATA = (Role.ENUMERATOR, Role.INFORMATION_OFFICER)
IMPORT_EXTENSIONS = (".csv", ".xlsx")


def _refuse_problems(problems: list[checks.Problem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise ValidationError(errors)


def _record(model, check, *, by: User, values: dict):
    if not by.has_role(*ENTERS_FLOW_DATA):
        raise PermissionDenied
    _refuse_problems(check(values, checks.CheckContext(by)))
    entry = model(**values, recorded_by=by)
    if by.role == Role.ENUMERATOR:
        entry.enumerator = by
    entry.save()
    if model is GroupRecord:
        summaries.add(entry)
    return entry


@transaction.atomic
def record_group(*, by: User, values: dict) -> GroupRecord:
    return _record(GroupRecord, checks.check_group, by=by, values=values)


@transaction.atomic
def correct_group(*, by: User, record: GroupRecord, values: dict, reason: str) -> GroupRecord:
    """Change a group record, keeping what it was, who changed it and why."""
    if not GroupRecord.objects.visible_to(by).filter(pk=record.pk).exists():
        raise PermissionDenied
    context = checks.CheckContext(by)
    if checks.first_of_month(record.day) in context.locked_months:
        raise ValidationError(
            _("The month %(month)s is published and locked: it must be unlocked first.")
            % {"month": record.day.strftime("%Y-%m")}
        )
    _refuse_problems(checks.check_group(values, context))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    previous = model_to_dict(record, exclude=["id", "import_batch", "recorded_by", "enumerator"])
    previous["day"] = record.day.isoformat()
    days = [record.day]
    GroupRecordCorrection.objects.create(
        record=record, previous_values=previous, reason=reason.strip(), corrected_by=by
    )
    for name, value in values.items():
        setattr(record, name, value)
    if by.role == Role.ENUMERATOR:
        record.status = EntryStatus.PENDING
    record.save()
    summaries.refresh([*days, record.day])
    return record


@transaction.atomic
def validate_entries(*, by: User, point: FlowMonitoringPoint, day: datetime.date) -> int:
    """An information officer accepts the pending groups of one point and day."""
    if not by.has_role(Role.INFORMATION_OFFICER):
        raise PermissionDenied
    return GroupRecord.objects.filter(point=point, day=day, status=EntryStatus.PENDING).update(
        status=EntryStatus.VALIDATED
    )


@transaction.atomic
def lock_month(*, by: User, month: datetime.date) -> MonthLock:
    if not by.has_role(Role.INFORMATION_OFFICER):
        raise PermissionDenied
    month = checks.first_of_month(month)
    lock, created = MonthLock.objects.get_or_create(month=month, defaults={"locked_by": by})
    if created:
        MonthLockEvent.objects.create(month=month, action=MonthLockEvent.Action.LOCK, by=by)
    return lock


@transaction.atomic
def unlock_month(*, by: User, month: datetime.date, reason: str) -> None:
    if not by.has_role(Role.INFORMATION_OFFICER):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the published month is unlocked.")})
    month = checks.first_of_month(month)
    deleted, _count = MonthLock.objects.filter(month=month).delete()
    if deleted:
        MonthLockEvent.objects.create(
            month=month, action=MonthLockEvent.Action.UNLOCK, reason=reason.strip(), by=by
        )


@transaction.atomic
def record_interview(*, by: User, values: dict) -> SurveyInterview:
    return _record(SurveyInterview, checks.check_interview, by=by, values=values)


def imports_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_import(*, by: User, upload: UploadedFile, kind: str, language: str) -> ImportBatch:
    """Keep the file and queue its check; the same file already imported is refused."""
    if not by.has_role(*ENTERS_FLOW_DATA):
        raise PermissionDenied
    suffix = Path(upload.name).suffix.lower()
    if suffix not in IMPORT_EXTENSIONS:
        raise ValidationError(
            {"file": _("The file %(name)s is not a CSV or XLSX file.") % {"name": upload.name}}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    earlier = ImportBatch.objects.filter(
        file_sha256=sha256, status=ImportBatch.Status.IMPORTED
    ).first()
    if earlier:
        raise ValidationError(
            {
                "file": _(
                    "This file was already imported on %(date)s by %(user)s (import "
                    "number %(number)s): nothing was added again."
                )
                % {
                    "date": earlier.finished_at.date().isoformat() if earlier.finished_at else "",
                    "user": earlier.uploaded_by,
                    "number": earlier.pk,
                }
            }
        )
    path = imports_dir() / f"{sha256}{suffix}"
    with path.open("wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    return ImportBatch.objects.create(
        kind=kind,
        file_name=Path(upload.name).name[:255],
        file_sha256=sha256,
        stored_path=str(path),
        uploaded_by=by,
        language=language,
    )


def confirm_import(*, by: User, batch: ImportBatch) -> ImportBatch:
    """After the preview: queue the real import, which is all or nothing."""
    if batch.uploaded_by_id != by.pk and not by.has_role(Role.INFORMATION_OFFICER):
        raise PermissionDenied
    if batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError(_("Only a checked file without problems can be imported."))
    batch.status = ImportBatch.Status.IMPORTING
    batch.save(update_fields=["status"])
    return batch
