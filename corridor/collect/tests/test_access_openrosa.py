"""Who may reach the openrosa routes of field data collection."""

ROUTES: list = []
