"""The tests run in development mode (production is the default of partybuild.settings).

Subprocesses started by tests inherit DJANGO_DEBUG from here unless they set it themselves
(tests/test_deployment.py checks the production default that way).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from partybuild.settings import *  # noqa: E402,F403

# Page query counts measure the pages: a slow run must not see the once-a-minute session renewal
# (three queries) on a page in between; tests/kernel/test_accounts.py checks the renewal itself.
SESSION_RENEW_SECONDS = 3600

# WhiteNoise would index every file under STATIC_ROOT each time a test client builds its middleware (145 ms a
# test once `collectstatic` has filled it, nothing in a fresh clone): it looks files up per request instead.
WHITENOISE_AUTOREFRESH = True

# scripts/run-tests.sh migrates one template database; each worker's test database is a copy of it instead of
# migrating on its own (14 s of CPU each).
if os.environ.get("PB_TEST_DATABASE_TEMPLATE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"TEMPLATE": os.environ["PB_TEST_DATABASE_TEMPLATE"]}  # noqa: F405
