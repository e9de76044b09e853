"""The case search: what it finds (a code; names by the start of their words, in any letter
case, without accents), that its index follows the cases and persons as they change, and the
pages of its matches (corridor.pagination.Matches), however they are read."""

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.urls import reverse

from corridor.cases import duplicates, services
from corridor.cases.models import Case, CaseNameWord, DuplicateCandidate, search_words
from corridor.cases.tests.conftest import case_of
from corridor.cases.tests.test_management import transfer_to_b
from corridor.pagination import Matches


def found(personas, text: str, organisation: str = "A") -> set[str]:
    user = personas[f"caseworker@{organisation}"]
    cases = Case.objects.visible_to(user).search(text, organisation_id=user.organisation_id)
    return set(cases.values_list("code", flat=True))


def test_the_search_finds_the_start_of_any_name_in_any_letter_case(personas):
    given = case_of(personas, given_name="Zerihuntesta")
    father = case_of(personas, given_name="Testa", father_name="Zerihunto")
    grandfather = case_of(personas, given_name="Testc", grandfather_name="ZÉRIHUNTESTO")
    other = case_of(personas, given_name="Testb", other_names="Testa Exemplu\nzerihuntesto")
    inside = case_of(personas, given_name="Testd", father_name="Alezerihunto")
    case_of(personas, "B", given_name="Zerihuntesta")  # another organisation's
    everyone = {given.code, father.code, grandfather.code, other.code}
    assert found(personas, "zeRIHun") == everyone
    assert found(personas, "Zérihun") == everyone  # accents do not matter
    assert found(personas, "alezerihun") == {inside.code}
    assert inside.code not in found(personas, "rihun")  # not in the middle of a word
    assert found(personas, "Nobodytest") == set()


def test_each_word_of_the_search_must_start_a_name(personas):
    both = case_of(personas, given_name="Hassantest", father_name="Mohamedtest")
    swapped = case_of(personas, given_name="Mohamedtest", father_name="Hassantest")
    case_of(personas, given_name="Hassantest", father_name="Abditest")
    assert found(personas, "hassantest mohamedt") == {both.code, swapped.code}
    assert found(personas, "  Hassantest,  MOHAMEDTEST ") == {both.code, swapped.code}


def test_the_search_reads_names_in_their_own_script(personas):
    geez = case_of(personas, given_name="Tigisttest", name_in_script="ትግስት ተስፋዬ")
    arabic = case_of(personas, given_name="Hassantest", name_in_script="حَسَن محمد")
    assert found(personas, "ተስፋ") == {geez.code}
    assert found(personas, "حسن") == {arabic.code}  # without the vowel marks
    assert search_words("Ḥasan-Maxamed  ḥasan") == ["hasan", "maxamed"]


def test_the_search_finds_a_code_and_the_names_that_hold_it(personas):
    first = case_of(personas, given_name="Codetesta")
    second = case_of(personas, given_name="Codetestb")
    assert found(personas, first.code.lower()) == {first.code}
    # A name holding the code is found too, as by the names alone.
    alias = case_of(personas, given_name="Codetestc", other_names=f"Ancien dossier {second.code}")
    assert found(personas, second.code) == {second.code, alias.code}


def test_a_transferred_case_is_found_by_its_new_organisation_only(personas):
    transfer = transfer_to_b(personas, case_of(personas, "A", given_name="Transfertest"))
    assert found(personas, "transfertest", "A") == {transfer.case.code}
    services.accept_transfer(by=personas["caseworker@B"], transfer=transfer)
    assert found(personas, "transfertest", "A") == set()
    assert found(personas, "transfertest", "B") == {transfer.case.code}


def test_merged_cases_are_found_by_the_kept_persons_names(personas):
    kept = case_of(personas, "A", given_name="Mohammed", father_name="Keptnametest")
    moved = case_of(personas, "B", given_name="Mahamed", father_name="Keptnametest")
    call_command("find_duplicates", stdout=None)
    pair = DuplicateCandidate.objects.get()
    duplicates.merge(by=personas["registry_officer@A"], candidate=pair, keep=kept.person)
    assert found(personas, "mohammed keptname", "B") == {moved.code}
    assert found(personas, "mahamed", "B") == set()


def test_the_list_of_a_name_search_is_newest_first_and_keeps_the_other_filters(personas):
    from corridor.cases.tests.test_htcds import csv_of, good, import_file

    older = good(prs_FirstName="Ordertest", x_corridor_opened_on="2024-02-01")
    import_file(personas["caseworker@A"], csv_of(older))
    newer = case_of(personas, given_name="Ordertest", father_name="Secundo")
    client = personas.client_for("caseworker@A")
    page = client.get(reverse("cases:case_list"), {"q": "ordertest"})
    imported = Case.objects.get(person__given_name="Ordertest", person__father_name="Exemplu")
    assert [case.code for case in page.context["page"]] == [newer.code, imported.code]
    services.screen(by=personas["caseworker@A"], case=newer, factors=["unaccompanied_child"])
    page = client.get(reverse("cases:case_list"), {"q": "ordertest", "status": "active"})
    assert [case.code for case in page.context["page"]] == [newer.code]


def test_the_index_can_be_written_again_for_every_case(personas):
    case = case_of(personas, given_name="Reindextest")
    CaseNameWord.objects.all().delete()
    assert found(personas, "reindextest") == set()
    call_command("index_case_names", stdout=None)
    assert found(personas, "reindextest") == {case.code}


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
    user = personas["caseworker@A"]
    cases = Case.objects.visible_to(user).search("pagetest", organisation_id=user.organisation_id)
    expected = list(cases)
    matches = Matches(cases, whole=whole)
    assert matches.capped == (whole < 7)
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
    user = personas["caseworker@A"]
    cases = Case.objects.visible_to(user).search("Nobodytest", organisation_id=user.organisation_id)
    matches = Matches(cases)
    assert matches.count() == 0
    assert list(Paginator(matches, 50).get_page(1)) == []


def test_matches_sort_only_on_what_they_can_sort_as_the_database_does(personas):
    cases = Case.objects.visible_to(personas["caseworker@A"])
    assert Matches(cases.order_by("opened_at", "pk")).count() == 0
    with pytest.raises(ValueError, match="code"):
        Matches(cases.order_by("code"))
    with pytest.raises(ValueError, match="closed_at"):
        Matches(cases.order_by("-closed_at"))
