import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.cases.tests.conftest import case_of
from corridor.referrals.tests.conftest import advance, referral_of, service_of
from corridor.testing import Access, assert_access, with_roles

SENDERS = with_roles(Role.CASEWORKER, Role.SUPERVISOR)
SENDERS_OF_A = with_roles(Role.CASEWORKER, Role.SUPERVISOR, organisations=["A"])
SENDERS_OF_B = with_roles(Role.CASEWORKER, Role.SUPERVISOR, organisations=["B"])
FOCAL_POINTS = with_roles(Role.SERVICE_FOCAL_POINT)
FOCAL_POINT_OF_B = {"service_focal_point@B"}
# A referral from A's case to B's service: A's caseworkers and supervisors sent it, B's focal
# point received it. B's caseworkers and supervisors, and A's focal point, see nothing of it.
BOTH_SIDES = SENDERS_OF_A | FOCAL_POINT_OF_B


def referral_url(route: str, *steps: str, sender: str = "A"):
    def url(personas) -> str:
        referral = advance(personas, referral_of(personas, sender, "B"), *steps)
        return reverse(route, args=[referral.pk])

    return url


def create_url(personas) -> str:
    service = service_of(personas, "B")
    case = case_of(personas, "A")
    return reverse("referrals:referral_create", args=[case.pk]) + f"?service={service.pk}"


ROUTES = [
    Access("referrals:inbox", allowed=FOCAL_POINTS),
    Access("referrals:sent", allowed=SENDERS),
    Access("referrals:notifications", allowed=SENDERS | FOCAL_POINTS),
    Access("referrals:notifications", allowed=SENDERS | FOCAL_POINTS, method="post"),
    Access("referrals:shared_field_defaults", allowed=with_roles(Role.ADMINISTRATOR)),
    Access(
        "referrals:shared_field_defaults", allowed=with_roles(Role.ADMINISTRATOR), method="post"
    ),
    Access(
        "referrals:referral_create",
        allowed=SENDERS_OF_A,
        url=lambda p: reverse("referrals:referral_create", args=[case_of(p, "A").pk]),
    ),
    Access("referrals:referral_create", allowed=SENDERS_OF_A, url=create_url),
    Access(
        "referrals:referral_detail",
        allowed=BOTH_SIDES,
        url=referral_url("referrals:referral_detail"),
    ),
    # Another organisation's referral: B referring to its own service is none of A's business.
    Access(
        "referrals:referral_detail",
        allowed=SENDERS_OF_B | FOCAL_POINT_OF_B,
        url=referral_url("referrals:referral_detail", sender="B"),
    ),
    Access(
        "referrals:referral_slip", allowed=BOTH_SIDES, url=referral_url("referrals:referral_slip")
    ),
    Access(
        "referrals:referral_accept",
        allowed=FOCAL_POINT_OF_B,
        url=referral_url("referrals:referral_accept"),
    ),
    Access(
        "referrals:referral_accept",
        allowed=FOCAL_POINT_OF_B,
        method="post",
        url=referral_url("referrals:referral_accept"),
    ),
    Access(
        "referrals:referral_decline",
        allowed=FOCAL_POINT_OF_B,
        url=referral_url("referrals:referral_decline"),
    ),
    Access(
        "referrals:referral_decline",
        allowed=FOCAL_POINT_OF_B,
        method="post",
        data={"reason": "Plus de place (test)"},
        url=referral_url("referrals:referral_decline"),
    ),
    Access(
        "referrals:referral_deliver",
        allowed=FOCAL_POINT_OF_B,
        url=referral_url("referrals:referral_deliver", "accept"),
    ),
    Access(
        "referrals:referral_deliver",
        allowed=FOCAL_POINT_OF_B,
        method="post",
        data={"what": "Consultation (test)"},
        url=referral_url("referrals:referral_deliver", "accept"),
    ),
    Access(
        "referrals:referral_close",
        allowed=SENDERS_OF_A,
        url=referral_url("referrals:referral_close", "accept", "deliver"),
    ),
    Access(
        "referrals:referral_close",
        allowed=SENDERS_OF_A,
        method="post",
        url=referral_url("referrals:referral_close", "accept", "deliver"),
    ),
    Access(
        "referrals:referral_cancel",
        allowed=SENDERS_OF_A,
        url=referral_url("referrals:referral_cancel"),
    ),
    Access(
        "referrals:referral_cancel",
        allowed=SENDERS_OF_A,
        method="post",
        url=referral_url("referrals:referral_cancel"),
    ),
    # Aggregates: supervisors of their organisation's work, coordinators of everyone's.
    Access("referrals:figures", allowed=with_roles(Role.SUPERVISOR, Role.COORDINATOR)),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)


@pytest.mark.parametrize(
    "route",
    [
        "referrals:referral_detail",
        "referrals:referral_slip",
        "referrals:referral_accept",
        "referrals:referral_cancel",
    ],
)
def test_another_organisations_referral_is_not_found(personas, route):
    """Its id tells nothing: not "forbidden", which would say it exists."""
    referral = referral_of(personas, "A", "B")
    for name in ("caseworker@B", "supervisor@B", "service_focal_point@A"):
        response = personas.client_for(name).get(reverse(route, args=[referral.pk]))
        assert response.status_code == 404, name


def test_each_side_is_refused_the_other_sides_actions(personas):
    referral = referral_of(personas, "A", "B")
    focal_point = personas.client_for("service_focal_point@B")
    assert (
        focal_point.post(reverse("referrals:referral_cancel", args=[referral.pk])).status_code
        == 403
    )
    sender = personas.client_for("caseworker@A")
    assert sender.post(reverse("referrals:referral_accept", args=[referral.pk])).status_code == 403
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_the_menu_leads_each_side_to_its_list(personas):
    inbox, sent = reverse("referrals:inbox"), reverse("referrals:sent")
    home = reverse("home")
    focal_point_menu = personas.client_for("service_focal_point@A").get(home).content.decode()
    caseworker_menu = personas.client_for("caseworker@A").get(home).content.decode()
    assert inbox in focal_point_menu and sent not in focal_point_menu
    assert sent in caseworker_menu and inbox not in caseworker_menu
