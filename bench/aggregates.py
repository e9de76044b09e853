"""How fast the dashboard's aggregates come back over millions of group records.

Run by hand, never by the tests (timings live in bench/, see bench/README.md):

    .venv/bin/python bench/aggregates.py [--rows 5000000] [--database both] [--runs 20]

It writes a deterministic CSV of plausible group records (May 2017 to December 2025, the 13
points of the places data migration) into a temporary folder, then for each database sets up a
fresh one (SQLite in a temporary DATA_DIR; PostgreSQL 15 with initdb and pg_ctl on a private
socket directory, no TCP), migrates it, writes the rows through imports.Writer, adds up the
movement summaries as an import does at its end (timed apart), runs ANALYZE, and times, for
"all time" (2017-01-01 to 2025-12-31) and "one month" (October 2024):

  - the API call, GET /api/flows/dashboard?start=...&end=... through Django's test Client as a
    session-authenticated information officer (DEBUG off, as in production);
  - aggregates.dashboard(...) alone: the ORM queries, nothing else;
  - the charts of the dashboard page (corridor.flows.charts on presentation.tables), apart.

Then DuckDB loads the same CSV into memory (load time printed, not counted) and computes the
same aggregates straight from the rows, one SQL query per figure, without summaries; its
figures are checked against the databases'. Each timing is 2 warm-up runs, then 20 timed runs:
median and 95th percentile
(nearest rank). Each database runs in a child process of this script (same file, --child), so
Django is set up once per database; everything it made is removed at the end, and every step
has a time limit.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime
import functools
import importlib.util
import itertools
import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# The machine's description and the private PostgreSQL server are import_flows.py's.
from import_flows import HEADER as IMPORT_HEADER
from import_flows import (
    KINDS,
    PERIODS,
    PREVIOUS_PLACES,
    REASONS,
    REGIONS,
    REPO,
    TRANSPORTS,
    machine,
    postgres_server,
    reference_points,
)

SEED = 20250101
TARGET_MEDIAN_MS = 300
TARGET_TIMES_DUCKDB = 3
DAILY_SERIES_DAYS = 92  # as corridor.flows.aggregates (not imported here: Django is not set up)
DUCKDB_MISSING = (
    "DuckDB is not installed, and this benchmark compares with it: "
    ".venv/bin/pip install duckdb (it is a development dependency, not the application's)."
)

PERIODS_TIMED = {
    "all time": (datetime.date(2017, 1, 1), datetime.date(2025, 12, 31)),
    "one month": (datetime.date(2024, 10, 1), datetime.date(2024, 10, 31)),
}
FIRST_DAY, LAST_DAY = datetime.date(2017, 5, 1), datetime.date(2025, 12, 31)
LOAD_CHUNK = 500_000
PENDING_FROM = datetime.date(2025, 11, 1)  # the last two months still await validation
# Relative movements per year (DTM Djibouti's counts rose to 2019, fell in 2020, then rose).
YEAR_WEIGHTS = {
    2017: 0.8,
    2018: 1.0,
    2019: 1.2,
    2020: 0.5,
    2021: 0.7,
    2022: 0.9,
    2023: 1.1,
    2024: 1.4,
    2025: 1.2,
}
POINT_WEIGHTS = {
    "galafi": 14,
    "guelileh": 6,
    "loyada": 8,
    "pk9": 6,
    "badaf": 5,
    "fantaherou": 9,
    "godoria": 7,
    "holl-holl": 5,
    "yoboki": 9,
    "assamo": 4,
    "balho": 3,
    "obock-ville": 14,
    "tadjourah-ville": 10,
}
KIND_WEIGHTS = [20, 10, 45, 15, 8, 2]  # as KINDS lists them
NATIONALITY_WEIGHTS = {"ET": 75, "SO": 12, "YE": 6, "DJ": 4, "ER": 2, "SD": 1}
REASON_WEIGHTS = [70, 8, 6, 8, 5, 3]  # as REASONS lists them
# The previous country and the intended final destination follow the kind of flow.
PREVIOUS_BY_KIND = {
    "incoming": {"ET": 65, "YE": 25, "SO": 10},
    "outgoing": {"DJ": 80, "ET": 10, "": 10},
    "transit_arabian_peninsula": {"ET": 85, "SO": 10, "": 5},
    "transit_ethiopia": {"YE": 60, "DJ": 30, "": 10},
    "transit_within_djibouti": {"DJ": 90, "": 10},
    "undefined": {"": 60, "ET": 20, "DJ": 20},
}
DESTINATION_BY_KIND = {
    "incoming": {"DJ": 90, "": 10},
    "outgoing": {"ET": 60, "SO": 25, "YE": 15},
    "transit_arabian_peninsula": {"SA": 85, "YE": 10, "OM": 3, "AE": 2},
    "transit_ethiopia": {"ET": 95, "ER": 5},
    "transit_within_djibouti": {"DJ": 100},
    "undefined": {"": 70, "DJ": 30},
}
# import_flows.py's columns, with the model's name for the date and the status that import sets.
HEADER = ["day", *IMPORT_HEADER[1:], "status"]
COUNTRY_COLUMNS = ("nationality", "origin_country", "previous_country", "final_destination_country")
SEX_AND_AGE = ("adult_men", "adult_women", "boys", "girls")
VULNERABILITIES = (
    "unaccompanied_children",
    "pregnant_or_lactating",
    "elderly",
    "disabled",
    "urgent_medical",
)
COUNT_COLUMNS = HEADER[HEADER.index("adult_men") : HEADER.index("urgent_medical") + 1]
NEXT_DESTINATIONS = ["Obock", "Djibouti-ville", "Tadjourah", "Ali Sabieh", "Dikhil", ""]


# The data ------------------------------------------------------------------------------------


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole shares of total in proportion to weights, adding up exactly (largest remainder)."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


class Picker:
    """Weighted draws from fixed tables, the cumulative weights computed once."""

    def __init__(self, rng, weights: dict) -> None:
        self.rng = rng
        self.keys = list(weights)
        self.totals = list(itertools.accumulate(weights.values()))

    def __call__(self) -> object:
        return self.keys[bisect.bisect(self.totals, self.rng.random() * self.totals[-1])]


def write_csv(path: Path, rows: int) -> None:
    """rows plausible group records, the same for the same count, in date order."""
    import random

    codes, start = reference_points()
    assert start <= FIRST_DAY, "the points must be active from the first day"
    assert set(codes) == set(POINT_WEIGHTS), "the points are the places data migration's"
    days = [FIRST_DAY + datetime.timedelta(n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    rng = random.Random(SEED)  # noqa: S311 - test data, not secrets
    # Busier and quieter days: weekly rhythm and noise on top of the year's level.
    weights = [
        YEAR_WEIGHTS[day.year] * (0.85 if day.weekday() == 4 else 1.0) * rng.uniform(0.7, 1.3)
        for day in days
    ]
    per_day = apportion(rows, weights)
    previous = {kind: Picker(rng, table) for kind, table in PREVIOUS_BY_KIND.items()}
    destination = {kind: Picker(rng, table) for kind, table in DESTINATION_BY_KIND.items()}
    points, point_weights = list(POINT_WEIGHTS), list(POINT_WEIGHTS.values())
    nationalities, nationality_weights = list(NATIONALITY_WEIGHTS), NATIONALITY_WEIGHTS.values()
    choices = rng.choices
    written = 0
    step = max(rows // 10, 1)
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for day, count in zip(days, per_day, strict=True):
            if not count:
                continue
            pick = functools.partial(choices, k=count)
            status = "pending" if day >= PENDING_FROM else "validated"
            text = day.isoformat()
            kind = pick(KINDS, KIND_WEIGHTS)
            nationality = pick(nationalities, nationality_weights)
            men = pick(range(7), [30, 30, 15, 10, 7, 5, 3])
            women = pick(range(5), [55, 25, 10, 6, 4])
            boys = pick(range(4), [70, 18, 8, 4])
            girls = pick(range(4), [78, 14, 6, 2])
            share = pick(range(8))
            rows_of_day = zip(
                pick(PERIODS),
                pick(points, point_weights),
                kind,
                nationality,
                pick(REGIONS),
                pick(PREVIOUS_PLACES),
                pick(NEXT_DESTINATIONS),
                pick(TRANSPORTS),
                pick(REASONS, REASON_WEIGHTS),
                men,
                women,
                boys,
                girls,
                share,
                strict=True,
            )
            out = []
            for drawn in rows_of_day:
                period, point, k, n, region, place, going, transport, reason, m, w, b, g, s = drawn
                if m + w + b + g == 0:
                    m = 1
                size = m + w + b + g
                written += 1
                out.append(
                    (
                        text,
                        period,
                        point,
                        k,
                        n,
                        n if s else "",
                        region,
                        previous[k](),
                        place,
                        going,
                        destination[k](),
                        transport,
                        reason,
                        m,
                        w,
                        b,
                        g,
                        # Each within what the checks allow: a few vulnerable people in some.
                        (b + g) if s == 0 and m + w == 0 else 0,
                        min(w, 1) if s == 1 else 0,
                        1 if s == 2 else 0,
                        1 if s == 3 and size > 2 else 0,
                        1 if s == 4 and size > 4 else 0,
                        f"bench-registry-{written:010d}",
                        status,
                    )
                )
                if written % step == 0:
                    print(
                        f"  CSV: {written:,} rows ({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
            writer.writerows(out)
    assert written == rows, (written, rows)


def read_csv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


# Timing --------------------------------------------------------------------------------------


def timed(run: Callable[[], object], runs: int, warmup: int) -> list[float]:
    """warmup untimed calls, then runs timed ones: their durations in milliseconds."""
    for _ in range(warmup):
        run()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def median(durations: list[float]) -> float:
    return statistics.median(durations)


def p95(durations: list[float]) -> float:
    """The 95th percentile, nearest rank: the 19th of 20 sorted runs."""
    ordered = sorted(durations)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def figures_json(figures) -> dict:
    """The dashboard's figures in plain JSON, keys as text, for comparing across engines."""

    def key(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        return value.isoformat() if isinstance(value, datetime.date) else str(value)

    def pairs(counts: dict) -> list[list]:
        return sorted(([key(k), int(v)] for k, v in counts.items()), key=lambda p: str(p[0]))

    return {
        name: (pairs(value) if isinstance(value, dict) else int(value))
        for name, value in figures.items()
    }


# One database, in a child process ------------------------------------------------------------


def run_child(name: str, csv_path: Path, work: Path, args, extra: list[str]) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATA_DIR", "PYTHONPATH", "DEBUG"}
    }
    # As in production: DEBUG off (no query log), HTTPS only, so the client asks over HTTPS.
    env["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    env["ALLOWED_HOSTS"] = "testserver"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    result_path = work / f"result-{name}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        name,
        "--csv",
        str(csv_path),
        "--result",
        str(result_path),
        "--runs",
        str(args.runs),
        "--warmup",
        str(args.warmup),
        *extra,
    ]
    if args.explain:
        command.append("--explain")

    def run() -> None:
        subprocess.run(  # noqa: S603 - this script itself, no shell
            command, cwd=REPO, env=env, timeout=args.timeout, check=True
        )

    if name == "postgresql":
        with postgres_server() as url:
            env["DATABASE_URL"] = url
            run()
    else:
        env["DATA_DIR"] = str(work / "sqlite")
        run()
    return json.loads(result_path.read_text())


def child(args) -> None:
    """Migrate the fresh database, write the rows, ANALYZE, then time; write JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone, translation

    from corridor.accounts.models import Organisation, Role, User
    from corridor.flows import aggregates, charts, imports, presentation, summaries
    from corridor.flows.models import GroupRecord, MovementSummary
    from corridor.places.models import FlowMonitoringPoint, Region

    vendor = args.child
    assert connection.vendor == vendor, (connection.vendor, vendor)
    assert not settings.DEBUG, "DEBUG would log every query"

    def say(text: str) -> None:
        print(f"  [{vendor}] {text}", flush=True)

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - started:.1f} s")
    organisation = Organisation.objects.create(name="Bench", kind=Organisation.Kind.UN_AGENCY)
    officer = User.objects.create(
        username="bench-officer",
        role=Role.INFORMATION_OFFICER,
        organisation=organisation,
        must_change_password=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        server_version = cursor.fetchone()[0].split()[0]

    # The rows, through the same writer as the import and the demo data.
    points = {point.code: point for point in FlowMonitoringPoint.objects.all()}
    writer = imports.Writer(
        imports.REGISTRY,
        {
            "import_batch": None,
            "enumerator": None,
            "recorded_by": officer.pk,
            "recorded_at": connection.ops.adapt_datetimefield_value(timezone.now()),
        },
    )
    dates: dict[str, datetime.date] = {}
    counts = [HEADER.index(name) for name in COUNT_COLUMNS]
    countries = [HEADER.index(name) for name in COUNTRY_COLUMNS]
    at_point, at_day = HEADER.index("point"), HEADER.index("day")
    rows = 0
    started = time.perf_counter()
    records = read_csv(Path(args.csv))
    while chunk := list(itertools.islice(records, LOAD_CHUNK)):
        with transaction.atomic():  # one transaction per chunk, as an import of that size
            for row in chunk:
                for index in counts:
                    row[index] = int(row[index])
                for index in countries:
                    row[index] = row[index] or None
                row[at_point] = points[row[at_point]]
                day = row[at_day]
                row[at_day] = dates.get(day) or dates.setdefault(
                    day, datetime.date.fromisoformat(day)
                )
                writer.add(dict(zip(HEADER, row, strict=True)))
            writer.flush()
        rows += len(chunk)
        say(f"wrote {rows:,} rows ({time.perf_counter() - started:.0f} s)")
    load_seconds = time.perf_counter() - started
    # The movement summaries, as an import of these rows would make them at its end.
    started = time.perf_counter()
    with transaction.atomic():
        summaries.refresh(writer.days)
    summary_seconds = time.perf_counter() - started
    summary_rows = MovementSummary.objects.count()
    say(f"summarised them in {summary_seconds:.0f} s: {summary_rows:,} summary rows")
    stored = GroupRecord.objects.count()
    if stored != rows:
        raise SystemExit(f"expected {rows:,} rows, {stored:,} stored")
    say(f"wrote {rows:,} rows in {load_seconds:.0f} s")

    started = time.perf_counter()
    table = connection.ops.quote_name(GroupRecord._meta.db_table)
    summary_table = connection.ops.quote_name(MovementSummary._meta.db_table)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
            size = cursor.fetchone()[0]
        else:
            # VACUUM too, so that autovacuum (due after so many inserts) does not run during
            # the timings; it also sets the visibility map, as it would be on a live server.
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute(f"VACUUM (ANALYZE) {summary_table}")
            cursor.execute("CHECKPOINT")
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    say(f"ANALYZE in {time.perf_counter() - started:.0f} s; database {size / 2**20:,.0f} MiB")

    client = Client()
    client.force_login(officer)
    result: dict = {
        "database": vendor,
        "server_version": server_version,
        "rows": rows,
        "load_seconds": load_seconds,
        "summary_seconds": summary_seconds,
        "summary_rows": summary_rows,
        "database_mib": size / 2**20,
        "points": list(FlowMonitoringPoint.objects.values_list("id", "code", "region_id")),
        "regions": list(Region.objects.values_list("id", "code")),
        "periods": {},
    }
    for period, (start, end) in PERIODS_TIMED.items():
        flow_filter = aggregates.FlowFilter(start=start, end=end)
        figures = aggregates.dashboard(officer, flow_filter)
        url = f"/api/flows/dashboard?start={start}&end={end}"
        response = client.get(url, secure=True)
        if response.status_code != 200 or response.json()["movements"] != figures.movements:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]}")
        per_query = query_times(connection, lambda f=flow_filter: aggregates.dashboard(officer, f))
        say(
            f"{period}: {figures.movements:,} movements; one ORM run, query by query (ms): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in per_query)
        )
        if args.explain:
            explain(
                connection, vendor, period, lambda f=flow_filter: aggregates.dashboard(officer, f)
            )

        api = timed(lambda url=url: client.get(url, secure=True), args.runs, args.warmup)
        say(f"{period}: API call median {median(api):.0f} ms, p95 {p95(api):.0f} ms")
        orm = timed(lambda f=flow_filter: aggregates.dashboard(officer, f), args.runs, args.warmup)
        say(f"{period}: ORM alone median {median(orm):.0f} ms, p95 {p95(orm):.0f} ms")
        with translation.override("fr"):
            # The page's charts: every table's, and the day-by-day series for short periods.
            tables = presentation.tables(officer, figures)
            daily = presentation.daily_table(officer, figures)
            if daily:
                tables = [*tables[:2], daily, *tables[2:]]

            def draw(tables=tables) -> None:
                for table in tables:
                    if table.over_time:
                        charts.line_chart(table)
                    elif table.by_point:
                        charts.point_map(table)
                    else:
                        charts.bar_chart(table)

            drawn = timed(draw, args.runs, args.warmup)
        say(f"{period}: {len(tables)} charts median {median(drawn):.0f} ms, p95 {p95(drawn):.0f}")
        result["periods"][period] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "api_ms": api,
            "orm_ms": orm,
            "charts_ms": drawn,
            "charts": len(tables),
            "queries_ms": per_query,
            "figures": figures_json(dashboard_figures(figures)),
        }
    Path(args.result).write_text(json.dumps(result))


def dashboard_figures(figures) -> dict:
    """The aggregates that the database computes, by name (as duckdb_figures names them)."""
    return {
        "movements": figures.movements,
        "previous": figures.previous_movements,
        "by_month": figures.by_month,
        "by_day": figures.by_day,
        "by_kind": figures.by_kind,
        "by_region": figures.by_region,
        "by_point": figures.by_point,
        "sex_and_age": figures.sex_and_age,
        "by_nationality": figures.by_nationality,
        "by_destination": figures.by_destination,
        "by_reason": figures.by_reason,
        "vulnerabilities": figures.vulnerabilities,
        "arrivals_from_ethiopia": figures.arrivals_from_ethiopia,
        "returns_from_yemen_by_point": figures.returns_from_yemen_by_point,
    }


def capture(connection, run: Callable[[], object]) -> list[tuple[str, tuple, float]]:
    """Every query run makes, with its parameters and milliseconds (its fetch included)."""
    captured = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((sql, params, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(wrapper):
        run()
    return captured


def query_name(sql: str) -> str:
    """Which table a query reads most: summaries, records, or the points (for their codes)."""
    for table, name in (("movementsummary", "summaries"), ("grouprecord", "records")):
        if table in sql:
            return name
    return "points"


def query_times(connection, run: Callable[[], object]) -> list[tuple[str, float]]:
    return [(query_name(sql), ms) for sql, _params, ms in capture(connection, run)]


def explain(connection, vendor: str, period: str, run: Callable[[], object]) -> None:
    """Print each query's plan: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    captured = capture(connection, run)
    prefix = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        for sql, params, ms in captured:
            name = query_name(sql)
            print(f"\n  [{vendor}] {period}, {name} ({ms:.0f} ms):\n    {sql}")
            cursor.execute(prefix + sql, params)
            for row in cursor.fetchall():
                print("    " + " | ".join(str(cell) for cell in row))
    print(flush=True)


# DuckDB, in its own child process ------------------------------------------------------------

PEOPLE = "adult_men + adult_women + boys + girls"
IN_PERIOD = "day >= $start AND day <= $end"


def duckdb_queries() -> list[tuple[str, str, str]]:
    """(name, shape, SQL) for each aggregate, one query each, as aggregates.dashboard makes."""

    def by(column: str, joins: str = "", where: str = "") -> str:
        return (
            f"SELECT {column}, sum({PEOPLE}) AS total FROM records r {joins} "  # noqa: S608
            f"WHERE {IN_PERIOD} {where} GROUP BY {column} ORDER BY total DESC, {column}"
        )

    def sums(columns: tuple[str, ...]) -> str:
        return (
            "SELECT "  # noqa: S608
            + ", ".join(f"coalesce(sum({c}), 0)" for c in columns)
            + f" FROM records WHERE {IN_PERIOD}"
        )

    point = "JOIN points p ON p.id = r.point_id"
    incoming = "AND kind_of_flow = 'incoming'"
    return [
        (
            "movements",
            "one",
            f"SELECT coalesce(sum({PEOPLE}), 0) FROM records WHERE {IN_PERIOD}",  # noqa: S608
        ),
        (
            "previous",
            "one",
            f"SELECT coalesce(sum({PEOPLE}), 0) FROM records "  # noqa: S608
            "WHERE day >= $previous_start AND day <= $previous_end",
        ),
        (
            "by_month",
            "pairs",
            f"SELECT date_trunc('month', day) AS month, sum({PEOPLE}) FROM records "  # noqa: S608
            f"WHERE {IN_PERIOD} GROUP BY month ORDER BY month",
        ),
        ("by_day", "pairs", by("day")),
        ("by_kind", "pairs", by("kind_of_flow")),
        ("by_region", "pairs", by("g.code", f"{point} LEFT JOIN regions g ON g.id = p.region_id")),
        ("by_point", "pairs", by("p.code", point)),
        ("sex_and_age", "sums:" + ",".join(SEX_AND_AGE), sums(SEX_AND_AGE)),
        ("by_nationality", "pairs", by("nationality_id")),
        ("by_destination", "pairs", by("final_destination_country_id")),
        ("by_reason", "pairs", by("reason")),
        ("vulnerabilities", "sums:" + ",".join(VULNERABILITIES), sums(VULNERABILITIES)),
        (
            "arrivals_from_ethiopia",
            "one",
            f"SELECT coalesce(sum({PEOPLE}), 0) FROM records "  # noqa: S608
            f"WHERE {IN_PERIOD} {incoming} AND previous_country_id = 'ET'",
        ),
        (
            "returns_from_yemen_by_point",
            "pairs",
            by("p.code", point, f"{incoming} AND previous_country_id = 'YE'"),
        ),
    ]


def duckdb_figures(con, start: datetime.date, end: datetime.date) -> dict:
    days = (end - start).days + 1
    previous_end = start - datetime.timedelta(days=1)
    params = {
        "start": start,
        "end": end,
        "previous_start": previous_end - datetime.timedelta(days=days - 1),
        "previous_end": previous_end,
    }
    figures = {}
    for name, shape, sql in duckdb_queries():
        if name == "by_day" and days > DAILY_SERIES_DAYS:
            figures[name] = {}  # the dashboard has no day-by-day series over such a period
            continue
        used = {key: value for key, value in params.items() if f"${key}" in sql}
        rows = con.execute(sql, used).fetchall()
        if shape == "one":
            figures[name] = rows[0][0]
        elif shape == "pairs":
            figures[name] = {key: total for key, total in rows if total}
        else:
            figures[name] = dict(zip(shape.split(":")[1].split(","), rows[0], strict=True))
    return figures


def duckdb_child(args) -> None:
    """Load the CSV into an in-memory DuckDB (not timed), then time the same aggregates."""
    import duckdb

    reference = json.loads(Path(args.reference).read_text())
    con = duckdb.connect()  # in memory
    started = time.perf_counter()
    con.execute("CREATE TABLE regions (id BIGINT, code VARCHAR)")
    con.executemany("INSERT INTO regions VALUES (?, ?)", reference["regions"])
    con.execute("CREATE TABLE points (id BIGINT, code VARCHAR, region_id BIGINT)")
    con.executemany("INSERT INTO points VALUES (?, ?, ?)", reference["points"])
    types = {name: "VARCHAR" for name in HEADER} | {name: "INTEGER" for name in COUNT_COLUMNS}
    types["day"] = "DATE"
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    not_null = ", ".join(f"'{n}'" for n in HEADER if n not in COUNTRY_COLUMNS)
    selected = ", ".join(
        [
            "c.day",
            "p.id AS point_id",
            "c.kind_of_flow",
            "c.nationality AS nationality_id",
            "c.previous_country AS previous_country_id",
            "c.final_destination_country AS final_destination_country_id",
            "c.reason",
            *(f"c.{name}" for name in COUNT_COLUMNS),
        ]
    )
    # The names and types are ours; the file's path is a parameter.
    source = (
        f"read_csv($path, header = true, columns = {{{columns}}}, force_not_null = [{not_null}])"
    )
    load = f"CREATE TABLE records AS SELECT {selected} FROM {source} c "  # noqa: S608
    con.execute(
        load + "JOIN points p ON p.code = c.point ORDER BY c.day, c.source_record_id",
        {"path": args.csv},
    )
    load_seconds = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM records").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(
        f"  [duckdb] loaded {rows:,} rows in {load_seconds:.0f} s (not timed); {threads} threads",
        flush=True,
    )
    result = {
        "database": "duckdb",
        "server_version": duckdb.__version__,
        "rows": rows,
        "load_seconds": load_seconds,
        "threads": threads,
        "periods": {},
    }
    for period, (start, end) in PERIODS_TIMED.items():
        figures = duckdb_figures(con, start, end)
        got = figures_json(figures)
        expected = reference["periods"][period]["figures"]
        differ = sorted(name for name in expected if got.get(name) != expected[name])
        if differ:
            raise SystemExit(f"DuckDB's figures differ from the database's for {period}: {differ}")
        durations = timed(lambda s=start, e=end: duckdb_figures(con, s, e), args.runs, args.warmup)
        print(
            f"  [duckdb] {period}: same figures as the databases; median "
            f"{median(durations):.0f} ms, p95 {p95(durations):.0f} ms",
            flush=True,
        )
        result["periods"][period] = {"aggregates_ms": durations}
    Path(args.result).write_text(json.dumps(result))


def run_duckdb(csv_path: Path, reference: Path, work: Path, args) -> dict:
    result_path = work / "result-duckdb.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "duckdb",
        "--csv",
        str(csv_path),
        "--reference",
        str(reference),
        "--result",
        str(result_path),
        "--runs",
        str(args.runs),
        "--warmup",
        str(args.warmup),
    ]
    subprocess.run(command, cwd=REPO, timeout=args.timeout, check=True)  # noqa: S603
    return json.loads(result_path.read_text())


# The report ----------------------------------------------------------------------------------


def report(results: list[dict], duck: dict, args) -> None:
    print(
        f"\nResults: milliseconds over {args.runs} warm runs (after {args.warmup} warm-ups),"
        " median / 95th percentile:\n"
    )
    print(f"{'engine':<18}{'what':<38}{'all time':>18}{'one month':>18}")

    def cells(periods: dict, key: str) -> str:
        return "".join(
            f"{median(periods[p][key]):>10,.0f} / {p95(periods[p][key]):<5,.0f}"
            for p in PERIODS_TIMED
        )

    for result in results:
        name = f"{result['database']} {result['server_version']}"
        periods = result["periods"]
        print(f"{name:<18}{'API call (test Client)':<38}{cells(periods, 'api_ms')}")
        print(f"{'':<18}{'aggregates.dashboard alone (ORM)':<38}{cells(periods, 'orm_ms')}")
        drawn = " and ".join(str(periods[p]["charts"]) for p in PERIODS_TIMED)
        print(f"{'':<18}{f'charts ({drawn}, vl-convert)':<38}{cells(periods, 'charts_ms')}")
    name = f"duckdb {duck['server_version']}"
    print(f"{name:<18}{'same aggregates, in memory':<38}{cells(duck['periods'], 'aggregates_ms')}")
    print(
        f"\nDuckDB loaded the {duck['rows']:,} rows in {duck['load_seconds']:.0f} s (not counted),"
        f" {duck['threads']} threads; its figures equal the databases'."
    )
    for result in results:
        print(
            f"{result['database']}: {result['rows']:,} rows written in "
            f"{result['load_seconds']:.0f} s, summarised in {result['summary_seconds']:.0f} s "
            f"({result['summary_rows']:,} summary rows), database "
            f"{result['database_mib']:,.0f} MiB"
        )
    postgres = next((r for r in results if r["database"] == "postgresql"), None)
    if postgres is None:
        print("\nTargets: PostgreSQL was not measured.")
        return
    print("\nTargets (PostgreSQL, the API call):\n")
    for period in PERIODS_TIMED:
        api = median(postgres["periods"][period]["api_ms"])
        duckdb_ms = median(duck["periods"][period]["aggregates_ms"])
        ratio = api / duckdb_ms
        for target, measured, met in (
            (f"median under {TARGET_MEDIAN_MS} ms", f"{api:,.0f} ms", api < TARGET_MEDIAN_MS),
            (
                f"within {TARGET_TIMES_DUCKDB}x DuckDB",
                f"{ratio:,.1f}x ({duckdb_ms:,.0f} ms)",
                ratio <= TARGET_TIMES_DUCKDB,
            ),
        ):
            verdict = "met" if met else "NOT MET"
            print(f"  {period:<11}{target:<24}{measured:>22}   {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="group records")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="where"
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each measure")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before them")
    parser.add_argument(
        "--timeout", type=int, default=7200, help="seconds allowed for each child process"
    )
    parser.add_argument("--explain", action="store_true", help="print every query's plan")
    parser.add_argument(
        "--child", choices=["sqlite", "postgresql", "duckdb"], help=argparse.SUPPRESS
    )
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--reference", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.rows < 1 or args.runs < 1 or args.warmup < 0:
        parser.error("--rows and --runs must be 1 or more, --warmup 0 or more")
    if importlib.util.find_spec("duckdb") is None:
        raise SystemExit(DUCKDB_MISSING)
    if args.child == "duckdb":
        duckdb_child(args)
        return
    if args.child:
        child(args)
        return

    import duckdb

    # Stopped from outside: clean up as on any other exit (children, server, temporary files).
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    print("Machine:")
    for name, value in [*machine(), ("DuckDB", duckdb.__version__)]:
        print(f"  {name:<16}{value}")
    print(f"\nCommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as folder:
        work = Path(folder)
        csv_path = work / "groups.csv"
        started = time.perf_counter()
        print(f"\nWriting {args.rows:,} group records to a CSV:", flush=True)
        write_csv(csv_path, args.rows)
        size = csv_path.stat().st_size / 2**20
        print(f"Wrote them ({size:,.0f} MiB) in {time.perf_counter() - started:.0f} s\n")
        try:
            for database in databases:
                print(f"{database}:", flush=True)
                results.append(run_child(database, csv_path, work, args, []))
            reference = work / f"result-{results[-1]['database']}.json"
            if len(results) == 2:
                first, second = (r["periods"] for r in results)
                for period in PERIODS_TIMED:
                    if first[period]["figures"] != second[period]["figures"]:
                        raise SystemExit(f"SQLite and PostgreSQL differ for {period}")
                print("SQLite and PostgreSQL give the same figures.")
            print("duckdb:", flush=True)
            duck = run_duckdb(csv_path, reference, work, args)
        except subprocess.CalledProcessError as error:
            raise SystemExit(f"A child run failed (exit {error.returncode}).") from None
        except subprocess.TimeoutExpired:
            raise SystemExit(f"A child run took over {args.timeout} s.") from None
    report(results, duck, args)


if __name__ == "__main__":
    main()
