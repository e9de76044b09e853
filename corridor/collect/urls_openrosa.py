"""OpenRosa's routes (their names are fixed by the protocol: a phone given
https://<host>/collect appends /formList and /submission) and the "My phones" pages.

Form files live under openrosa/forms/, apart from the web pages of forms/ (urls_forms.py), and
name the version by its key: any stored version stays downloadable, whatever its version
string (possibly empty) looks like.
"""

from django.urls import path

from corridor.collect import openrosa, phones_views

FORM = "openrosa/forms/<str:form_id>/<int:version_id>/"

urlpatterns = [
    path("formList", openrosa.form_list, name="openrosa_form_list"),
    path(FORM + "form.xml", openrosa.form_download, name="openrosa_form"),
    path(FORM + "manifest", openrosa.form_manifest, name="openrosa_manifest"),
    path(FORM + "media/<str:filename>", openrosa.form_media, name="openrosa_media"),
    path("submission", openrosa.submission, name="submission"),
    path("phones/", phones_views.phone_list, name="phone_list"),
    path("phones/<int:pk>/revoke/", phones_views.phone_revoke, name="phone_revoke"),
]
