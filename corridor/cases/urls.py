from django.urls import path

from corridor.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("register/", views.person_register, name="person_register"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/consent/", views.consent_create, name="consent_create"),
    path("<int:pk>/screening/", views.screening_create, name="screening_create"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("access-requests/", views.access_request_list, name="access_request_list"),
    path(
        "access-requests/new/<int:person>/<int:organisation>/",
        views.access_request,
        name="access_request",
    ),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", views.duplicate_review, name="duplicate_review"),
]
