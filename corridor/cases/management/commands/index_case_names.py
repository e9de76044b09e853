import time

from django.core.management.base import BaseCommand
from django.db import transaction

from corridor.cases.models import Case, CaseNameWord

CHUNK = 5000  # cases per statement: bounds memory on a registry of a million


class Command(BaseCommand):
    help = (
        "Write the case search's index again for every case, from the persons' names as they "
        "are. The application keeps it up to date; this is for after a restore or a bulk load."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        cases = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        with transaction.atomic():
            for start in range(0, len(cases), CHUNK):
                CaseNameWord.objects.index(cases[start : start + CHUNK])
                self.stdout.write(f"{min(start + CHUNK, len(cases))} / {len(cases)} cases")
        self.stdout.write(
            f"Search index written for {len(cases)} cases ({time.perf_counter() - started:.1f} s)."
        )
