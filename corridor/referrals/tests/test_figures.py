"""The NRM figures page: its counts against a count made here another way, small counts hidden
from coordinators, each supervisor limited to its own organisation."""

import datetime
import statistics
from collections import Counter, defaultdict

import pytest
from django.urls import reverse
from django.utils import timezone

from corridor.cases.models import Case
from corridor.cases.tests.conftest import case_of
from corridor.places.models import Region
from corridor.referrals.models import Referral, hours_for
from corridor.referrals.tests.conftest import in_english, service_of

NOW = (2025, 6, 20, 12, 0)
PERIOD = {"start": "2025-01-01", "end": "2025-06-20"}
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 20)

# (organisation, opened, closed, status, risk, identified by, region, sex, birth, nationality)
CASES = {
    # Opened before the period: a person assisted in January and February, not a case of it.
    "a0": (
        "A",
        (2024, 11, 5),
        (2025, 2, 10),
        "closed",
        "low",
        "fmp",
        "DJ-OB",
        "M",
        (1990, 1, 1),
        "ET",
    ),
    # Closed before the period: assisted in January through a referral delivered then only.
    "a11": (
        "A",
        (2024, 10, 1),
        (2024, 12, 20),
        "closed",
        "low",
        "fmp",
        "DJ-OB",
        "F",
        (1985, 7, 7),
        "SO",
    ),
    "a1": ("A", (2025, 1, 10), None, "open", "high", "fmp", "DJ-OB", "F", (2000, 5, 1), "ET"),
    "a2": ("A", (2025, 2, 3), None, "open", "medium", "fmp", "DJ-OB", "M", (2010, 3, 1), "ET"),
    # Four on the last day of February, five on the last day of May.
    "a3": ("A", (2025, 2, 20), None, "open", "low", "hotline", "DJ-TA", "F", (2020, 5, 15), "SO"),
    "a4": ("A", (2025, 3, 5), None, "open", "", "police", None, "M", None, None),
    "a5": ("A", (2025, 3, 15), None, "active", "high", "fmp", "DJ-OB", "F", (1960, 1, 1), "ET"),
    "a6": (
        "A",
        (2025, 4, 1),
        None,
        "active",
        "emergency",
        "mobile_unit",
        "DJ-OB",
        "M",
        (2018, 6, 30),
        "ER",
    ),
    "a7": (
        "A",
        (2025, 4, 10),
        None,
        "follow_up",
        "medium",
        "fmp",
        "DJ-OB",
        "F",
        (1995, 2, 2),
        "ET",
    ),
    "a8": (
        "A",
        (2025, 4, 20),
        None,
        "follow_up",
        "medium",
        "fmp",
        "DJ-OB",
        "M",
        (1996, 3, 3),
        "ET",
    ),
    "a9": ("A", (2025, 5, 2), None, "follow_up", "low", "police", "DJ-DJ", "F", (1997, 4, 4), "ET"),
    "a10": ("A", (2025, 5, 9), None, "follow_up", "low", "fmp", "DJ-DI", "M", (1998, 5, 5), "YE"),
    "b1": ("B", (2025, 1, 20), None, "open", "low", "fmp", "DJ-OB", "F", (2001, 1, 1), "ET"),
    "b2": ("B", (2025, 2, 21), None, "open", "low", "fmp", "DJ-OB", "M", (2002, 1, 1), "ET"),
    "b3": ("B", (2025, 3, 22), None, "active", "high", "police", "DJ-DJ", "F", (2003, 1, 1), "ET"),
    "b4": ("B", (2025, 4, 23), None, "follow_up", "low", "fmp", "DJ-OB", "M", (2004, 1, 1), "ET"),
    "b5": ("B", (2025, 5, 24), None, "follow_up", "low", "fmp", "DJ-OB", "F", (2005, 1, 1), "SO"),
    "b6": ("B", (2025, 5, 25), None, "follow_up", "low", "fmp", "DJ-OB", "M", (2006, 1, 1), "ET"),
    "b7": ("B", (2025, 6, 1), None, "follow_up", "low", "fmp", "DJ-OB", "F", (2007, 1, 1), "ET"),
}

# (case, organisation referred to, category, sent, status, delivered on)
REFERRALS = [
    ("a1", "B", "medical", (2025, 1, 12, 9), "closed", (2025, 1, 15)),  # 3 days
    ("a2", "B", "medical", (2025, 2, 5, 8), "delivered", (2025, 2, 5)),  # same day: 0
    ("a3", "B", "legal_aid", (2025, 3, 1, 10), "delivered", (2025, 3, 11)),  # 10 days
    ("a5", "A", "shelter", (2025, 6, 1, 10), "accepted", None),
    ("a6", "B", "medical", (2025, 6, 19, 8), "sent", None),  # not due yet
    ("a7", "B", "legal_aid", (2025, 6, 10, 8), "sent", None),  # overdue
    ("a8", "B", "medical", (2025, 5, 1, 8), "declined", None),
    ("a11", "B", "medical", (2024, 12, 1, 8), "delivered", (2025, 1, 3)),  # sent before: 33
    ("b1", "A", "shelter", (2025, 4, 4, 8), "sent", None),  # overdue
    ("b2", "A", "shelter", (2025, 4, 8, 8), "delivered", (2025, 4, 10)),  # 2 days
]


def moment(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def scene(personas, clock):
    """The cases and referrals above, made at their own times; then the clock is at NOW."""
    cases = {}
    for name, (
        org,
        opened,
        closed,
        status,
        risk,
        source,
        region,
        sex,
        birth,
        nation,
    ) in CASES.items():
        clock(*opened, 9)
        case = case_of(
            personas,
            org,
            given_name=f"Figura{name}",
            sex=sex,
            birth_date=datetime.date(*birth) if birth else None,
            nationality_id=nation,
            identified_by=source,
            identified_in_region=Region.objects.get(code=region) if region else None,
        )
        Case.objects.filter(pk=case.pk).update(
            status=status, risk_level=risk, closed_at=moment(*closed, 16) if closed else None
        )
        cases[name] = case
    for name, to, category, sent, status, delivered in REFERRALS:
        case = cases[name]
        sender = personas[f"supervisor@{CASES[name][0]}"]
        Referral.objects.create(
            case=case,
            service=service_of(personas, to, name=f"Service {category}", category=category),
            from_organisation_id=case.organisation_id,
            to_organisation=personas.organisations[to],
            urgency="normal",
            reason="Test",
            sent_at=moment(*sent),
            sent_by=sender,
            due_at=moment(*sent) + datetime.timedelta(hours=hours_for("normal")),
            overridden_by=sender,
            override_reason="Test",
            status=status,
            decline_reason="Complet" if status == "declined" else "",
            delivered_on=datetime.date(*delivered) if delivered else None,
        )
    clock(*NOW)
    return cases


def page(personas, persona: str, **filters):
    client = in_english(personas.client_for(persona))
    response = client.get(reverse("referrals:figures"), PERIOD | filters)
    assert response.status_code == 200
    return response


def shown(table) -> dict:
    """key -> count of the rows shown and non-zero (hidden ones map to None)."""
    return {row.key: row.cell.value for row in table.rows if row.cell.value != 0}


def titled(tables, title: str):
    return next(table for table in tables if table.title == title)


def expected(cases, referrals) -> dict:
    """The figures of these cases and referrals, counted day by day in plain Python."""
    local = timezone.localdate
    opened = [c for c in cases if START <= local(c.opened_at) <= END]
    sent = [r for r in referrals if START <= local(r.sent_at) <= END]
    delivered = [r for r in referrals if r.delivered_on and START <= r.delivered_on <= END]
    people = defaultdict(set)
    day = START
    while day <= END:
        month = day.replace(day=1)
        for c in cases:
            if local(c.opened_at) <= day and (c.closed_at is None or local(c.closed_at) >= day):
                people[month].add(c.person)
        for r in delivered:
            if r.delivered_on == day:
                people[month].add(r.case.person)
        day += datetime.timedelta(days=1)

    def age_group(person, month: datetime.date) -> str:
        if person.birth_date is None:
            return ""
        last = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
        age = (last - person.birth_date).days // 365.2425
        bounds = [(5, "0-4"), (12, "5-11"), (18, "12-17"), (60, "18-59")]
        return next((group for limit, group in bounds if age < limit), "60+")

    return {
        "status": Counter(c.status for c in opened),
        "risk": Counter(c.risk_level for c in opened),
        "source": Counter(c.person.identified_by for c in opened),
        "region": Counter(
            c.person.identified_in_region.code if c.person.identified_in_region else ""
            for c in opened
        ),
        "category": Counter(r.service.category for r in sent),
        "referral status": Counter(r.status for r in sent),
        "organisation": Counter(str(r.to_organisation_id) for r in sent),
        "overdue": sum(1 for r in sent if r.status == "sent" and r.due_at < timezone.now()),
        "median": statistics.median((r.delivered_on - local(r.sent_at)).days for r in delivered),
        "people": {month: len(found) for month, found in people.items()},
        "sex": Counter((m, p.sex) for m, found in people.items() for p in found),
        "age": Counter((m, age_group(p, m)) for m, found in people.items() for p in found),
        "nationality": Counter(
            (m, p.nationality_id or "") for m, found in people.items() for p in found
        ),
    }


def month_cells(table) -> dict:
    return {
        (row.month, key): cell.value
        for row in table.rows
        for key, cell in zip(table.keys, row.cells, strict=True)
        if cell.value != 0
    }


def test_a_supervisor_sees_every_count_of_its_organisation(personas, scene):
    organisation = personas.organisations["A"]
    cases = list(Case.objects.filter(organisation=organisation).select_related("person"))
    referrals = list(Referral.objects.filter(from_organisation=organisation))
    want = expected(cases, referrals)
    figures = page(personas, "supervisor@A").context["figures"]

    status, risk, source, region = figures.case_tables
    assert shown(status) == want["status"] == {"open": 4, "active": 2, "follow_up": 4}
    assert shown(risk) == want["risk"]
    assert shown(source) == want["source"]
    assert shown(region) == want["region"]
    assert status.total.value == figures.cases.value == 10  # not B's 7, nor a0 of 2024
    category, referral_status, organisations, overdue = figures.referral_tables
    assert shown(category) == want["category"]
    assert shown(referral_status) == want["referral status"]
    assert shown(organisations) == want["organisation"]
    assert figures.referrals.value == 7  # a11's was sent in 2024
    assert figures.overdue.value == want["overdue"] == 1
    assert shown(overdue) == {str(personas.organisations["B"].pk): 1}
    assert figures.delivered.value == 4
    assert figures.median_days == want["median"] == 6.5  # 0, 3, 10 and 33 days

    people = {row.key: row.cell.value for row in figures.people.rows}
    assert people == {month.isoformat(): n for month, n in sorted(want["people"].items())}
    assert people["2025-01-01"] == 3  # a0 and a1 with a case open, a11 through a delivery
    by_sex, by_age, by_nationality = figures.people_tables
    assert month_cells(by_sex) == want["sex"]
    assert month_cells(by_age) == want["age"]
    assert month_cells(by_nationality) == want["nationality"]
    # a3 is four at the end of February and five at the end of May.
    assert month_cells(by_age)[datetime.date(2025, 2, 1), "0-4"] == 1
    assert (datetime.date(2025, 5, 1), "0-4") not in month_cells(by_age)
    assert month_cells(by_age)[datetime.date(2025, 5, 1), ""] == 1  # a4: no date of birth


def test_a_supervisor_sees_only_its_organisation_whatever_it_asks(personas, scene):
    response = page(personas, "supervisor@B", organisation=personas.organisations["A"].pk)
    figures = response.context["figures"]
    assert figures.cases.value == 7
    assert figures.referrals.value == 2 and figures.overdue.value == 1
    assert "organisation" not in response.context["form"].fields
    text = response.content.decode()
    assert "Figures of your organisation" in text
    assert "Figuraa" not in text and "Figurab" not in text  # counts, never people


def test_a_coordinator_gets_small_counts_and_their_complement_hidden(personas, scene):
    response = page(personas, "coordinator@A")
    figures = response.context["figures"]
    status = {row.key: row.cell for row in figures.case_tables[0].rows}
    assert status["active"].suppressed  # 3: two of A, one of B
    # Open (6) is hidden too, or 17 - 8 would give the 3 back; follow-up (8) stays.
    assert status["open"].suppressed and status["open"].value is None
    assert status["follow_up"].value == 8 and status["closed"].value == 0
    assert figures.case_tables[0].total.value == figures.cases.value == 17
    text = response.content.decode()
    assert "Counts under 5, and the counts that would reveal them, are hidden" in text
    chart = response.context["sections"][0][1][0][1]
    assert "Follow-up" in chart and "Active" not in chart and "Open" not in chart
    assert "Figuraa" not in text


def test_a_coordinator_sees_a_month_of_few_people_hidden_in_every_table(personas, scene):
    figures = page(personas, "coordinator@B").context["figures"]
    january = next(row for row in figures.people.rows if row.key == "2025-01-01")
    assert january.cell.suppressed  # 4 people: a0, a1, a11, b1
    for table in figures.people_tables:
        row = next(row for row in table.rows if row.month == datetime.date(2025, 1, 1))
        assert row.total.suppressed
        assert all(cell.suppressed or cell.value == 0 for cell in row.cells)
    june = next(row for row in figures.people.rows if row.key == "2025-06-01")
    assert june.cell.value == 17  # a1..a10 and b1..b7, not the closed a0 and a11


def test_a_coordinator_may_choose_an_organisation_and_a_region(personas, scene):
    organisation_b = personas.organisations["B"].pk
    only_b = page(personas, "coordinator@A", organisation=organisation_b)
    assert only_b.context["figures"].cases.value == 7
    assert only_b.context["figures"].referrals.suppressed  # B sent 2
    obock = Region.objects.get(code="DJ-OB").pk
    in_obock = page(personas, "coordinator@A", region=obock).context["figures"]
    assert in_obock.cases.value == 12
    region = shown(in_obock.case_tables[3])
    assert region == {"DJ-OB": 12}


def test_a_tiny_selection_hides_even_the_headlines_and_the_median(personas, scene):
    tadjourah = Region.objects.get(code="DJ-TA").pk
    response = page(personas, "coordinator@A", region=tadjourah)
    figures = response.context["figures"]
    assert figures.cases.suppressed and figures.delivered.suppressed
    assert figures.median_days is None
    supervisor = page(personas, "supervisor@A", region=tadjourah).context["figures"]
    assert supervisor.cases.value == 1 and supervisor.median_days == 10


def test_a_hidden_headline_is_hidden_as_the_total_of_every_table(personas, scene):
    """Two cases in Djibouti region: one active, one in follow-up, both by the police. The
    status table alone could publish its total, 2, with both lines hidden; but the table by
    source would then give its one line away (police: 2)."""
    djibouti = Region.objects.get(code="DJ-DJ").pk
    response = page(personas, "coordinator@A", region=djibouti)
    figures = response.context["figures"]
    assert figures.cases.suppressed
    for table in figures.case_tables:
        assert table.total.suppressed, table.title
        assert all(row.cell.suppressed or row.cell.value == 0 for row in table.rows)
    assert ">2<" not in response.content.decode()


def test_the_period_is_the_last_twelve_months_by_default(personas, scene):
    response = in_english(personas.client_for("coordinator@A")).get(reverse("referrals:figures"))
    chosen = response.context["chosen"]
    assert (chosen.start, chosen.end) == (datetime.date(2024, 7, 1), datetime.date(2025, 6, 20))
    assert len(response.context["figures"].people.rows) == 12
    # a0 (November) and a11 (October) were opened within these twelve months.
    assert response.context["figures"].cases.value == 19


def test_the_menu_leads_supervisors_and_coordinators_to_the_figures(personas):
    url = reverse("referrals:figures")
    for persona, sees in [
        ("supervisor@A", True),
        ("coordinator@B", True),
        ("caseworker@A", False),
        ("data_protection_officer@A", False),
    ]:
        menu = personas.client_for(persona).get(reverse("home")).content.decode()
        assert (url in menu) is sees, persona
