"""Form fields and widgets shared by every app."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A select rendered in Python. Django renders every option through a template, which for the six hundred
    committees a city's staff may choose from costs more than the rest of the page; ``format_html`` per option
    still costs half of it, so options are escaped with the standard library's ``html.escape``."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v is not None}

        def options(choices):
            html = []
            for key, label in choices:
                if isinstance(label, list | tuple):
                    html.append(f'<optgroup label="{escape(str(key))}">{options(label)}</optgroup>')
                else:
                    selected = " selected" if str(key) in chosen else ""
                    html.append(f'<option value="{escape(str(key))}"{selected}>{escape(str(label))}</option>')
            return "".join(html)

        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           mark_safe(options(self.choices)))  # every part is escaped above


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO (2026-10-31) whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (phones send the photos of one update together)."""

    def __init__(self, *args, **kwargs):
        accept = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept, "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class OrgPicker(forms.TextInput):
    """An organisation chosen by name: a search box listing matches inside the user's scope for ``action``
    (htmx, ``orgs:pick``); the chosen organisation's code is the submitted value."""

    template_name = "kernel/_org_picker.html"

    def __init__(self, action="records.view", attrs=None):
        super().__init__(attrs)
        self.action = action

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["action"] = self.action
        return context


class OrgCodeField(forms.CharField):
    """An organisation code, resolved within ``organisations`` (a scoped queryset the form sets); chosen
    with the picker among the organisations the user may take ``action`` on."""

    def __init__(self, *args, action="records.view", **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", OrgPicker(action))
        super().__init__(*args, **kwargs)
        self.organisations = None

    def clean(self, value):
        code = super().clean(value).strip()
        org = self.organisations.filter(code=code).first()
        if org is None:
            raise forms.ValidationError(f"组织“{code}”不存在或不在您的管理范围内。")
        return org
