"""The two-step Excel import every app uses: upload → preview of every row's errors → confirm.

Nothing is written at upload. A valid file is kept under MEDIA_ROOT/imports and the confirm form carries
a signed token naming it and the user; on confirm the file is checked again and applied in one
transaction (the app's ``apply`` function), so a workbook never half-imports.
"""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import xlsx

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件(.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只接受 .xlsx 格式的 Excel 文件。"))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("文件不能超过 10 MB。"))
        return upload


def import_views(*, name, plan, apply, may_import, template, done_url, form_class=ImportForm):
    """Build the upload and confirm views of one import.

    ``plan(user, file, **extra)`` returns an object with ``is_valid`` and ``errors`` (or raises
    xlsx.SheetError), where ``extra`` are the form's other fields (plain strings and numbers);
    ``apply(user, plan)`` writes it and returns the success message; ``may_import(user)`` gates both views.
    """
    salt = f"import.{name}"

    def upload(request):
        if not may_import(request.user):
            raise PermissionDenied
        form = form_class(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            extra = {key: value for key, value in form.cleaned_data.items() if key != "file"}
            file = form.cleaned_data["file"]
            try:
                context["plan"] = checked = plan(request.user, file, **extra)
            except xlsx.SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if checked.is_valid:
                    file.seek(0)
                    stored = default_storage.save(f"imports/{name}.xlsx", file)
                    context["token"] = signing.dumps({"file": stored, "user": request.user.pk, "extra": extra},
                                                     salt=salt)
        return render(request, template, context)

    @require_POST
    def confirm(request):
        if not may_import(request.user):
            raise PermissionDenied
        try:
            payload = signing.loads(request.POST.get("token", ""), salt=salt, max_age=3600)
        except signing.BadSignature:
            payload = None
        if not payload or payload["user"] != request.user.pk or not default_storage.exists(payload["file"]):
            messages.error(request, _("导入确认已失效，请重新上传文件。"))
            return redirect(request.path.rsplit("confirm/", 1)[0])
        with default_storage.open(payload["file"], "rb") as stored:
            checked = plan(request.user, stored, **payload.get("extra", {}))
        if not checked.is_valid:
            messages.error(request, _("数据已发生变化，文件不再有效，请修改后重新上传。"))
            return render(request, template, {"form": form_class(), "plan": checked})
        message = apply(request.user, checked)
        default_storage.delete(payload["file"])
        messages.success(request, message)
        return redirect(done_url)

    return upload, confirm
