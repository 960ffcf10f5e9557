"""Per-app hooks found by convention, so that each app plugs in without editing shared files.

An app may have ``navigation.py`` (a ``MENU`` list of NavItem) and ``demo.py`` (a ``seed(scale, rng)``
function). They are used in the order of PROJECT_APPS.
"""

import importlib
import importlib.util

PROJECT_APPS = ["orgs", "inspections", "rectification", "scoring", "partybuild"]


def app_modules(module_name, apps=PROJECT_APPS, package_prefix=""):
    """Import ``<app>.<module_name>`` for every project app that has one."""
    for app in apps:
        dotted = f"{package_prefix}{app}.{module_name}"
        if importlib.util.find_spec(f"{package_prefix}{app}") and importlib.util.find_spec(dotted):
            yield importlib.import_module(dotted)
