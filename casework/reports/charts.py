"""Charts drawn on the server as SVG: no script, nothing loaded from elsewhere."""

from __future__ import annotations

from markupsafe import Markup

from casework.reports.statistics import Table

_BAR = 18
_GAP = 6
_LABEL_WIDTH = 260
_BAR_WIDTH = 320


def bar_chart(table: Table, max_rows: int = 20) -> Markup:
    """A horizontal bar chart of the table's first count column (its table is shown beside)."""
    rows = table.rows[:max_rows]
    if not rows:
        return Markup("")
    # A published table's hidden count ("<5") is written, with no bar.
    top = max((r[1] for r in rows if isinstance(r[1], int)), default=0) or 1
    height = len(rows) * (_BAR + _GAP) + _GAP
    width = _LABEL_WIDTH + _BAR_WIDTH + 60
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {} {}" width="100%" aria-label="{}">'
        ).format(width, height, table.title)
    ]
    for i, row in enumerate(rows):
        y = _GAP + i * (_BAR + _GAP)
        label = str(row[0])
        if len(label) > 40:
            label = label[:39] + "…"
        value = row[1]
        length = max(1, round(_BAR_WIDTH * value / top)) if isinstance(value, int) else 0
        parts.append(
            Markup(
                '<text x="{lx}" y="{ty}" text-anchor="end" font-size="12" fill="currentColor">'
                '{label}</text><rect x="{bx}" y="{y}" width="{w}" height="{h}" fill="#3b6ea5"/>'
                '<text x="{vx}" y="{ty}" font-size="12" fill="currentColor">{value}</text>'
            ).format(
                lx=_LABEL_WIDTH - 6,
                ty=y + _BAR - 5,
                label=label,
                bx=_LABEL_WIDTH,
                y=y,
                w=length,
                h=_BAR,
                vx=_LABEL_WIDTH + length + 4,
                value=value,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
