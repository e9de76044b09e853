from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "corridor.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from corridor.accounts.auth import ask_second_factor_again

        user_logged_in.connect(ask_second_factor_again, dispatch_uid="ask_second_factor_again")
