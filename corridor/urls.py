from django.urls import include, path

from corridor import views
from corridor.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("corridor.accounts.urls")),
    path("places/", include("corridor.places.urls")),
    path("flows/", include("corridor.flows.urls")),
    path("audit/", include("corridor.audit.urls")),
    path("directory/", include("corridor.directory.urls")),
    path("cases/", include("corridor.cases.urls")),
    path("referrals/", include("corridor.referrals.urls")),
    path("assistance/", include("corridor.assistance.urls")),
    path("collect/", include("corridor.collect.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]

handler403 = "corridor.errors.forbidden"
handler404 = "corridor.errors.not_found"
