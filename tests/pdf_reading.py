"""Reading a printed PDF back as a reader sees it (pdfplumber): text size, ruled cells, page numbers."""

import io

import pdfplumber

MIN_TEXT_PT = 9


def pages_of(pdf):
    return pdfplumber.open(io.BytesIO(pdf)).pages


def assert_readable(pdf, names):
    """Every character ≥ 9 pt and inside the page; each name sits in a ruled cell (rules above, below and on
    both sides of it); every page numbered 第 x 页 / 共 y 页. Returns the pages' text."""
    pages = pages_of(pdf)
    texts = []
    for number, page in enumerate(pages, start=1):
        chars = page.chars
        assert chars, f"page {number} is empty"
        assert min(c["size"] for c in chars) >= MIN_TEXT_PT - 0.01, f"text under {MIN_TEXT_PT} pt on page {number}"
        assert all(0 <= c["x0"] and c["x1"] <= page.width and 0 <= c["top"] and c["bottom"] <= page.height
                   for c in chars), f"text outside page {number}"
        text = page.extract_text()
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        for name in names:
            for word in page.search(name):
                assert_ruled(page, word, name)
        texts.append(text)
    return texts


def assert_ruled(page, word, name):
    """``word`` has a rule above and below it, and column rules left and right, none through it."""
    rows = [e for e in page.edges if e["orientation"] == "h"]
    cols = [e for e in page.edges if e["orientation"] == "v"]
    above_below = [e["top"] for e in rows if e["x0"] <= word["x0"] <= word["x1"] <= e["x1"]]
    columns = [e["x0"] for e in cols if e["top"] <= word["top"] < word["bottom"] <= e["bottom"]]
    assert any(y <= word["top"] for y in above_below), f"{name}: no rule above"
    assert any(y >= word["bottom"] for y in above_below), f"{name}: no rule below"
    assert any(x <= word["x0"] for x in columns) and any(x >= word["x1"] for x in columns), f"{name}: no column rules"
    assert not any(word["x0"] < x < word["x1"] for x in columns), f"{name}: runs over its cell"
