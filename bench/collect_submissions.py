"""How many phone submissions a second the production setup takes, and that none is lost.

Run by hand, never by the tests (timings live in bench/, see bench/README.md):

    .venv/bin/python bench/collect_submissions.py [--senders 20] [--seconds 60] [--workers 3]

On a fresh PostgreSQL 15 (import_flows.postgres_server: initdb on a private socket directory,
removed at the end), migrated, with Corridor's own forms loaded (manage.py load_collect_forms),
one enumerator per sender, each with a phone key. Then gunicorn serves corridor.wsgi as
docs/operations.md sets it up (sync workers, DEBUG off), behind no proxy: the senders send the
header the reverse proxy would (X-Forwarded-Proto: https, with PROXY_COUNT=1), as the proxy is
not what is measured.

For --seconds, --senders threads each send, one after the other, what ODK Collect sends for
one filled flow monitoring registry form: an authenticated HEAD /collect/submission (204
expected), then the POST of the instance as multipart/form-data (201 expected). Each instance
has its own instanceID (uuid) and group counts. The server stores the submission and makes a
group record of it before it answers.

Afterwards it counts in the database: submissions stored, their states, group records whose
source id is one of the instanceIDs answered 201. The target (issue 6): at least 100
submissions a second, none lost (every 201 has its record), none duplicated.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from import_flows import machine, postgres_server  # noqa: E402

BOUNDARY = "corridor-bench-boundary"


# In a child process with Django: set up, and count afterwards ---------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    import django

    django.setup()


def prepare(senders: int) -> dict:
    """Forms, accounts and phone keys; returns what the senders need."""
    django_setup()
    from django.core.management import call_command

    from corridor.accounts.models import Organisation, Role, User
    from corridor.collect import phones
    from corridor.collect.instance import parse
    from corridor.collect.models import CollectForm, Purpose
    from corridor.collect.receive import main_instance_root
    from corridor.places.models import FlowMonitoringPoint

    organisation = Organisation.objects.create(
        name="Synthetic bench organisation", kind=Organisation.Kind.UN_AGENCY
    )
    User.objects.create_user(
        username="bench-administrator",
        password=secrets.token_urlsafe(16),
        role=Role.ADMINISTRATOR,
        organisation=organisation,
    )
    call_command("load_collect_forms", "--as", "bench-administrator", verbosity=0)
    point = FlowMonitoringPoint.objects.order_by("code").first()
    accounts = []
    for number in range(senders):
        user = User.objects.create_user(
            username=f"bench-enumerator-{number:02d}",
            password=secrets.token_urlsafe(16),
            role=Role.ENUMERATOR,
            organisation=organisation,
        )
        user.assigned_points.add(point)
        _key, secret = phones.create_device_key(user=user, name="Synthetic bench phone")
        accounts.append((user.username, secret))
    form = CollectForm.objects.get(purpose=Purpose.FLOW_REGISTRY)
    version = form.current_version
    root = main_instance_root(version.xform)
    parse(version.xform)  # it reads
    return {
        "accounts": accounts,
        "form_id": form.form_id,
        "version": version.version,
        "root": root,
        "point": point.code,
    }


def count(sent_path: str) -> dict:
    django_setup()
    from django.db.models import Count

    from corridor.collect.models import Submission
    from corridor.flows.models import GroupRecord

    sent = set(json.loads(Path(sent_path).read_text()))
    states = dict(Submission.objects.values_list("state").annotate(n=Count("id")))
    records = list(GroupRecord.objects.values_list("source_record_id", flat=True))
    stored = set(records)
    return {
        "submissions": Submission.objects.count(),
        "states": states,
        "records": len(records),
        "records_distinct": len(stored),
        "answered_201_without_record": len(sent - stored),
        "records_never_answered_201": len(stored - sent),
    }


# The senders ----------------------------------------------------------------------------------


def instance_xml(setup: dict, instance_id: str, rng: random.Random) -> bytes:
    """What ODK Collect sends for one filled registry form (the shipped form's questions)."""
    men, women, boys, girls = rng.randint(0, 12), rng.randint(0, 6), rng.randint(0, 3), 0
    if men + women + boys == 0:
        men = 1
    values = {
        "day": time.strftime("%Y-%m-%d"),
        "observation_period": "morning",
        "point": setup["point"],
        "kind_of_flow": "outgoing",
        "nationality": "ETH",
        "origin_country": "ETH",
        "final_destination_country": "SAU",
        "transport": "on_foot",
        "reason": "economic",
        "adult_men": men,
        "adult_women": women,
        "boys": boys,
        "girls": girls,
    }
    answers = "".join(f"<{name}>{value}</{name}>" for name, value in values.items())
    root = setup["root"]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{root} id="{setup["form_id"]}" '
        f'version="{setup["version"]}">{answers}'
        f"<meta><instanceID>{instance_id}</instanceID></meta></{root}>"
    ).encode()


def multipart(xml: bytes) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="xml_submission_file"; '
            'filename="submission.xml"\r\n'
            "Content-Type: text/xml\r\n\r\n"
        ).encode()
        + xml
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


class Sender(threading.Thread):
    def __init__(self, port: int, account: tuple[str, str], setup: dict, until: float, seed: int):
        super().__init__(daemon=True)
        self.port, self.setup, self.until = port, setup, until
        credentials = base64.b64encode(f"{account[0]}:{account[1]}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {credentials}",
            "X-OpenRosa-Version": "1.0",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Host": "127.0.0.1",
        }
        self.rng = random.Random(seed)  # noqa: S311 - synthetic counts, not secrets
        self.answered: list[str] = []
        self.seconds: list[float] = []
        self.failures: dict[str, int] = {}

    def _fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < self.until:
            instance_id = f"uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"
            body = multipart(instance_xml(self.setup, instance_id, self.rng))
            started = time.monotonic()
            try:
                connection.request("HEAD", "/collect/submission", headers=self.headers)
                head = connection.getresponse()
                head.read()
                if head.status != 204:
                    self._fail(f"HEAD {head.status}")
                    continue
                connection.request(
                    "POST",
                    "/collect/submission",
                    body=body,
                    headers={
                        **self.headers,
                        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                        "Date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
                    },
                )
                post = connection.getresponse()
                post.read()
            except (OSError, http.client.HTTPException) as error:
                self._fail(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            if post.status == 201:
                self.answered.append(instance_id)
                self.seconds.append(time.monotonic() - started)
            else:
                self._fail(f"POST {post.status}")
        connection.close()


# The run --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child(env: dict, *args: str) -> dict:
    done = subprocess.run(  # noqa: S603 - this script, no shell
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{args[0]} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(
                "GET", "/health/", headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
            )
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /health/ in time")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn sync workers (docs/operations.md)"
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        print(json.dumps(prepare(args.prepare)))
        return
    if args.count:
        print(json.dumps(count(args.count)))
        return

    work = Path(tempfile.mkdtemp(prefix="corridor-bench-collect-"))
    with postgres_server() as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "DATA_DIR", "DEBUG", "PYTHONPATH"}
        }
        env.update(
            DATABASE_URL=database_url,
            DATA_DIR=str(work),
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            PROXY_COUNT="1",
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=600,
        )
        setup = child(env, "--prepare", str(args.senders))
        port = free_port()
        gunicorn = Path(sys.executable).parent / "gunicorn"
        server = subprocess.Popen(  # noqa: S603
            [
                str(gunicorn),
                "corridor.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "120",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        )
        try:
            wait_for(port)
            load_before = os.getloadavg()
            started = time.monotonic()
            until = started + args.seconds
            senders = [
                Sender(port, setup["accounts"][n], setup, until, seed=n)
                for n in range(args.senders)
            ]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            elapsed = time.monotonic() - started
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=60)
        answered = [instance for sender in senders for instance in sender.answered]
        sent_path = work / "answered.json"
        sent_path.write_text(json.dumps(answered))
        stored = child(env, "--count", str(sent_path))

    seconds = [value for sender in senders for value in sender.seconds]
    failures: dict[str, int] = {}
    for sender in senders:
        for what, number in sender.failures.items():
            failures[what] = failures.get(what, 0) + number
    rate = len(answered) / elapsed
    lost = stored["answered_201_without_record"]
    duplicated = stored["records"] - stored["records_distinct"]
    print("Machine:")
    for name, value in machine():
        print(f"  {name}: {value}")
    print(
        f"\n{args.senders} senders for {elapsed:.1f} s against gunicorn ({args.workers} sync "
        "workers) + PostgreSQL, DEBUG off"
    )
    print(f"Submissions answered 201: {len(answered):,} ({rate:.1f} a second)")
    if seconds:
        print(
            f"HEAD + POST, seconds: median {statistics.median(seconds) * 1000:.0f} ms, "
            f"p95 {percentile(seconds, 0.95) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms"
        )
    print(f"Failures: {failures or 'none'}")
    print(f"Stored: {stored}")
    print(f"Lost (201 without a record): {lost}; duplicated records: {duplicated}")
    print(f"Load average before: {load_before}; after: {load_after}")
    met = rate >= 100 and lost == 0 and duplicated == 0 and not failures
    verdict = "met" if met else "NOT MET"
    print(f"Target (>= 100 a second, none lost or duplicated, no failure): {verdict}")


if __name__ == "__main__":
    main()
