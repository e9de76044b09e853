from django.core.management.base import BaseCommand
from django.db import transaction

from corridor.flows import summaries


class Command(BaseCommand):
    help = (
        "Add up the movement summaries again from the group records (after restoring records "
        "written outside Corridor, for example)."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            months = summaries.rebuild()
        self.stdout.write(f"Movement summaries rebuilt for {months} months.")
