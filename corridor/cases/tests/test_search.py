"""The case search: what it finds (a code, a name anywhere, in any letter case), and the pages
of its matches (corridor.pagination.Matches), however they are read."""

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from corridor.cases.models import Case
from corridor.cases.tests.conftest import case_of
from corridor.pagination import Matches


def found(personas, text: str) -> set[str]:
    cases = Case.objects.visible_to(personas["caseworker@A"]).search(text)
    return set(cases.values_list("code", flat=True))


def test_the_search_finds_a_name_anywhere_in_any_letter_case(personas):
    given = case_of(personas, given_name="Zerihuntesta")
    father = case_of(personas, given_name="Testa", father_name="Alezerihunto")
    other = case_of(personas, given_name="Testb", other_names="Testa Exemplu\nZERIHUNTESTO")
    case_of(personas, "B", given_name="Zerihuntesta")  # another organisation's
    case_of(personas, given_name="Testc", grandfather_name="Zerihuntesto")  # not searched
    assert found(personas, "zeRIHun") == {given.code, father.code, other.code}
    assert found(personas, "Nobodytest") == set()


def test_the_search_finds_a_code_and_the_names_that_hold_it(personas):
    first = case_of(personas, given_name="Codetesta")
    second = case_of(personas, given_name="Codetestb")
    assert found(personas, first.code.lower()) == {first.code}
    # A name holding the code is found too, as by the names alone.
    alias = case_of(personas, given_name="Codetestc", other_names=f"Ancien dossier {second.code}")
    assert found(personas, second.code) == {second.code, alias.code}


def test_the_case_list_searches_and_counts(personas):
    codes = {case_of(personas, given_name=f"Listetest{n}").code for n in range(3)}
    client = personas.client_for("caseworker@A")
    page = client.get(reverse("cases:case_list"), {"q": "listetest"})
    assert page.context["page"].paginator.count == 3
    assert {case.code for case in page.context["page"]} == codes


@pytest.mark.parametrize("whole", [0, 3, 7, 100])
def test_matches_read_the_same_pages_whether_read_whole_or_not(personas, whole):
    for number in range(7):
        case_of(personas, given_name=f"Pagetest{number}")
    cases = Case.objects.visible_to(personas["caseworker@A"]).search("pagetest")
    expected = list(cases)
    matches = Matches(cases, whole=whole)
    assert matches.complete == (whole >= 7)
    # Past `whole` matches the list stops counting: it pages through the newest `whole`.
    assert matches.count() == min(whole, 7)
    for size in (1, 3, 7, 50):
        paginator = Paginator(matches, size)
        pages = [list(paginator.page(number)) for number in paginator.page_range]
        assert [case for page in pages for case in page] == expected[:whole]


def test_a_search_with_too_many_matches_says_so_instead_of_counting(personas, monkeypatch):
    monkeypatch.setattr("corridor.pagination.MATCHES_READ_WHOLE", 3)
    newest = [case_of(personas, given_name=f"Manytest{n}").code for n in range(5)][::-1]
    page = personas.client_for("caseworker@A").get(reverse("cases:case_list"), {"q": "manytest"})
    assert [case.code for case in page.context["page"]] == newest[:3]
    assert "More than 3 match: the newest 3 are listed." in page.content.decode()


def test_matches_of_nothing(personas):
    matches = Matches(Case.objects.visible_to(personas["caseworker@A"]).search("Nobodytest"))
    assert matches.count() == 0
    assert list(Paginator(matches, 50).get_page(1)) == []


def test_matches_sort_only_on_what_they_can_sort_as_the_database_does(personas):
    cases = Case.objects.visible_to(personas["caseworker@A"])
    assert Matches(cases.order_by("opened_at", "pk")).count() == 0
    with pytest.raises(ValueError, match="code"):
        Matches(cases.order_by("code"))
    with pytest.raises(ValueError, match="closed_at"):
        Matches(cases.order_by("-closed_at"))
