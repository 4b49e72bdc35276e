"""Hand-built SVG charts: labelled horizontal bars and a column histogram.

Sizes are in SVG user units; the page's CSS scales a chart down to the column width (phones) and colours it
through classes (`bar`, `bar-alt`, `bar-muted`), so a chart carries no style of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .escape import clip, esc

CHART_WIDTH = 380
_LABEL_CHARS = 56  # what fits above a bar at 12 px in CHART_WIDTH
_VALUE_CHAR_W = 6.6  # width of a 12 px value character, a little generous


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str = ""  # text right of the bar; the value itself when empty
    kind: str = "bar"  # CSS class: bar | bar-alt | bar-muted


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def bar_chart(bars: Sequence[Bar], *, title: str, scale_max: float | None = None) -> str:
    """Horizontal bars, each with its label above it: long labels (reasons, check names) stay readable."""
    if not bars:
        return ""
    row = 36
    height = row * len(bars) + 4
    top = max(scale_max or 0.0, *(b.value for b in bars)) or 1.0
    # the longest bar leaves room for the longest value text to its right
    span = CHART_WIDTH - 8 - _VALUE_CHAR_W * max(len(b.shown or _number(b.value)) for b in bars)
    span = max(span, CHART_WIDTH / 3)
    parts = [_open(CHART_WIDTH, height, title)]
    for n, bar in enumerate(bars):
        y = n * row
        length = max(span * bar.value / top, 1.5 if bar.value else 0)
        shown = bar.shown or _number(bar.value)
        parts.append(
            f"<g><title>{esc(bar.label)}: {esc(shown)}</title>"
            f'<text x="0" y="{y + 13}" class="lbl">{esc(clip(bar.label, _LABEL_CHARS))}</text>'
            f'<rect x="0" y="{y + 17}" width="{length:.1f}" height="14" rx="2" class="{esc(bar.kind)}"/>'
            f'<text x="{length + 5:.1f}" y="{y + 28}" class="val">{esc(shown)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart(columns: Sequence[tuple[str, float]], *, title: str, kind: str = "bar") -> str:
    """A histogram: one column a bin, its count above it and its label below (every other label when
    there are many bins, so they do not run into each other)."""
    if not columns:
        return ""
    height, base, top_room = 170, 140, 18
    pitch = min(64.0, (CHART_WIDTH - 8) / len(columns))
    width = pitch * 0.72
    label_every = 1 if pitch >= 30 else 2 if pitch >= 16 else 4
    top = max(v for _, v in columns) or 1.0
    parts = [_open(CHART_WIDTH, height, title)]
    parts.append(f'<line x1="0" y1="{base}" x2="{CHART_WIDTH}" y2="{base}" class="axis"/>')
    for n, (label, value) in enumerate(columns):
        x = 4 + n * pitch
        bar_height = (base - top_room) * value / top
        mid = x + width / 2
        parts.append(
            f"<g><title>{esc(label)}: {esc(_number(value))}</title>"
            f'<rect x="{x:.1f}" y="{base - bar_height:.1f}" width="{width:.1f}" height="{bar_height:.1f}" '
            f'rx="2" class="{esc(kind)}"/>'
        )
        if value:
            parts.append(
                f'<text x="{mid:.1f}" y="{base - bar_height - 4:.1f}" class="val" text-anchor="middle">'
                f"{esc(_number(value))}</text>"
            )
        if n % label_every == 0:
            parts.append(
                f'<text x="{mid:.1f}" y="{base + 16}" class="lbl" text-anchor="middle">'
                f"{esc(clip(label, 9))}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>'
    )
