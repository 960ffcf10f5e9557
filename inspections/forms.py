from django import forms
from django.contrib.auth import get_user_model

from kernel.forms import DateInput, MultipleFileField, OrgCodeField
from orgs.models import Level, Organization, Sector
from orgs.queries import people_who_may
from rectification.forms import CategoryChoiceField
from rectification.models import Problem, ProblemCategory

from .models import ChecklistAnswer, ChecklistTemplate, Finding, Method, Round, Tour

DATE = DateInput()


def _person(user):
    return user.get_full_name() or user.username


def _staff_scope(form, user, *fields):
    for name in fields:
        form.fields[name].organisations = Organization.objects.for_action(user, "inspections.manage")


class RoundForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, initial="2026年下半年基层党建专项考核")
    kind = forms.ChoiceField(label="类型", choices=Round.Kind.choices)
    root = OrgCodeField(label="检查范围(含全部下级)", action="inspections.manage")
    levels = forms.MultipleChoiceField(label="只检查这些层级(不选为全部)", required=False, choices=Level.choices,
                                       widget=forms.CheckboxSelectMultiple)
    sectors = forms.MultipleChoiceField(label="只检查这些领域(不选为全部)", required=False, choices=Sector.choices,
                                        widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_scope(self, user, "root")


class TeamForm(forms.Form):
    name = forms.CharField(label="考核组名称", max_length=50, initial="第一考核组")
    members = forms.ModelMultipleChoiceField(label="成员", queryset=get_user_model().objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    targets = forms.ModelMultipleChoiceField(label="负责的检查对象", queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, inspection_round, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people_who_may(user, "inspections.visit", "inspections.team")
        self.fields["members"].label_from_instance = _person
        self.fields["targets"].queryset = inspection_round.targets.select_related("org", "team")
        self.fields["targets"].label_from_instance = lambda t: f"{t.org.name}({t.team.name if t.team else '未分组'})"


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DateInput())
    methods = forms.MultipleChoiceField(label="检查方式", choices=Method.choices,
                                        widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label="总体情况", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="现场照片或材料", required=False)


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Finding.Kind.choices, initial=Finding.Kind.PROBLEM)
    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    category = CategoryChoiceField(label="问题类别", required=False,
                                   queryset=ProblemCategory.objects.filter(is_active=True).select_related("dimension"))
    severity = forms.ChoiceField(label="严重程度", required=False, choices=[("", "—"), *Problem.Severity.choices])
    to_spread = forms.BooleanField(label="亮点值得推广", required=False)
    files = MultipleFileField(label="照片", required=False)


class ChecklistForm(forms.Form):
    """One row per checklist item: verdict, note, optional photo.

    Items start unanswered (or with the earlier answer); a checklist with unanswered items is saved only when
    marked as a partial check, and then only the answered items are recorded."""

    partial = forms.BooleanField(label="部分检查：只保存已回答的项目", required=False)

    def __init__(self, *args, template: ChecklistTemplate, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.rows = []
        for item in template.items.all():
            previous = existing.get(item.pk)
            verdict = f"verdict_{item.pk}"
            self.fields[verdict] = forms.ChoiceField(
                label=item.text, choices=ChecklistAnswer.Verdict.choices, widget=forms.RadioSelect,
                required=False, initial=previous.verdict if previous else None)
            self.fields[f"note_{item.pk}"] = forms.CharField(label="说明", required=False, max_length=300,
                                                             initial=previous.note if previous else "")
            self.fields[f"photo_{item.pk}"] = forms.FileField(label="照片", required=False)
            self.rows.append((item, self[verdict], self[f"note_{item.pk}"], self[f"photo_{item.pk}"]))

    def clean(self):
        cleaned = super().clean()
        missing = [item for item, *_fields in self.rows if not cleaned.get(f"verdict_{item.pk}")]
        if missing and not cleaned.get("partial"):
            raise forms.ValidationError(
                f"还有 {len(missing)} 项没有回答(第 {[item for item, *_f in self.rows].index(missing[0]) + 1} 项起)。"
                "请逐项选择合格、不合格或不适用；如果这次只检查了部分项目，请勾选“部分检查”后保存。")
        if len(missing) == len(self.rows):
            raise forms.ValidationError("一项也没有回答，没有可保存的内容。")
        return cleaned

    def answers(self):
        """The answered items only."""
        return [(item, self.cleaned_data[f"verdict_{item.pk}"], self.cleaned_data[f"note_{item.pk}"],
                 self.cleaned_data[f"photo_{item.pk}"]) for item, *_fields in self.rows
                if self.cleaned_data[f"verdict_{item.pk}"]]


class TourForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Tour.Kind.choices)
    root = OrgCodeField(label="范围", action="inspections.manage")
    held_on = forms.DateField(label="观摩日期", widget=DateInput())
    stop_codes = forms.CharField(label="观摩路线(按顺序填写组织编码，每行一个)",
                                 widget=forms.Textarea(attrs={"rows": 4}))
    participants = forms.ModelMultipleChoiceField(label="评分人", queryset=get_user_model().objects.all(),
                                                  widget=forms.SelectMultiple(attrs={"size": 6}))
    drop_extremes = forms.BooleanField(label="去掉一个最高分和一个最低分", required=False)
    top_share = forms.IntegerField(label="先进比例(%)", min_value=1, max_value=100, initial=33)
    bottom_share = forms.IntegerField(label="后进比例(%)", min_value=1, max_value=100, initial=33)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _staff_scope(self, user, "root")
        self.fields["participants"].queryset = people_who_may(user, "scoring.rate")
        self.fields["participants"].label_from_instance = _person
        self.user = user

    def clean_stop_codes(self):
        codes = [line.strip() for line in self.cleaned_data["stop_codes"].splitlines() if line.strip()]
        allowed = Organization.objects.for_action(self.user, "inspections.manage")
        orgs = {o.code: o for o in allowed.filter(code__in=codes)}
        missing = [c for c in codes if c not in orgs]
        if missing:
            raise forms.ValidationError("这些编码不存在或不在您的管理范围内：{c}".format(c="、".join(missing)))
        if len(set(codes)) != len(codes):
            raise forms.ValidationError("同一个组织在路线中出现了两次。")
        return [orgs[c] for c in codes]


class ScoreForm(forms.Form):
    points = forms.DecimalField(label="得分(0–100)", min_value=0, max_value=100, decimal_places=1)
