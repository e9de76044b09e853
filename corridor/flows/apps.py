from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    name = "corridor.flows"
    verbose_name = _("Flow monitoring")
