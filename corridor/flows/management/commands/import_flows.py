import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from corridor.accounts.models import User
from corridor.flows import imports, services
from corridor.flows.models import ImportBatch


class Command(BaseCommand):
    help = "Import a flow monitoring CSV or XLSX file: every row is checked; all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--kind", choices=[k.value for k in ImportBatch.Kind], default="registry"
        )
        parser.add_argument("--user", required=True, help="Username of the person importing.")
        parser.add_argument("--check-only", action="store_true", help="Check, write nothing.")
        parser.add_argument("--language", default="fr", help="Language of the messages.")

    def handle(self, *args, language: str, **options) -> None:
        with translation.override(language):
            self.import_file(**options)

    def import_file(self, *, file: Path, kind: str, user: str, check_only: bool, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file.")
        try:
            importer = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        with file.open("rb") as handle:
            try:
                batch = services.start_import(
                    by=importer,
                    upload=File(handle, name=file.name),
                    kind=kind,
                    language=translation.get_language(),
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        total = imports.count_rows(Path(batch.stored_path))

        def progress(done: int) -> None:
            filled = int(40 * done / total) if total else 40
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (40 - filled)}] {done:,}/{total:,} rows")
            sys.stderr.flush()

        run = imports.run_check if check_only else imports.run_import
        run(batch, on_progress=progress)
        sys.stderr.write("\n")
        for problem in batch.problems.all()[:200]:
            self.stderr.write(
                f"row {problem.row}, column {problem.column}, value {problem.value!r}: "
                f"{problem.message}"
            )
        if batch.problem_count > 200:
            self.stderr.write(f"... and {batch.problem_count - 200} more problems.")
        self.stdout.write(
            f"{batch.rows_total} rows read, {batch.rows_valid} valid, {batch.rows_skipped} "
            f"skipped (already imported), {batch.problem_count} problems, "
            f"{batch.movements} movements."
        )
        if batch.status == ImportBatch.Status.INVALID:
            raise CommandError("Nothing was imported: correct the problems and try again.")
        self.stdout.write("Checked only: nothing written." if check_only else "Imported.")
