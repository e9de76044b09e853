"""Routes of the imports of KoboToolbox and ODK Central exports, mounted at /collect/imports/."""

from django.urls import path

from corridor.collect import import_views as views

urlpatterns = [
    path("", views.export_import, name="export_import"),
    path("<int:pk>/", views.export_import_detail, name="export_import_detail"),
    path("<int:pk>/confirm/", views.export_import_confirm, name="export_import_confirm"),
]
