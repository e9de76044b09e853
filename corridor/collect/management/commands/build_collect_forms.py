"""Rebuild Corridor's own XLSForms (corridor/collect/xlsforms/*.xlsx) from their definitions."""

from django.core.management.base import BaseCommand

from corridor.collect.xlsforms import definitions


class Command(BaseCommand):
    help = (
        "Write Corridor's XLSForms (flow registry, flow survey, screening) as .xlsx from "
        "corridor/collect/xlsforms/definitions.py and the reference data (points, countries, "
        "regions). Run it on a database holding the reference data only (a fresh migrate), "
        "and raise the form's version in definitions.VERSIONS when its rows change."
    )

    def handle(self, *args, **options) -> None:
        for path in definitions.build():
            self.stdout.write(f"Written {path.name}")
