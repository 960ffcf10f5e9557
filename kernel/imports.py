"""The one Excel import flow every app uses: upload → preview of every row's errors → confirm, once.

An app declares an ``Importer``: its columns (with the headers accepted for each), ``check(user, plan)``
which adds the app's row errors and fills ``plan.creates``/``plan.updates``, and ``write(user, plan)``
which writes a valid plan and returns the success message. The kernel reads the sheet safely
(``xlsx_reader``), checks each cell against its column, and runs the views.

The package is checked in the request, which refuses at once whatever would cause too much work
(``xlsx_reader.check_package``). A small sheet is then read in the request; a large one is kept as a
``PendingImport`` being read, and read by a Celery task (``kernel.tasks.preview_import``, a thread of
the web process in the quick start) that records its progress, while the page shows it and then the preview.

Nothing is written at upload. The rows read from a valid file (not the file) are kept as a ``PendingImport``
whose id is the confirmation token. Confirming locks that row, checks the rows again against the database
as it is now, writes them in the same transaction and marks the row confirmed: a second click (or a second
browser tab) finds it confirmed and imports nothing. Uploads never confirmed are deleted by
``purge_unconfirmed`` (Celery beat).
"""

import datetime
import io
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connections, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import audit
from .errors import ServiceError
from .models import PendingImport
from .xlsx import ParsedSheet, RowError, SheetError, parse_cell
from .xlsx_reader import MAX_DATA_ROWS, MAX_UPLOAD_BYTES, TASK_SECONDS, Deadline, check_package, read_sheet

log = logging.getLogger(__name__)
#: a workbook of up to this many cells (about 2,500 ledger rows) is read in the request; a larger one in the background
READ_IN_REQUEST_CELLS = 40_000
#: an import of up to this many rows is written in the request; a longer one in the background
CONFIRM_IN_REQUEST_ROWS = 2000
DATA_CHANGED = "数据已发生变化，文件不再有效，请修改后重新上传。"
WRITTEN_MEANWHILE = "数据刚被其他人修改，未导入任何数据，请重新上传文件。"
#: the errors a preview lists (and keeps)
SHOWN_ERRORS = 500
#: the importers that have views, by name (what the background task reads a file for)
REGISTRY = {}
#: the Celery tasks reading and confirming in the background, by name (registered by the kernel's ``ready``)
TASKS = {}


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只接受 .xlsx 格式的 Excel 文件。")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
        return upload


@dataclass
class ImportPlan:
    """The checked content of an uploaded sheet: its rows, their errors, and what confirming would do."""

    sheet: ParsedSheet
    extra: dict = field(default_factory=dict)
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    facts: dict = field(default_factory=dict)
    #: the rows as read, before the app's check added its objects to them (what a confirmation checks again)
    stored_rows: list = field(default_factory=list, repr=False)

    @property
    def rows(self):
        return self.sheet.rows

    @property
    def errors(self):
        return self.sheet.errors

    @property
    def notes(self):
        return self.sheet.notes

    @property
    def is_valid(self):
        return not self.sheet.errors

    @property
    def count(self):
        return len(self.sheet.rows)

    def error(self, row, column, message):
        self.sheet.error(row, column, message)

    def summary(self) -> "PlanSummary":
        return PlanSummary(
            title=self.sheet.title, count=self.count, notes=list(self.notes), error_count=len(self.errors),
            errors=sorted(self.errors, key=lambda e: (e.row, e.column))[:SHOWN_ERRORS],
            creates=len(self.creates), updates=len(self.updates), unchanged=self.unchanged,
            facts={k: v for k, v in self.facts.items() if isinstance(v, int | str)}, extra=self.extra)


@dataclass
class PlanSummary:
    """What a preview shows of a plan (and keeps, when the plan was made in the background)."""

    title: str = ""
    count: int = 0
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    error_count: int = 0
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    facts: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def is_valid(self):
        return not self.error_count

    def as_json(self) -> dict:
        return {**self.__dict__, "errors": [[e.row, e.column, e.message] for e in self.errors]}

    @classmethod
    def from_json(cls, data) -> "PlanSummary":
        return cls(**{**data, "errors": [RowError(*error) for error in data.get("errors", [])]})


@dataclass(frozen=True)
class Importer:
    name: str
    columns: list
    check: Callable
    write: Callable
    max_rows: int = MAX_DATA_ROWS

    def plan(self, user, uploaded_file, deadline=None, **extra) -> ImportPlan:
        """Read and check every row; raises SheetError when the file itself is unusable."""
        return self._checked(user, read_sheet(uploaded_file, self.columns, self.max_rows, deadline), extra)

    def replan(self, user, rows, **extra) -> ImportPlan:
        """Check again the ``rows`` kept from a preview (``stored_rows``), each cell parsed again by its column."""
        sheet = ParsedSheet()
        for number, stored in rows:
            record = {}
            for column in self.columns:
                value = stored.get(column.name)
                try:
                    record[column.name] = None if value is None else parse_cell(column, value)
                except ValueError as exc:
                    sheet.error(number, column.header, str(exc))
            sheet.rows.append((number, record))
        return self._checked(user, sheet, extra)

    def _checked(self, user, sheet, extra):
        plan = ImportPlan(sheet, extra, stored_rows=[(number, dict(record)) for number, record in sheet.rows])
        self.check(user, plan)
        return plan

    @transaction.atomic
    def apply(self, user, plan: ImportPlan):
        if not plan.is_valid:
            raise ValueError("an import plan with errors cannot be applied")
        return self.write(user, plan)


def _confirm_window():
    return datetime.timedelta(minutes=settings.IMPORT_CONFIRM_MINUTES)


def import_views(importer: Importer, *, may_import, template, done_url, form_class=ImportForm):
    """The upload (preview) and confirm views of one import; ``may_import(user)`` gates both."""
    REGISTRY[importer.name] = importer

    def upload(request):
        if not may_import(request.user):
            raise PermissionDenied
        if request.method == "GET" and "token" in request.GET:
            return _shown(request, importer, template, form_class, done_url)
        form = form_class(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            extra = {key: value for key, value in form.cleaned_data.items() if key != "file"}
            file = form.cleaned_data["file"]
            try:
                if sum(used.cells for used in check_package(file).values()) > READ_IN_REQUEST_CELLS:
                    pending = _read_later(request.user, importer, file, extra)
                    return redirect(f"{request.path}?token={pending.token}")
                checked = importer.plan(request.user, file, **extra)
            except SheetError as exc:
                form.add_error("file", str(exc))
            else:
                context["plan"] = checked.summary()
                if checked.is_valid:
                    pending = PendingImport.objects.create(kind=importer.name, user=request.user, extra=extra,
                                                           rows=checked.stored_rows, original_name=file.name[:200],
                                                           size=file.size)
                    context["token"] = str(pending.token)
        return render(request, template, context)
    @require_POST
    def confirm(request):
        if not may_import(request.user):
            raise PermissionDenied
        token = _token(request.POST)
        upload_url = request.path.rsplit("confirm/", 1)[0]
        with transaction.atomic():
            pending = PendingImport.objects.select_for_update().filter(
                token=token, kind=importer.name, user=request.user).first()
            if pending is not None and pending.confirmed_at:
                messages.info(request, "这个文件已经导入过了({at})，没有重复导入。".format(
                    at=timezone.localtime(pending.confirmed_at).strftime("%H:%M:%S"),
                ))
                return redirect(done_url)
            if pending is not None and pending.status == PendingImport.Status.CONFIRMING:
                return redirect(f"{upload_url}?token={pending.token}")  # under way: its progress
            if pending is None or not pending.rows or pending.created_at < timezone.now() - _confirm_window():
                messages.error(request, "导入确认已失效，请重新上传文件。")
                return redirect(upload_url)
            if len(pending.rows) > CONFIRM_IN_REQUEST_ROWS:
                pending.status = PendingImport.Status.CONFIRMING
                pending.save(update_fields=["status"])
                transaction.on_commit(lambda: _queue("confirm_import", pending.token))
                return redirect(f"{upload_url}?token={pending.token}")
            outcome, detail = _confirmed(importer, pending, request)
        if outcome == "refused":
            messages.error(request, DATA_CHANGED)
            return render(request, template, {"form": form_class(), "plan": detail})
        if outcome == "failed":
            messages.error(request, detail)
            return redirect(upload_url)
        messages.success(request, detail)
        return redirect(done_url)

    return upload, confirm


def _confirmed(importer, pending, who):
    """Check the kept rows again and write them (the row locked by the caller). ("done", message),
    ("refused", PlanSummary with the errors) when the data changed meanwhile, or ("failed", message)."""
    checked = importer.replan(pending.user, pending.rows, **pending.extra)
    uploaded = {"file": pending.original_name, "size": pending.size, "rows": len(pending.rows)}
    if not checked.is_valid:
        audit.record(who, audit.Action.IMPORT, importer.name, outcome="refused: data changed", **uploaded)
        pending.delete()
        return "refused", checked.summary()
    try:
        message = str(importer.apply(pending.user, checked))
    except (ServiceError, IntegrityError) as exc:  # a refusal, or a row someone else wrote meanwhile
        return "failed", str(exc) if isinstance(exc, ServiceError) else WRITTEN_MEANWHILE
    pending.confirmed_at, pending.result, pending.rows = timezone.now(), message[:200], []
    pending.status = PendingImport.Status.CHECKED
    pending.save()
    audit.record(who, audit.Action.IMPORT, importer.name, outcome=message, **uploaded)
    return "done", message


def confirm(token):
    """Write a large confirmed import (the background task's work); the page shows the outcome."""
    with transaction.atomic():
        pending = PendingImport.objects.select_for_update().filter(
            token=token, status=PendingImport.Status.CONFIRMING).select_related("user").first()
        if pending is None:
            return
        outcome, detail = _confirmed(_importer(pending.kind), pending, pending.user)
    if outcome == "refused":
        PendingImport.objects.create(token=token, kind=pending.kind, user=pending.user, extra=pending.extra,
                                     original_name=pending.original_name, size=pending.size,
                                     summary={**detail.as_json(), "refusal": DATA_CHANGED})
    elif outcome == "failed":
        PendingImport.objects.filter(pk=token).update(status=PendingImport.Status.CHECKED, rows=[],
                                                      summary={"refusal": detail})


def _importer(kind):
    if kind not in REGISTRY:
        from .registry import app_modules

        list(app_modules("views"))  # a worker process: the views register their importers
    return REGISTRY[kind]


def _read_later(user, importer, file, extra) -> PendingImport:
    """Keep a large upload to be read in the background; the page shows its progress."""
    file.seek(0)
    pending = PendingImport.objects.create(kind=importer.name, user=user, extra=extra, upload=file.read(),
                                           status=PendingImport.Status.READING, original_name=file.name[:200],
                                           size=file.size)
    transaction.on_commit(lambda: _queue("preview_import", pending.token))
    return pending


def _queue(task_name, token):
    """Run the kernel task ``task_name`` on the upload ``token``: by a worker, or without one (the quick start)
    in a thread of this process."""
    task = TASKS[task_name]
    if settings.REPORTS_IN_BACKGROUND_THREAD:
        threading.Thread(target=_in_thread, args=(task, token), name=f"import-{token}", daemon=True).start()
        return
    try:
        task.delay(str(token))
    except Exception as exc:  # the broker is down: the user is told on the page
        log.warning("import task not queued: %r", exc)
        _refuse(token, "导入服务暂时不可用(任务队列无法连接)，请稍后重新上传。")


def _in_thread(task, token):
    try:
        task.apply(args=[str(token)])
    finally:
        connections.close_all()  # this thread's own connections


def preview(token):
    """Read and check a kept upload (the background task's work): its rows and summary are kept, the file
    dropped; the page shows the progress meanwhile."""
    pending = PendingImport.objects.filter(token=token, status=PendingImport.Status.READING).first()
    if pending is None:
        return
    importer = _importer(pending.kind)

    def progress(share):
        PendingImport.objects.filter(pk=token).update(progress=max(1, min(99, int(share * 100))))

    try:
        plan = importer.plan(pending.user, io.BytesIO(bytes(pending.upload)), Deadline(TASK_SECONDS, progress),
                             **pending.extra)
    except SheetError as exc:
        _refuse(token, str(exc))
        return
    PendingImport.objects.filter(pk=token).update(
        status=PendingImport.Status.CHECKED, progress=100, upload=None, summary=plan.summary().as_json(),
        rows=plan.stored_rows if plan.is_valid else [])


def _refuse(token, message):
    PendingImport.objects.filter(pk=token).update(status=PendingImport.Status.CHECKED, progress=100, upload=None,
                                                  rows=[], summary={"refusal": message})


def _shown(request, importer, template, form_class, done_url):
    """The page of an upload read in the background: its progress, then its preview (or why it was refused)."""
    pending = PendingImport.objects.filter(token=_token(request.GET), kind=importer.name,
                                           user=request.user).defer("rows", "upload").first()
    if pending is None:
        raise Http404("导入记录不存在或已失效，请重新上传文件。")
    under_way = pending.status in (PendingImport.Status.READING, PendingImport.Status.CONFIRMING)
    if request.headers.get("HX-Request") and not under_way:
        response = HttpResponse()
        response["HX-Refresh"] = "true"  # the page polling the progress shows the outcome in full
        return response
    if pending.confirmed_at:
        messages.success(request, pending.result)
        return redirect(done_url)
    context = {"form": form_class(), "pending": pending}
    if not under_way:
        summary = {**pending.summary}
        context["refusal"] = summary.pop("refusal", "")
        if summary:
            context["plan"] = PlanSummary.from_json(summary)
            context["token"] = str(pending.token) if context["plan"].is_valid else None
    return render(request, template, context)


def _token(data):
    try:
        return uuid.UUID(data.get("token", ""))
    except ValueError:
        return None


def purge_unconfirmed(now=None) -> int:
    """Delete the uploads not confirmed within IMPORT_CONFIRM_MINUTES; returns how many."""
    stale = PendingImport.objects.filter(confirmed_at__isnull=True,
                                         created_at__lt=(now or timezone.now()) - _confirm_window())
    return stale.delete()[0]
