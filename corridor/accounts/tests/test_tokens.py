"""API tokens: created by an administrator, shown once, usable as the account, revocable."""

from django.urls import reverse

from corridor.accounts.models import ApiToken


def test_token_is_shown_once_works_and_stops_working_when_revoked(personas, client):
    manager = personas.client_for("organisation_administrator@A")
    partner = personas["partner_viewer@A"]
    page = manager.post(
        reverse("accounts:token_list"), {"user": partner.pk, "name": "Tableau UNICEF"}
    )
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash != key and key not in token.key_hash  # only a hash is kept
    assert key not in manager.get(reverse("accounts:token_list")).content.decode()

    url = reverse("api:dashboard")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.get(url, HTTP_AUTHORIZATION="Bearer not-a-key").status_code == 401

    manager.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_organisation_administrator_cannot_make_tokens_for_other_organisations(personas):
    manager = personas.client_for("organisation_administrator@A")
    outsider_account = personas["partner_viewer@B"]
    response = manager.post(
        reverse("accounts:token_list"), {"user": outsider_account.pk, "name": "x"}
    )
    assert "user" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_token_is_refused(personas, client):
    manager = personas.client_for("administrator@A")
    partner = personas["partner_viewer@B"]
    key = manager.post(reverse("accounts:token_list"), {"user": partner.pk, "name": "x"}).context[
        "new_key"
    ]
    partner.is_active = False
    partner.save()
    response = client.get(reverse("api:dashboard"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
