"""A small SVG chart writer: bar charts that read on a phone without JavaScript.

Our own rather than a plotting library: four bar charts need ~60 lines, and the output stays
inline, tiny, deterministic and free of scripts and outside fonts."""

from __future__ import annotations

from html import escape

COLOR = "#3f51b5"


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'class="fed-chart" style="width:100%;max-width:{width}px;height:auto" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(body) + "</svg>")


def hbar_chart(items: list[tuple[str, float]], title: str, suffix: str = "") -> str:
    """Horizontal bars, one row per (label, value), labels above their bars."""
    width, row = 360, 38
    height = max(1, len(items)) * row + 10
    top = max((v for _, v in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = i * row + 4
        bar = int((width - 60) * value / top)
        shown = label if len(label) <= 48 else label[:47] + "…"
        body.append(f'<text x="0" y="{y + 12}" font-size="13" fill="currentColor">{escape(shown)}</text>')
        body.append(f'<rect x="0" y="{y + 17}" width="{max(bar, 1)}" height="14" fill="{COLOR}" rx="2"/>')
        body.append(f'<text x="{max(bar, 1) + 6}" y="{y + 29}" font-size="13" fill="currentColor">'
                    f'{_number(value)}{escape(suffix)}</text>')
    return _frame(width, height, title, body)


def column_chart(labels: list[str], values: list[float], title: str) -> str:
    """Vertical columns with labels under them (e.g. posts per month)."""
    width, height, base = 360, 220, 190
    step = width / max(1, len(values))
    top = max(values, default=0) or 1
    body = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="currentColor" stroke-width="1"/>']
    for i, (label, value) in enumerate(zip(labels, values)):
        h = int(160 * value / top)
        x = int(i * step + step * 0.15)
        w = int(step * 0.7)
        body.append(f'<rect x="{x}" y="{base - h}" width="{w}" height="{h}" fill="{COLOR}" rx="2"/>')
        body.append(f'<text x="{x + w // 2}" y="{base - h - 4}" font-size="12" text-anchor="middle" '
                    f'fill="currentColor">{_number(value)}</text>')
        body.append(f'<text x="{x + w // 2}" y="{base + 16}" font-size="12" text-anchor="middle" '
                    f'fill="currentColor">{escape(label)}</text>')
    return _frame(width, height, title, body)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
