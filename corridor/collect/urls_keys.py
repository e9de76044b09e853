"""Pages of form keys (encrypted forms), under /collect/keys/ (namespace "collect")."""

from django.urls import path

from corridor.collect import key_views

urlpatterns = [
    path("", key_views.key_list, name="key_list"),
    path("<int:pk>/", key_views.key_detail, name="key_detail"),
    path("<int:pk>/create/", key_views.key_create, name="key_create"),
    path("<int:pk>/decrypt/", key_views.key_decrypt, name="key_decrypt"),
]
