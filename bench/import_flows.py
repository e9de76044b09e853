"""How fast a flow monitoring registry file is imported, against the database driver alone.

Run by hand, never by the tests (timings live in bench/, see bench/README.md):

    DEBUG=1 .venv/bin/python bench/import_flows.py [--rows 1000000] [--database both]

It writes a deterministic CSV of valid registry rows into a temporary folder, then for each
database sets up a fresh one (SQLite in a temporary DATA_DIR; PostgreSQL with initdb and
pg_ctl on a private socket directory, no TCP), migrates it, and times:

  (a) the validated import path, imports.process(..., write=True) in one transaction, as
      imports.run_import does: reading the file, checking every row, writing through Writer;
  (b) the same rows written straight with the driver from tuples built beforehand: sqlite3
      executemany, or psycopg 3 COPY. Reading the CSV and building the tuples is timed apart
      and left out of (b).

Each database is measured in a child process of this script (same file, --child), so Django
is set up once per database with its own DATABASE_URL or DATA_DIR. Everything it made is
removed at the end, and every step has a time limit.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import importlib
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("CORRIDOR_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = int(os.environ.get("CORRIDOR_BENCH_PG_PORT", "54339"))  # names the socket only
SEED = 20240101
TARGET_ROWS_PER_SECOND = 50_000
TARGET_SHARE_OF_DRIVER = 0.5

# Codes as stored; the import also accepts labels, but exports from the forms carry codes.
# Choice columns are always answered, as the form requires; free text and the optional
# countries are sometimes blank. Blank choices belong in the tests, not in a timing.
PERIODS = ["morning", "afternoon", "evening", "night"]
KINDS = [
    "incoming",
    "outgoing",
    "transit_arabian_peninsula",
    "transit_ethiopia",
    "transit_within_djibouti",
    "undefined",
]
KIND_WEIGHTS = [20, 10, 45, 15, 8, 2]
NATIONALITIES = ["ET", "SO", "YE", "DJ", "ER", "SD"]
NATIONALITY_WEIGHTS = [75, 12, 6, 4, 2, 1]
REGIONS = ["Oromia", "Amhara", "Tigray", "Somali", "Afar", "Awdal", "Sanaag", ""]
PREVIOUS_COUNTRIES = ["ET", "SO", "YE", ""]
PREVIOUS_PLACES = ["Dewele", "Galafi", "Dire Dawa", "Loyada", "Tadjourah", ""]
NEXT_DESTINATIONS = ["Obock", "Djibouti-ville", "Tadjourah", "Ali Sabieh", "Dikhil", ""]
FINAL_COUNTRIES = ["SA", "YE", "DJ", "ET", "SO", ""]
TRANSPORTS = ["on_foot", "bus", "truck", "car", "boat", "animal", "other"]
REASONS = ["economic", "conflict", "family", "food_insecurity", "seasonal", "other"]
HEADER = [
    "date",
    "observation_period",
    "point",
    "kind_of_flow",
    "nationality",
    "origin_country",
    "origin_region",
    "previous_country",
    "previous_place",
    "next_destination",
    "final_destination_country",
    "transport",
    "reason",
    "adult_men",
    "adult_women",
    "boys",
    "girls",
    "unaccompanied_children",
    "pregnant_or_lactating",
    "elderly",
    "disabled",
    "urgent_medical",
    "source_record_id",
]
COUNTRY_COLUMNS = {"nationality", "origin_country", "previous_country", "final_destination_country"}
COUNT_COLUMNS = {
    "adult_men",
    "adult_women",
    "boys",
    "girls",
    "unaccompanied_children",
    "pregnant_or_lactating",
    "elderly",
    "disabled",
    "urgent_medical",
}


# The data ------------------------------------------------------------------------------------


def reference_points() -> tuple[list[str], datetime.date]:
    """The codes of the points the places data migration loads, and the day they start."""
    migration = importlib.import_module("corridor.places.migrations.0002_reference_data")
    return [point[0] for point in migration.POINTS], migration.START


def write_csv(path: Path, rows: int) -> None:
    """rows valid registry rows, the same for the same count: one group seen at a point each."""
    codes, start = reference_points()
    first, last = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    assert start <= first, "the points must be active through 2024"
    days = [(first + datetime.timedelta(n)).isoformat() for n in range((last - first).days + 1)]
    rng = random.Random(SEED)  # noqa: S311 - test data, not secrets

    def pick(values: list, weights: list[int] | None = None) -> list:
        return rng.choices(values, weights=weights, k=rows)

    day = sorted(pick(days))  # files come in date order, as the forms export them
    nationality = pick(NATIONALITIES, NATIONALITY_WEIGHTS)
    men = pick(range(7), [30, 30, 15, 10, 7, 5, 3])
    women = pick(range(5), [55, 25, 10, 6, 4])
    boys = pick(range(4), [70, 18, 8, 4])
    girls = pick(range(4), [78, 14, 6, 2])
    share = pick(range(4))
    columns = {
        "date": day,
        "observation_period": pick(PERIODS),
        "point": pick(codes),
        "kind_of_flow": pick(KINDS, KIND_WEIGHTS),
        "nationality": nationality,
        "origin_country": [n if s else "" for n, s in zip(nationality, share, strict=True)],
        "origin_region": pick(REGIONS),
        "previous_country": pick(PREVIOUS_COUNTRIES),
        "previous_place": pick(PREVIOUS_PLACES),
        "next_destination": pick(NEXT_DESTINATIONS),
        "final_destination_country": pick(FINAL_COUNTRIES),
        "transport": pick(TRANSPORTS),
        "reason": pick(REASONS),
    }
    counts = {name: [] for name in HEADER if name in COUNT_COLUMNS}
    for m, w, b, g, s in zip(men, women, boys, girls, share, strict=True):
        if m + w + b + g == 0:
            m = 1
        size = m + w + b + g
        # Each count within what the checks allow: a few vulnerable people in some groups.
        for name, value in (
            ("adult_men", m),
            ("adult_women", w),
            ("boys", b),
            ("girls", g),
            ("unaccompanied_children", (b + g) if s == 0 else 0),
            ("pregnant_or_lactating", min(w + g, 1) if s == 1 else 0),
            ("elderly", min(size, 1) if s == 2 else 0),
            ("disabled", min(size, 1) if s == 3 and size > 2 else 0),
            ("urgent_medical", min(size, 1) if s == 3 and size > 4 else 0),
        ):
            counts[name].append(value)
    columns.update(counts)
    columns["source_record_id"] = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(rows)
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(zip(*(columns[name] for name in HEADER), strict=True))


# The machine ---------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import django

    try:
        import psycopg

        psycopg_version = psycopg.__version__
    except ImportError:
        psycopg_version = "not installed"
    return [
        ("CPU", cpu),
        ("cores", f"{os.cpu_count()} ({usable} usable by this process)"),
        ("memory", memory),
        ("system", platform.platform()),
        ("temporary files", f"{tempfile.gettempdir()} on {filesystem(tempfile.gettempdir())}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version()),
        ("psycopg", psycopg_version),
    ]


def filesystem(path: str) -> str:
    """The type of the filesystem holding path, from /proc/mounts."""
    best, kind = "", "unknown filesystem"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and path.startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


def postgres_version() -> str:
    binary = PG_BIN / "postgres"
    if not binary.exists():
        return f"not found in {PG_BIN} (set CORRIDOR_PG_BIN)"
    done = subprocess.run(  # noqa: S603 - a fixed binary, no shell
        [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return done.stdout.strip() or done.stderr.strip()


# PostgreSQL, private to this run -------------------------------------------------------------


@contextmanager
def postgres_server(settings: dict[str, str] | None = None) -> Iterator[str]:
    """A fresh PostgreSQL cluster on a private socket directory; yields its DATABASE_URL.

    `settings` are server settings given at start (-c name=value), initdb's defaults otherwise.
    """
    for tool in ("initdb", "pg_ctl", "createdb"):
        if not (PG_BIN / tool).exists():
            raise SystemExit(
                f"PostgreSQL's {tool} is not in {PG_BIN}: apt-get install -y postgresql-15, "
                "or set CORRIDOR_PG_BIN."
            )
    base = Path(tempfile.mkdtemp(prefix="corridor-bench-pg-"))
    as_postgres: dict = {}
    if os.geteuid() == 0:  # initdb refuses root: run the server as postgres, as .ci/run does
        shutil.chown(base, "postgres", "postgres")
        as_postgres = {"user": "postgres", "group": "postgres", "extra_groups": []}
    data = base / "data"

    def pg(*command: str, timeout: int = 120) -> None:
        done = subprocess.run(  # noqa: S603 - fixed binaries, no shell
            [str(PG_BIN / command[0]), *command[1:]],
            cwd=base,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **as_postgres,
        )
        if done.returncode:
            raise SystemExit(f"{command[0]} failed:\n{done.stdout}{done.stderr}")

    started = False
    try:
        pg("initdb", "-D", str(data), "-U", "corridor", "-A", "trust", "-E", "UTF8")
        started = True  # from here on, stop it whatever happens (stopping a stopped one is fine)
        pg(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(base / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-k {base} -p {PG_PORT} -c listen_addresses=''"
            + "".join(f" -c {name}={value}" for name, value in (settings or {}).items()),
            "start",
        )
        pg("createdb", "-h", str(base), "-p", str(PG_PORT), "-U", "corridor", "corridor")
        yield f"postgres://corridor@:{PG_PORT}/corridor?host={base}"
    finally:
        if started:
            try:
                pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop")
            except (SystemExit, subprocess.TimeoutExpired) as error:
                print(f"Stopping PostgreSQL: {error}", file=sys.stderr)
        shutil.rmtree(base, ignore_errors=True)


# One database, in a child process ------------------------------------------------------------


def run_child(database: str, csv_path: Path, rows: int, work: Path, args) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATA_DIR", "PYTHONPATH"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    result_path = work / f"result-{database}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        database,
        "--csv",
        str(csv_path),
        "--rows",
        str(rows),
        "--result",
        str(result_path),
    ]
    if args.profile:
        command.append("--profile")

    def run() -> None:
        subprocess.run(  # noqa: S603 - this script itself, no shell
            command, cwd=REPO, env=env, timeout=args.timeout, check=True
        )

    if database == "sqlite":
        env["DATA_DIR"] = str(work / "sqlite")
        run()
    else:
        with postgres_server() as url:
            env["DATABASE_URL"] = url
            run()
    return json.loads(result_path.read_text())


def child(args) -> None:
    """Migrate the fresh database, then time (a) and (b) on it; write the figures as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone, translation

    from corridor.accounts.models import Organisation, Role, User
    from corridor.flows import imports
    from corridor.flows.models import GroupRecord
    from corridor.places.models import FlowMonitoringPoint

    path, rows, vendor = Path(args.csv), args.rows, args.child

    def say(text: str) -> None:
        print(f"  [{vendor}] {text}", flush=True)

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated in {time.perf_counter() - started:.1f} s")
    assert connection.vendor == vendor, (connection.vendor, vendor)
    organisation = Organisation.objects.create(name="Bench", kind=Organisation.Kind.UN_AGENCY)
    officer = User.objects.create(
        username="bench-officer", role=Role.INFORMATION_OFFICER, organisation=organisation
    )
    table = connection.ops.quote_name(GroupRecord._meta.db_table)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0].split()[0]

    # (a) the validated import path, as imports.run_import runs it.
    checkpoint(connection, vendor)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    say("(a) imports.process(..., write=True) ...")
    started = time.perf_counter()
    with translation.override("fr"), transaction.atomic():
        if profiler:
            profiler.enable()
        outcome = imports.process(path, kind="registry", user=officer, write=True)
        if profiler:
            profiler.disable()
        if outcome.problems:
            for problem in outcome.problems[:10]:
                print("    problem:", problem, file=sys.stderr)
            raise SystemExit(f"(a) found {len(outcome.problems)} problems: the data is wrong")
        committing = time.perf_counter()
    a_seconds = time.perf_counter() - started
    a_commit = time.perf_counter() - committing
    stored = GroupRecord.objects.count()
    if outcome.valid != rows or stored != rows:
        raise SystemExit(f"(a) expected {rows} rows, got {outcome.valid} valid, {stored} stored")
    say(f"(a) {rows:,} rows in {a_seconds:.2f} s ({a_commit:.2f} s commit), {stored:,} stored")
    if profiler:
        import pstats

        print(f"\n  [{vendor}] profile of (a), by cumulative time (timings inflated):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
        print(f"  [{vendor}] profile of (a), by own time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)

    # (b) the same rows, straight through the driver, from tuples built beforehand.
    fields = [f for f in GroupRecord._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    started = time.perf_counter()
    tuples = build_tuples(
        path,
        fields,
        points=dict(FlowMonitoringPoint.objects.values_list("code", "pk")),
        fixed={
            "status": "pending",
            "import_batch": None,
            "enumerator": None,
            "recorded_by": officer.pk,
            "recorded_at": connection.ops.adapt_datetimefield_value(timezone.now()),
        },
        adapt_date=connection.ops.adapt_datefield_value,
    )
    prepare_seconds = time.perf_counter() - started
    say(f"(b) CSV read and {len(tuples):,} tuples built in {prepare_seconds:.2f} s (not timed)")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if vendor == "sqlite":
        # Through Django's connection: VACUUM needs the SQL functions Django's constraints use.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table name
            cursor.execute("VACUUM")
        database_path = str(settings.DATABASES["default"]["NAME"])
        connection.close()
        b_seconds, b_commit, b_stored = sqlite_driver(
            database_path, table, names, len(columns), tuples
        )
        method = "sqlite3 executemany"
    else:
        params = settings.DATABASES["default"]
        connection.close()
        b_seconds, b_commit, b_stored = postgres_driver(params, table, names, tuples)
        method = "psycopg COPY"
    if b_stored != rows:
        raise SystemExit(f"(b) expected {rows} rows, {b_stored} stored")
    say(f"(b) {rows:,} rows in {b_seconds:.2f} s ({b_commit:.2f} s commit) with {method}")
    Path(args.result).write_text(
        json.dumps(
            {
                "database": vendor,
                "server_version": server_version,
                "rows": rows,
                "a_seconds": a_seconds,
                "a_commit": a_commit,
                "b_seconds": b_seconds,
                "b_commit": b_commit,
                "b_method": method,
                "prepare_seconds": prepare_seconds,
                "debug": settings.DEBUG,
                "profiled": bool(profiler),
            }
        )
    )


def checkpoint(connection, vendor: str) -> None:
    """Start each timed step with the earlier writes flushed, so neither pays for the other."""
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("CHECKPOINT")


def build_tuples(path: Path, fields: list, points: dict, fixed: dict, adapt_date) -> list[tuple]:
    """The rows of the CSV as the driver takes them, in the order of the model's fields."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        position = {name: index for index, name in enumerate(next(reader))}
        position["day"] = position["date"]
        dates: dict[str, object] = {}

        def day(text: str) -> object:
            if text not in dates:
                dates[text] = adapt_date(datetime.date.fromisoformat(text))
            return dates[text]

        getters = []
        for field in fields:
            name = field.name
            if name in fixed:
                value = fixed[name]
                getters.append(lambda row, value=value: value)
                continue
            index = position[name]
            if name == "day":
                getters.append(lambda row, i=index: day(row[i]))
            elif name == "point":
                getters.append(lambda row, i=index: points[row[i]])
            elif name in COUNT_COLUMNS:
                getters.append(lambda row, i=index: int(row[i]) if row[i] else 0)
            elif name in COUNTRY_COLUMNS or name == "source_record_id":
                getters.append(lambda row, i=index: row[i] or None)
            else:
                getters.append(lambda row, i=index: row[i])
        return [tuple(get(row) for get in getters) for row in reader]


def sqlite_driver(
    database: str, table: str, names: str, width: int, tuples: list[tuple]
) -> tuple[float, float, int]:
    """Insert every tuple into the emptied table in one transaction with executemany."""
    con = sqlite3.connect(database, isolation_level=None, timeout=20)
    try:
        # The same settings as corridor/settings.py gives Django's connections.
        from django.conf import settings

        for statement in settings.DATABASES["default"]["OPTIONS"]["init_command"].split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as checkpoint() did before (a)
        marks = ", ".join(["?"] * width)
        started = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuples)  # noqa: S608
        committing = time.perf_counter()
        con.execute("COMMIT")
        seconds, commit = time.perf_counter() - started, time.perf_counter() - committing
        stored = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    finally:
        con.close()
    return seconds, commit, stored


def postgres_driver(
    params: dict, table: str, names: str, tuples: list[tuple]
) -> tuple[float, float, int]:
    """Empty the table (untimed), then COPY every tuple in one transaction with psycopg 3."""
    import psycopg

    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"]
    ) as con:
        con.execute(f"TRUNCATE {table} CASCADE")
        con.commit()
        con.execute("CHECKPOINT")
        con.commit()
        started = time.perf_counter()
        with con.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in tuples:
                copy.write_row(row)
        committing = time.perf_counter()
        con.commit()  # Django makes foreign keys deferred: PostgreSQL checks them here
        seconds, commit = time.perf_counter() - started, time.perf_counter() - committing
        stored = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    return seconds, commit, stored


# The report ----------------------------------------------------------------------------------


def report(results: list[dict]) -> None:
    print("\nResults ((b) excludes reading the CSV and building the tuples, timed apart):\n")
    print(f"{'database':<18}{'step':<42}{'rows':>11}{'seconds':>10}{'rows/s':>11}")
    for result in results:
        rows = result["rows"]
        name = f"{result['database']} {result['server_version']}"
        a, b = result["a_seconds"], result["b_seconds"]
        step = "(a) imports.process, validated"
        print(f"{name:<18}{step:<42}{rows:>11,}{a:>10.2f}{rows / a:>11,.0f}")
        step = f"(b) {result['b_method']}, pre-built tuples"
        print(f"{'':<18}{step:<42}{rows:>11,}{b:>10.2f}{rows / b:>11,.0f}")
        print(
            f"{'':<18}    of which the commit: (a) {result['a_commit']:.2f} s, "
            f"(b) {result['b_commit']:.2f} s"
        )
        prepare = f"    CSV read + tuples built for (b), untimed: {result['prepare_seconds']:.2f} s"
        print(f"{'':<18}{prepare}")
        print(
            f"{'':<18}ratio (a)/(b) in seconds: {a / b:.2f}, "
            f"so (a) runs at {100 * b / a:.1f}% of (b)'s speed"
        )
    print("\nTargets:\n")
    for result in results:
        rows, a, b = result["rows"], result["a_seconds"], result["b_seconds"]
        speed, share = rows / a, b / a
        for target, measured, met in (
            (
                f"(a) at least {TARGET_ROWS_PER_SECOND:,} rows/s",
                f"{speed:,.0f} rows/s",
                speed >= TARGET_ROWS_PER_SECOND,
            ),
            (
                "(a) at least half of (b)'s speed",
                f"{100 * share:.1f}% of (b)",
                share >= TARGET_SHARE_OF_DRIVER,
            ),
        ):
            verdict = "met" if met else "NOT MET"
            print(f"{result['database']:<12}{target:<36}{measured:>18}   {verdict}")
    if any(result["debug"] for result in results):
        print(
            "\nDjango ran with DEBUG on, so it logged its queries: a few hundred per million"
            " rows, as (a) writes in chunks."
        )
    if any(result["profiled"] for result in results):
        print("(a) ran under cProfile: its timings are inflated and not comparable.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the file")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="where"
    )
    parser.add_argument(
        "--timeout", type=int, default=3600, help="seconds allowed for each database"
    )
    parser.add_argument("--profile", action="store_true", help="run (a) under cProfile")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.rows < 1:
        parser.error("--rows must be 1 or more")
    if args.child:
        child(args)
        return

    print("Machine:")
    for name, value in machine():
        print(f"  {name:<16}{value}")
    print(f"\nCommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as folder:
        work = Path(folder)
        csv_path = work / "registry.csv"
        started = time.perf_counter()
        write_csv(csv_path, args.rows)
        size = csv_path.stat().st_size / 1024 / 1024
        print(
            f"\nWrote {args.rows:,} registry rows ({size:.0f} MiB) in "
            f"{time.perf_counter() - started:.1f} s\n"
        )
        for database in databases:
            print(f"{database}:")
            try:
                results.append(run_child(database, csv_path, args.rows, work, args))
            except subprocess.CalledProcessError as error:
                raise SystemExit(f"The {database} run failed (exit {error.returncode}).") from None
            except subprocess.TimeoutExpired:
                raise SystemExit(f"The {database} run took over {args.timeout} s.") from None
    report(results)


if __name__ == "__main__":
    main()
