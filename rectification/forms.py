from django import forms
from django.urls import reverse

from kernel.forms import DateInput, MultipleFileField, OrgCodeField, OrgPicker, SearchPicker
from orgs.models import Organization, Sector

from .models import Problem, ProblemCategory, ProgressUpdate, RectificationItem, ResponsibilityEntry
from .validators import not_after_today


class CategoryChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "未分类")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.dimension.name} · {obj.name}"


class PlanForm(forms.ModelForm):
    """The rectification plan; ``version`` makes a concurrent edit fail visibly instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = RectificationItem
        fields = ["measures", "responsible_unit", "responsible_person", "deadline", "kind"]
        widgets = {
            "measures": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),
        }


class ProblemForm(forms.Form):
    """A problem raised by staff, or claimed by an organisation itself (自查认领)."""

    org_code = forms.CharField(label="党组织", max_length=32, widget=OrgPicker("ledger.work"))
    category = CategoryChoiceField(label="问题类别", required=False,
                                   queryset=ProblemCategory.objects.filter(is_active=True).select_related("dimension"))
    severity = forms.ChoiceField(label="严重程度", choices=Problem.Severity.choices)
    description = Problem._meta.get_field("description").formfield(widget=forms.Textarea(attrs={"rows": 3}))
    found_on = forms.DateField(label="发现日期", widget=DateInput(), validators=[not_after_today])
    measures = RectificationItem._meta.get_field("measures").formfield(widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.CharField(label="责任人", max_length=50, required=False)
    deadline = forms.DateField(label="整改时限", required=False, widget=DateInput())
    kind = forms.ChoiceField(label="整改类型", choices=RectificationItem.Kind.choices,
                             initial=RectificationItem.Kind.DEADLINE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org_code(self):
        org = Organization.objects.for_action(self.user, "ledger.work").filter(
            code=self.cleaned_data["org_code"].strip()).first()
        if org is None:
            raise forms.ValidationError("组织不存在或不在您的管理范围内。")
        return org


class ProgressForm(forms.Form):
    text = ProgressUpdate._meta.get_field("text").formfield(label="本月整改进展",
                                                            widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label="完成进度(%)", min_value=0, max_value=100)
    files = MultipleFileField(label="佐证材料(照片、PDF、Office 文档，每个不超过 10 MB)", required=False)


class CommentForm(forms.Form):
    comment = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    passed = forms.TypedChoiceField(label="检查结论", coerce=lambda v: v == "yes",
                                    choices=[("yes", "整改成效巩固，通过"), ("no", "问题反弹，重新整改")])
    note = forms.CharField(label="检查情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoticeForm(forms.Form):
    """What every issued document asks for: its body and the date the reply is due."""

    requirement = forms.CharField(label="正文(要求)", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    reply_by = forms.DateField(label="限期反馈", widget=DateInput())


class SubjectPicker(SearchPicker):
    """The 突出问题 chosen by its description among every problem the 督办 may name
    (``rectification:subject_pick``); the chosen problem's id is the submitted value."""

    placeholder = "输入问题描述或组织名称中的几个字搜索"

    def __init__(self, org, attrs=None):
        super().__init__(lambda: reverse("rectification:subject_pick", args=[org.pk]), attrs)


class SupervisionForm(NoticeForm):
    items = forms.ModelMultipleChoiceField(label="督办事项", queryset=RectificationItem.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, required=False)
    subject = forms.ModelChoiceField(label="突出问题(可选)", queryset=Problem.objects.none(), required=False,
                                     error_messages={"invalid_choice": "这个问题不在可督办的范围内，请重新选择。"})

    def __init__(self, *args, open_items, problems, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].initial = "请于限期内完成整改并书面反馈整改情况。"
        self.fields["items"].queryset = open_items
        self.fields["items"].label_from_instance = lambda item: (
            f"{item.problem.org.name}：{item.problem.description[:40]}(时限 {item.deadline or '未定'}"
            f"{'，已逾期' if item.is_overdue else ''})")
        self.fields["subject"].queryset = problems
        self.fields["subject"].widget = SubjectPicker(org)


class ReplyForm(forms.Form):
    text = forms.CharField(label="书面反馈", widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)
    files = MultipleFileField(label="附件(照片、PDF、Office 文档，每个不超过 10 MB)", required=False)


class ExtensionForm(forms.Form):
    proposed_deadline = forms.DateField(label="申请延至", widget=DateInput())
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批", coerce=lambda v: v == "yes",
                                     choices=[("yes", "同意延期"), ("no", "不同意")])
    note = forms.CharField(label="审批意见", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    """Staff correct the problem's category or move it to another organisation."""

    org_code = OrgCodeField(label="所属组织", action="ledger.manage")
    category = CategoryChoiceField(label="问题类别", required=False,
                                   queryset=ProblemCategory.objects.filter(is_active=True).select_related("dimension"))
    reason = forms.CharField(label="更正理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].organisations = Organization.objects.for_action(user, "ledger.manage")


class SubtreeForm(forms.Form):
    """Common fields of everything staff hand down a subtree (举一反三, tasks)."""

    root_code = forms.CharField(label="下达范围(含全部下级)", max_length=32, widget=OrgPicker("ledger.manage"))
    sector = forms.ChoiceField(label="限定领域", required=False, choices=[("", "全部领域"), *Sector.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_root_code(self):
        root = Organization.objects.for_action(self.user, "ledger.manage").filter(
            code=self.cleaned_data["root_code"].strip()).first()
        if root is None:
            raise forms.ValidationError("组织不存在或不在您的管理范围内。")
        return root


class PushForm(SubtreeForm):
    description = forms.CharField(label="对照检查的问题", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    category = CategoryChoiceField(label="问题类别", required=False,
                                   queryset=ProblemCategory.objects.filter(is_active=True).select_related("dimension"))
    reply_by = forms.DateField(label="反馈时限", widget=DateInput())


class TaskBatchForm(SubtreeForm):
    title = forms.CharField(label="任务", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="完成季度", coerce=int, choices=[(q, f"第{q}季度") for q in range(1, 5)])


class AnswerForm(forms.Form):
    claim = forms.TypedChoiceField(label="反馈", coerce=lambda v: v == "yes",
                                   choices=[("yes", "存在此问题，认领整改"), ("no", "不存在此问题")])
    reason = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskReportForm(forms.Form):
    done = forms.BooleanField(label="已完成", required=False)
    note = forms.CharField(label="完成情况", required=False, max_length=2000)


class ResponsibilityForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityEntry
        fields = ["post", "person", "duties"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 2})}


class LetterForm(forms.Form):
    letter = forms.FileField(label="签字盖章的目标责任书(PDF 或图片)")


class MilestoneForm(forms.Form):
    title = forms.CharField(label="阶段目标", max_length=200)
    due = forms.DateField(label="计划完成", widget=DateInput())
