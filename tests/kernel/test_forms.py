"""The select rendered in Python reads like Django's own: escaped, grouped, the chosen value selected."""

from django import forms

from kernel.forms import PlainSelect


class ChoiceForm(forms.Form):
    report = forms.ChoiceField(widget=PlainSelect, choices=[
        ("排名通报", [("ranking:7", "2026年<b>考核</b>"), ("ranking:8", "“甲”&乙")]),
        ("x\"><script>", "名称带引号"),
    ])


def test_the_plain_select_escapes_every_key_label_and_group_and_marks_the_chosen_option():
    html = str(ChoiceForm(initial={"report": "ranking:8"})["report"])
    assert html.startswith('<select name="report"') and html.endswith("</select>")
    assert '<optgroup label="排名通报"><option value="ranking:7">2026年&lt;b&gt;考核&lt;/b&gt;</option>' in html
    assert '<option value="ranking:8" selected>“甲”&amp;乙</option></optgroup>' in html
    assert '<option value="x&quot;&gt;&lt;script&gt;">名称带引号</option>' in html
    assert "<script>" not in html and "<b>" not in html


def test_the_plain_select_keeps_the_widget_attributes():
    form = ChoiceForm()
    form.fields["report"].widget.attrs["hx-get"] = "/reports/"
    assert 'hx-get="/reports/"' in str(form["report"])
