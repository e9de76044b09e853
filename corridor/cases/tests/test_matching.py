"""The person matcher's rules, on made-up people: no database, no Django.

Every person here is invented: common names of the region combined at random, with a
made-up grandfather's name (Qorxatest, Fictivo...) where the test needs the person to be
unique. The figures on the labelled set are in bench/person_matching.py, not here.
"""

import random
from dataclasses import replace

import pytest

from corridor.cases.matching import (
    CLOSE,
    SAME,
    Identity,
    Matcher,
    coarse_keys,
    fold,
    name_level,
)

# A background of made-up registrations, so that names have frequencies to be weighed by:
# common names often, years spread, both sexes, three nationalities.
GIVEN = ["Abebe", "Abdi", "Mohamed", "Tolosa", "Alemu", "Ahmed", "Chala", "Ali", "Girma", "Omar"]
FEMALE = ["Almaz", "Bontu", "Fadumo", "Hodan", "Tigist", "Chaltu", "Amina", "Hawa"]
FATHERS = ["Kebede", "Gemechu", "Hassan", "Yusuf", "Bekele", "Dawit", "Ismail", "Osman", "Lemma"]
GRANDFATHERS = ["Tadesse", "Farah", "Boru", "Haile", "Jama", "Kedir", "Warsame", "Negash", ""]


def background(size: int = 600) -> list[Identity]:
    people = []
    pick = random.Random(1).choice
    for n in range(size):
        given, father, grandfather = pick(GIVEN + FEMALE), pick(FATHERS), pick(GRANDFATHERS)
        people.append(
            Identity(
                key=f"bg{n}",
                given_name=given,
                father_name=father,
                grandfather_name=grandfather,
                sex="F" if given in FEMALE else "M",
                birth_year=1970 + (n * 7) % 41,
                age_is_estimated=n % 3 == 0,
                nationality=("ETH", "SOM", "DJI")[n % 3],
            )
        )
    return people


def person(key: str = "p1", **fields) -> Identity:
    """A made-up person, unique in the registry thanks to a made-up grandfather's name."""
    values = {
        "given_name": "Mohammed",
        "father_name": "Tesfaye",
        "grandfather_name": "Qorxatest",
        "sex": "M",
        "birth_year": 1990,
        "age_is_estimated": False,
        "nationality": "ETH",
    }
    return Identity(key=key, **(values | fields))


def registry(*people: Identity) -> Matcher:
    return Matcher([*background(), *people])


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Mohammed", "Mohamed"),
        ("Mohamed", "Mahamed"),
        ("Mohamed", "Maxamed"),  # Somali x for the h sound
        ("Mohamed", "Muhammad"),
        ("Tesfaye", "Tesfay"),
        ("Abdi", "Abdy"),
        ("Abdi", "Cabdi"),  # Somali c for the 'ayn
        ("Gemechu", "Gammachuu"),  # Oromo doubled vowels
        ("Chala", "Caalaa"),  # Oromo c for ch'
        ("Yusuf", "Youssouf"),  # French ou
        ("Djama", "Jama"),  # French dj
        ("Getachew", "Guetatchew"),  # French gu and tch
        ("Aisha", "Aicha"),  # French ch for sh
        ("Hassan", "Xasan"),
        ("Haile", "HAILÉ"),
        ("Tsion", "Zion"),
        ("Mulugeta", "Mulgeta"),
    ],
)
def test_spellings_of_one_name_are_the_same(one, other):
    assert name_level(fold(one), fold(other)) == SAME


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hassan", "Hussein"),
        ("Abdi", "Ali"),
        ("Ahmed", "Mohamed"),
        ("Lemi", "Lemma"),
        ("Abdi", "Abdirahman"),
        ("Tolosa", "Tesfaye"),
    ],
)
def test_different_names_are_not_the_same(one, other):
    assert name_level(fold(one), fold(other)) != SAME


def test_a_typo_leaves_a_name_close_not_the_same():
    assert name_level(fold("Tadesse"), fold("Tadesre")) == CLOSE


def test_a_name_in_geez_folds_like_its_latin_spelling():
    assert fold("ተስፋዬ") == fold("Tesfaye")
    assert fold("አበበ") == fold("Abebe")
    assert name_level(fold("ሙሐመድ"), fold("Mohamed")) == SAME
    assert name_level(fold("ዳዊት"), fold("Dawit")) == SAME


def test_spellings_of_one_name_share_a_blocking_key():
    # Oromo c is either sound: one key for each reading, so both spellings meet.
    assert set(coarse_keys(fold("Caalaa"))) & set(coarse_keys(fold("Chala")))
    assert set(coarse_keys(fold("Cabdi"))) & set(coarse_keys(fold("Abdi")))
    assert coarse_keys(fold("Maxamed")) == coarse_keys(fold("Mohammed"))


def test_a_transliterated_registration_is_found_first():
    matcher = registry(person(given_name="Maxamed", father_name="Tesfay"), person("p2", sex="F"))
    found = matcher.candidates(person("new", given_name="Mahamed", nationality="ET"))
    assert found and found[0].key == "p1"


def test_the_fathers_name_written_first_is_still_found():
    matcher = registry(person())
    swapped = person("new", given_name="Tesfaye", father_name="Mohamed")
    assert [m.key for m in matcher.candidates(swapped)][:1] == ["p1"]
    # but it says less than the names in their places
    assert matcher.compare(person(), swapped) < matcher.compare(person(), person("same"))


def test_a_missing_grandfathers_name_is_tolerated():
    matcher = registry(person())
    without = person("new", grandfather_name="")
    assert [m.key for m in matcher.candidates(without)][:1] == ["p1"]
    assert matcher.compare(person(), without) > matcher.compare(
        person(), person("new", grandfather_name="Fictivo")
    )


def test_an_ethiopian_calendar_year_is_closer_than_other_differences():
    matcher = registry(person())
    calendar = person("new", birth_year=1982)  # 1990 written in the Ethiopian calendar
    assert [m.key for m in matcher.candidates(calendar)][:1] == ["p1"]
    assert matcher.compare(person(), calendar) > matcher.compare(
        person(), person("new", birth_year=1986)
    )


def test_an_estimated_age_a_few_years_off_is_tolerated():
    matcher = registry(person())
    estimated = person("new", birth_year=1993, age_is_estimated=True)
    assert [m.key for m in matcher.candidates(estimated)][:1] == ["p1"]
    # The same three years weigh against a year that was not estimated.
    assert matcher.compare(person(), estimated) > matcher.compare(
        person(), person("new", birth_year=1993)
    )


def test_different_people_with_common_names_are_not_matched():
    older = person("older", given_name="Abdi", father_name="Mohamed", grandfather_name="Ali")
    younger = person(
        "younger", given_name="Abdi", father_name="Mohamed", grandfather_name="Hassan",
        birth_year=2005,
    )  # fmt: skip
    matcher = registry(older, younger)
    assert matcher.probability(matcher.compare(older, younger)) < 0.05
    assert not [p for p in matcher.pairs() if {p.key_a, p.key_b} == {"older", "younger"}]


def test_a_rare_name_agreeing_says_more_than_a_common_one():
    common = person(given_name="Abdi", father_name="Kebede", grandfather_name="Tadesse")
    rare = person(given_name="Abdi", father_name="Kebede", grandfather_name="Qorxatest")
    matcher = registry()
    assert matcher.compare(rare, rare) > matcher.compare(common, common) + 2


def test_a_different_sex_weighs_against():
    matcher = registry(person())
    assert matcher.compare(person(), person("new", sex="F")) < matcher.compare(
        person(), person("new")
    )


def test_candidates_come_best_first():
    matcher = registry(
        person("exact"),
        person("older", birth_year=1975, grandfather_name="Fictivo"),
        person("no grandfather", grandfather_name="", birth_year=1993, age_is_estimated=True),
    )
    found = matcher.candidates(person("new"), limit=10, min_probability=0.001)
    assert [m.key for m in found][:2] == ["exact", "no grandfather"]
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert all(0 <= m.probability <= 1 for m in found)


def test_an_alias_in_geez_is_matched():
    matcher = registry(person(given_name="Dawit", other_names=("ዳዊት ተስፋዬ",)))
    found = matcher.candidates(person("new", given_name="Daouit"))
    assert [m.key for m in found][:1] == ["p1"]


def test_pairs_over_a_registry_find_its_duplicates():
    twice = [
        person("a1", given_name="Abdi", father_name="Gemechu", grandfather_name="Fictivo"),
        person("a2", given_name="Abdy", father_name="Gammachuu", grandfather_name=""),
        person("b1", given_name="Xasan", father_name="Cumar", grandfather_name="Exemplu",
               birth_year=1984, nationality="SOM"),
        person("b2", given_name="Hassan", father_name="Omar", grandfather_name="Exemplu",
               birth_year=1991, nationality="SO"),  # an Ethiopian-calendar year, alpha-2
    ]  # fmt: skip
    matcher = registry(*twice)
    found = {frozenset((p.key_a, p.key_b)) for p in matcher.pairs()}
    assert {frozenset(("a1", "a2")), frozenset(("b1", "b2"))} <= found
    assert all(a.startswith(("a", "b")) and b.startswith(("a", "b")) for a, b in found)
    scores = [p.score for p in matcher.pairs()]
    assert scores == sorted(scores, reverse=True)


def test_groups_bring_a_persons_registrations_together():
    registrations = [
        person("r1"),
        person("r2", given_name="Mahamed", father_name="Tesfay"),
        person("r3", grandfather_name="", birth_year=1988, age_is_estimated=True),
    ]
    groups = registry(*registrations).groups()
    assert ("r1", "r2", "r3") in groups


def test_identities_without_names_or_years_do_not_break_the_matcher():
    empty = Identity(key="empty", given_name="")
    matcher = Matcher([empty, person(), person("p2", birth_year=None, nationality="")])
    assert matcher.candidates(Identity(key="new", given_name="")) == []
    assert [m.key for m in matcher.candidates(person("new"))] == ["p1", "p2"]


def test_spellings_the_registry_has_never_seen_are_compared_with_each_other():
    matcher = registry()
    typo = matcher.compare(person(), person("new", grandfather_name="Qorxatesd"))
    other = matcher.compare(person(), person("new", grandfather_name="Fictivo"))
    assert typo > other + 3


# --- Birth years: the likelihood of two written years under each mechanism -----------------


def test_an_ethiopian_calendar_year_seven_or_eight_years_less_still_matches():
    matcher = registry(person())
    for year in (1982, 1983):  # 1990 in the Ethiopian calendar, before or after September
        calendar = person("new", birth_year=year)
        assert [m.key for m in matcher.candidates(calendar)][:1] == ["p1"]
        assert matcher.compare(person(), calendar) > 0


def test_a_declared_year_a_few_years_off_weighs_strongly_against():
    # Two declared years three apart: neither calendar nor estimate explains it, only a mistake.
    matcher = registry(person())
    declared = matcher.compare(person(), person("new", birth_year=1993))
    estimated = matcher.compare(person(), person("new", birth_year=1993, age_is_estimated=True))
    assert declared < estimated - 3


def test_common_names_with_different_declared_years_are_not_matched():
    # A very common given and father's name, no grandfather's name: only the years can tell.
    common = [
        person(f"c{n}", given_name="Mohamed", father_name="Hassan", grandfather_name="",
               birth_year=1975 + n % 30, nationality="SOM")
        for n in range(40)
    ]  # fmt: skip
    one = person("one", given_name="Mohamed", father_name="Hassan", grandfather_name="",
                 birth_year=1990, nationality="SOM")  # fmt: skip
    other = person("other", given_name="Maxamed", father_name="Xasan", grandfather_name="",
                   birth_year=1992, nationality="SOM")  # fmt: skip
    matcher = Matcher([*background(), *common, one, other])
    assert matcher.probability(matcher.compare(one, other)) < 0.05
    same_year = person("again", given_name="Maxamed", father_name="Xasan", grandfather_name="",
                       birth_year=1990, nationality="SOM")  # fmt: skip
    assert matcher.compare(one, same_year) > matcher.compare(one, other) + 4


def test_the_ethiopian_year_is_the_smaller_one():
    # An estimated age against a declared year: the declared year may be 7 or 8 years less
    # (Ethiopian calendar), not 7 or 8 years more.
    matcher = registry(person())
    estimated = person("new", birth_year=1990, age_is_estimated=True)
    calendar = matcher.compare(estimated, person("d", birth_year=1982))
    impossible = matcher.compare(estimated, person("d", birth_year=1998))
    assert calendar > impossible + 2


def test_the_year_shares_are_fitted_from_the_registry_without_labels():
    # Made-up persons registered twice. In one registry half of the second registrations
    # write the year in the Ethiopian calendar, in the other none do: the share of such years
    # fitted from each registry (no labels) follows.
    names = ["Qorxa", "Fictivo", "Zembalu", "Tirbonu", "Kalvesh", "Morandu", "Pelsito", "Varuk"]
    triples = [(g, f, c) for g in names for f in names for c in names if len({g, f, c}) == 3]

    def registry_of(every: int) -> Matcher:
        people = []
        for n, (g, f, c) in enumerate(triples):
            year = 1975 + n % 37
            for side, shift in (("a", 0), ("b", 8 if every and n % every == 0 else 0)):
                people.append(person(f"{side}{n}", given_name=g, father_name=f,
                                     grandfather_name=c, birth_year=year - shift))  # fmt: skip
        return Matcher(people)

    # The share of declared years written 8 years less, learned from each registry.
    assert registry_of(2).departures[False][-8] > registry_of(0).departures[False][-8] + 0.1


def test_a_misspelling_of_a_common_name_weighs_like_the_name():
    # Tolosa is common in the background; Tolora, met once, is one letter from it: most
    # likely a misspelling of it, so agreeing on it says what agreeing on Tolosa says.
    one = person("one", given_name="Tolosa")
    misspelt = person("misspelt", given_name="Tolora", father_name="Qorxafather")
    matcher = registry(one, misspelt)
    same = matcher.compare(one, person("again", given_name="Tolosa", father_name="Qorxafather"))
    # (not exactly: the names' community counts SAME and DIFFERENT names, not CLOSE ones)
    assert matcher.compare(one, misspelt) == pytest.approx(same, abs=1)
    # Thirty registrations of Tolora: a name of its own, no longer a misspelling of Tolosa.
    others = [
        person(f"t{n}", given_name="Tolora", grandfather_name=f"Fictivo{n}") for n in range(30)
    ]
    matcher = registry(one, misspelt, *others)
    same = matcher.compare(one, person("again", given_name="Tolosa", father_name="Qorxafather"))
    assert matcher.compare(one, misspelt) < same - 2


def test_a_misspelt_name_is_found_without_the_grandfathers_name():
    # A typo changes the given name's blocking key (Barkumo, Barkuno) and the second
    # registration has no grandfather's name: the two share no name pair's key, only the
    # father's name with the given name's key less a letter.
    first = person("first", given_name="Barkumo", father_name="Dendaro")
    second = person("second", given_name="Barkuno", father_name="Dendaro", grandfather_name="")
    matcher = registry(first, second)
    assert ("first", "second") in {(p.key_a, p.key_b) for p in matcher.pairs()}
    asked = person("new", given_name="Barkuno", father_name="Dendaro", grandfather_name="")
    assert "first" in [m.key for m in matcher.candidates(asked)]


def test_how_estimated_ages_depart_is_learned_from_the_registry():
    # Made-up persons registered twice, the second time with an age estimated 5 years off,
    # either way. The matcher learns that from the registry (no labels, no assumed shape):
    # an estimate 5 years from a declared year then fits better than one 2 years from it.
    names = ["Qorxa", "Fictivo", "Zembalu", "Tirbonu", "Kalvesh", "Morandu", "Pelsito", "Varuk"]
    triples = [(g, f, c) for g in names for f in names for c in names if len({g, f, c}) == 3]
    people = []
    for n, (g, f, c) in enumerate(triples):
        year = 1975 + n % 37
        for side, shift, estimated in (("a", 0, False), ("b", 5 if n % 2 else -5, True)):
            people.append(person(f"{side}{n}", given_name=g, father_name=f, grandfather_name=c,
                                 birth_year=year + shift, age_is_estimated=estimated))  # fmt: skip
    matcher = Matcher(people)
    declared = person("d", birth_year=1990)
    five = matcher.compare(declared, person("e", birth_year=1995, age_is_estimated=True))
    two = matcher.compare(declared, person("e", birth_year=1992, age_is_estimated=True))
    assert five > two + 2


def test_names_of_one_community_agreeing_say_less_than_names_that_rarely_go_together():
    # Two made-up communities, each drawing all three names from its own list. Qorxa
    # Fictivo Zembalu is a common kind of person; Qorxa Fictivo Pelsito, whose grandfather's
    # name is as common as Zembalu but of the other community, is rare: agreeing on it says
    # more (the names' weights, added, would say the same).
    ours = ["Qorxa", "Fictivo", "Zembalu", "Tirbonu"]
    theirs = ["Kalvesh", "Morandu", "Pelsito", "Varuk"]
    people = []
    for n in range(480):
        names = (ours, theirs)[n % 2]
        people.append(
            person(f"r{n}", given_name=names[n // 2 % 4], father_name=names[n // 8 % 4],
                   grandfather_name=names[n // 32 % 4], birth_year=1970 + n % 37)
        )  # fmt: skip
    matcher = Matcher(people)
    common = person("c", given_name="Qorxa", father_name="Fictivo", grandfather_name="Zembalu")
    rare = person("r", given_name="Qorxa", father_name="Fictivo", grandfather_name="Pelsito")
    assert matcher.compare(rare, replace(rare, key="r2")) > (
        matcher.compare(common, replace(common, key="c2")) + 1
    )


def test_an_empty_or_tiny_registry_finds_nothing_and_does_not_fail():
    assert Matcher([]).candidates(person()) == []
    matcher = Matcher([person()])
    assert matcher.pairs() == [] and matcher.groups() == []
    assert [m.key for m in matcher.candidates(person("new"))] == ["p1"]


def test_another_matcher_can_take_the_communities_instead_of_fitting_them():
    people = [
        *background(),
        person("a1", given_name="Abdi", father_name="Gemechu", grandfather_name="Fictivo"),
        person("a2", given_name="Abdy", father_name="Gammachuu", grandfather_name=""),
    ]
    fitted = Matcher(people)
    again = Matcher(people, communities=fitted.communities)
    assert [(p.key_a, p.key_b, round(p.score, 9)) for p in again.pairs()] == [
        (p.key_a, p.key_b, round(p.score, 9)) for p in fitted.pairs()
    ]
    # A registry one registration larger takes them as well: the new name is simply unseen.
    larger = Matcher([*people, person("n1", given_name="Qorxatestina")], fitted.communities)
    assert frozenset(("a1", "a2")) in {frozenset((p.key_a, p.key_b)) for p in larger.pairs()}


def test_two_registrations_with_different_grandfathers_are_never_grouped():
    # A third registration without the grandfather's name matches both; still two persons.
    registrations = [
        person("g1", grandfather_name="Qorxatest"),
        person("g2", grandfather_name="Zerihunesto"),
        person("g3", grandfather_name=""),
    ]
    groups = [group for group in registry(*registrations).groups() if group[0].startswith("g")]
    assert groups == [("g1", "g3")]


def test_a_group_forms_only_if_one_true_birth_year_explains_its_years():
    registrations = [
        person("y1", grandfather_name=""),
        person("y2", given_name="Mahamed", father_name="Tesfay", grandfather_name=""),
        # Declared six years later: no one true year, nor the calendar, explains it.
        person("y3", given_name="Mohamed", grandfather_name="", birth_year=1996),
    ]
    groups = [group for group in registry(*registrations).groups() if group[0].startswith("y")]
    assert groups == [("y1", "y2")]
