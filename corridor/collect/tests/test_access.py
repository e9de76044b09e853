"""Every route of field data collection, with who may reach it (one file a part)."""

from corridor.collect.tests.test_access_forms import ROUTES as FORMS
from corridor.collect.tests.test_access_keys import ROUTES as KEYS
from corridor.collect.tests.test_access_openrosa import ROUTES as OPENROSA
from corridor.collect.tests.test_access_submissions import ROUTES as SUBMISSIONS

ROUTES = [*OPENROSA, *FORMS, *SUBMISSIONS, *KEYS]
