from django import forms

from kernel.forms import DateInput, OrgCodeField, PlainSelect
from orgs.models import Level, Organization, Sector
from orgs.queries import people_who_may

from . import engine, queries, trials
from .models import Assessment, Indicator, Scheme


class AssessmentForm(forms.Form):
    scheme = forms.ModelChoiceField(label="考核细则", queryset=Scheme.objects.all(), empty_label="请选择")
    name = forms.CharField(label="名称", max_length=100)
    period = forms.CharField(label="考核期", max_length=30, initial="2026年度")
    root = OrgCodeField(label="考核范围(含全部下级)", action="scoring.manage")
    levels = forms.MultipleChoiceField(label="只考核这些层级", required=False, choices=Level.choices,
                                       widget=forms.CheckboxSelectMultiple)
    sectors = forms.MultipleChoiceField(label="只考核这些领域", required=False, choices=Sector.choices,
                                        widget=forms.CheckboxSelectMultiple)
    raters = forms.CharField(label=("评分主体(每行：名称 权重 评分人用户名，多个用户名用逗号分隔；"
                                     "可再加“去高低”表示去掉一个最高分和一个最低分，“简表:评分表名称”表示只打该表)"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             initial="述职评议 4 staff 简表:党组织书记抓党建述职评议表\n"
                                     "评议 3 daibiao1,daibiao2,daibiao3 去高低\n年度考核 3 staff,inspector")
    closes_on = forms.DateField(label="考核截止日期(整改台账按此日统计)", widget=DateInput())
    self_assessment = forms.BooleanField(label="先由各组织自评(自评分只作对照，不计入总分)", required=False)
    previous = forms.ModelChoiceField(label="上一期(用于名次比较)", required=False,
                                      queryset=Assessment.objects.none(), empty_label="无(第一期)")

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
            if len(parts) < 3 or not parts[1].isdigit() or int(parts[1]) <= 0:
                raise forms.ValidationError(f"第{number}行应为“名称 权重 用户名”，权重为正整数。")
            options = self._rater_options(number, parts[3:])
            names = [n.strip() for n in parts[2].split(",") if n.strip()]
            unknown = [n for n in names if n not in people]
            if unknown:
                raise forms.ValidationError("第{n}行：找不到用户 {u}。".format(
                    n=number,
                    u="、".join(unknown),
                ))
            raters.append((parts[0], int(parts[1]), [people[n] for n in names], options))
        if not raters:
            raise forms.ValidationError("至少要有一个评分主体。")
        return raters

    def _rater_options(self, number, words):
        options = {}
        for word in words:
            if word == TRIMMED:
                options["trimmed"] = True
            elif word.startswith(FORM_PREFIX):
                name = word.removeprefix(FORM_PREFIX)
                options["form"] = Scheme.objects.filter(name=name).order_by("-year", "-version").first()
                if options["form"] is None:
                    raise forms.ValidationError(f"第{number}行：找不到评分表“{name}”。")
            else:
                raise forms.ValidationError(f"第{number}行：看不懂“{word}”。")
        return options


TRIMMED, FORM_PREFIX = "去高低", "简表:"


class ResultFilterForm(forms.Form):
    q = forms.CharField(label="组织名称或编码", required=False)
    group = forms.ChoiceField(label="排名分组", required=False, widget=PlainSelect)
    area = forms.ModelChoiceField(label="所属地区", required=False, queryset=Organization.objects.none(),
                                  empty_label="全部", widget=PlainSelect)
    grade = forms.ChoiceField(label="等次", required=False, widget=PlainSelect)
    mine = forms.BooleanField(label="只看本组织", required=False)

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        groups = assessment.targets.order_by("peer_group").values_list("peer_group", flat=True).distinct()
        self.fields["group"].choices = [("", "全部")] + [(g, g) for g in groups]
        self.fields["area"].queryset = queries.areas(assessment)
        self.fields["grade"].choices = [("", "全部")] + [
            (g, g) for g in [*assessment.scheme.grading_rule.labels, engine.UNRATED]]
        for name, field in self.fields.items():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-check-input" if name == "mine" else (
                "form-select form-select-sm" if select else "form-control form-control-sm")


class SheetDecisionForm(forms.Form):
    org = forms.IntegerField(widget=forms.HiddenInput)
    rater = forms.IntegerField(widget=forms.HiddenInput)
    member = forms.IntegerField(widget=forms.HiddenInput)
    count = forms.ChoiceField(label="处理", choices=[("count", "按已填分数计入"), ("leave", "不计入(按缺评)")])
    reason = forms.CharField(label="理由", max_length=200)


class PlaqueForm(forms.Form):
    org = OrgCodeField(label="组织编码")
    title = forms.CharField(label="称号", max_length=40)
    grade = forms.CharField(label="等次", max_length=8)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    reason = forms.CharField(label="理由", max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].organisations = Organization.objects.for_action(user, "scoring.manage")


class RemovalForm(forms.Form):
    reason = forms.CharField(label="摘牌理由", max_length=200)




def _numbers(text, label):
    try:
        parts = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
        return [float(part) if "." in part else int(part) for part in parts]
    except ValueError:
        raise forms.ValidationError(f"{label}应为用逗号分隔的数字。") from None


def _words(text):
    return [word.strip() for word in text.replace("，", ",").split(",") if word.strip()]


class SchemeSettingsForm(forms.ModelForm):
    """The scheme's rules as a person edits them; lists are typed as comma-separated text."""

    sectors = forms.MultipleChoiceField(label="适用领域(不选为不限)", required=False, choices=Sector.choices,
                                        widget=forms.CheckboxSelectMultiple)
    thresholds = forms.CharField(label="分数线(由高到低，逗号分隔；不填用默认)", required=False)
    shares = forms.CharField(label="各等次比例%(好、较好、一般，逗号分隔)", required=False)
    plaque_grades = forms.CharField(label="命名授牌的等次(逗号分隔，不填为最高等次)", required=False)

    class Meta:
        model = Scheme
        fields = ["sectors", "grading", "basis", "thresholds", "shares", "advanced_cap", "advanced_needs_pass",
                  "bonus_cap", "deductions_in_block", "overdue_deduction", "rectify_months", "plaque_title",
                  "plaque_grades"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("thresholds", "shares", "plaque_grades"):
            self.initial[name] = ",".join(str(v) for v in getattr(self.instance, name) or [])

    def clean_thresholds(self):
        return _numbers(self.cleaned_data["thresholds"], "分数线")

    def clean_shares(self):
        return _numbers(self.cleaned_data["shares"], "比例")

    def clean_plaque_grades(self):
        return _words(self.cleaned_data["plaque_grades"])

    def settings(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IndicatorRowForm(forms.Form):
    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(label="编号", max_length=12, required=False)
    parent = forms.CharField(label="上级编号", max_length=12, required=False)
    name = forms.CharField(label="指标", max_length=200, required=False)
    kind = forms.ChoiceField(label="类型", choices=Indicator.Kind.choices, required=False)
    max_points = forms.DecimalField(label="分值", max_digits=5, decimal_places=1, min_value=0, required=False)
    consequence = forms.ChoiceField(label="否决后果", choices=list(engine.CONSEQUENCES.items()), required=False)
    guidance = forms.CharField(label="评分标准", required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
            field.widget.attrs["aria-label"] = field.label

    def clean(self):
        data = super().clean()
        if data.get("code") and not (data.get("name") and data.get("kind")):
            raise forms.ValidationError("编号 {c}：请填写指标名称和类型。".format(c=data["code"]))
        if data.get("code") and data.get("kind") != Indicator.Kind.GROUP and not data.get("max_points"):
            raise forms.ValidationError("编号 {c}：计分、加分、扣分和一票否决指标须有大于 0 的分值。".format(
                c=data["code"],
            ))
        return data


IndicatorRows = forms.formset_factory(IndicatorRowForm, extra=3)


class TrialForm(forms.Form):
    """Another rule to try on an assessment: the scheme's grading settings, each rater's weight and each veto."""

    name = forms.CharField(label="试算名称", max_length=60, initial="试算")
    grading = forms.ChoiceField(label="评定等次", choices=Scheme.Grading.choices)
    basis = forms.ChoiceField(label="定等方式", choices=Scheme.Basis.choices)
    thresholds = forms.CharField(label="分数线(由高到低，逗号分隔；不填用默认)", required=False)
    shares = forms.CharField(label="各等次比例%(好、较好、一般，逗号分隔)", required=False)
    advanced_cap = forms.DecimalField(label="先进比例上限%(两档制，不填不限)", required=False, min_value=0,
                                      max_value=100, max_digits=4, decimal_places=1)
    advanced_needs_pass = forms.BooleanField(label="先进须上一期达标(两档制)", required=False)
    deductions_in_block = forms.BooleanField(label="扣分在所属维度内扣完为止", required=False)
    bonus_cap = forms.DecimalField(label="加分上限(不填不限)", required=False, min_value=0, max_digits=5,
                                   decimal_places=1)
    plaque_grades = forms.CharField(label="命名授牌的等次(逗号分隔，不填为最高等次)", required=False)

    def __init__(self, *args, assessment, rules, **kwargs):
        initial = {**rules, **{name: ",".join(str(v) for v in rules[name] or [])
                               for name in ("thresholds", "shares", "plaque_grades")}}
        super().__init__(*args, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self.raters = list(assessment.raters.all())
        self.vetoes = list(trials.veto_items(assessment))
        for rater in self.raters:
            self.fields[f"weight_{rater.pk}"] = forms.IntegerField(
                label=f"“{rater.name}”权重", min_value=0, max_value=100,
                initial=rules["weights"].get(str(rater.pk), rater.weight), disabled=rater.is_self)
        for veto in self.vetoes:
            self.fields[f"veto_{veto.pk}"] = forms.ChoiceField(
                label=f"否决项“{veto.name}”", choices=trials.VETO_CHOICES,
                initial=rules["vetoes"].get(str(veto.pk), veto.consequence))

    def clean_thresholds(self):
        return _numbers(self.cleaned_data["thresholds"], "分数线")

    def clean_shares(self):
        return _numbers(self.cleaned_data["shares"], "比例")

    def clean_plaque_grades(self):
        return _words(self.cleaned_data["plaque_grades"])

    def rules(self) -> dict:
        data = self.cleaned_data
        rules = {name: data[name] for name in trials.SCHEME_RULES}
        for name in ("advanced_cap", "bonus_cap"):
            rules[name] = None if data[name] is None else str(data[name])
        rules["weights"] = {str(r.pk): data[f"weight_{r.pk}"] for r in self.raters}
        rules["vetoes"] = {str(v.pk): data[f"veto_{v.pk}"] for v in self.vetoes}
        return rules
