"""The rules that need no page: case codes, the Ethiopian calendar, screening, consent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.cases import ethiopian_calendar, services
from corridor.cases.models import ConsentPurpose, ConsentText, GivenBy
from corridor.cases.screening import assess
from corridor.cases.tests.conftest import case_of


@pytest.mark.parametrize(
    ("ethiopian", "gregorian"),
    [
        ((2016, 1, 1), datetime.date(2023, 9, 12)),  # new year before a Gregorian leap year
        ((2017, 1, 1), datetime.date(2024, 9, 11)),
        ((2017, 4, 29), datetime.date(2025, 1, 7)),  # Genna (Ethiopian Christmas)
        ((2015, 13, 6), datetime.date(2023, 9, 11)),  # the sixth day of Pagume, leap year
        ((1990, 1, 1), datetime.date(1997, 9, 11)),
    ],
)
def test_ethiopian_dates_convert_both_ways(ethiopian, gregorian):
    assert ethiopian_calendar.to_gregorian(*ethiopian) == gregorian
    assert ethiopian_calendar.from_gregorian(gregorian) == ethiopian


def test_every_day_of_forty_years_converts_back_to_itself():
    day = datetime.date(1985, 1, 1)
    while day < datetime.date(2025, 1, 1):
        assert ethiopian_calendar.to_gregorian(*ethiopian_calendar.from_gregorian(day)) == day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize("bad", [(2016, 13, 6), (2016, 14, 1), (2016, 2, 31), (2016, 0, 1)])
def test_days_that_do_not_exist_are_refused(bad):
    with pytest.raises(ValueError):
        ethiopian_calendar.to_gregorian(*bad)


def test_case_codes_run_per_year_without_gaps(personas):
    first, second = case_of(personas, "A"), case_of(personas, "B", given_name="Autra")
    year = datetime.date.today().year
    assert first.code == f"DJI-{year}-000001"
    assert second.code == f"DJI-{year}-000002"


def test_one_open_case_per_organisation_on_a_person(personas):
    case = case_of(personas, "A")
    with pytest.raises(ValidationError, match="already has an open case"):
        services.open_case(by=personas["supervisor@A"], person=case.person)
    other = services.open_case(by=personas["caseworker@B"], person=case.person)
    assert other.person == case.person and other.organisation != case.organisation


@pytest.mark.parametrize(
    ("factors", "child", "level"),
    [
        ([], False, "low"),
        (["no_documents"], False, "medium"),
        (["act_recruited"], False, "medium"),
        (["no_documents", "no_shelter", "separated_family"], False, "high"),
        (["act_transported", "means_debt_bondage", "purpose_forced_labour"], False, "high"),
        # Without means: trafficking for a child, not yet for an adult.
        (["act_transported", "purpose_forced_labour"], True, "high"),
        (["act_transported", "purpose_forced_labour"], False, "medium"),
        (["child_unaccompanied"], True, "high"),
        (["no_documents", "urgent_medical"], False, "emergency"),
    ],
)
def test_risk_levels_follow_the_rules(factors, child, level):
    assert assess(factors, is_child=child).risk_level == level


def test_needs_follow_the_factors_and_trafficking():
    result = assess(
        ["child_unaccompanied", "act_recruited", "purpose_sexual", "no_food_water"], is_child=True
    )
    assert result.trafficking_indicated
    assert result.needs == [
        "food_water_nfi",
        "child_protection",
        "family_tracing",
        "shelter",
        "mental_health",
        "legal_aid",
    ]


@pytest.fixture
def texts(db):
    for purpose in ConsentPurpose.values:
        ConsentText.objects.update_or_create(
            purpose=purpose, language="fr", version=1, defaults={"body": "Texte d'essai"}
        )


def test_a_child_consents_through_a_guardian_with_assent(personas, texts):
    child = case_of(personas, "A", birth_date=datetime.date.today().replace(year=2015))
    caseworker = personas["caseworker@A"]
    with pytest.raises(ValidationError) as refused:
        services.record_consent(
            by=caseworker, case=child, purpose="registration", given=True, language="fr"
        )
    assert set(refused.value.message_dict) == {"given_by", "child_assent"}
    consent = services.record_consent(
        by=caseworker,
        case=child,
        purpose="registration",
        given=True,
        language="fr",
        given_by=GivenBy.PARENT_OR_GUARDIAN,
        child_assent=True,
    )
    assert consent.text.version == 1 and consent.child_assent is True


def test_sharing_consent_names_the_organisation_and_can_be_withdrawn(personas, texts):
    case = case_of(personas, "A")
    partner = personas.organisations["B"]
    caseworker = personas["caseworker@A"]
    with pytest.raises(ValidationError, match="Name the organisation"):
        services.record_consent(
            by=caseworker, case=case, purpose="referral_sharing", given=True, language="fr"
        )
    consent = services.record_consent(
        by=caseworker,
        case=case,
        purpose="referral_sharing",
        given=True,
        language="fr",
        shared_with=partner,
    )
    assert services.may_share(case, partner)
    assert not services.may_share(case, personas.organisations["A"])
    services.withdraw_consent(by=caseworker, consent=consent)
    assert not services.may_share(case, partner)


def test_another_organisation_cannot_record_consent_on_a_case(personas, texts):
    case = case_of(personas, "A")
    with pytest.raises(PermissionDenied):
        services.record_consent(
            by=personas["caseworker@B"], case=case, purpose="statistics", given=True, language="fr"
        )
