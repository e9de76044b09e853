"""Routes of the pages showing what phones sent, mounted at /collect/submissions/."""

from django.urls import path

from corridor.collect import submission_views as views

urlpatterns = [
    path("", views.submission_index, name="submission_index"),
    path("review/", views.review_queue, name="review_queue"),
    path("forms/<int:form>/", views.submission_list, name="submission_list"),
    path("forms/<int:form>/export.<str:fmt>", views.submission_export, name="submission_export"),
    path("<int:pk>/", views.submission_detail, name="submission_detail"),
    path(
        "<int:pk>/files/<int:attachment>/",
        views.submission_attachment,
        name="submission_attachment",
    ),
    path("<int:pk>/retry/", views.submission_retry, name="submission_retry"),
    path("<int:pk>/keep/", views.submission_keep, name="submission_keep"),
]
