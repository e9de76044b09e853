import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from corridor.flows import report


class Command(BaseCommand):
    help = (
        "Write the monthly flow monitoring report (DTM's two-page dashboard) as PDF or HTML, "
        "with every record and no cell hidden: the information officer's view."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--lang", choices=report.LANGUAGES, default="fr")
        parser.add_argument("--format", choices=report.FORMATS, default="pdf", dest="fmt")
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write it; default corridor-flows-YYYY-MM-<lang>.<format> here.",
        )

    def handle(self, *args, month: str, lang: str, fmt: str, output: Path | None, **options):
        started = time.perf_counter()
        try:
            first = report.parse_month(month)
        except ValueError:
            raise CommandError(f"--month {month!r}: give the month as YYYY-MM.") from None
        path = output or Path.cwd() / report.file_name(first, lang, fmt)
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder.")
        user = report.full_view()
        if fmt == "pdf":
            path.write_bytes(report.render_pdf(user, first, lang))
        else:
            path.write_text(report.render_html(user, first, lang), encoding="utf-8")
        seconds = time.perf_counter() - started
        self.stdout.write(f"{path} ({seconds:.2f} s)")
