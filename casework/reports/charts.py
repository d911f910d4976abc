"""Charts drawn on the server as SVG: no script, nothing loaded from elsewhere."""

from __future__ import annotations

from markupsafe import Markup

from casework.reports.statistics import Table

# Drawn at a phone's width (360), each label on its own line over its bar: shrunk to fit a
# wider chart, 12-pixel text became too small to read. On a wide screen CSS caps its size.
_LABEL = 16  # the label's line, over the bar
_BAR = 14
_GAP = 8
_WIDTH = 360
_BAR_WIDTH = 300  # the rest of the width: the count written after the longest bar
_LABEL_CHARS = 52  # what a line of 12-pixel text holds at this width


def bar_chart(table: Table, max_rows: int = 20) -> Markup:
    """A horizontal bar chart of the table's first count column (its table is shown beside)."""
    rows = table.rows[:max_rows]
    if not rows:
        return Markup("")
    # A published table's hidden count ("<5") is written, with no bar.
    top = max((r[1] for r in rows if isinstance(r[1], int)), default=0) or 1
    row_height = _LABEL + _BAR + _GAP
    height = len(rows) * row_height
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {} {}" width="100%" aria-label="{}">'
        ).format(_WIDTH, height, table.title)
    ]
    for i, row in enumerate(rows):
        y = i * row_height
        label = str(row[0])
        if len(label) > _LABEL_CHARS:
            label = label[: _LABEL_CHARS - 1] + "…"
        value = row[1]
        length = max(1, round(_BAR_WIDTH * value / top)) if isinstance(value, int) else 0
        parts.append(
            Markup(
                '<text x="0" y="{ly}" font-size="12" fill="currentColor">{label}</text>'
                '<rect x="0" y="{by}" width="{w}" height="{h}" fill="#3b6ea5"/>'
                '<text x="{vx}" y="{vy}" font-size="12" fill="currentColor">{value}</text>'
            ).format(
                ly=y + _LABEL - 4,
                label=label,
                by=y + _LABEL,
                w=length,
                h=_BAR,
                vx=length + 4,
                vy=y + _LABEL + _BAR - 2,
                value=value,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
