from django.urls import path

from corridor.referrals import views

app_name = "referrals"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("notifications/", views.notifications, name="notifications"),
    path("figures/", views.figures_page, name="figures"),
    path("shared-fields/", views.shared_field_defaults, name="shared_field_defaults"),
    path("cases/<int:pk>/new/", views.referral_create, name="referral_create"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/slip/", views.referral_slip, name="referral_slip"),
    path("<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("<int:pk>/deliver/", views.referral_deliver, name="referral_deliver"),
    path("<int:pk>/close/", views.referral_close, name="referral_close"),
    path("<int:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
]
