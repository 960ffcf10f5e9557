"""Files in and out: checks for uploaded evidence (type by extension AND by content, size, image pixels),
random stored names, and the one way a file is sent back (``download`` / ``download_name``).

Files are stored under MEDIA_ROOT but never served from a public URL: each app serves them through a
view that fetches the owning row with ``visible_to(user)``.
"""

import os
import re
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from PIL import Image, UnidentifiedImageError

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: 50 megapixels: any phone photo, but not a decompression bomb (a few kB that decode to gigabytes)
MAX_IMAGE_PIXELS = 50_000_000
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
        raise ValidationError(f"不支持“.{ext or '无扩展名'}”文件，"
                              "只能上传图片(jpg、png、gif、webp)、PDF 或 Office 文档。")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(f"文件“{upload.name}”超过 10 MB。")
    if not _content_matches(upload, ext):
        raise ValidationError(f"文件“{upload.name}”的内容与扩展名不符，可能已损坏。")
    upload.seek(0)


def _content_matches(upload, ext):
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if ext in IMAGE_EXTENSIONS:
        return _image_is_sound(upload)
    if ext == "pdf":
        return head.startswith(b"%PDF")
    if ext in ZIP_OFFICE:
        return head.startswith(b"PK\x03\x04")
    return head.startswith(b"\xd0\xcf\x11\xe0")


def _image_is_sound(upload):
    """Open, check the pixel count before decoding, then decode it fully: broken images fail here, not later."""
    too_big = f"图片“{upload.name}”的像素过多(超过 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素)，请缩小后再上传。"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(too_big)
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(too_big) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return True


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


_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]')


def download_name(name, fallback="download") -> str:
    """A file name that is safe in a Content-Disposition header and on any disk: no path separators, no
    control or reserved characters, at most 100 characters before the extension."""
    name = _UNSAFE_IN_NAMES.sub("_", str(name or "")).strip(" .")
    stem, ext = os.path.splitext(name)
    if len(ext) > 10:
        stem, ext = name, ""
    return f"{stem[:100].strip(' .') or fallback}{ext}"


def download(content, filename, content_type, inline=False) -> HttpResponse:
    """Bytes sent as a file named ``filename`` (sanitised), as an attachment unless ``inline``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, download_name(filename))
    return response
