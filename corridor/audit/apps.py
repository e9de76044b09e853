from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "corridor.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from corridor.audit import signals

        # dispatch_uid: connected once even if ready() runs again, so one entry per event.
        user_logged_in.connect(signals.on_logged_in, dispatch_uid="audit_logged_in")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="audit_logged_out")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="audit_login_failed")
