from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO (2026-10-31) whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
