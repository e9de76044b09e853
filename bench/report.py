"""Seconds to generate one monthly report PDF, per language. Target: under 5 seconds.

Run by hand: `DEBUG=1 .venv/bin/python bench/report.py [--month 2024-10]`. It builds a fresh
SQLite database with the demo data (about 153,000 group records) in a temporary folder, then
times `flow_report` (the same code as the download button) three times per language, in one
process, so WeasyPrint's first load is counted once and shown apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0


def measure(month_text: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from corridor.flows import report

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    month = report.parse_month(month_text)
    started = time.perf_counter()
    with translation.override("fr"):
        report.render_pdf(report.full_view(), month, "fr")
    print(f"first report, loading WeasyPrint and fonts: {time.perf_counter() - started:.2f} s")
    for language in ("fr", "en", "ar"):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            with translation.override(language):
                pdf = report.render_pdf(report.full_view(), month, language)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        verdict = "met" if median < TARGET_SECONDS else "NOT MET"
        size = len(pdf) / 1024
        print(f"{month_text} {language}: median {median:.2f} s of 3, {size:.0f} KB  [{verdict}]")
    print(f"Target: under {TARGET_SECONDS:.0f} s per report.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2024-10")
    arguments = parser.parse_args()
    if os.environ.get("REPORT_BENCH_CHILD"):
        measure(arguments.month)
    else:
        with tempfile.TemporaryDirectory() as folder:
            environment = os.environ | {
                "REPORT_BENCH_CHILD": "1",
                "DEBUG": "1",
                "DATA_DIR": folder,
                "DJANGO_SETTINGS_MODULE": "corridor.settings",
                "PYTHONPATH": str(ROOT),
            }
            environment.pop("DATABASE_URL", None)
            command = [sys.executable, __file__, "--month", arguments.month]
            subprocess.run(command, cwd=ROOT, env=environment, check=True)  # noqa: S603
