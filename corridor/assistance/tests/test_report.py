"""The report: persons reached (distinct) and anonymous contacts, side by side, never added;
every organisation's figures for coordinators, with small cells hidden."""

import datetime
from html.parser import HTMLParser

from django.urls import reverse

from corridor.assistance.tests.conftest import anonymous_row, english_client, linked_row
from corridor.cases.models import Person
from corridor.cases.tests.conftest import case_of
from corridor.places.models import Region

JANUARY, FEBRUARY = datetime.date(2025, 1, 15), datetime.date(2025, 2, 10)
REPORT = reverse("assistance:report")
WINTER = {"start": "2025-01-01", "end": "2025-02-28"}


class Tables(HTMLParser):
    """The page's tables as the reader sees them: caption -> rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._row = self._text = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._caption = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td", "caption"):
            self._text = ""

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption, self._text = self._text.strip(), None
            self.tables[self._caption] = []
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(" ".join(self._text.split()))
            self._text = None
        elif tag == "tr":
            self.tables[self._caption].append(self._row)
            self._row = None


def report(client, **filters) -> dict[str, dict[str, list[str]]]:
    """Each table as {first cell of a row: the other cells}; the header row under its
    first cell, "Category" (read out by screen readers)."""
    response = client.get(REPORT, filters)
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    return {caption: {row[0]: row[1:] for row in rows} for caption, rows in parser.tables.items()}


def winter_of_a(personas) -> tuple[Person, Person]:
    """Organisation A's January and February: two persons, and people counted anonymously."""
    first, second = case_of(personas, "A").person, case_of(personas, "A").person
    linked_row(personas, "A", person=first, day=JANUARY, kind="water")
    linked_row(personas, "A", person=first, day=FEBRUARY, kind="water")
    linked_row(personas, "A", person=first, day=FEBRUARY, kind="food")
    linked_row(personas, "A", person=second, day=FEBRUARY, kind="food")
    anonymous_row(personas, "A", day=JANUARY, kind="water", quantity=24, women=3, men=5)
    anonymous_row(personas, "A", day=FEBRUARY, kind="food", quantity=8, women=3, men=5)
    return first, second


def test_persons_are_counted_once_and_contacts_are_added_in_separate_columns(personas):
    winter_of_a(personas)
    tables = report(english_client(personas, "caseworker@A"), **WINTER)
    by_kind, by_month = tables["By kind of item"], tables["By month"]
    assert by_kind["Category"] == [
        "Items distributed",
        "Persons reached (registered, distinct)",
        "Anonymous contacts",
    ]
    # The first person had water twice: one person reached with water, not two.
    assert by_kind["Water"] == ["28", "1", "8"]
    assert by_kind["Food"] == ["12", "2", "8"]
    assert by_kind["Phone call"] == ["0", "0", "0"]
    # Two persons in all (not 1 + 2), 16 contacts; quantities of kinds are not added.
    assert by_kind["Whole period"] == ["—", "2", "16"]
    assert by_month["2025-01"] == ["1", "8"]
    assert by_month["2025-02"] == ["2", "8"]
    assert by_month["Whole period"] == ["2", "16"]


def test_the_page_says_why_persons_and_contacts_are_never_added(personas):
    winter_of_a(personas)
    page = english_client(personas, "supervisor@A").get(REPORT, WINTER).content.decode()
    assert "Persons reached and anonymous contacts are never added together." in page
    assert "one person given water and food, or met on two days, is several contacts" in page
    # No column, line or figure puts the two together: 2 persons + 16 contacts.
    assert ">18<" not in page


def test_quantities_by_month_are_given_for_one_item_at_a_time(personas):
    winter_of_a(personas)
    tables = report(english_client(personas, "caseworker@A"), kind="water", **WINTER)
    assert list(tables["By kind of item"]) == ["Category", "Water", "Whole period"]
    assert tables["By kind of item"]["Whole period"] == ["28", "1", "8"]
    assert tables["By month"]["2025-01"] == ["26", "1", "8"]
    assert tables["By month"]["2025-02"] == ["2", "1", "0"]
    assert tables["By month"]["Whole period"] == ["28", "1", "8"]


def test_a_person_registered_twice_and_merged_counts_once(personas):
    first, second = winter_of_a(personas)
    client = english_client(personas, "caseworker@A")
    assert report(client, **WINTER)["By kind of item"]["Food"][1] == "2"
    Person.objects.filter(pk=second.pk).update(merged_into=first)
    tables = report(client, **WINTER)
    assert tables["By kind of item"]["Food"][1] == "1"
    assert tables["By kind of item"]["Whole period"][1] == "1"


def test_an_organisation_counts_only_its_own_distributions(personas):
    winter_of_a(personas)
    anonymous_row(personas, "B", day=JANUARY, kind="phone_call", quantity=9, women=9, men=0)
    linked_row(personas, "B", day=JANUARY, kind="phone_call")
    a = report(english_client(personas, "caseworker@A"), **WINTER)
    b = report(english_client(personas, "caseworker@B"), **WINTER)
    assert a["By kind of item"]["Phone call"] == ["0", "0", "0"]
    assert a["By kind of item"]["Whole period"] == ["—", "2", "16"]
    assert b["By kind of item"]["Phone call"] == ["11", "1", "9"]
    assert b["By kind of item"]["Whole period"] == ["—", "1", "9"]


def test_the_region_filter_keeps_the_region_only(personas):
    winter_of_a(personas)
    client = english_client(personas, "caseworker@A")
    tables = report(client, region=_region("DJ-TA"), **WINTER)
    assert tables["By kind of item"]["Whole period"] == ["—", "0", "0"]
    tables = report(client, region=_region("DJ-OB"), **WINTER)
    assert tables["By kind of item"]["Whole period"] == ["—", "2", "16"]


def _region(code: str) -> int:
    return Region.objects.get(code=code).pk


def test_coordinators_see_every_organisation_with_small_cells_hidden(personas):
    winter_of_a(personas)
    # Organisation B: 3 girls given food in January, a small count.
    anonymous_row(personas, "B", day=JANUARY, kind="food", quantity=3, women=0, men=0, girls=3)
    tables = report(english_client(personas, "coordinator@B"), **WINTER)
    by_kind, by_month = tables["By kind of item"], tables["By month"]
    # Persons (1 and 2) are under 5: hidden, and so is their total. Contacts: food (11) and
    # water (8) are shown, and so is the total of both organisations.
    assert by_kind["Water"] == ["28", "•", "8"]
    assert by_kind["Food"] == ["15", "•", "11"]
    assert by_kind["Whole period"] == ["—", "•", "19"]
    assert by_month["2025-01"] == ["•", "11"]
    assert by_month["Whole period"] == ["•", "19"]
    # The caseworker of A sees the figures of A in full.
    mine = report(english_client(personas, "caseworker@A"), **WINTER)["By kind of item"]
    assert mine["Whole period"] == ["—", "2", "16"]


def test_a_lone_small_contact_count_is_not_given_back_by_the_total(personas):
    anonymous_row(personas, "A", day=JANUARY, kind="water", quantity=40, women=20, men=20)
    anonymous_row(personas, "B", day=JANUARY, kind="food", quantity=2, women=2, men=0)
    tables = report(english_client(personas, "coordinator@A"), **WINTER)
    by_kind = tables["By kind of item"]
    # Food (2) is hidden; water is hidden with it, or 42 - 40 would give food back.
    assert by_kind["Food"][2] == "•"
    assert by_kind["Water"][2] == "•"
    assert by_kind["Whole period"][2] == "42"
    assert "Counts under 5, and the counts that would reveal them, are hidden" in (
        english_client(personas, "coordinator@A").get(REPORT, WINTER).content.decode()
    )


def test_a_mistyped_year_gives_the_default_period_and_says_why(personas):
    page = english_client(personas, "caseworker@A").get(REPORT, {"start": "1025-01-01"})
    assert "Choose a period of at most five years." in page.content.decode()
    assert len(page.context["tables"][1].rows) == 6  # the last six months
