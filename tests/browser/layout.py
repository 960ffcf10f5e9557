"""Layout checks run in the page: horizontal overflow and table cells squeezed below two characters."""

#: returns {"overflow": px beyond the viewport, "narrow": [text of cells narrower than two characters]}
MEASURE = """() => {
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  const narrow = [];
  for (const cell of document.querySelectorAll("td, th")) {
    if (!cell.offsetParent) continue;  // hidden (a column left out on a phone)
    const text = cell.innerText.trim();
    const size = parseFloat(getComputedStyle(cell).fontSize);
    if (text.length >= 2 && cell.clientWidth < 2 * size) narrow.push(text.slice(0, 20));
  }
  return {overflow: overflow, narrow: narrow};
}"""


def problems_of(page):
    """What is wrong with the layout of the page shown, as readable strings (empty when all is well)."""
    found = page.evaluate(MEASURE)
    problems = []
    if found["overflow"] > 1:
        problems.append(f"页面横向溢出 {found['overflow']} px")
    if found["narrow"]:
        problems.append(f"{len(found['narrow'])} 个表格单元格窄于两个字：{found['narrow'][:5]}")
    return problems
