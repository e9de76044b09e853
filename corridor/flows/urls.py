from django.urls import path

from corridor.flows import exports, report, views

app_name = "flows"
urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_edit, name="group_edit"),
    path("interviews/new/", views.interview_create, name="interview_create"),
    path("imports/", views.import_create, name="import_create"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("quality/", views.quality, name="quality"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.<str:fmt>", exports.export, name="dashboard_export"),
    path("report/<str:month>.<str:fmt>", report.report, name="report"),
    path("quality/<int:point>/<str:day>/validate/", views.validate_day, name="validate_day"),
    path("months/lock/", views.month_lock, name="month_lock"),
    path("months/unlock/", views.month_unlock, name="month_unlock"),
]
