from django.urls import path

from corridor.audit import views

# Reading and exporting only: no route changes or deletes an entry.
app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("export.csv", views.entry_export, name="entry_export"),
]
