"""Who may reach the keys routes of field data collection."""

ROUTES: list = []
