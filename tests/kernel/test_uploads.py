"""Uploaded evidence: decompression bombs and broken files get a Chinese error; file names are sanitised."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kernel.uploads import check_evidence, download, download_name
from rectification.models import ProgressUpdate
from tests.rectification.helpers import PNG, item_of


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width, height):
    """A PNG of a few hundred bytes whose header claims ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (8_000, 8_000)])
def test_a_decompression_bomb_image_is_refused_by_its_pixel_count(width, height):
    with pytest.raises(ValidationError, match="像素过多"):
        check_evidence(SimpleUploadedFile("炸弹.png", png_claiming(width, height)))


@pytest.mark.parametrize("name, content", [
    ("截断.jpg", jpeg_bytes()[:300]),
    ("乱码.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 40),
    ("假图片.jpg", b"%PDF-1.4 not an image"),
])
def test_a_broken_image_is_refused_as_damaged(name, content):
    with pytest.raises(ValidationError, match="可能已损坏"):
        check_evidence(SimpleUploadedFile(name, content))


def test_a_sound_image_passes_and_is_rewound():
    upload = SimpleUploadedFile("现场.png", PNG)
    check_evidence(upload)
    assert upload.read() == PNG


def test_a_bomb_posted_as_progress_evidence_gets_a_chinese_error_and_saves_nothing(world, login):
    item = item_of(world.branch)
    bomb = SimpleUploadedFile("现场照片.png", png_claiming(100_000, 100_000), content_type="image/png")
    response = login(world.users["secretary"]).post(f"/rectification/items/{item.pk}/progress/",
                                                    {"text": "已整改", "percent": 50, "files": [bomb]})
    assert response.status_code == 400  # the item page with the form's errors
    assert "像素过多" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("raw, expected", [
    ('观摩/评比\\2026?*[一]:"季度".xlsx', "观摩_评比_2026__[一]__季度_.xlsx"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("名单\r\nSet-Cookie: x.pdf", "名单__Set-Cookie_ x.pdf"),
    ("", "download"),
    ("很长" * 100 + ".xlsx", "很长" * 50 + ".xlsx"),
])
def test_download_names_are_sanitised(raw, expected):
    assert download_name(raw) == expected


def test_download_sends_a_sanitised_utf8_file_name():
    response = download(b"x", "整改/台账:2026.xlsx", "application/octet-stream")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%95%B4%E6%94%B9_%E5%8F%B0%E8%B4%A6_2026.xlsx")
