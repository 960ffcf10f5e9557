import shutil
import subprocess

import pytest

from kernel.pdf import render_pdf


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_pdf_embeds_a_cjk_font_and_its_chinese_text_extracts(tmp_path):
    pdf = render_pdf("reports/base_print.html", {}, title="整改通知单", scope="东山村党支部", period="2026年10月")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "整改通知单" in text and "东山村党支部" in text and "第1页/共1页" in text.replace(" ", "")
