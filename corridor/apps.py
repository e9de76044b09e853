from django.apps import AppConfig


class CorridorConfig(AppConfig):
    name = "corridor"
    verbose_name = "Corridor"
