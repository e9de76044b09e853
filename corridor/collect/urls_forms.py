"""Pages of the collection forms, under /collect/forms/ (namespace "collect")."""

from django.urls import path

from corridor.collect import views

urlpatterns = [
    path("", views.form_list, name="form_list"),
    path("upload/", views.form_upload, name="form_upload"),
    path("<int:pk>/", views.form_detail, name="form_detail"),
    path("<int:pk>/assign/", views.form_assign, name="form_assign"),
    path("<int:pk>/deactivate/", views.form_deactivate, name="form_deactivate"),
    path("<int:pk>/reactivate/", views.form_reactivate, name="form_reactivate"),
    path("versions/<int:pk>/xlsform/", views.version_xlsform, name="version_xlsform"),
    path("versions/<int:pk>/xform/", views.version_xform, name="version_xform"),
    path("versions/<int:pk>/media/", views.media_upload, name="media_upload"),
    path("media/<int:pk>/", views.media_download, name="media_download"),
]
