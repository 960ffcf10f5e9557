"""Small SVG charts for printed reports (no network, no JavaScript): WeasyPrint draws them as vectors."""

from django.utils.html import escape

WIDTH, HEIGHT, PAD = 640, 220, 36


def line_chart(labels, series):
    """``series``: [(name, colour, values)], values aligned with ``labels``."""
    peak = max([max(values, default=0) for _n, _c, values in series] + [1])
    step = (WIDTH - 2 * PAD) / max(1, len(labels) - 1)

    def point(i, value):
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / peak:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-size="10">',
             f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>',
             f'<text x="4" y="{PAD}">{peak}</text>']
    for i, label in enumerate(labels):
        parts.append(f'<text x="{PAD + i * step - 14:.1f}" y="{HEIGHT - 12}">{escape(label)}</text>')
    for index, (name, colour, values) in enumerate(series):
        points = " ".join(point(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{PAD + 90 * index}" y="14" fill="{colour}">■ {escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(pairs, colour="#b71c1c"):
    """``pairs``: [(label, value)]."""
    peak = max([value for _label, value in pairs] + [1])
    width = (WIDTH - 2 * PAD) / max(1, len(pairs))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-size="10">']
    for i, (label, value) in enumerate(pairs):
        height = (HEIGHT - 2 * PAD) * value / peak
        x = PAD + i * width
        parts.append(f'<rect x="{x + 4:.1f}" y="{HEIGHT - PAD - height:.1f}" width="{width - 8:.1f}" '
                     f'height="{height:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + 6:.1f}" y="{HEIGHT - PAD - height - 3:.1f}">{value}</text>')
        parts.append(f'<text x="{x + 6:.1f}" y="{HEIGHT - 14}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
