"""Bytes a browser transfers for the dashboard and the group entry form, compressed as nginx
serves them in the documented production setup (docs/operations.md: gzip on, level 5), with
every asset the page loads counted. Target: under 100 KB each.

Run by hand: `DEBUG=1 .venv/bin/python bench/page_weight.py`. It builds a fresh SQLite database
with the demo data in a temporary folder, renders the pages through Django, finds the assets
each page references (stylesheets, scripts, images) and gzips everything.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 100 * 1024
NGINX_LEVEL = 5  # gzip_comp_level in docs/operations.md
OCTOBER = "?start=2024-10-01&end=2024-10-31"
PAGES = [
    ("dashboard, October 2024 (information officer)", "demo.info", "/flows/dashboard/" + OCTOBER),
    (
        "dashboard, all 2024 (information officer)",
        "demo.info",
        "/flows/dashboard/?start=2024-01-01&end=2024-12-31",
    ),
    ("dashboard, October 2024 (partner viewer)", "demo.partner", "/flows/dashboard/" + OCTOBER),
    ("group entry form (enumerator)", "demo.enumerator", "/flows/groups/new/"),
]


def measure() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.test import Client

    from corridor.accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"{'page':<55} {'raw KB':>8} {'gzip KB':>8}  assets")
    for label, username, path in PAGES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        html = client.get(path).content
        raw, packed = len(html), len(gzip.compress(html, NGINX_LEVEL))
        assets = re.findall(rb'(?:href|src)="(' + settings.STATIC_URL.encode() + rb'[^"]+)"', html)
        names = []
        for url in sorted(set(assets)):
            relative = url.decode()[len(settings.STATIC_URL) :]
            found = finders.find(relative)
            body = Path(found).read_bytes()
            raw += len(body)
            packed += len(gzip.compress(body, NGINX_LEVEL))
            names.append(relative)
        verdict = "met" if packed < TARGET else "NOT MET"
        print(
            f"{label:<55} {raw / 1024:>8.1f} {packed / 1024:>8.1f}  {', '.join(names)}  [{verdict}]"
        )
    print(f"\nTarget: under {TARGET // 1024} KB each, compressed, assets included.")


if __name__ == "__main__":
    if os.environ.get("PAGE_WEIGHT_CHILD"):
        measure()
    else:
        with tempfile.TemporaryDirectory() as folder:
            environment = os.environ | {
                "PAGE_WEIGHT_CHILD": "1",
                "DEBUG": "1",
                "DATA_DIR": folder,
                "ALLOWED_HOSTS": "testserver",
                "DJANGO_SETTINGS_MODULE": "corridor.settings",
                "PYTHONPATH": str(ROOT),
            }
            environment.pop("DATABASE_URL", None)
            subprocess.run([sys.executable, __file__], cwd=ROOT, env=environment, check=True)  # noqa: S603
