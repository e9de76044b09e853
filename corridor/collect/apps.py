from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CollectConfig(AppConfig):
    name = "corridor.collect"
    verbose_name = _("Field data collection")

    def ready(self) -> None:
        from corridor.accounts.models import User
        from corridor.collect import auth
        from corridor.collect.models import DeviceKey

        # A key revoked or an account changed in this process is checked again at once (other
        # processes within auth.VERIFIED_FOR seconds).
        def forget(**kwargs) -> None:
            auth.forget_verified_keys()

        for model in (User, DeviceKey):
            post_save.connect(forget, sender=model, dispatch_uid=f"collect-forget-{model}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"collect-forget-d-{model}")
