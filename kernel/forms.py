"""Form fields and widgets shared by every app."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
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


class SearchPicker(forms.TextInput):
    """Something chosen by name: a search box listing matches (htmx, ``search_url``); the chosen match's key is
    the submitted value, and ``current_url`` (``…current=<key>``) names it again when the form comes back."""

    template_name = "kernel/_picker.html"
    placeholder = "输入名称搜索"

    def __init__(self, search_url, attrs=None):
        """``search_url()`` gives the address of the matches; it is called when the widget is drawn, once the
        URLconf is loaded (forms are built at import)."""
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        search_url = self.search_url()
        current = ("&" if "?" in search_url else "?") + urlencode({"current": value or ""})
        context["widget"].update(search_url=search_url, current_url=search_url + current,
                                 placeholder=self.attrs.get("placeholder") or self.placeholder)
        return context


class OrgPicker(SearchPicker):
    """An organisation chosen by name: the matches inside the user's scope for ``action`` (``orgs:pick``); the
    chosen organisation's code is the submitted value."""

    placeholder = "输入组织名称搜索"
    #: the actions some picker serves: ``orgs:pick`` answers only for these (and only to those who may take them)
    served = {"records.view"}

    def __init__(self, action="records.view", attrs=None):
        super().__init__(lambda: f"{reverse('orgs:pick')}?{urlencode({'action': action})}", attrs)
        OrgPicker.served.add(action)


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
