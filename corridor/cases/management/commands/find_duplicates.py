import time

from django.core.management.base import BaseCommand
from django.db import transaction

from corridor.cases import duplicates


class Command(BaseCommand):
    help = "Match the whole registry and queue the likely duplicates for the registry officer."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            queued = duplicates.find_duplicates()
        self.stdout.write(
            f"{queued} new pairs of likely duplicates queued for review "
            f"({time.perf_counter() - started:.1f} s)."
        )
