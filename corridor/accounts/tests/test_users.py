"""Managing accounts: who may create, change and deactivate whom."""

from django.urls import reverse

from corridor.accounts.models import Role, User
from corridor.places.models import FlowMonitoringPoint


def new_user_form(**overrides):
    form = {
        "username": "nouvel.enqueteur",
        "first_name": "Nouvel",
        "last_name": "Enquêteur",
        "email": "nouvel@example.org",
        "role": Role.ENUMERATOR,
        "assigned_points": [FlowMonitoringPoint.objects.get(code="galafi").pk],
        "temporary_password": "long-enough-temporary-9",
    }
    return form | overrides


def test_organisation_administrator_creates_account_in_own_organisation(personas):
    manager = personas["organisation_administrator@A"]
    client = personas.client_for("organisation_administrator@A")
    # Even asked for organisation B, the account lands in the manager's own organisation.
    response = client.post(
        reverse("accounts:user_create"),
        new_user_form(organisation=personas.organisations["B"].pk),
    )
    assert response.status_code == 200  # the form comes back: B is not a choice
    assert "organisation" in response.context["form"].errors
    response = client.post(
        reverse("accounts:user_create"), new_user_form(organisation=manager.organisation_id)
    )
    assert response.status_code == 302
    created = User.objects.get(username="nouvel.enqueteur")
    assert created.organisation == manager.organisation
    assert created.must_change_password
    assert [p.code for p in created.assigned_points.all()] == ["galafi"]


def test_organisation_administrator_cannot_give_the_administrator_role(personas):
    client = personas.client_for("organisation_administrator@A")
    page = client.get(reverse("accounts:user_create"))
    offered = [value for value, _ in page.context["form"].fields["role"].choices]
    assert Role.ADMINISTRATOR not in offered
    response = client.post(
        reverse("accounts:user_create"),
        new_user_form(role=Role.ADMINISTRATOR, organisation=personas.organisations["A"].pk),
    )
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="nouvel.enqueteur").exists()


def test_organisation_administrator_sees_only_own_organisation(personas):
    response = personas.client_for("organisation_administrator@A").get(
        reverse("accounts:user_list")
    )
    listed = {account.username for account in response.context["page"]}
    assert "enumerator-A" in listed
    assert "enumerator-B" not in listed
    assert "outsider" not in listed


def test_enumerator_needs_a_point(personas):
    client = personas.client_for("administrator@A")
    response = client.post(
        reverse("accounts:user_create"),
        new_user_form(assigned_points=[], organisation=personas.organisations["A"].pk),
    )
    assert response.context["form"].errors["assigned_points"] == [
        "Attribuez au moins un point de suivi des flux à un enquêteur."
    ]


def test_points_are_dropped_when_the_role_is_no_longer_enumerator(personas):
    enumerator = personas["enumerator@A"]
    assert enumerator.assigned_points.exists()
    personas.client_for("administrator@B").post(
        reverse("accounts:user_edit", args=[enumerator.pk]),
        {
            "first_name": "Persona",
            "last_name": "Reassigned",
            "email": "",
            "organisation": enumerator.organisation_id,
            "role": Role.PARTNER_VIEWER,
            "assigned_points": [FlowMonitoringPoint.objects.first().pk],
        },
    )
    enumerator.refresh_from_db()
    assert enumerator.role == Role.PARTNER_VIEWER
    assert not enumerator.assigned_points.exists()


def test_nobody_changes_their_own_role(personas):
    admin = personas["administrator@A"]
    response = personas.client_for("administrator@A").post(
        reverse("accounts:user_edit", args=[admin.pk]),
        {
            "first_name": "Persona",
            "last_name": "Admin",
            "email": "",
            "organisation": admin.organisation_id,
            "role": Role.PARTNER_VIEWER,
        },
    )
    assert response.status_code == 200
    assert "propre rôle" in " ".join(response.context["form"].non_field_errors())
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR


def test_deactivation_asks_first_then_blocks_login(personas):
    target = personas["partner_viewer@A"]
    client = personas.client_for("organisation_administrator@A")
    url = reverse("accounts:user_set_active", args=[target.pk])
    page = client.get(url)
    assert "Désactiver partner_viewer-A" in page.content.decode()
    target.refresh_from_db()
    assert target.is_active  # a GET only asks
    assert client.post(url).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    login = personas.client_for("anonymous").post(
        reverse("accounts:login"), {"username": target.username, "password": "persona-password"}
    )
    assert login.status_code == 200
    assert not login.wsgi_request.user.is_authenticated


def test_nobody_deactivates_themselves(personas):
    admin = personas["administrator@A"]
    response = personas.client_for("administrator@A").post(
        reverse("accounts:user_set_active", args=[admin.pk])
    )
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.is_active


def test_temporary_password_must_be_changed_at_next_login(personas):
    target = personas["information_officer@A"]
    personas.client_for("administrator@B").post(
        reverse("accounts:user_set_password", args=[target.pk]),
        {"password": "temporary-password-42"},
    )
    client = personas.client_for("anonymous")
    client.post(
        reverse("accounts:login"),
        {"username": target.username, "password": "temporary-password-42"},
    )
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "temporary-password-42",
            "new_password1": "my-own-password-77",
            "new_password2": "my-own-password-77",
        },
    )
    assert client.get(reverse("home")).status_code == 200
    target.refresh_from_db()
    assert not target.must_change_password


def test_user_list_is_paginated_and_its_queries_do_not_grow(
    personas, django_assert_max_num_queries
):
    organisation = personas.organisations["A"]
    User.objects.bulk_create(
        User(username=f"generated-{n:03}", organisation=organisation, role=Role.PARTNER_VIEWER)
        for n in range(120)
    )
    client = personas.client_for("administrator@A")
    with django_assert_max_num_queries(12):
        first = client.get(reverse("accounts:user_list"))
    assert len(first.context["page"]) == 50
    last = client.get(reverse("accounts:user_list"), {"page": 99})
    assert last.context["page"].number == last.context["page"].paginator.num_pages
    searched = client.get(reverse("accounts:user_list"), {"q": "generated-07"})
    assert searched.context["page"].paginator.count == 10


def test_organisation_administrator_cannot_touch_a_platform_administrator(personas):
    admin = personas["administrator@A"]
    client = personas.client_for("organisation_administrator@A")
    for view in ("accounts:user_edit", "accounts:user_set_password", "accounts:user_set_active"):
        assert client.get(reverse(view, args=[admin.pk])).status_code == 404
    response = client.post(
        reverse("accounts:user_set_password", args=[admin.pk]), {"password": "taken-over-1234"}
    )
    assert response.status_code == 404
    admin.refresh_from_db()
    assert admin.check_password("persona-password")
    listed = client.get(reverse("accounts:user_list")).context["page"]
    assert admin.username not in {account.username for account in listed}
