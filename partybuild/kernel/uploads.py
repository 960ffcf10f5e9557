"""Checks for uploaded evidence files: allowed type by extension AND by content, and size.

Files are stored under MEDIA_ROOT but never served from a public URL: each app serves them through a
view that fetches the owning row with ``visible_to(user)``.
"""

import os
import uuid

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}
ZIP_OFFICE = {"docx", "xlsx", "pptx"}
OLE_OFFICE = {"doc", "xls", "ppt"}
ALLOWED_EXTENSIONS = IMAGE_EXTENSIONS | ZIP_OFFICE | OLE_OFFICE | {"pdf"}


def extension(name):
    return os.path.splitext(name)[1].lower().lstrip(".")


def check_evidence(upload):
    """Raise a Chinese ValidationError unless the file is an image, PDF or Office document of a sane size."""
    ext = extension(upload.name)
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(_("不支持“.%(ext)s”文件，只能上传图片(jpg、png、gif、webp)、PDF 或 Office 文档。")
                              % {"ext": ext or "无扩展名"})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("文件“%(name)s”超过 10 MB。") % {"name": upload.name})
    if not _content_matches(upload, ext):
        raise ValidationError(_("文件“%(name)s”的内容与扩展名不符，可能已损坏。") % {"name": upload.name})
    upload.seek(0)


def _content_matches(upload, ext):
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if ext in IMAGE_EXTENSIONS:
        try:
            Image.open(upload).verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return False
        return True
    if ext == "pdf":
        return head.startswith(b"%PDF")
    if ext in ZIP_OFFICE:
        return head.startswith(b"PK\x03\x04")
    return head.startswith(b"\xd0\xcf\x11\xe0")


def is_image(name):
    return extension(name) in IMAGE_EXTENSIONS


@deconstructible
class RandomName:
    """An upload_to: random names under a folder, so stored paths reveal nothing and never collide."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        return f"{self.folder}/{uuid.uuid4().hex}.{extension(filename)}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder
