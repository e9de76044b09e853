from django.urls import path

from corridor.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("new/", views.service_create, name="service_create"),
    path("<int:pk>/", views.service_detail, name="service_detail"),
    path("<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("<int:pk>/deactivate/", views.service_deactivate, name="service_deactivate"),
    path("<int:pk>/reactivate/", views.service_reactivate, name="service_reactivate"),
]
