"""Layout checks run in the page: horizontal overflow, crushed table cells, tables a phone must scroll sideways
(below 576 px) and menu labels on two lines.

A cell is crushed when its text wraps and either each line holds two characters or fewer (a name broken every two
characters) or the cell is narrower than four of its own characters (text of four characters or more squeezed
into a column too narrow for it). Text that fits on one line is never crushed, however narrow its cell.
"""

#: returns {"overflow": px beyond the viewport, "crushed": [text of crushed cells], "menu": [labels on two lines],
#: "sideways": how many tables scroll sideways in their box on a phone}
MEASURE = """() => {
  const visible = (element) => element.offsetParent !== null;
  const lineCount = (element) => {
    const tops = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
      if (!walker.currentNode.textContent.trim()) continue;
      range.selectNodeContents(walker.currentNode);
      for (const rect of range.getClientRects()) {
        if (rect.width && !tops.some((top) => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top);
      }
    }
    return tops.length;
  };
  const canvas = document.createElement("canvas").getContext("2d");
  const widthOf = (text, style) => {
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return canvas.measureText(text).width;
  };
  const contentWidth = (element, style) =>
    element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const crushed = [];
  for (const cell of document.querySelectorAll("td, th")) {
    if (!visible(cell)) continue;  // hidden (a column left out on a phone)
    const text = cell.innerText.replace(/\\s+/g, "");
    const lines = lineCount(cell);
    if (lines < 2) continue;
    const style = getComputedStyle(cell);
    const brokenEveryTwo = text.length / lines <= 2;
    const tooNarrow = text.length >= 4 && contentWidth(cell, style) < widthOf(text.slice(0, 4), style) - 1;
    if (brokenEveryTwo || tooNarrow) crushed.push(text.slice(0, 20));
  }
  const menu = [];
  for (const link of document.querySelectorAll("nav.navbar .nav-link")) {
    if (!visible(link)) continue;  // folded away behind the menu button
    const style = getComputedStyle(link);
    const height = link.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const lineHeight = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);  // "normal"
    if (height > 1.5 * lineHeight) menu.push(link.innerText.trim());
  }
  // on a phone a table is cards or transposed: none is left to scroll sideways in its box
  const sideways = window.innerWidth < 576 ? [...document.querySelectorAll("table")].filter(
    (table) => visible(table) && table.parentElement.scrollWidth > table.parentElement.clientWidth + 1).length : 0;
  return {overflow: document.documentElement.scrollWidth - window.innerWidth, crushed: crushed, menu: menu,
          sideways: sideways};
}"""


def problems_of(page):
    """What is wrong with the layout of the page shown, as readable strings (empty when all is well)."""
    found = page.evaluate(MEASURE)
    problems = []
    if found["overflow"] > 1:
        problems.append(f"页面横向溢出 {found['overflow']} px")
    if found["crushed"]:
        problems.append(f"{len(found['crushed'])} 个表格单元格被挤压：{found['crushed'][:5]}")
    if found["sideways"]:
        problems.append(f"{found['sideways']} 个表格在手机上要横向滚动")
    if found["menu"]:
        problems.append(f"{len(found['menu'])} 个菜单项折成两行：{found['menu'][:5]}")
    return problems
