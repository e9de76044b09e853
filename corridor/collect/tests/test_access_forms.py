"""Who may reach the forms routes of field data collection.

Administrators manage every form; information officers the forms that hold no personal data
of flow monitoring and "other" purposes (a screening form is refused to them); nobody else
sees these pages: phones get their forms over OpenRosa.
"""

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.collect import services
from corridor.collect.models import Purpose
from corridor.collect.tests.xlsforms import simple_form, store_form, xlsform_bytes
from corridor.testing import Access, assert_access, with_roles

MANAGERS = with_roles(Role.ADMINISTRATOR, Role.INFORMATION_OFFICER)
ADMINISTRATORS = with_roles(Role.ADMINISTRATOR)


def flow_form(personas, **options):
    """A flow monitoring form without personal data: information officers manage it."""
    options = {"purpose": Purpose.FLOW_REGISTRY, **options}
    return store_form(personas["administrator@A"], **options)


def screening_form(personas):
    return store_form(
        personas["administrator@A"],
        simple_form(form_id="screening"),
        purpose=Purpose.SCREENING,
    )


def with_media(personas):
    content = xlsform_bytes(
        [{"type": "note", "name": "hello", "label": "Hello", "image": "logo.png"}],
        settings={"form_id": "with_media", "version": "1"},
    )
    version = flow_form(personas, content=content)
    return services.add_media(
        by=personas["administrator@A"], version=version, filename="logo.png", content=b"\x89PNG"
    )


def form_url(route, make=flow_form, **options):
    return lambda personas: reverse(route, args=[make(personas, **options).form.pk])


def version_url(route, make=flow_form):
    return lambda personas: reverse(route, args=[make(personas).pk])


def inactive_form_url(route):
    def url(personas):
        version = flow_form(personas)
        services.deactivate(by=personas["administrator@A"], form=version.form)
        return reverse(route, args=[version.form.pk])

    return url


ROUTES = [
    Access("collect:form_list", allowed=MANAGERS),
    Access("collect:form_upload", allowed=MANAGERS),
    # An empty upload is answered with the page and its errors, to those who may upload.
    Access("collect:form_upload", allowed=MANAGERS, method="post"),
    Access("collect:form_detail", allowed=MANAGERS, url=form_url("collect:form_detail")),
    Access(
        "collect:form_detail",
        allowed=ADMINISTRATORS,
        url=lambda personas: reverse(
            "collect:form_detail", args=[screening_form(personas).form.pk]
        ),
    ),
    Access(
        "collect:form_assign",
        allowed=MANAGERS,
        method="post",
        url=form_url("collect:form_assign"),
        data={"roles": [Role.ENUMERATOR.value]},
    ),
    Access(
        "collect:form_assign",
        allowed=ADMINISTRATORS,
        method="post",
        url=lambda personas: reverse(
            "collect:form_assign", args=[screening_form(personas).form.pk]
        ),
        data={"roles": [Role.CASEWORKER.value]},
    ),
    Access("collect:form_deactivate", allowed=MANAGERS, url=form_url("collect:form_deactivate")),
    Access(
        "collect:form_deactivate",
        allowed=MANAGERS,
        method="post",
        url=form_url("collect:form_deactivate"),
    ),
    Access(
        "collect:form_reactivate",
        allowed=MANAGERS,
        url=inactive_form_url("collect:form_reactivate"),
    ),
    Access(
        "collect:form_reactivate",
        allowed=MANAGERS,
        method="post",
        url=inactive_form_url("collect:form_reactivate"),
    ),
    Access("collect:version_xlsform", allowed=MANAGERS, url=version_url("collect:version_xlsform")),
    Access("collect:version_xform", allowed=MANAGERS, url=version_url("collect:version_xform")),
    Access(
        "collect:version_xform",
        allowed=ADMINISTRATORS,
        url=lambda personas: reverse("collect:version_xform", args=[screening_form(personas).pk]),
    ),
    # Without a file the page answers with the form's error, to those who may upload.
    Access(
        "collect:media_upload",
        allowed=MANAGERS,
        method="post",
        url=version_url("collect:media_upload"),
    ),
    Access(
        "collect:media_download",
        allowed=MANAGERS,
        url=lambda personas: reverse("collect:media_download", args=[with_media(personas).pk]),
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)


def test_the_menu_leads_to_the_forms_for_those_who_manage_them(personas):
    url = reverse("collect:form_list")
    home = reverse("home")
    for name in ("administrator@A", "information_officer@B"):
        assert url in personas.client_for(name).get(home).content.decode(), name
    for name in ("enumerator@A", "caseworker@A", "organisation_administrator@A"):
        assert url not in personas.client_for(name).get(home).content.decode(), name


def test_an_information_officer_does_not_see_forms_with_personal_data_in_the_list(personas):
    flow_form(personas)
    screening_form(personas)
    page = personas.client_for("information_officer@A").get(reverse("collect:form_list"))
    assert "<code>simple</code>" in page.content.decode()
    assert "<code>screening</code>" not in page.content.decode()
    page = personas.client_for("administrator@B").get(reverse("collect:form_list"))
    assert "<code>screening</code>" in page.content.decode()
