from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import Level, Organization, Sector
from orgs.queries import people_who_may
from partybuild.kernel.forms import DateInput, OrgCodeField

from .models import Assessment, Scheme


class AssessmentForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("考核细则"), queryset=Scheme.objects.all())
    name = forms.CharField(label=_("名称"), max_length=100)
    period = forms.CharField(label=_("考核期"), max_length=30, initial=_("2026年度"))
    root = OrgCodeField(label=_("考核范围(组织编码，含全部下级)"))
    levels = forms.MultipleChoiceField(label=_("只考核这些层级"), required=False, choices=Level.choices,
                                       widget=forms.CheckboxSelectMultiple)
    sectors = forms.MultipleChoiceField(label=_("只考核这些领域"), required=False, choices=Sector.choices,
                                        widget=forms.CheckboxSelectMultiple)
    raters = forms.CharField(label=_("评分主体(每行：名称 权重 评分人用户名，多个用户名用逗号分隔)"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             initial="述职评分 4 staff\n评议 3 leader\n年度考核 3 inspector")
    closes_on = forms.DateField(label=_("考核截止日期(整改台账按此日统计)"), widget=DateInput())
    self_assessment = forms.BooleanField(label=_("先由各组织自评(自评分只作对照，不计入总分)"), required=False)
    previous = forms.ModelChoiceField(label=_("上一期(用于名次比较)"), required=False,
                                      queryset=Assessment.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].organisations = Organization.objects.for_action(user, "scoring.manage")
        self.fields["previous"].queryset = Assessment.objects.visible_to(user)
        self.user = user

    def clean_raters(self):
        people = {u.username: u for u in people_who_may(self.user, "scoring.rate")}
        raters = []
        for number, line in enumerate(self.cleaned_data["raters"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) <= 0:
                raise forms.ValidationError(_("第%(n)s行应为“名称 权重 用户名”，权重为正整数。") % {"n": number})
            names = [n.strip() for n in parts[2].split(",") if n.strip()]
            unknown = [n for n in names if n not in people]
            if unknown:
                raise forms.ValidationError(_("第%(n)s行：找不到用户 %(u)s。") % {
                    "n": number, "u": "、".join(unknown)})
            raters.append((parts[0], int(parts[1]), [people[n] for n in names]))
        if not raters:
            raise forms.ValidationError(_("至少要有一个评分主体。"))
        return raters


class CellForm(forms.Form):
    org = forms.IntegerField()
    indicator = forms.IntegerField()
    points = forms.DecimalField(max_digits=5, decimal_places=1, error_messages={"invalid": _("请输入数字。")})
    reason = forms.CharField(required=False, max_length=300)
    correction_reason = forms.CharField(required=False, max_length=300)
