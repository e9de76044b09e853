"""Settings from the environment, production hardening and the demo-data guard."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse

from corridor.accounts.models import Organisation, User
from corridor.settings import database_from_url, env_bool

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env_overrides):
    # A production-like environment: nothing of the test run's own settings leaks in.
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **env_overrides}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_database_url_for_postgresql_over_a_socket():
    database = database_from_url("postgres://corridor:s%40cret@/corridor?host=/run/pg")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "corridor",
        "corridor",
        "s@cret",
    )
    assert database["HOST"] == "/run/pg"


def test_database_url_for_postgresql_over_tcp():
    database = database_from_url("postgresql://u:p@db.internal:5433/corridor")
    assert (database["HOST"], database["PORT"]) == ("db.internal", "5433")


def test_unknown_database_scheme_is_refused_clearly():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://u:p@h/db")


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "off")
    assert env_bool("SOME_FLAG", True) is False


def test_time_zone_is_djibouti():
    assert settings.TIME_ZONE == "Africa/Djibouti"
    assert settings.LANGUAGE_CODE == "fr"


def test_production_settings_pass_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="corridor.example.dj",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_serve(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "DATA_DIR": str(tmp_path)}
    served = subprocess.run(
        [sys.executable, "-c", "import corridor.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert served.returncode != 0
    assert "SECRET_KEY" in served.stderr
    checked = manage("check", "--deploy", "--fail-level", "WARNING", DATA_DIR=str(tmp_path))
    assert checked.returncode != 0
    assert "SECRET_KEY" in checked.stderr


def test_migrations_can_be_checked_without_any_environment(tmp_path):
    result = manage("makemigrations", "--check", "--dry-run", DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="SQLite-only behaviour")
def test_sqlite_runs_in_wal_mode(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection as c; k = c.cursor();"
        "k.execute('PRAGMA journal_mode'); print(k.fetchone()[0])",
        DEBUG="1",
        DATA_DIR=str(tmp_path),
    )
    assert result.stdout.strip().splitlines()[-1] == "wal", result.stderr
    assert (tmp_path / "corridor.sqlite3").exists()


def test_seed_demo_refuses_without_debug(db):
    assert not settings.DEBUG  # as in production
    with pytest.raises(CommandError, match="public"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_is_idempotent_and_its_logins_work(db, client):
    call_command("seed_demo", force=True)
    counts = (User.objects.count(), Organisation.objects.count())
    call_command("seed_demo", force=True)
    assert (User.objects.count(), Organisation.objects.count()) == counts
    enumerator = User.objects.get(username="demo.enumerator")
    assert sorted(p.code for p in enumerator.assigned_points.all()) == ["fantaherou", "obock-ville"]
    assert all("démo" in o.name or "fictive" in o.name for o in Organisation.objects.all())
    response = client.post(
        reverse("accounts:login"), {"username": "demo.admin", "password": "corridor-demo"}
    )
    assert response.status_code == 302 and response.wsgi_request.user.username == "demo.admin"
