from django import forms

from kernel.forms import DateInput

from .models import Organization, OrgStatistics


class OrganizationForm(forms.ModelForm):
    parent_code = forms.CharField(label="上级组织编码", max_length=32, required=False,
                                  help_text="留空表示顶级组织(仅系统管理员)。")

    class Meta:
        model = Organization
        fields = ["code", "name", "level", "kind", "sector", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_parent_code(self):
        code = self.cleaned_data["parent_code"].strip()
        if not code:
            return None
        parent = Organization.objects.editable_by(self.user).filter(code=code).first()
        if parent is None:
            raise forms.ValidationError("上级组织不存在或不在您的管理范围内。")
        return parent


class StatisticsForm(forms.ModelForm):
    class Meta:
        model = OrgStatistics
        fields = [f.name for f in OrgStatistics._meta.concrete_fields if f.name not in ("id", "org", "year")]
        widgets = {
            "last_election": DateInput(),
            "next_election": DateInput(),
        }
