"""Who may reach the submissions routes of field data collection."""

ROUTES: list = []
