"""The profile page (个人中心): who I am, my roles and scope, and my personal API tokens."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kernel.pages import run_service
from kernel.policy import ROLE_SPECS, scope_of
from orgs.models import Organization

from . import tokens
from .models import ApiToken

SECRET_SESSION_KEY = "new_api_token"


class TokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=50,
                           help_text="用于区分不同设备或系统，例如“我的手机”“县智慧党建平台”。")
    days = forms.TypedChoiceField(label="有效期", coerce=int, initial=90,
                                  choices=[(d, f"{d} 天") for d in tokens.LIFETIMES])


def profile(request):
    scope = scope_of(request.user)
    orgs = Organization.objects.in_bulk(scope.root_ids())
    return render(request, "accounts/profile.html", {
        "grants": [(ROLE_SPECS[g.role].label, orgs[g.org_id], g.recursive) for g in scope.grants],
        "is_admin": scope.is_admin,
        "tokens": ApiToken.objects.filter(user=request.user),
        "form": TokenForm(),
        "new_secret": request.session.pop(SECRET_SESSION_KEY, None),
    })


@require_POST
def token_new(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写令牌名称并选择有效期。")
        return redirect("profile")
    issued = run_service(request, lambda: tokens.issue(request.user, **form.cleaned_data),
                         "令牌已创建。请立即复制保存：离开本页后将无法再次查看。")
    if issued:
        request.session[SECRET_SESSION_KEY] = issued[1]
    return redirect("profile")


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    run_service(request, lambda: tokens.revoke(request.user, token), f"令牌“{token.name}”已撤销。")
    return redirect("profile")
