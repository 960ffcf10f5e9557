"""Text is plain Chinese everywhere (docs/ARCHITECTURE.md, "Text"): no translation markers, half or whole."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
APPS = ["partybuild", "orgs", "rectification", "inspections", "scoring"]
PYTHON_MARKER = re.compile(r"django\.utils\.translation|\bgettext(_lazy)?\(|(?<![\w.])_\(")
TEMPLATE_MARKER = re.compile(r"{%\s*(load i18n|trans |translate |blocktrans|blocktranslate)")


def project_files(pattern):
    for top in [*APPS, "templates"]:
        for path in (ROOT / top).rglob(pattern):
            if "migrations" not in path.parts:
                yield path


def test_python_sources_carry_no_translation_markers():
    marked = [str(path.relative_to(ROOT)) for path in project_files("*.py") if PYTHON_MARKER.search(path.read_text())]
    assert not marked, marked


def test_templates_carry_no_translation_tags():
    marked = [str(path.relative_to(ROOT)) for path in project_files("*.html")
              if TEMPLATE_MARKER.search(path.read_text())]
    assert not marked, marked


def test_django_speaks_chinese_without_a_project_catalogue():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert not getattr(settings, "LOCALE_PATHS", [])
    assert not (ROOT / "locale").exists()
