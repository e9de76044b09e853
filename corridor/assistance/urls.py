from django.urls import path

from corridor.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.distribution_list, name="distribution_list"),
    path("record/", views.distribution_record, name="distribution_record"),
    path("<int:pk>/", views.distribution_edit, name="distribution_edit"),
    path("<int:pk>/delete/", views.distribution_delete, name="distribution_delete"),
    path("report/", views.report_page, name="report"),
]
