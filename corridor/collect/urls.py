"""Routes of field data collection. OpenRosa's paths are fixed by the protocol: a phone is
given https://<host>/collect as server address and appends /formList and /submission."""

from django.urls import include, path

app_name = "collect"
urlpatterns = [
    path("", include("corridor.collect.urls_openrosa")),
    path("forms/", include("corridor.collect.urls_forms")),
    path("submissions/", include("corridor.collect.urls_submissions")),
    path("keys/", include("corridor.collect.urls_keys")),
]
