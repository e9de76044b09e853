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

# Case management: the plan, notes, status, closure, reopening and transfer of a case.
urlpatterns += [
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("<int:pk>/notes/", views.note_list, name="note_list"),
    path("<int:pk>/notes/new/", views.note_create, name="note_create"),
    path("<int:pk>/status/", views.status_change, name="status_change"),
    path("<int:pk>/closure/", views.closure_request, name="closure_request"),
    path("<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("<int:pk>/draft/confirm/", views.draft_confirm, name="draft_confirm"),
    path("<int:pk>/draft/discard/", views.draft_discard, name="draft_discard"),
    path("<int:pk>/transfer/", views.transfer_create, name="transfer_create"),
    path("closures/", views.closure_requests, name="closure_requests"),
    path("closures/<int:pk>/", views.closure_decide, name="closure_decide"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", views.transfer_decline, name="transfer_decline"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
]

# Cases as CSV keyed by HTCDS 2.0 field names.
urlpatterns += [
    path("htcds/export/", views.htcds_export, name="htcds_export"),
    path("htcds/import/", views.htcds_import, name="htcds_import"),
]
