"""Who may reach the forms routes of field data collection."""

ROUTES: list = []
