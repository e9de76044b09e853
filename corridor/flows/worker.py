"""The background worker: checks and imports uploaded files, one at a time, outside requests.

`make run` starts it beside the web server (`manage.py flows_worker`); in production it is a
systemd service of its own (docs/operations.md). Progress goes to a small file beside the
upload, because during the all-or-nothing write the database cannot show it to others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from corridor.flows import imports
from corridor.flows.models import ImportBatch

logger = logging.getLogger(__name__)


def progress_path(batch: ImportBatch) -> Path:
    return Path(f"{batch.stored_path}.progress")


def rows_done(batch: ImportBatch) -> int:
    try:
        return int(progress_path(batch).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return batch.rows_done


def _reporter(batch: ImportBatch) -> Callable[[int], None]:
    path = progress_path(batch)

    def report(done: int) -> None:
        path.write_text(str(done))

    return report


def next_batch() -> ImportBatch | None:
    with transaction.atomic():
        return (
            ImportBatch.objects.filter(
                status__in=[ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING]
            )
            .order_by("uploaded_at")
            .first()
        )


def process(batch: ImportBatch) -> ImportBatch:
    path = Path(batch.stored_path)
    report = _reporter(batch)
    report(0)
    try:
        total = imports.count_rows(path)
        ImportBatch.objects.filter(pk=batch.pk).update(rows_total=total)
        batch.rows_total = total
        if batch.status == ImportBatch.Status.CHECKING:
            imports.run_check(batch, on_progress=report)
        else:
            imports.run_import(batch, on_progress=report)
    except Exception as error:  # a broken file must not stop the worker for everyone
        logger.exception("Import %s failed", batch.pk)
        batch.status = ImportBatch.Status.FAILED
        batch.failure = f"{type(error).__name__}: {error}"[:2000]
        batch.save(update_fields=["status", "failure"])
    finally:
        progress_path(batch).unlink(missing_ok=True)
    return batch


def run_pending() -> int:
    """Process every queued batch; return how many."""
    done = 0
    while (batch := next_batch()) is not None:
        process(batch)
        done += 1
    return done
