from django.urls import path

from corridor.places import views

app_name = "places"
urlpatterns = [
    path("points/", views.point_list, name="point_list"),
    path("points/new/", views.point_edit, name="point_create"),
    path("points/<int:pk>/", views.point_edit, name="point_edit"),
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:code>/", views.country_edit, name="country_edit"),
    path("regions/new/", views.region_edit, name="region_create"),
    path("regions/<int:pk>/", views.region_edit, name="region_edit"),
]
