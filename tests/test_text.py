"""Text is plain Chinese everywhere (docs/ARCHITECTURE.md, "Text"): no translation markers, half or whole."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
APPS = ["partybuild", "orgs", "rectification", "inspections", "scoring"]
PYTHON_MARKER = re.compile(r"django\.utils\.translation|from django\.utils import [\w, ]*\btranslation\b"
                           r"|\b(n|p|np)?gettext(_lazy|_noop)?\(|(?<![\w.])_\(")
TEMPLATE_MARKER = re.compile(r"{%\s*(load i18n|trans |translate |blocktrans|blocktranslate)|(?<![\w.])_\(\s*[\"']")


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


@pytest.mark.parametrize("marked", [
    "from django.utils.translation import gettext as _", "from django.utils import timezone, translation",
    "translation.ngettext('一项', '多项', n)", "pgettext('菜单', '首页')", "gettext_lazy('首页')", "_('首页')"])
def test_every_python_marker_is_found(marked):
    assert PYTHON_MARKER.search(marked)


@pytest.mark.parametrize("marked", ['{{ _("首页") }}', "{% load i18n %}", "{% translate '首页' %}",
                                    "{% blocktranslate %}x{% endblocktranslate %}", "{% firstof _('x') y %}"])
def test_every_template_marker_is_found(marked):
    assert TEMPLATE_MARKER.search(marked)


def test_plain_text_is_not_taken_for_a_marker():
    assert not PYTHON_MARKER.search("message = f'已{label}。'; my_gettext = 1; obj.gettext_value")
    assert not TEMPLATE_MARKER.search('{{ item.label }} {% url "home" %} 已完成(_)')


def test_django_speaks_chinese_without_a_project_catalogue():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert not getattr(settings, "LOCALE_PATHS", [])
    assert not (ROOT / "locale").exists()
