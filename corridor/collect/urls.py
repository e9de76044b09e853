"""Routes of field data collection. OpenRosa's paths are fixed by the protocol: a phone is
given https://<host>/collect as server address and appends /formList and /submission. Form
files for phones live under openrosa/forms/, apart from the web pages of forms/, and name the
version by its key: any stored version stays downloadable, whatever its version string."""

from django.urls import path

from corridor.collect import key_views, openrosa, phones_views, submission_views, views

PHONE_FORM = "openrosa/forms/<str:form_id>/<int:version_id>/"

app_name = "collect"
urlpatterns = [
    # OpenRosa, for phones (HTTP Basic with a phone key).
    path("formList", openrosa.form_list, name="openrosa_form_list"),
    path(PHONE_FORM + "form.xml", openrosa.form_download, name="openrosa_form"),
    path(PHONE_FORM + "manifest", openrosa.form_manifest, name="openrosa_manifest"),
    path(PHONE_FORM + "media/<str:filename>", openrosa.form_media, name="openrosa_media"),
    path("submission", openrosa.submission, name="submission"),
    # Phone keys.
    path("phones/", phones_views.phone_list, name="phone_list"),
    path("phones/<int:pk>/revoke/", phones_views.phone_revoke, name="phone_revoke"),
    # Forms and their versions.
    path("forms/", views.form_list, name="form_list"),
    path("forms/upload/", views.form_upload, name="form_upload"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/assign/", views.form_assign, name="form_assign"),
    path("forms/<int:pk>/deactivate/", views.form_deactivate, name="form_deactivate"),
    path("forms/<int:pk>/reactivate/", views.form_reactivate, name="form_reactivate"),
    path("forms/versions/<int:pk>/xlsform/", views.version_xlsform, name="version_xlsform"),
    path("forms/versions/<int:pk>/xform/", views.version_xform, name="version_xform"),
    path("forms/versions/<int:pk>/media/", views.media_upload, name="media_upload"),
    path("forms/media/<int:pk>/", views.media_download, name="media_download"),
    # What phones sent.
    path("submissions/", submission_views.submission_index, name="submission_index"),
    path("submissions/review/", submission_views.review_queue, name="review_queue"),
    path(
        "submissions/forms/<int:form>/",
        submission_views.submission_list,
        name="submission_list",
    ),
    path(
        "submissions/forms/<int:form>/export.<str:fmt>",
        submission_views.submission_export,
        name="submission_export",
    ),
    path("submissions/<int:pk>/", submission_views.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:pk>/files/<int:attachment>/",
        submission_views.submission_attachment,
        name="submission_attachment",
    ),
    path("submissions/<int:pk>/retry/", submission_views.submission_retry, name="submission_retry"),
    path("submissions/<int:pk>/keep/", submission_views.submission_keep, name="submission_keep"),
    # Keys of encrypted forms.
    path("keys/", key_views.key_list, name="key_list"),
    path("keys/<int:pk>/", key_views.key_detail, name="key_detail"),
    path("keys/<int:pk>/create/", key_views.key_create, name="key_create"),
    path("keys/<int:pk>/decrypt/", key_views.key_decrypt, name="key_decrypt"),
]
